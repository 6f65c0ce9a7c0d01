//! `CpuArena`: a pool of fixed-size slots in one sealed memfd.
//!
//! Slot ownership is a lock-free bitmap (one bit per slot, 1 = free) scanned from a
//! rotating hint, so acquire and release are O(1) for the pool sizes Parallax uses
//! (a few dozen slots: one or two words). Each slot has its own reference count so that
//! [`Memory`] clones are O(1) and a slot returns to the pool when its last clone drops.
//! When the pool is empty, producers block on a condition variable until a slot is
//! released: that is the backpressure of the whole engine, nothing is allocated instead.
//!
//! State per slot: FREE (bit set, refcount 0) -> HELD (bit clear, refcount >= 1) -> FREE.
//! Writable access requires refcount == 1, i.e. the caller holds the only reference.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::{MemfdRegion, MemoryError};
use crate::buffer::BufferMut;

static NEXT_ARENA_ID: AtomicU64 = AtomicU64::new(1);

/// How long a blocked acquire sleeps between checks of its cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// A pool of `slot_count` slots of `slot_size` bytes in one memfd. Cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct CpuArena {
    shared: Arc<ArenaShared>,
}

#[derive(Debug)]
pub(crate) struct ArenaShared {
    region: MemfdRegion,
    id: u64,
    slot_size: usize,
    slot_count: usize,
    free_bits: Box<[AtomicU64]>,
    refcounts: Box<[AtomicU32]>,
    search_hint: AtomicUsize,
    in_use: AtomicUsize,
    waiters: AtomicUsize,
    wait_lock: Mutex<()>,
    wait_cond: Condvar,
}

/// A snapshot of an arena's occupancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArenaStats {
    /// Process-unique arena id.
    pub id: u64,
    /// Bytes per slot.
    pub slot_size: usize,
    /// Number of slots.
    pub slot_count: usize,
    /// Slots held right now.
    pub in_use: usize,
}

impl CpuArena {
    /// Creates a pool of `slot_count` slots of `slot_size` bytes, backed by one sealed memfd.
    ///
    /// # Errors
    ///
    /// [`MemoryError::NoSlots`] for an empty pool, [`MemoryError::TooLarge`] when the size
    /// overflows, [`MemoryError::Os`] when the kernel refuses the memfd.
    pub fn new(name: &str, slot_size: usize, slot_count: usize) -> Result<Self, MemoryError> {
        if slot_count == 0 {
            return Err(MemoryError::NoSlots);
        }
        let too_large = MemoryError::TooLarge {
            slot_size,
            slots: slot_count,
        };
        if slot_count > u32::MAX as usize {
            return Err(too_large);
        }
        // Slots start on 64-byte boundaries so SIMD code and cache lines line up.
        let stride = slot_size
            .checked_next_multiple_of(64)
            .ok_or(MemoryError::TooLarge {
                slot_size,
                slots: slot_count,
            })?;
        let total = stride.checked_mul(slot_count).ok_or(too_large)?;
        let region = MemfdRegion::create(name, total)?;
        let words = slot_count.div_ceil(64);
        let free_bits: Box<[AtomicU64]> = (0..words)
            .map(|w| {
                let remaining = slot_count - w * 64;
                AtomicU64::new(if remaining >= 64 {
                    u64::MAX
                } else {
                    (1u64 << remaining) - 1
                })
            })
            .collect();
        let refcounts = (0..slot_count).map(|_| AtomicU32::new(0)).collect();
        Ok(CpuArena {
            shared: Arc::new(ArenaShared {
                region,
                id: next_arena_id(),
                slot_size,
                slot_count,
                free_bits,
                refcounts,
                search_hint: AtomicUsize::new(0),
                in_use: AtomicUsize::new(0),
                waiters: AtomicUsize::new(0),
                wait_lock: Mutex::new(()),
                wait_cond: Condvar::new(),
            }),
        })
    }

    /// Bytes per slot.
    pub fn slot_size(&self) -> usize {
        self.shared.slot_size
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.shared.slot_count
    }

    /// The memfd behind the arena, for sharing with another process or a guest.
    pub fn region(&self) -> &MemfdRegion {
        &self.shared.region
    }

    /// Occupancy right now.
    pub fn stats(&self) -> ArenaStats {
        ArenaStats {
            id: self.shared.id,
            slot_size: self.shared.slot_size,
            slot_count: self.shared.slot_count,
            in_use: self.shared.in_use.load(Ordering::Relaxed),
        }
    }

    /// Takes a free slot without waiting; `None` when the pool is exhausted.
    pub fn try_acquire(&self) -> Option<BufferMut> {
        self.try_acquire_memory().map(BufferMut::from_memory)
    }

