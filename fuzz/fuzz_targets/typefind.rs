//! Runs decodebin's typefinding over arbitrary first bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parallax_elements::fuzzing::typefind(data);
});
