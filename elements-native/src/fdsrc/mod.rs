//! `fdsrc`: reads from an inherited file descriptor, stdin by default (GStreamer's fdsrc).
//!
//! Descriptors 0–2 are duplicated; any other is reopened through `/proc/self/fd/N`,
//! because this crate has no `unsafe` to adopt a raw descriptor (see `util::fd` for what
//! that changes for regular files and sockets). Each buffer holds what one `read` returned,
//! up to `blocksize` bytes, as soon as it is available, so interactive input is not held
//! back; the thread waits with `poll` in short slices so a stop is noticed promptly.
//!
//! ```text
//! fdsrc fd=0 ! filesink location=copy.bin
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `fdsrc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
