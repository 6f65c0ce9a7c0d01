//! `capsfilter`: restricts the caps allowed through a link (also what an inline caps
//! filter in a `.px` file becomes).

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `capsfilter`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
