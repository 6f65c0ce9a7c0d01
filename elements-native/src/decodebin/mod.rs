//! `decodebin`: typefinds a byte stream by content and decodes it with a chain of
//! registered elements (demuxer, parser, decoder) driven inside one element (feature
//! `decodebin`).

mod chain;
mod imp;
mod lead_tag;
pub(crate) mod typefind;

use std::sync::Arc;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `decodebin`. It looks for demuxers and decoders in the elements
/// registered before it, so `register_all` calls this last.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    // The registry is cheap to clone (factories are shared); decodebin keeps the list
    // as it stands now, which is every built-in element.
    let known = Arc::new(registry.clone());
    registry.register(imp::info(), move || imp::create(Arc::clone(&known)))
}
