//! Feeds arbitrary bytes, in arbitrary chunks, to `flacdec`, which must never panic, hang
//! or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parallax_fuzz::drive("flacdec", "audio/x-flac", data));
