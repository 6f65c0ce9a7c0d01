//! The peer's side of a shared arena: holding lent slots and returning them.
//!
//! A peer never allocates. It receives slots the owner lent (by index, in a message),
//! wraps them as ordinary [`Memory`], clones and drops them with atomics on the shared
//! count, and when its last reference to a slot drops it pushes the slot on the release
//! stack for the owner to reclaim. A lease is the same token without data of its own: it
//! stands for a buffer in some other mapping that the owner keeps alive until the lease
//! comes back.

use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};

use super::layout::{STATE_LIVE, STATE_QUEUED, pack, refs_of, state_of};
use super::map::SharedMap;
use crate::memory::arena::{Backing, Memory};
use crate::memory::{MemfdRegion, MemoryError};

/// A shared arena mapped from an fd the owner sent. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SharedPeer {
    inner: Arc<PeerInner>,
}

#[derive(Debug)]
pub(crate) struct PeerInner {
    pub(crate) map: SharedMap,
}

impl SharedPeer {
    /// Maps the arena behind `fd` and validates its header.
    ///
    /// # Errors
    ///
    /// [`MemoryError::NotSealed`], [`MemoryError::BadHeader`] or [`MemoryError::Os`].
    pub fn attach(fd: OwnedFd) -> Result<Self, MemoryError> {
        Ok(SharedPeer {
            inner: Arc::new(PeerInner {
                map: SharedMap::attach(fd)?,
            }),
        })
    }

    /// The id the owner gave the arena.
    pub fn id(&self) -> u64 {
        self.inner.map.arena_id()
    }

    /// Usable bytes per slot.
    pub fn slot_size(&self) -> usize {
        self.inner.map.geometry().slot_size
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.inner.map.geometry().slot_count as usize
    }

    /// Wraps a slot the owner lent us (its reference becomes the returned memory).
    /// `None` for an index out of range.
    pub fn take_lent(&self, slot: u32) -> Option<Memory> {
        self.inner.map.slot(slot)?;
        Some(Memory::from_backing(
            Backing::Peer(Arc::clone(&self.inner)),
            slot,
        ))
    }

    /// Wraps lease `slot` as read-only memory over `len` bytes at `offset` of `data`
    /// (a buffer the owner holds for us). `None` when the lease index or the range is out
    /// of bounds.
    pub fn take_lease(
        &self,
        slot: u32,
        data: &Arc<MemfdRegion>,
        offset: usize,
        len: usize,
    ) -> Option<Memory> {
        self.inner.map.slot(slot)?;
        if offset.checked_add(len)? > data.len() {
            return None;
        }
        Some(Memory::from_backing(
            Backing::Leased {
                table: Arc::clone(&self.inner),
                data: Arc::clone(data),
                offset,
                len,
            },
            slot,
        ))
    }

    /// Hands the reference in `memory` over to the owner, which adopts it from the slot
    /// index (sent in a message). `Err(memory)` when the memory is not a slot of this arena.
    ///
    /// # Errors
    ///
    /// `Err(memory)` for memory from elsewhere.
    pub fn transfer(&self, memory: Memory) -> Result<u32, Memory> {
        match memory.backing() {
            Backing::Peer(inner) if Arc::ptr_eq(inner, &self.inner) => {
                let slot = memory.slot();
                memory.forget_reference();
                Ok(slot)
            }
            _ => Err(memory),
        }
    }
}

impl PeerInner {
    pub(crate) fn clone_ref(&self, slot: u32) {
        if let Some(header) = self.map.slot(slot) {
            header.word.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn release_ref(&self, slot: u32) {
        let Some(header) = self.map.slot(slot) else {
            return;
        };
        // Drop one reference; the last one also moves the slot to QUEUED, in the same CAS.
        let previous = header
            .word
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| {
                match (state_of(w), refs_of(w)) {
                    (_, 0) => None,
                    (STATE_LIVE, 1) => Some(pack(STATE_QUEUED, 0)),
                    (state, refs) => Some(pack(state, refs - 1)),
                }
            });
        match previous {
            Ok(w) if state_of(w) == STATE_LIVE && refs_of(w) == 1 => {}
            _ => return,
        }
        fence(Ordering::Acquire);
        let release = self.map.release();
        let mut head = release.head.load(Ordering::Relaxed);
        loop {
            header.next.store(head, Ordering::Relaxed);
            match release.head.compare_exchange_weak(
                head,
                slot,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(current) => head = current,
            }
        }
        release.pushes.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn refs(&self, slot: u32) -> u32 {
        self.map
            .slot(slot)
            .map_or(0, |h| refs_of(h.word.load(Ordering::Acquire)))
    }
}
