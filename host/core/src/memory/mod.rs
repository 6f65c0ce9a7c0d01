//! Memory: every CPU buffer in Parallax lives in a memfd-backed arena.
//!
//! The key design decision is that memory is IPC-ready from the start: an arena is one
//! sealed memfd cut into fixed-size slots, so a buffer can later be handed to a sandboxed
//! process or mapped into a WASM guest by passing the fd and a slot index, never by copying.
//! Slot tracking is a lock-free atomic bitmap; a full pool makes producers wait
//! (backpressure) instead of allocating more memory.
//!
//! # Examples
//!
//! ```
//! use parallax_core::memory::CpuArena;
//!
//! let arena = CpuArena::new("pool", 1024, 2).unwrap();
//! let a = arena.try_acquire().unwrap();
//! let b = arena.try_acquire().unwrap();
//! assert!(arena.try_acquire().is_none()); // exhausted: callers wait, nothing is allocated
//! drop(a);
//! assert!(arena.try_acquire().is_some());
//! # drop(b);
//! ```

mod allocator;
mod arena;
mod memfd;
pub mod shared;

pub use allocator::{BufferAllocator, DEFAULT_SLOTS_PER_CLASS, MAX_SLOTS_PER_CLASS, SlotSource};
pub use arena::{ArenaStats, CpuArena, Memory};
pub use memfd::MemfdRegion;
pub use shared::{SharedArena, SharedPeer};

/// Failure to create or use shared memory.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    /// The kernel refused a memfd, truncate, seal or mmap call.
    #[error("{op} failed: {source}")]
    Os {
        /// The operation that failed.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The requested geometry does not fit in the address space.
    #[error("an arena of {slots} slots of {slot_size} bytes is too large")]
    TooLarge {
        /// Slot size in bytes.
        slot_size: usize,
        /// Number of slots.
        slots: usize,
    },
    /// A pool needs at least one slot.
    #[error("an arena needs at least one slot")]
    NoSlots,
    /// A memfd from another process can still shrink, so mapping it is unsafe.
    #[error("the memfd is not sealed against shrinking")]
    NotSealed,
    /// Shared memory from another process does not hold a valid arena header.
    #[error("invalid shared arena: {0}")]
    BadHeader(&'static str),
}

impl MemoryError {
    pub(crate) fn os(op: &'static str, err: rustix::io::Errno) -> Self {
        MemoryError::Os {
            op,
            source: std::io::Error::from(err),
        }
    }
}
