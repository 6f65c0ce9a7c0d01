//! The owner's side of a shared arena: allocation, lending, adoption and reclaim.
//!
//! The owner never trusts shared memory for its own decisions. Its references and the
//! life of each slot are tracked in private memory (`refs`, `pstate`, the free bitmap);
//! shared memory only says how many references the peer holds and whether the peer has
//! queued the slot for release. A peer that lies can therefore keep its own slots alive
//! (until it dies and [`SharedArena::recover_after_peer_death`] runs) or lose track of
//! them, but it can never make the owner hand out a slot the owner still references.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::layout::{EMPTY, STATE_FREE, STATE_LIVE, STATE_QUEUED, pack, refs_of};
use super::map::SharedMap;
use crate::buffer::BufferMut;
use crate::memory::arena::{Backing, Memory, next_arena_id};
use crate::memory::{MemfdRegion, MemoryError};

/// Private slot states of the owner.
const P_FREE: u32 = 0;
const P_LIVE: u32 = 1;
const P_RECLAIMING: u32 = 2;

/// How long a blocked acquire sleeps before looking at the release stack again (peers do
/// not wake the owner: a release costs them one CAS, never a system call).
const RELEASE_POLL: Duration = Duration::from_millis(1);

/// Why the owner refused a slot a peer named.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// The index is not a slot of the arena.
    #[error("slot {0} is out of range")]
    OutOfRange(u32),
    /// The slot is free: the peer cannot hold it.
    #[error("slot {0} is not lent")]
    NotLent(u32),
    /// The shared state says the peer holds no reference it could hand over.
    #[error("slot {0} has no peer reference to transfer")]
    NoPeerReference(u32),
}

/// A pool of slots in one sealed memfd whose reference counts and release queue live in
/// the memory itself, so that another process that maps it can hold and return slots.
/// This handle is the owner (the process that created it); cheap to clone.
#[derive(Debug, Clone)]
pub struct SharedArena {
    inner: Arc<OwnerInner>,
}

#[derive(Debug)]
pub(crate) struct OwnerInner {
    pub(crate) map: SharedMap,
    refs: Box<[AtomicU32]>,
    pstate: Box<[AtomicU32]>,
    free_bits: Box<[AtomicU64]>,
    in_use: AtomicUsize,
    waiters: AtomicUsize,
    wait_lock: Mutex<()>,
    wait_cond: Condvar,
}

/// A snapshot of a shared arena's occupancy, as the owner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedStats {
    /// Slots not free.
    pub in_use: usize,
    /// References the owner holds, summed over slots.
    pub owner_refs: u64,
    /// References the shared memory says the peer holds (untrusted).
    pub peer_refs: u64,
}

impl SharedArena {
    /// Creates an arena of `slot_count` slots of `slot_size` bytes (`slot_size` may be 0:
    /// then the arena is a table of reference-counted tokens, used to lend buffers that
    /// live in other memory).
    ///
    /// # Errors
    ///
    /// As [`crate::memory::CpuArena::new`].
    pub fn new(name: &str, slot_size: usize, slot_count: usize) -> Result<Self, MemoryError> {
        let count = u32::try_from(slot_count)
            .ok()
            .filter(|&c| c != EMPTY)
            .ok_or(MemoryError::TooLarge {
                slot_size,
                slots: slot_count,
            })?;
        let map = SharedMap::create(name, slot_size, count, next_arena_id())?;
        let words = slot_count.div_ceil(64);
        let free_bits = (0..words)
            .map(|w| {
                let remaining = slot_count - w * 64;
                AtomicU64::new(if remaining >= 64 {
                    u64::MAX
                } else {
                    (1u64 << remaining) - 1
                })
            })
            .collect();
        Ok(SharedArena {
            inner: Arc::new(OwnerInner {
                map,
                refs: (0..slot_count).map(|_| AtomicU32::new(0)).collect(),
                pstate: (0..slot_count).map(|_| AtomicU32::new(P_FREE)).collect(),
                free_bits,
                in_use: AtomicUsize::new(0),
                waiters: AtomicUsize::new(0),
                wait_lock: Mutex::new(()),
                wait_cond: Condvar::new(),
            }),
        })
    }

    pub(crate) fn from_inner(inner: Arc<OwnerInner>) -> Self {
        SharedArena { inner }
    }

    /// Id carried in the header and in messages that name the arena.
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

    /// The memfd, to send to the peer.
    pub fn region(&self) -> &MemfdRegion {
        self.inner.map.region()
    }

