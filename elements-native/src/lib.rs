//! `parallax-elements`: the built-in trusted elements, with GStreamer's names and
//! properties. Each element lives in its own folder (`<name>/mod.rs` registers it,
//! `<name>/imp.rs` implements it); [`register_all`] is the one list of them.

mod capsfilter;
mod fakesink;
mod fakesrc;
mod identity;
mod queue;
mod util;

use parallax_core::registry::{RegisterError, Registry};

/// Registers every built-in element.
///
/// # Errors
///
/// [`RegisterError`] if a name is registered twice.
pub fn register_all(registry: &mut Registry) -> Result<(), RegisterError> {
    capsfilter::register(registry)?;
    fakesink::register(registry)?;
    fakesrc::register(registry)?;
    identity::register(registry)?;
    queue::register(registry)?;
    Ok(())
}
