//! `jpegdec`: decodes JPEG images (baseline and progressive; 4:2:0, 4:2:2, 4:4:4, gray)
//! to I420, RGB or GRAY8 (feature `imagedec`): sequential gray and 4:2:0 images with our
//! own decoder (`headers`, `huffman`, `idct`/`idct_fast`, `planar`), the rest with zune-jpeg. Output
//! formats: see `decode.rs`.

mod decode;
mod framer;
mod headers;
mod huffman;
mod idct;
mod idct_fast;
mod imp;
mod planar;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `jpegdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