    /// Occupancy right now (walks every slot; for tests and statistics).
    pub fn stats(&self) -> SharedStats {
        let inner = &*self.inner;
        let mut stats = SharedStats {
            in_use: inner.in_use.load(Ordering::Acquire),
            owner_refs: 0,
            peer_refs: 0,
        };
        for slot in 0..inner.map.geometry().slot_count {
            stats.owner_refs += u64::from(inner.refs[slot as usize].load(Ordering::Acquire));
            if let Some(header) = inner.map.slot(slot) {
                stats.peer_refs += u64::from(refs_of(header.word.load(Ordering::Acquire)));
            }
        }
        stats
    }

    /// A free slot, writable by the owner, or `None` when every slot is held (after
    /// reclaiming what peers released).
    pub fn try_acquire(&self) -> Option<BufferMut> {
        self.try_acquire_memory().map(BufferMut::from_memory)
    }

    /// Like [`SharedArena::try_acquire`] but waits until a slot is released or `cancel`
    /// is raised (then `None`).
    pub fn acquire(&self, cancel: &AtomicBool) -> Option<BufferMut> {
        if let Some(memory) = self.try_acquire_memory() {
            return Some(BufferMut::from_memory(memory));
        }
        let inner = &*self.inner;
        inner.waiters.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            if cancel.load(Ordering::Acquire) {
                break None;
            }
            // Not under the lock: a reclaim inside `try_acquire_memory` notifies through
            // it. A release we miss costs at most one poll interval.
            if let Some(memory) = self.try_acquire_memory() {
                break Some(memory);
            }
            let guard = inner
                .wait_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            drop(
                inner
                    .wait_cond
                    .wait_timeout(guard, RELEASE_POLL)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            );
        };
        inner.waiters.fetch_sub(1, Ordering::SeqCst);
        result.map(BufferMut::from_memory)
    }

    pub(crate) fn try_acquire_memory(&self) -> Option<Memory> {
        if let Some(slot) = self.inner.take_free_slot() {
            return Some(self.owner_memory(slot));
        }
        if self.inner.drain(|_| {}) > 0 {
            return self
                .inner
                .take_free_slot()
                .map(|slot| self.owner_memory(slot));
        }
        None
    }

    fn owner_memory(&self, slot: u32) -> Memory {
        Memory::from_backing(Backing::Owner(Arc::clone(&self.inner)), slot)
    }

    /// Gives one reference to the peer: the slot of `memory` (which must belong to this
    /// arena) is then held by the peer until its last reference there drops. Returns the
    /// slot index to put in the message, or the memory back when it is not from here.
    ///
    /// # Errors
    ///
    /// `Err(memory)` when `memory` belongs to another arena.
    pub fn lend(&self, memory: Memory) -> Result<u32, Memory> {
        let slot = match memory.backing() {
            Backing::Owner(inner) if Arc::ptr_eq(inner, &self.inner) => memory.slot(),
            _ => return Err(memory),
        };
        let Some(header) = self.inner.map.slot(slot) else {
            return Err(memory);
        };
        // Peer first, owner second: at no instant do both counts read zero.
        header.word.fetch_add(1, Ordering::AcqRel);
        memory.forget_reference();
        self.inner.refs[slot as usize].fetch_sub(1, Ordering::AcqRel);
        Ok(slot)
    }

    /// Takes over one of the peer's references to `slot` (a buffer the peer produced):
    /// the result is an ordinary owner-side reference. The slot must be one the owner
    /// lent and the peer must hold a reference, else nothing changes.
    ///
    /// # Errors
    ///
    /// [`SlotError`] when the peer named a slot it cannot hold.
    pub fn adopt(&self, slot: u32) -> Result<Memory, SlotError> {
        let inner = &*self.inner;
        let header = inner.map.slot(slot).ok_or(SlotError::OutOfRange(slot))?;
        let index = slot as usize;
        if inner.pstate[index].load(Ordering::Acquire) != P_LIVE {
            return Err(SlotError::NotLent(slot));
        }
        // Owner first, peer second (the reverse of `lend`), so a concurrent reclaim sees
        // a non-zero count at every instant.
        inner.refs[index].fetch_add(1, Ordering::AcqRel);
        let took = header
            .word
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| {
                (refs_of(w) > 0).then(|| w - 1)
            })
            .is_ok();
        if !took {
            inner.release_owner_ref(slot);
            return Err(SlotError::NoPeerReference(slot));
        }
        loop {
            match inner.pstate[index].load(Ordering::Acquire) {
                P_LIVE => return Ok(self.owner_memory(slot)),
                P_RECLAIMING => std::hint::spin_loop(),
                _ => {
                    // A reclaim finished before our reference became visible to it.
                    inner.refs[index].fetch_sub(1, Ordering::AcqRel);
                    return Err(SlotError::NotLent(slot));
                }
            }
        }
    }

    /// Returns released slots to the free list: takes the whole release stack (O(k) in
    /// the number of releases) and calls `reclaimed` with every slot that became free.
    /// Returns how many did.
    pub fn drain_released(&self, reclaimed: impl FnMut(u32)) -> usize {
        self.inner.drain(reclaimed)
    }

    /// After the peer died: forgets every reference it held and frees what nobody else
    /// holds, so counts are exact again (no leak, no double free). The peer must be gone:
    /// nothing may write the shared memory concurrently. Returns the slots reclaimed.
    pub fn recover_after_peer_death(&self, mut reclaimed: impl FnMut(u32)) -> usize {
        let inner = &*self.inner;
        inner.map.release().head.store(EMPTY, Ordering::Release);
        let mut count = 0;
        for slot in 0..inner.map.geometry().slot_count {
            let Some(header) = inner.map.slot(slot) else {
                continue;
            };
            if inner.pstate[slot as usize].load(Ordering::Acquire) == P_FREE {
                header.word.store(pack(STATE_FREE, 0), Ordering::Release);
                continue;
            }
            header.word.store(pack(STATE_LIVE, 0), Ordering::Release);
            if inner.try_reclaim(slot) {
                reclaimed(slot);
                count += 1;
            }
        }
        count
    }
}

