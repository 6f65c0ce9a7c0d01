//! `queue`: a thread boundary with a bounded buffer (GStreamer's queue).
//!
//! The element itself only passes buffers on; its limits configure the link the engine
//! puts in front of it, and everything after it runs on its own streaming thread.

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `queue`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
