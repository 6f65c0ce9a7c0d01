//! `fakesrc`: produces empty, fixed-size or random-size buffers (GStreamer's fakesrc).

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `fakesrc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
