//! `ivfparse`: splits an IVF file (the container `dav1d`, aomenc and FFmpeg use for bare
//! AV1) into one buffer per temporal unit with its pts.

mod header;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `ivfparse`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
