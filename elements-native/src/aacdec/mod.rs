//! `aacdec`: decodes AAC-LC (ADTS byte streams, or raw access units with `codec_data`)
//! to F32LE or S16LE with symphonia (feature `audiodec`).

mod adts;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `aacdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
