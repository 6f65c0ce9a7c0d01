//! `volume`: scales interleaved S16LE or F32LE samples, or mutes them; both properties
//! change while playing (GStreamer's `volume`, without its controller bindings).

mod imp;
mod scale;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `volume`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
