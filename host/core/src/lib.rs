//! `parallax-core`: the contract every Parallax element is written against.
//!
//! Buffers, memfd-backed arenas, caps, the element traits, typed properties and the
//! factory registry. A key design decision: this crate has no tokio and no wasmtime
//! dependency, so native elements, tests and benchmarks never pull the WASM runtime or
//! an async executor; the engine (`parallax-engine`) drives elements through these traits.
//!
//! # Examples
//!
//! ```
//! use parallax_core::memory::CpuArena;
//!
//! let arena = CpuArena::new("example", 4096, 4).unwrap();
//! let mut buf = arena.try_acquire().unwrap();
//! buf.data_mut()[..5].copy_from_slice(b"hello");
//! buf.set_len(5);
//! let frozen = buf.freeze();
//! let twin = frozen.clone(); // O(1): a reference count, no copy
//! assert_eq!(twin.data(), b"hello");
//! ```
#![warn(missing_docs)]

pub mod buffer;
/// Caps (re-exported from `parallax-caps`, which WASM guests use too).
pub mod caps {
    pub use parallax_caps::*;
}
pub mod element;
pub mod error;
pub mod files;
pub mod memory;
pub mod property;
pub mod registry;

pub use buffer::{Buffer, BufferFlags, BufferMeta, BufferMut, ClockTime};
pub use caps::{Caps, CapsValue, Fraction, Structure};
pub use element::{
    AnyElement, AsyncSink, AsyncSource, CapsChange, ChildFactory, ContextState, ElementImpl,
    ExecutionHints, Leaky, Notice, PadDirection, PadPresence, PadTemplate, PipelineClock,
    ProcessContext, ProduceContext, ProduceResult, QueueLimits, Sink, Source, Transform,
};
pub use error::{ElementError, ErrorKind, FlowError, PropertyError};
pub use files::{FileAccess, FileNeed};
pub use property::{PropKind, PropSpec, Value};
pub use registry::{ElementFactory, ElementInfo, ElementOrigin, Rank, Registry};
