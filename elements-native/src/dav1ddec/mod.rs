//! `dav1ddec`: decodes AV1 temporal units with libdav1d (the C library, through the
//! `dav1d` crate; feature `av1dec`). Its hints say native code, so it runs in a
//! seccomp-sandboxed worker process unless the user asks for in-process.

mod imp;
mod picture;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `dav1ddec`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
