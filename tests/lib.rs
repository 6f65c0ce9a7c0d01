//! Shared helpers for the integration tests: test-only elements and a registry that has
//! them next to the built-in ones. Test elements are named `test<name>`.

mod elements;

use std::sync::Arc;

use parallax_core::Registry;

pub use elements::AsyncCount;

/// The built-in elements plus the test elements.
pub fn test_registry() -> Arc<Registry> {
    let mut registry = Registry::new();
    // The built-in list is tested to register cleanly elsewhere; a failure here is a bug
    // in the test setup, so it may panic.
    parallax_elements::register_all(&mut registry).expect("built-in elements register");
    elements::register(&mut registry).expect("test elements register");
    Arc::new(registry)
}

/// Parses `text` with [`test_registry`].
///
/// # Errors
///
/// Any parse or graph error.
pub fn parse(text: &str) -> Result<parallax::Pipeline, parallax::PipelineError> {
    parallax::Pipeline::parse_with(test_registry(), text, "test.px")
}
