//! `flacdec`: decodes FLAC streams (any bit depth, up to 8 channels) to S16LE or F32LE
//! with symphonia (feature `audiodec`), framing the byte stream itself.

mod crc;
mod framer;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `flacdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