    /// Takes a free slot, waiting while the pool is exhausted until a slot is released or
    /// `cancel` becomes true (then `None`).
    pub fn acquire(&self, cancel: &AtomicBool) -> Option<BufferMut> {
        self.acquire_until(cancel, None)
    }

    /// Like [`CpuArena::acquire`] but gives up after `timeout`.
    pub fn acquire_timeout(&self, cancel: &AtomicBool, timeout: Duration) -> Option<BufferMut> {
        self.acquire_until(cancel, Some(Instant::now() + timeout))
    }

    fn acquire_until(&self, cancel: &AtomicBool, deadline: Option<Instant>) -> Option<BufferMut> {
        if let Some(memory) = self.try_acquire_memory() {
            return Some(BufferMut::from_memory(memory));
        }
        let shared = &*self.shared;
        shared.waiters.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            if cancel.load(Ordering::Acquire) {
                break None;
            }
            let mut wait = CANCEL_POLL;
            if let Some(deadline) = deadline {
                let now = Instant::now();
                if now >= deadline {
                    break None;
                }
                wait = wait.min(deadline - now);
            }
            let guard = shared
                .wait_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // Re-check under the lock: a release between our failed scan and the wait
            // notifies while holding the lock, so it cannot be missed.
            if let Some(memory) = self.try_acquire_memory() {
                break Some(memory);
            }
            drop(
                shared
                    .wait_cond
                    .wait_timeout(guard, wait)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            );
            if let Some(memory) = self.try_acquire_memory() {
                break Some(memory);
            }
        };
        shared.waiters.fetch_sub(1, Ordering::SeqCst);
        result.map(BufferMut::from_memory)
    }

    pub(crate) fn try_acquire_memory(&self) -> Option<Memory> {
        let shared = &*self.shared;
        let words = shared.free_bits.len();
        let start = shared.search_hint.load(Ordering::Relaxed) % words;
        for i in 0..words {
            let w = (start + i) % words;
            let word = &shared.free_bits[w];
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
                        let slot = w * 64 + bit as usize;
                        shared.refcounts[slot].store(1, Ordering::Relaxed);
                        shared.in_use.fetch_add(1, Ordering::Relaxed);
                        if w != start {
                            shared.search_hint.store(w, Ordering::Relaxed);
                        }
                        return Some(Memory {
                            backing: Backing::Local(Arc::clone(&self.shared)),
                            slot: slot as u32,
                        });
                    }
                    Err(current) => bits = current,
                }
            }
        }
        None
    }
}

impl ArenaShared {
    fn release(&self, slot: usize) {
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        self.free_bits[slot / 64].fetch_or(1u64 << (slot % 64), Ordering::Release);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self
                .wait_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            self.wait_cond.notify_one();
        }
    }

    fn slot_ptr(&self, slot: u32) -> *mut u8 {
        let stride = self.slot_size.next_multiple_of(64);
        // The offset is inside the region: `slot < slot_count` and the region holds
        // `stride * slot_count` bytes (checked in `CpuArena::new`).
        self.region.as_ptr().wrapping_add(slot as usize * stride)
    }
}

/// A fresh process-unique arena id (shared by local and shared arenas).
pub(crate) fn next_arena_id() -> u64 {
    NEXT_ARENA_ID.fetch_add(1, Ordering::Relaxed)
}

/// What a [`Memory`] points into.
#[derive(Debug)]
pub(crate) enum Backing {
    /// A slot of an in-process [`CpuArena`] (reference counts in private memory).
    Local(Arc<ArenaShared>),
    /// A slot of a [`super::SharedArena`] this process owns.
    Owner(Arc<super::shared::OwnerInner>),
    /// A slot of a shared arena another process owns and lent us.
    Peer(Arc<super::shared::PeerInner>),
    /// A lease from another process: the reference count is slot `slot` of `table`, the
    /// bytes are `len` bytes at `offset` of `data` (mapped read-only).
    Leased {
        table: Arc<super::shared::PeerInner>,
        data: Arc<MemfdRegion>,
        offset: usize,
        len: usize,
    },
}

/// One reference to one arena slot. Cloning adds a reference (O(1), no copy); the slot
/// returns to its pool when the last reference drops, in whichever process that happens.
#[derive(Debug)]
pub struct Memory {
    backing: Backing,
    slot: u32,
}

impl Memory {
    pub(crate) fn from_backing(backing: Backing, slot: u32) -> Self {
        Memory { backing, slot }
    }

    pub(crate) fn backing(&self) -> &Backing {
        &self.backing
    }

    /// Ends this handle without releasing its slot reference, which moved elsewhere (lent
    /// to the peer, transferred to the owner); only the handle on the arena is dropped.
    /// (`mem::forget` would leak that handle too, and with it the arena's memfd and
    /// mapping for the life of the process.)
    pub(crate) fn forget_reference(self) {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the backing read out of it is
        // the only owner of its `Arc`s and drops them exactly once.
        drop(unsafe { std::ptr::read(&this.backing) });
    }

