//! `fdsink`: writes every buffer to an inherited file descriptor, stdout by default
//! (GStreamer's fdsink).
//!
//! Descriptors 0–2 are duplicated; any other is reopened through `/proc/self/fd/N` in
//! append mode, because this crate has no `unsafe` to adopt a raw descriptor (see
//! `util::fd`). Buffers are written unbuffered, in order, so a reader sees each one as
//! soon as it is consumed. Before each write the thread waits for the descriptor to
//! accept data with `poll` in short slices, so a stop is noticed while a reader stalls;
//! a reader that stalls in the middle of one large buffer still blocks that write.
//!
//! ```text
//! filesrc location=in.bin ! fdsink fd=1
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `fdsink`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
