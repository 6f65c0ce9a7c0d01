//! Feeds arbitrary bytes, in arbitrary chunks, to `wavparse`, which must never panic, hang
//! or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parallax_fuzz::drive("wavparse", "audio/x-wav", data));