    /// Capacity of the slot in bytes.
    pub fn capacity(&self) -> usize {
        match &self.backing {
            Backing::Local(arena) => arena.slot_size,
            Backing::Owner(inner) => inner.map.geometry().slot_size,
            Backing::Peer(inner) => inner.map.geometry().slot_size,
            Backing::Leased { len, .. } => *len,
        }
    }

    /// Index of the slot in its arena (for a lease: the lease's index in its table).
    pub fn slot(&self) -> u32 {
        self.slot
    }

    /// Id of the arena the slot belongs to (for a lease: the lease table's id).
    pub fn arena_id(&self) -> u64 {
        match &self.backing {
            Backing::Local(arena) => arena.id,
            Backing::Owner(inner) => inner.map.arena_id(),
            Backing::Peer(inner) => inner.map.arena_id(),
            Backing::Leased { table, .. } => table.map.arena_id(),
        }
    }

    /// Whether the slot lives in shared memory that another process also references
    /// (then its bytes may change under a reader if that process misbehaves).
    pub fn is_cross_process(&self) -> bool {
        !matches!(self.backing, Backing::Local(_))
    }

    /// The memfd the slot lives in, to map it into a WASM guest or another process.
    pub fn region(&self) -> &MemfdRegion {
        match &self.backing {
            Backing::Local(arena) => &arena.region,
            Backing::Owner(inner) => inner.map.region(),
            Backing::Peer(inner) => inner.map.region(),
            Backing::Leased { data, .. } => data,
        }
    }

    /// Byte offset of the slot inside [`Memory::region`] (slots start on 64-byte
    /// boundaries).
    pub fn offset_in_region(&self) -> usize {
        match &self.backing {
            Backing::Local(arena) => self.slot as usize * arena.slot_size.next_multiple_of(64),
            Backing::Owner(inner) => inner.map.data_offset(self.slot),
            Backing::Peer(inner) => inner.map.data_offset(self.slot),
            Backing::Leased { offset, .. } => *offset,
        }
    }

    /// Whether this is the only reference to the slot (then it may be written). A lease
    /// is never writable: it is mapped read-only.
    pub fn is_unique(&self) -> bool {
        match &self.backing {
            Backing::Local(arena) => {
                arena.refcounts[self.slot as usize].load(Ordering::Acquire) == 1
            }
            Backing::Owner(inner) => inner.is_unique(self.slot),
            Backing::Peer(inner) => inner.refs(self.slot) == 1,
            Backing::Leased { .. } => false,
        }
    }

    /// A fresh slot from the same arena, or `None` when it is exhausted or this process
    /// cannot allocate there (a peer never allocates).
    pub(crate) fn sibling(&self) -> Option<Memory> {
        match &self.backing {
            Backing::Local(arena) => CpuArena {
                shared: Arc::clone(arena),
            }
            .try_acquire_memory(),
            Backing::Owner(inner) => {
                super::SharedArena::from_inner(Arc::clone(inner)).try_acquire_memory()
            }
            Backing::Peer(_) | Backing::Leased { .. } => None,
        }
    }

    fn ptr(&self) -> *mut u8 {
        match &self.backing {
            Backing::Local(arena) => arena.slot_ptr(self.slot),
            Backing::Owner(inner) => inner.map.data_ptr(self.slot),
            Backing::Peer(inner) => inner.map.data_ptr(self.slot),
            Backing::Leased { data, offset, .. } => data.as_ptr().wrapping_add(*offset),
        }
    }

    /// The whole slot, read-only.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: every backing's pointer and capacity describe a range inside its live
        // mapping (the `Arc` keeps it mapped): slots were bounds-checked against the
        // arena geometry when the `Memory` was made, leases against the mapping length.
        // Writes in this process happen only through `as_mut_slice`, which needs `&mut
        // self` and sole ownership. Another process may write shared slots concurrently
        // only if it breaks the protocol; readers treat those bytes as untrusted data.
        unsafe { std::slice::from_raw_parts(self.ptr(), self.capacity()) }
    }

    /// The whole slot, writable, when this is the only reference.
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        if !self.is_unique() {
            return None;
        }
        // SAFETY: refcount == 1 and we hold `&mut self`, so no other `Memory` for this
        // slot exists and no shared slice of it is alive; the range is inside the mapping
        // (leases, mapped read-only, never get here: they are never unique).
        Some(unsafe { std::slice::from_raw_parts_mut(self.ptr(), self.capacity()) })
    }
}

