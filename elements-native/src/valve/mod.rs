//! `valve`: drops every buffer while its `drop` property is true (GStreamer's valve).
//!
//! A key design decision: `drop` may change while data flows (the streaming thread applies
//! it between two buffers), and the first buffer let through after dropping is marked
//! `DISCONT`, as GStreamer's valve does, so downstream knows data is missing. End of
//! stream always goes through, so a closed valve still lets the pipeline finish.
//!
//! # Examples
//!
//! ```text
//! fakesrc ! valve name=v drop=true ! fakesink
//!
//! (then set v's drop to false while playing)
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `valve`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
