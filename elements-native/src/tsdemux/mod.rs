//! `tsdemux`: demultiplexes MPEG transport streams (PAT/PMT, PES reassembly; H.264,
//! H.265, AV1, AAC, MPEG audio, Opus labelled) (feature `ts`).

mod imp;
mod packet;
mod pes;
mod psi;

#[cfg(feature = "fuzzing")]
pub(crate) use imp::TsDemux;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `tsdemux`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
