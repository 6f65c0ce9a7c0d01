//! Feeds arbitrary bytes, in arbitrary chunks, to `aacdec`, which must never panic, hang
//! or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parallax_fuzz::drive("aacdec", "audio/mpeg,mpegversion=4,stream-format=adts", data));
