//! Small helpers shared by several elements.

#[cfg(any(feature = "mp4", feature = "ts"))]
pub(crate) mod adapter;
pub(crate) mod audio;
#[cfg(feature = "audiodec")]
pub(crate) mod audio_codec;
#[cfg(feature = "audiodec")]
pub(crate) mod audio_out;
#[cfg(any(feature = "ts", feature = "decodebin"))]
pub(crate) mod batch;
#[cfg(any(feature = "imagedec", feature = "audiodec"))]
pub(crate) mod byte_queue;
#[cfg(any(feature = "mp4", feature = "ts", feature = "decodebin"))]
pub(crate) mod codec_data;
pub(crate) mod fd;
#[cfg(any(feature = "audiodec", feature = "decodebin"))]
pub(crate) mod id3v2;
#[cfg(feature = "imagedec")]
pub(crate) mod image_dec;
#[cfg(feature = "imagedec")]
pub(crate) mod image_out;
#[cfg(feature = "audiodec")]
pub(crate) mod interleave;
pub(crate) mod pads;
pub(crate) mod rng;
pub(crate) mod sleep;
#[cfg(any(feature = "mp4", feature = "ts"))]
pub(crate) mod stream_pads;
pub(crate) mod video_caps;
pub(crate) mod video_format;
pub(crate) mod y4m;
