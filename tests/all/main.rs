//! Parallax integration tests: one binary, one module per area.

mod caps_change;
mod codecs_audio;
#[cfg(feature = "audiodec")]
mod codecs_audio_decode;
mod codecs_audioresample;
#[cfg(feature = "av1enc")]
mod codecs_av1;
#[cfg(feature = "av1dec")]
mod codecs_av1_decode;
#[cfg(any(feature = "imagedec", feature = "audiodec"))]
mod codecs_decode_support;
#[cfg(feature = "audiodec")]
mod codecs_flac;
#[cfg(feature = "image")]
mod codecs_image;
#[cfg(feature = "imagedec")]
mod codecs_image_decode;
#[cfg(feature = "image")]
mod codecs_jpegenc;
mod codecs_support;
mod codecs_video;
mod codecs_videoscale;
mod codecs_y4m;
mod conformance;
#[cfg(feature = "mp4")]
mod containers;
#[cfg(feature = "mp4")]
mod containers_support;
#[cfg(all(feature = "decodebin", feature = "mp4"))]
mod decodebin;
mod elements_flow;
mod elements_io;
mod elements_testsrc;
mod errors_runtime;
mod negotiation;
mod pipeline_run;
mod registry_elements;
mod state_control;
mod wasm_clock;
mod wasm_copy;
mod wasm_flow;
mod wasm_hostile;
mod wasm_lang_c;
mod wasm_lang_js;
mod wasm_lang_python;
mod wasm_load;
mod wasm_reload;
mod wasm_source_sink;
mod wasm_support;
mod wasm_twins;
