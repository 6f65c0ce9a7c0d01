//! Feeds arbitrary bytes to `qtdemux` (video_0 and audio_0 linked) in 4 KiB pieces.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| parallax_elements::fuzzing::qtdemux(data));
