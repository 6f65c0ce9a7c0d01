//! `ivfmux`: wraps AV1 temporal units in an IVF container (the format `dav1d`, FFmpeg
//! and aomdec read).

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `ivfmux`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
