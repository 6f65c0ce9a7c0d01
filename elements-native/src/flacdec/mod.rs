//! `flacdec`: decodes FLAC streams (4 to 32 bits per sample, up to 8 channels) to S16LE
//! or F32LE (feature `audiodec`) with its own decoder: `bits` (bit reader and Rice
//! codes), `header`, `subframe`, `predict` (FIXED and LPC), `output` (decorrelation and
//! interleaving), `frame` (one whole frame, CRC-16), `metadata` and `streaminfo`.

mod bits;
mod crc;
mod error;
mod frame;
mod header;
mod imp;
mod metadata;
mod output;
mod predict;
mod streaminfo;
mod subframe;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `flacdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
