//! `jpegenc`: encodes raw video frames (I420, NV12, RGB, RGBA, GRAY8) as baseline JPEG
//! (JFIF) images with its own encoder (feature `image`): `source.rs` turns rows of the
//! frame into JFIF samples, `dct.rs` and `quant.rs` transform and quantise 8x8 blocks,
//! `huffman.rs` codes them with the Annex K tables (`tables.rs`), `markers.rs` writes
//! the headers, and `encoder.rs` runs the MCU loop in stripes (`stripes.rs`) shared with helper
//! threads (`pool.rs`).

mod dct;
mod encoder;
mod huffman;
mod imp;
mod markers;
mod pool;
mod quant;
mod source;
mod stripes;
mod tables;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `jpegenc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
