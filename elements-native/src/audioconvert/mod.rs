//! `audioconvert`: converts interleaved audio between S16LE, S32LE and F32LE and mixes
//! mono to N channels and N channels to mono.

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `audioconvert`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
