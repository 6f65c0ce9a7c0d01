//! `filesink`: writes every buffer to a file (GStreamer's filesink).
//!
//! Writes go through a 64 KiB buffer, flushed at end of stream and on stop, so a stream of
//! small buffers costs few system calls; larger buffers are written straight through.
//!
//! ```text
//! filesrc location=in.bin ! filesink location=out.bin append=false
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `filesink`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
