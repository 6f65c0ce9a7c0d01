//! `pngdec`: decodes PNG images (8/16-bit gray, gray+alpha, RGB, RGBA, palette) to raw
//! video with the `png` crate (feature `imagedec`). Output formats: see `decode.rs`.

mod decode;
mod framer;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `pngdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
