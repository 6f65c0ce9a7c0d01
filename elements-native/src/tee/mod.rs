//! `tee`: sends every buffer to each of its request src pads (GStreamer's tee).
//!
//! A key design decision: a [`parallax_core::Buffer`] is immutable and its clone is a
//! reference count, so every branch gets the same bytes without a copy; a branch that
//! wants to write gets its own copy through `make_mut`. A tee with no src pad linked drops
//! its input, as GStreamer's tee does with `allow-not-linked=true`.
//!
//! # Examples
//!
//! ```text
//! fakesrc num-buffers=100 ! tee name=t  t. ! queue ! fakesink  t. ! queue ! fakesink
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `tee`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
