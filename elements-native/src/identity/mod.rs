//! `identity`: passes buffers through unchanged, with GStreamer identity's test hooks
//! (drop probability, error after N buffers, sleep per buffer).

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `identity`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
