//! Builds and negotiates pipelines from arbitrary UTF-8 (nothing is started).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        parallax_engine::fuzzing::px_pipeline(s)
    }
});
