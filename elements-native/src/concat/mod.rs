//! `concat`: plays its request sink pads one after another, each to its end of stream
//! (GStreamer's concat).
//!
//! A key design decision: the inputs that are not playing yet are not read at all
//! (`Transform::accepts_input`), so their data waits upstream, held back by the bounded
//! link in front of each input, instead of piling up in the element. End of stream goes
//! downstream after the last input's.
//!
//! Timestamps: as GStreamer's concat adjusts each following segment's base (property
//! `adjust-base`, default true), Parallax, whose timestamps are already running time,
//! adds to the pts and dts of every buffer of input `k` the summed end times of inputs
//! `0..k`, where an input's end time is the largest `pts + duration` among its buffers
//! (`dts` when a buffer has no pts; no duration counts as zero). Input 1 therefore starts
//! where input 0 ended. Buffers without timestamps pass unchanged.
//!
//! # Examples
//!
//! ```text
//! concat name=c ! fakesink  fakesrc num-buffers=10 ! c.  fakesrc num-buffers=20 ! c.
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `concat`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
