//! `audioresample`: changes the sample rate of raw audio (S16LE, S32LE, F32LE, any
//! channel count, any rates) with a Kaiser-windowed sinc filter.

mod imp;
mod sinc;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `audioresample`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
