//! Small helpers shared by several elements.

pub(crate) mod audio;
pub(crate) mod fd;
pub(crate) mod pads;
pub(crate) mod rng;
pub(crate) mod sleep;
pub(crate) mod video_caps;
pub(crate) mod video_format;
