//! `input-selector`: passes on the buffers of one of its request sink pads, the active
//! one, and drops the others' (GStreamer's input-selector with `sync-streams=false`).
//!
//! A key design decision: inactive inputs are read and dropped rather than left waiting
//! upstream, so their sources keep running and a switch takes effect at the next buffer,
//! as in GStreamer. The first buffer after a switch is marked `DISCONT`.
//!
//! End of stream follows GStreamer: it goes downstream when the active pad reaches end of
//! stream, or when every pad has. An inactive pad's end of stream is remembered; if that
//! pad is made active later, end of stream goes downstream at the next end of stream of
//! any pad (the engine only lets an element forward end of stream from `sink_eos`, so it
//! cannot be sent at the moment of the switch).
//!
//! # Examples
//!
//! ```text
//! input-selector name=s active-pad=sink_1 ! fakesink
//! fakesrc ! s.sink_0
//! fakesrc ! s.sink_1
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `input-selector`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
