//! `audiotestsrc`: test audio (sine, square, saw, triangle, silence, white noise) in
//! S16LE or F32LE, with GStreamer's names, properties and caps.

mod imp;
mod wave;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `audiotestsrc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
