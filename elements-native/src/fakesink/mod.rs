//! `fakesink`: swallows buffers (GStreamer's fakesink), optionally syncing to the clock
//! or dumping their bytes.

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `fakesink`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
