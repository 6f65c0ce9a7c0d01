//! Feeds arbitrary UTF-8 to the caps parser and the caps algebra.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        parallax_engine::fuzzing::caps_parse(s)
    }
});
