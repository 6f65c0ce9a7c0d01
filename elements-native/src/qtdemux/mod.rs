//! `qtdemux`: demultiplexes MP4/QuickTime files (AV1, H.264, H.265, AAC, Opus, ...)
//! with its own box parser (feature `mp4`); see `imp.rs` for the push-mode design.

mod boxes;
mod entry;
mod imp;
mod moov;
mod samples;

#[cfg(feature = "fuzzing")]
pub(crate) use imp::QtDemux;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `qtdemux`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