impl Clone for Memory {
    fn clone(&self) -> Self {
        let backing = match &self.backing {
            Backing::Local(arena) => {
                // Relaxed is enough to add a reference to one we already hold (as in `Arc`).
                arena.refcounts[self.slot as usize].fetch_add(1, Ordering::Relaxed);
                Backing::Local(Arc::clone(arena))
            }
            Backing::Owner(inner) => {
                inner.clone_ref(self.slot);
                Backing::Owner(Arc::clone(inner))
            }
            Backing::Peer(inner) => {
                inner.clone_ref(self.slot);
                Backing::Peer(Arc::clone(inner))
            }
            Backing::Leased {
                table,
                data,
                offset,
                len,
            } => {
                table.clone_ref(self.slot);
                Backing::Leased {
                    table: Arc::clone(table),
                    data: Arc::clone(data),
                    offset: *offset,
                    len: *len,
                }
            }
        };
        Memory {
            backing,
            slot: self.slot,
        }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        match &self.backing {
            Backing::Local(arena) => {
                let slot = self.slot as usize;
                if arena.refcounts[slot].fetch_sub(1, Ordering::Release) == 1 {
                    // Pairs with the Release above in other clones: their reads of the
                    // slot happen before the slot is handed to a new writer.
                    fence(Ordering::Acquire);
                    arena.release(slot);
                }
            }
            Backing::Owner(inner) => inner.release_owner_ref(self.slot),
            Backing::Peer(inner) => inner.release_ref(self.slot),
            Backing::Leased { table, .. } => table.release_ref(self.slot),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::CpuArena;

    #[test]
    fn slots_are_exclusive_under_contention() {
        let arena = CpuArena::new("hammer", 64, 8).unwrap();
        let cancel = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..4u8)
            .map(|id| {
                let arena = arena.clone();
                let cancel = Arc::clone(&cancel);
                std::thread::spawn(move || {
                    for round in 0..5_000u32 {
                        let mut buf = arena.acquire(&cancel).expect("never cancelled");
                        let stamp = [id, (round & 0xff) as u8];
                        buf.data_mut()[..2].copy_from_slice(&stamp);
                        std::thread::yield_now();
                        // Nobody else may have written into a slot we hold.
                        assert_eq!(&buf.data()[..2], &stamp);
                        let frozen = buf.freeze();
                        let twin = frozen.clone();
                        assert_eq!(&twin.data()[..2], &stamp);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(arena.stats().in_use, 0);
        // Every slot is free again: all eight can be taken at once.
        let all: Vec<_> = (0..8).map(|_| arena.try_acquire().unwrap()).collect();
        assert!(arena.try_acquire().is_none());
        drop(all);
    }

    #[test]
    fn clones_keep_the_slot_until_the_last_one_drops() {
        let arena = CpuArena::new("clones", 16, 1).unwrap();
        let buf = arena.try_acquire().unwrap().freeze();
        let clones: Vec<_> = (0..10).map(|_| buf.clone()).collect();
        drop(buf);
        assert!(arena.try_acquire().is_none());
        let handles: Vec<_> = clones
            .into_iter()
            .map(|c| std::thread::spawn(move || drop(c)))
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(arena.stats().in_use, 0);
        assert!(arena.try_acquire().is_some());
    }

    #[test]
    fn exhaustion_blocks_until_release_and_cancel_unblocks() {
        let arena = CpuArena::new("backpressure", 16, 1).unwrap();
        let held = arena.try_acquire().unwrap();
        let cancel = Arc::new(AtomicBool::new(false));
        let waiter = {
            let arena = arena.clone();
            let cancel = Arc::clone(&cancel);
            std::thread::spawn(move || arena.acquire(&cancel).is_some())
        };
        std::thread::sleep(std::time::Duration::from_millis(30));
        drop(held);
        assert!(
            waiter.join().unwrap(),
            "a release wakes the waiting producer"
        );

        let held = arena.try_acquire().unwrap();
        let waiter = {
            let arena = arena.clone();
            let cancel = Arc::clone(&cancel);
            std::thread::spawn(move || arena.acquire(&cancel).is_some())
        };
        cancel.store(true, Ordering::Release);
        assert!(
            !waiter.join().unwrap(),
            "cancel ends the wait without a slot"
        );
        drop(held);
    }

    #[test]
    fn arena_memory_is_a_sealed_memfd() {
        let arena = CpuArena::new("sealed", 100, 3).unwrap();
        let seals = rustix::fs::fcntl_get_seals(arena.region().fd()).unwrap();
        assert!(seals.contains(rustix::fs::SealFlags::GROW));
        assert!(seals.contains(rustix::fs::SealFlags::SHRINK));
        // Slots start on 64-byte boundaries and fit in the region.
        assert!(arena.region().len() >= 128 * 3);
    }

    #[test]
    fn refuses_impossible_geometry() {
        assert!(CpuArena::new("none", 16, 0).is_err());
        assert!(CpuArena::new("huge", usize::MAX / 2, 4).is_err());
    }
}
