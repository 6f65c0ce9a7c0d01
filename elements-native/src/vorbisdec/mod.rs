//! `vorbisdec`: decodes Vorbis packets to F32LE or S16LE with symphonia (feature
//! `audiodec`); `oggdemux` feeds it from an Ogg file.

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `vorbisdec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
