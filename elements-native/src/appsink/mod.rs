//! `appsink`: the application pulls buffers out of a pipeline (GStreamer's appsink).
//!
//! The application talks to the element through an [`AppSinkHandle`], which the pipeline
//! hands out by element name (`pipeline.handle::<AppSinkHandle>("sink")`) and which may
//! be used from any thread while the pipeline runs. Buffers are queued as they are (no
//! copy); `max-buffers` bounds the queue, and when it is full the streaming thread either
//! waits for the application (`drop=false`, backpressure) or drops the oldest buffer
//! (`drop=true`, keep the newest). What is queued when the pipeline finishes can still be
//! pulled afterwards; starting the pipeline again empties the queue.
//!
//! A key consequence of zero-copy: a queued buffer holds a slot of its source's pool, so
//! an application that does not pull while the pipeline runs eventually stalls the
//! source (a few dozen buffers). Pull concurrently, or set `max-buffers` with `drop=true`.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use parallax_core::Registry;
//! use parallax_elements::AppSinkHandle;
//!
//! let mut registry = Registry::new();
//! parallax_elements::register_all(&mut registry).unwrap();
//! let element = registry.get("appsink").unwrap().create();
//! // A pipeline does this lookup for you: `pipeline.handle::<AppSinkHandle>("sink")`.
//! let sink = element.base().app_handle().unwrap().downcast::<AppSinkHandle>().unwrap();
//! assert!(sink.try_pull().is_none());
//! assert!(sink.pull_sample(Duration::from_millis(1)).is_none()); // nothing arrived
//! assert!(!sink.is_eos());
//! ```

mod handle;
mod imp;

pub use handle::AppSinkHandle;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `appsink`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
