//! `wavenc`: wraps interleaved PCM (S16LE, S32LE) or float (F32LE) audio in a RIFF/WAVE
//! stream.

mod header;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `wavenc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