impl OwnerInner {
    fn take_free_slot(&self) -> Option<u32> {
        let words = self.free_bits.len();
        for w in 0..words {
            let word = &self.free_bits[w];
            let mut bits = word.load(Ordering::Relaxed);
            while bits != 0 {
                let bit = bits.trailing_zeros();
                match word.compare_exchange_weak(
                    bits,
                    bits & !(1u64 << bit),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        let slot = (w * 64) as u32 + bit;
                        self.refs[slot as usize].store(1, Ordering::Relaxed);
                        self.pstate[slot as usize].store(P_LIVE, Ordering::Release);
                        if let Some(header) = self.map.slot(slot) {
                            header.word.store(pack(STATE_LIVE, 0), Ordering::Release);
                        }
                        self.in_use.fetch_add(1, Ordering::Relaxed);
                        return Some(slot);
                    }
                    Err(current) => bits = current,
                }
            }
        }
        None
    }

    pub(crate) fn clone_ref(&self, slot: u32) {
        // Relaxed is enough to add a reference to one we already hold (as in `Arc`).
        self.refs[slot as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn release_owner_ref(&self, slot: u32) {
        if self.refs[slot as usize].fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            self.try_reclaim(slot);
        }
    }

    pub(crate) fn is_unique(&self, slot: u32) -> bool {
        self.refs[slot as usize].load(Ordering::Acquire) == 1
            && self
                .map
                .slot(slot)
                .is_some_and(|h| refs_of(h.word.load(Ordering::Acquire)) == 0)
    }

    /// Frees `slot` if neither side references it. The private state is the lock between
    /// owner threads; the shared state CAS (LIVE -> FREE) decides against a peer that is
    /// queueing the same slot at the same moment: whoever wins owns the reclaim.
    fn try_reclaim(&self, slot: u32) -> bool {
        let index = slot as usize;
        let Some(header) = self.map.slot(slot) else {
            return false;
        };
        if self.refs[index].load(Ordering::Acquire) != 0
            || refs_of(header.word.load(Ordering::Acquire)) != 0
        {
            return false;
        }
        if self.pstate[index]
            .compare_exchange(P_LIVE, P_RECLAIMING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        // An adopt may have added a reference between the check and the CAS.
        if self.refs[index].load(Ordering::Acquire) != 0
            || header
                .word
                .compare_exchange(
                    pack(STATE_LIVE, 0),
                    pack(STATE_FREE, 0),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
        {
            self.pstate[index].store(P_LIVE, Ordering::Release);
            return false;
        }
        self.pstate[index].store(P_FREE, Ordering::Release);
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        self.free_bits[index / 64].fetch_or(1u64 << (index % 64), Ordering::Release);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self
                .wait_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            self.wait_cond.notify_one();
        }
        true
    }

    /// Takes the whole release stack and reclaims what it names. The stack was built by
    /// the peer, so the walk is bounded (a cycle cannot trap us) and every index and state
    /// is checked; an entry that fails a check is skipped.
    fn drain(&self, mut reclaimed: impl FnMut(u32)) -> usize {
        let release = self.map.release();
        if release.head.load(Ordering::Relaxed) == EMPTY {
            return 0;
        }
        let mut slot = release.head.swap(EMPTY, Ordering::AcqRel);
        let mut count = 0;
        for _ in 0..self.map.geometry().slot_count {
            let Some(header) = self.map.slot(slot) else {
                break;
            };
            let next = header.next.load(Ordering::Acquire);
            if header
                .word
                .compare_exchange(
                    pack(STATE_QUEUED, 0),
                    pack(STATE_LIVE, 0),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
                && self.try_reclaim(slot)
            {
                reclaimed(slot);
                count += 1;
            }
            slot = next;
        }
        count
    }
}
