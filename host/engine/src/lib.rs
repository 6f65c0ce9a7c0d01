//! `parallax-engine`: the `.px` language, the pipeline graph, caps negotiation, the
//! executor, the bus and the embedding API.
//!
//! # Examples
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), parallax_engine::PipelineError> {
//! use parallax_engine::Pipeline;
//!
//! let mut pipeline = Pipeline::parse("fakesrc num-buffers=100 ! identity ! fakesink")?;
//! let summary = pipeline.run().await?;
//! assert_eq!(summary.buffers("fakesink0"), Some(100));
//! # Ok(())
//! # }
//! ```

pub mod bus;
#[cfg(feature = "wasm")]
pub mod components;
pub mod dot;
pub mod error;
mod executor;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod graph;
pub mod negotiate;
pub mod parse;
pub mod pipeline;
mod state;

use std::sync::{Arc, OnceLock};

pub use bus::{Bus, BusReceiver, ElementStats, Message};
pub use error::{GraphError, PipelineError, Result};
pub use negotiate::NegotiationError;
#[cfg(feature = "wasm")]
pub use pipeline::ComponentWatcher;
pub use pipeline::{LinkInfo, Pipeline, PipelineBuilder, PipelineController, RunSummary};
pub use state::State;

pub use parallax_core as core;
pub use parallax_elements as elements;
pub use parallax_sandbox as sandbox;
pub use parallax_sandbox::Isolation;

/// The resolver for components given by path in `.px` text: the WASM runtime when built
/// with the `wasm` feature, else none.
pub fn default_components() -> Option<&'static dyn graph::ComponentResolver> {
    #[cfg(feature = "wasm")]
    {
        Some(&components::WasmComponents)
    }
    #[cfg(not(feature = "wasm"))]
    {
        None
    }
}

/// The registry of every built-in element, made once per process.
pub fn default_registry() -> Arc<parallax_core::Registry> {
    static REGISTRY: OnceLock<Arc<parallax_core::Registry>> = OnceLock::new();
    Arc::clone(REGISTRY.get_or_init(|| {
        let mut registry = parallax_core::Registry::new();
        // The built-in list is fixed at compile time and tested to register cleanly
        // (`tests/all/registry_elements.rs`), so a failure here is a programming error
        // in this repository, not a user input problem.
        if let Err(e) = parallax_elements::register_all(&mut registry) {
            panic!("built-in element registration failed: {e}");
        }
        Arc::new(registry)
    }))
}
