//! Feeds arbitrary bytes, in arbitrary chunks, to `oggdemux`, which must never panic, hang
//! or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| parallax_fuzz::drive("oggdemux", "application/ogg", data));
