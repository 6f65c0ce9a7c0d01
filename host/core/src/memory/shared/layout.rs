//! The shared-memory ABI of a [`super::SharedArena`]: what both processes map.
//!
//! ```text
//! offset 0     ArenaHeader   (64 bytes)  geometry, written once by the owner before sharing
//! offset 64    ReleaseHead   (64 bytes)  head of the MPSC release stack, written by everyone
//! offset 128   SlotHeader[n] (64 bytes each, one cache line per slot: no false sharing
//!                            between two processes touching neighbouring slots)
//! data_offset  slot data     (page aligned, `stride` bytes per slot, stride a multiple of 64)
//! ```
//!
//! Slot state machine, as seen in shared memory (the owner keeps its own, private state
//! beside it, because the peer can write anything here):
//!
//! ```text
//! FREE --owner lends or allocates--> LIVE --peer's last reference drops--> QUEUED (pushed)
//!  ^                                  |                                      |
//!  +--owner's last drop, no peer refs-+<----owner drains the release stack---+
//! ```

use std::sync::atomic::{AtomicU32, AtomicU64};

/// `PLXARENA` in little endian: the first eight bytes of every shared arena.
pub const MAGIC: u64 = u64::from_le_bytes(*b"PLXARENA");
/// Layout version; a peer refuses any other.
pub const VERSION: u32 = 1;
/// "No slot" in the release stack.
pub const EMPTY: u32 = u32::MAX;

/// Slot is owned by nobody (the owner's free list has it).
pub const STATE_FREE: u32 = 0;
/// Slot is referenced by the owner, the peer or both.
pub const STATE_LIVE: u32 = 1;
/// The peer dropped its last reference and pushed the slot on the release stack.
pub const STATE_QUEUED: u32 = 2;

/// Geometry, immutable once the arena is shared.
#[repr(C, align(64))]
#[derive(Debug)]
pub struct ArenaHeader {
    /// [`MAGIC`].
    pub magic: u64,
    /// [`VERSION`].
    pub version: u32,
    /// Number of slots.
    pub slot_count: u32,
    /// Usable bytes per slot.
    pub slot_size: u64,
    /// Distance between two slots (`slot_size` rounded up to 64).
    pub stride: u64,
    /// Where slot 0's data starts (page aligned).
    pub data_offset: u64,
    /// Owner-process-unique id, for messages that name the arena.
    pub arena_id: u64,
    /// Length of the whole mapping.
    pub total_len: u64,
}

/// Head of the lock-free release stack (Treiber stack of slot indices linked through
/// [`SlotHeader::next`]). Any process pushes with a CAS; only the owner takes, and it takes
/// the whole stack with one swap, which is why pushes cannot suffer from ABA.
#[repr(C, align(64))]
#[derive(Debug)]
pub struct ReleaseHead {
    /// Index of the most recently released slot, or [`EMPTY`].
    pub head: AtomicU32,
    /// Pushes so far (diagnostics only).
    pub pushes: AtomicU64,
}

/// Per-slot shared state.
#[repr(C, align(64))]
#[derive(Debug)]
pub struct SlotHeader {
    /// The peer's reference count (low 24 bits) and the `STATE_*` (high 8 bits) in one
    /// word, so that "drop the last peer reference" and "queue the slot" are one CAS: with
    /// two words, the owner could reclaim and re-lend the slot between the two steps and
    /// the late queueing would put a live slot on the stack twice.
    pub word: AtomicU32,
    /// Unused (keeps `next` at offset 8).
    pub reserved: AtomicU32,
    /// Next slot in the release stack.
    pub next: AtomicU32,
    /// Bytes the last writer put in the slot (advisory; messages carry the real length).
    pub len: AtomicU32,
}

/// Offset of the release head.
pub const RELEASE_OFFSET: usize = 64;
/// Offset of slot header 0.
pub const SLOTS_OFFSET: usize = 128;

const _: () = assert!(size_of::<ArenaHeader>() == 64);
const _: () = assert!(size_of::<ReleaseHead>() == 64);
const _: () = assert!(size_of::<SlotHeader>() == 64);
const _: () = assert!(std::mem::offset_of!(ArenaHeader, slot_size) == 16);
const _: () = assert!(std::mem::offset_of!(ArenaHeader, arena_id) == 40);
const _: () = assert!(std::mem::offset_of!(SlotHeader, next) == 8);

/// Bits of [`SlotHeader::word`] that count references.
pub const REFS_MASK: u32 = (1 << 24) - 1;

/// Packs a state and a reference count.
pub const fn pack(state: u32, refs: u32) -> u32 {
    (state << 24) | (refs & REFS_MASK)
}

/// The state of a packed word.
pub const fn state_of(word: u32) -> u32 {
    word >> 24
}

/// The reference count of a packed word.
pub const fn refs_of(word: u32) -> u32 {
    word & REFS_MASK
}

/// Where everything lives for a given geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Number of slots.
    pub slot_count: u32,
    /// Usable bytes per slot.
    pub slot_size: usize,
    /// Distance between slots.
    pub stride: usize,
    /// Start of slot data.
    pub data_offset: usize,
    /// Bytes of the whole mapping.
    pub total_len: usize,
}

impl Geometry {
    /// The layout for `slot_count` slots of `slot_size` bytes; `None` on overflow.
    pub fn new(slot_size: usize, slot_count: u32, page: usize) -> Option<Geometry> {
        let stride = slot_size.checked_next_multiple_of(64)?;
        let headers = (slot_count as usize).checked_mul(size_of::<SlotHeader>())?;
        let data_offset = SLOTS_OFFSET
            .checked_add(headers)?
            .checked_next_multiple_of(page)?;
        let data = stride.checked_mul(slot_count as usize)?;
        let total_len = data_offset
            .checked_add(data)?
            .checked_next_multiple_of(page)?;
        Some(Geometry {
            slot_count,
            slot_size,
            stride,
            data_offset,
            total_len,
        })
    }
}
