//! `mp4mux`: writes AV1, H.264, AAC, Opus and 16-bit PCM into a non-fragmented MP4
//! (feature `mp4`).

mod imp;
mod write;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `mp4mux`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
