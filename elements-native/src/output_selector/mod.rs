//! `output-selector`: sends its input to one of its request src pads, the active one
//! (GStreamer's output-selector).
//!
//! A key design decision: the other branches get nothing, not even gap buffers, and a
//! switch takes effect at the next buffer; end of stream goes to every branch, so each
//! sink finishes.
//!
//! # Examples
//!
//! ```text
//! fakesrc num-buffers=50 ! output-selector name=o active-pad=src_1
//! o.src_0 ! fakesink
//! o.src_1 ! fakesink
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `output-selector`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
