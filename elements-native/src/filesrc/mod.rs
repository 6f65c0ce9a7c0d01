//! `filesrc`: reads a file in `blocksize` chunks (GStreamer's filesrc).
//!
//! Each buffer is read straight into the pre-allocated output slot, so no byte is copied
//! twice; its `offset`/`offset_end` are byte positions in the file.
//!
//! ```text
//! filesrc location=in.bin blocksize=65536 ! filesink location=out.bin
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `filesrc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
