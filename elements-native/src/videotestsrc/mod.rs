//! `videotestsrc`: test video (SMPTE bars, snow, solid colours, checkers, a moving ball)
//! in I420, NV12, RGBA, RGB or GRAY8, with GStreamer's names, caps, layouts and colours.

mod color;
mod imp;
mod pack;
mod pattern;
mod render;

use parallax_core::registry::{RegisterError, Registry};

// The layouts are shared with the converters; the submodules know them as `format`.
use crate::util::video_format as format;

/// Registers `videotestsrc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
