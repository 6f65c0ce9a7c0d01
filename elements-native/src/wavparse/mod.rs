//! `wavparse`: RIFF/WAVE byte stream to S16LE or F32LE (feature `audiodec`; no codec
//! library involved).

mod imp;
mod riff;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `wavparse`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
