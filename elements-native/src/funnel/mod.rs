//! `funnel`: merges the buffers of all its request sink pads into one stream
//! (GStreamer's funnel).
//!
//! A key design decision: the engine gives each input its own bounded link and runs the
//! funnel on a streaming thread of its own, so the funnel forwards buffers in the order
//! that thread takes them from the links, with no ordering between inputs; end of stream
//! goes downstream once every input has ended (the default `sink_eos`).
//!
//! # Examples
//!
//! ```text
//! funnel name=f ! fakesink  fakesrc num-buffers=10 ! f.  fakesrc num-buffers=20 ! f.
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `funnel`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
