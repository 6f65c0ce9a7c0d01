//! `rav1enc`: encodes I420 video to AV1 with rav1e (feature `av1enc`), one temporal unit
//! of OBUs per output buffer, as gst-plugins-rs' element of the same name.

mod imp;
mod settings;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `rav1enc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
