//! `appsrc`: the application pushes buffers into a pipeline (GStreamer's appsrc).
//!
//! The application talks to the element through an [`AppSrcHandle`], which the pipeline
//! hands out by element name (`pipeline.handle::<AppSrcHandle>("src")`) and which may be
//! used from any thread while the pipeline runs. A key design decision: a push copies
//! the bytes once, on the caller's thread, into a slot of a memfd arena the element owns,
//! so buffers leaving `appsrc` are ordinary arena buffers (shareable with sandboxes and
//! guests, like every other buffer) and the streaming thread never copies. The queue is
//! bounded by `max-buffers`; a full queue blocks the pusher (`block=true`) or refuses the
//! buffer ([`AppSrcError::Full`]).
//!
//! # Examples
//!
//! ```
//! use parallax_core::{ClockTime, Registry};
//! use parallax_elements::AppSrcHandle;
//!
//! let mut registry = Registry::new();
//! parallax_elements::register_all(&mut registry).unwrap();
//! let element = registry.get("appsrc").unwrap().create();
//! // A pipeline does this lookup for you: `pipeline.handle::<AppSrcHandle>("src")`.
//! let src = element.base().app_handle().unwrap().downcast::<AppSrcHandle>().unwrap();
//! src.push_buffer(b"hello").unwrap();
//! src.push_buffer_with_pts(b"world", ClockTime::from_millis(40)).unwrap();
//! src.end_of_stream();
//! assert_eq!(src.queued(), 2);
//! assert!(src.push_buffer(b"late").is_err()); // nothing after end of stream
//! ```

mod handle;
mod imp;

pub use handle::{AppSrcError, AppSrcHandle};

use parallax_core::registry::{RegisterError, Registry};

/// Registers `appsrc`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
