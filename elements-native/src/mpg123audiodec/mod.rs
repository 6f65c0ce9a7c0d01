//! `mpg123audiodec`: decodes MP3 (MPEG-1/2/2.5 Layer III) to F32LE or S16LE with
//! symphonia (feature `audiodec`), framing the byte stream itself (ID3v2 skipped,
//! LAME gapless trimming).

mod framer;
mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `mpg123audiodec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
