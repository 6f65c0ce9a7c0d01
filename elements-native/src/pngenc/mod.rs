//! `pngenc`: encodes raw video frames (8/16-bit gray, RGB, RGBA) as PNG images with the
//! `png` crate (feature `image`).

mod format;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `pngenc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
