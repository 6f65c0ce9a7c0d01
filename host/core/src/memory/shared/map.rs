//! A mapped shared arena and the checked views into it.
//!
//! Every accessor that takes a slot index checks it against the geometry, which comes
//! either from the owner's own arithmetic or, on the peer side, from a header that was
//! validated field by field against the size of the file the kernel reports (the smoltcp
//! `new_checked` rule: nothing in shared memory is used before it is checked).

use std::os::fd::OwnedFd;
use std::sync::atomic::Ordering;

use super::layout::{
    ArenaHeader, EMPTY, Geometry, MAGIC, RELEASE_OFFSET, ReleaseHead, SLOTS_OFFSET, SlotHeader,
    VERSION,
};
use crate::memory::{MemfdRegion, MemoryError};

/// One mapping of a shared arena plus the geometry it was checked against.
#[derive(Debug)]
pub(crate) struct SharedMap {
    region: MemfdRegion,
    geo: Geometry,
    arena_id: u64,
}

impl SharedMap {
    /// Creates and initialises a fresh arena (owner side), sealed before it can be shared.
    pub(crate) fn create(
        name: &str,
        slot_size: usize,
        slot_count: u32,
        arena_id: u64,
    ) -> Result<Self, MemoryError> {
        let too_large = MemoryError::TooLarge {
            slot_size,
            slots: slot_count as usize,
        };
        if slot_count == 0 {
            return Err(MemoryError::NoSlots);
        }
        let geo =
            Geometry::new(slot_size, slot_count, rustix::param::page_size()).ok_or(too_large)?;
        let region = MemfdRegion::create(name, geo.total_len)?;
        region.seal_seals()?;
        let header = ArenaHeader {
            magic: MAGIC,
            version: VERSION,
            slot_count,
            slot_size: slot_size as u64,
            stride: geo.stride as u64,
            data_offset: geo.data_offset as u64,
            arena_id,
            total_len: geo.total_len as u64,
        };
        // SAFETY: the region is at least `total_len >= SLOTS_OFFSET` bytes, page aligned
        // (so aligned for the 64-byte header), and not shared with anyone yet.
        unsafe { region.as_ptr().cast::<ArenaHeader>().write(header) };
        let map = SharedMap {
            region,
            geo,
            arena_id,
        };
        map.release().head.store(EMPTY, Ordering::Relaxed);
        Ok(map)
    }

    /// Maps an arena received from the owner and validates its header (peer side).
    pub(crate) fn attach(fd: OwnedFd) -> Result<Self, MemoryError> {
        let region = MemfdRegion::map(fd, true)?;
        if region.len() < SLOTS_OFFSET {
            return Err(MemoryError::BadHeader("shorter than its header"));
        }
        // SAFETY: the mapping holds at least the header, page aligned; the owner wrote the
        // header before sending the fd and never writes it again; we copy it out at once.
        let header = unsafe { region.as_ptr().cast::<ArenaHeader>().read_volatile() };
        if header.magic != MAGIC {
            return Err(MemoryError::BadHeader("bad magic"));
        }
        if header.version != VERSION {
            return Err(MemoryError::BadHeader("unknown version"));
        }
        let slot_size = usize::try_from(header.slot_size)
            .map_err(|_| MemoryError::BadHeader("slot size overflows"))?;
        let geo = Geometry::new(slot_size, header.slot_count, rustix::param::page_size())
            .ok_or(MemoryError::BadHeader("geometry overflows"))?;
        if header.slot_count == 0
            || geo.stride as u64 != header.stride
            || geo.data_offset as u64 != header.data_offset
            || geo.total_len as u64 != header.total_len
        {
            return Err(MemoryError::BadHeader("inconsistent geometry"));
        }
        if geo.total_len > region.len() {
            return Err(MemoryError::BadHeader("larger than the file"));
        }
        Ok(SharedMap {
            region,
            geo,
            arena_id: header.arena_id,
        })
    }

    pub(crate) fn region(&self) -> &MemfdRegion {
        &self.region
    }

    pub(crate) fn geometry(&self) -> Geometry {
        self.geo
    }

    pub(crate) fn arena_id(&self) -> u64 {
        self.arena_id
    }

    pub(crate) fn release(&self) -> &ReleaseHead {
        // SAFETY: RELEASE_OFFSET + 64 <= SLOTS_OFFSET <= len, 64-aligned; the head holds
        // only atomics, valid for any bit pattern, and all access to it is atomic.
        unsafe {
            &*self
                .region
                .as_ptr()
                .add(RELEASE_OFFSET)
                .cast::<ReleaseHead>()
        }
    }

    /// The shared header of `slot`, or `None` when the index is out of range.
    pub(crate) fn slot(&self, slot: u32) -> Option<&SlotHeader> {
        if slot >= self.geo.slot_count {
            return None;
        }
        let offset = SLOTS_OFFSET + slot as usize * size_of::<SlotHeader>();
        // SAFETY: `slot < slot_count` and the geometry (checked against the mapping's
        // length) puts every slot header before `data_offset`; 64-aligned; atomics only.
        Some(unsafe { &*self.region.as_ptr().add(offset).cast::<SlotHeader>() })
    }

    /// Start of `slot`'s data. The caller has checked `slot < slot_count`.
    pub(crate) fn data_ptr(&self, slot: u32) -> *mut u8 {
        debug_assert!(slot < self.geo.slot_count);
        self.region
            .as_ptr()
            .wrapping_add(self.geo.data_offset + slot as usize * self.geo.stride)
    }

    pub(crate) fn data_offset(&self, slot: u32) -> usize {
        self.geo.data_offset + slot as usize * self.geo.stride
    }
}
