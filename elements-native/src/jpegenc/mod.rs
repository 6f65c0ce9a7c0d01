//! `jpegenc`: encodes raw video frames (I420, NV12, RGB, RGBA, GRAY8) as baseline JPEG
//! (JFIF) images with the `jpeg-encoder` crate (feature `image`).

mod imp;
mod source;
mod stripes;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `jpegenc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
