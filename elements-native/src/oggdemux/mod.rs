//! `oggdemux`: Ogg pages to the packets of the first Vorbis stream (feature `audiodec`).

mod imp;
mod page;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `oggdemux`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
