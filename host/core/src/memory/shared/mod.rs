//! `SharedArena`: a slot pool whose reference counts live in the shared memory itself, so
//! that a buffer can be held by two processes at once and returned by either.
//!
//! A key design decision: there is exactly one owner (the process that created the
//! memfd) and one peer (the sandboxed process it was sent to). The owner allocates and
//! lends; the peer only clones, drops and returns. Returns go through a lock-free stack
//! in the shared memory (push is one CAS, the owner takes the whole stack with one swap
//! and reclaims in O(k)), so a release in the peer never needs a system call. The owner
//! keeps its own references and each slot's life in private memory and reads everything
//! the peer can write through checked views: a peer that lies can lose its own buffers,
//! never make the owner read out of bounds or reuse a slot the owner still holds.
//!
//! The layout (header with magic, version, slot count, slot size, arena id; one cache line
//! per slot) is in [`layout`].
//!
//! # Examples
//!
//! ```
//! use parallax_core::memory::{SharedArena, SharedPeer};
//!
//! let owner = SharedArena::new("frames", 4096, 4).unwrap();
//! // The peer maps the same memfd (in another process it arrives over SCM_RIGHTS).
//! let fd = owner.region().fd().try_clone_to_owned().unwrap();
//! let peer = SharedPeer::attach(fd).unwrap();
//!
//! let mut buf = owner.try_acquire().unwrap();
//! buf.data_mut()[0] = 42;
//! let slot = owner.lend(buf.freeze().memory().clone()).unwrap();
//! let theirs = peer.take_lent(slot).unwrap();
//! assert_eq!(theirs.as_slice()[0], 42);
//! drop(theirs); // queued on the shared release stack
//! assert_eq!(owner.drain_released(|_| {}), 1);
//! assert_eq!(owner.stats().in_use, 0);
//! ```

pub mod layout;
mod map;
mod owner;
mod peer;

pub(crate) use owner::OwnerInner;
pub use owner::{SharedArena, SharedStats, SlotError};
pub(crate) use peer::PeerInner;
pub use peer::SharedPeer;
