//! `y4mdec`: parses a YUV4MPEG2 (y4m) byte stream into raw video frames (I420 or GRAY8,
//! GStreamer strides), announcing the caps from the stream header in-band.

mod imp;
mod parser;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `y4mdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
