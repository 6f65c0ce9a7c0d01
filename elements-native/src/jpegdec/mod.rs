//! `jpegdec`: decodes JPEG images (baseline and progressive; 4:2:0, 4:2:2, 4:4:4, gray)
//! to RGB or GRAY8 with zune-jpeg (feature `imagedec`). Output formats: see `decode.rs`.

mod decode;
mod framer;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `jpegdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
