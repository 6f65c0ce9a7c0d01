//! `videoscale`: resizes raw video (I420, NV12, RGBA, RGB, GRAY8), bilinear by default,
//! nearest neighbour with `method=nearest-neighbour`, as GStreamer's `videoscale`.

mod imp;
mod scale;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `videoscale`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
