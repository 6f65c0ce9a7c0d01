//! Feeds arbitrary bytes, in arbitrary chunks, to `mpg123audiodec`, which must never panic, hang
//! or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parallax_fuzz::drive("mpg123audiodec", "audio/mpeg,mpegversion=1,layer=3", data));
