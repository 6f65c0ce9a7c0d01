//! `y4menc`: writes raw video (I420, GRAY8) as a YUV4MPEG2 (y4m) stream.

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `y4menc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
