//! Feeds arbitrary bytes, in arbitrary chunks, to `pngdec`, which must never panic, hang
//! or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parallax_fuzz::drive("pngdec", "image/png", data));
