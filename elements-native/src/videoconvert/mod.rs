//! `videoconvert`: converts raw video between I420, NV12, RGBA, RGB and GRAY8, with
//! GStreamer's default colorimetry (BT.601 limited range up to 576 lines, BT.709 above;
//! GRAY8 full range).

mod convert;
mod imp;
mod kernels;
pub(crate) mod matrix;
#[cfg(test)]
mod reference_tests;
mod to_rgb;
mod to_yuv;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `videoconvert`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
