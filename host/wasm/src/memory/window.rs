//! [`WindowCreator`]: linear memories whose pages the host can replace with memfd
//! mappings, and [`Window`], the host's handle to do so.
//!
//! State shared between a memory (owned by wasmtime's store) and its host handle:
//! `alive` (false once the store freed the memory), `base` (never changes) and `size`
//! (grows only). Every host operation takes the lock, checks `alive` and checks that the
//! range lies inside `[0, size)`, so a stale handle can never touch freed address space.

use std::cell::RefCell;
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex};

use rustix::mm::{MapFlags, MprotectFlags, ProtFlags};
use wasmtime::{LinearMemory, MemoryCreator, MemoryType};

/// What a mapping lets the guest do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prot {
    /// Read only: a guest write traps.
    Read,
    /// Read and write.
    ReadWrite,
}

impl Prot {
    fn map_flags(self) -> ProtFlags {
        match self {
            Prot::Read => ProtFlags::READ,
            Prot::ReadWrite => ProtFlags::READ | ProtFlags::WRITE,
        }
    }

    fn mprotect_flags(self) -> MprotectFlags {
        match self {
            Prot::Read => MprotectFlags::READ,
            Prot::ReadWrite => MprotectFlags::READ | MprotectFlags::WRITE,
        }
    }
}

/// The host page size.
pub(crate) fn page_size() -> usize {
    rustix::param::page_size()
}

#[derive(Debug)]
struct State {
    /// False once wasmtime dropped the memory (its reservation is unmapped).
    alive: bool,
    /// Accessible bytes (the wasm memory size).
    size: usize,
}

#[derive(Debug)]
struct Shared {
    /// Address of byte 0 of the linear memory.
    base: usize,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

thread_local! {
    /// Memories created on this thread since the last [`take_created`].
    static CREATED: RefCell<Vec<Window>> = const { RefCell::new(Vec::new()) };
}

/// Takes the handles of the memories created on this thread since the last call.
/// Call it once before and once after a (synchronous) instantiation.
pub(crate) fn take_created() -> Vec<Window> {
    CREATED.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// Creates every linear memory of the engine as a fixed reservation the host can map into.
#[derive(Debug, Default)]
pub(crate) struct WindowCreator;

// SAFETY: `new_memory` honours the contract of `MemoryCreator`: the returned memory
// reserves `reserved_size_in_bytes` plus `guard_size_in_bytes` (both inaccessible beyond
// the current size), is zero-filled, and never moves when it grows (see `WindowMemory`).
unsafe impl MemoryCreator for WindowCreator {
    fn new_memory(
        &self,
        _ty: MemoryType,
        minimum: usize,
        maximum: Option<usize>,
        reserved_size_in_bytes: Option<usize>,
        guard_size_in_bytes: usize,
    ) -> Result<Box<dyn LinearMemory>, String> {
        // Without a reservation from wasmtime, reserve the largest size the memory may
        // reach (4 GiB for a 32-bit memory), so it never has to move.
        let reserve = reserved_size_in_bytes
            .or(maximum)
            .unwrap_or(1 << 32)
            .max(minimum)
            .next_multiple_of(page_size());
        let guard = guard_size_in_bytes.next_multiple_of(page_size());
        let total = reserve
            .checked_add(guard)
            .ok_or_else(|| "memory reservation overflows".to_owned())?;
        // SAFETY: a fresh private anonymous mapping at an address the kernel picks;
        // nothing else refers to it.
        let start = unsafe {
            rustix::mm::mmap_anonymous(
                std::ptr::null_mut(),
                total,
                ProtFlags::empty(),
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )
        }
        .map_err(|e| format!("cannot reserve {total} bytes for a linear memory: {e}"))?;
        let base = start as usize;
        if minimum > 0 {
            // SAFETY: `[base, base + minimum)` lies inside the reservation made above.
            unsafe {
                rustix::mm::mprotect(start, minimum, MprotectFlags::READ | MprotectFlags::WRITE)
            }
            .map_err(|e| {
                // SAFETY: the mapping made above, not shared with anyone yet.
                let _ = unsafe { rustix::mm::munmap(start, total) };
                format!("cannot make {minimum} bytes of linear memory accessible: {e}")
            })?;
        }
        let shared = Arc::new(Shared {
            base,
            state: Mutex::new(State {
                alive: true,
                size: minimum,
            }),
        });
        CREATED.with(|c| {
            c.borrow_mut().push(Window {
                shared: Arc::clone(&shared),
            })
        });
        Ok(Box::new(WindowMemory {
            shared,
            size: minimum,
            reserve,
            total,
        }))
    }
}

/// One linear memory: a fixed reservation of `reserve + guard` bytes, of which the first
/// `size` are accessible.
#[derive(Debug)]
struct WindowMemory {
    shared: Arc<Shared>,
    size: usize,
    reserve: usize,
    total: usize,
}

// SAFETY: `as_ptr` never changes (the reservation is fixed), `byte_size` bytes from it
// are accessible, `grow_to` only makes more of the reservation accessible and refuses to
// pass it, and the reservation is followed by the guard wasmtime asked for.
unsafe impl LinearMemory for WindowMemory {
    fn byte_size(&self) -> usize {
        self.size
    }

    fn byte_capacity(&self) -> usize {
        self.reserve
    }

    fn grow_to(&mut self, new_size: usize) -> wasmtime::Result<()> {
        if new_size > self.reserve {
            wasmtime::bail!(
                "linear memory cannot grow past its {} byte reservation",
                self.reserve
            );
        }
        if new_size <= self.size {
            return Ok(());
        }
        let mut state = self.shared.lock();
        let start = self.size.next_multiple_of(page_size());
        let end = new_size.next_multiple_of(page_size());
        if end > start {
            // SAFETY: `[start, end)` lies inside the reservation (`end <= reserve`
            // rounded to a page, and the reservation is page-rounded), above every byte
            // the guest or the host mapped so far.
            unsafe {
                rustix::mm::mprotect(
                    (self.shared.base + start) as *mut _,
                    end - start,
                    MprotectFlags::READ | MprotectFlags::WRITE,
                )
            }
            .map_err(|e| wasmtime::format_err!("cannot grow linear memory: {e}"))?;
        }
        self.size = new_size;
        state.size = new_size;
        Ok(())
    }

    fn as_ptr(&self) -> *mut u8 {
        self.shared.base as *mut u8
    }
}

impl Drop for WindowMemory {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.alive = false;
        // SAFETY: the reservation made in `new_memory`; wasmtime drops the memory only
        // after the last instance using it is gone, and host handles check `alive`
        // (under the same lock) before touching it. A failed munmap only leaks.
        let _ = unsafe { rustix::mm::munmap(self.shared.base as *mut _, self.total) };
    }
}

/// The host's handle on one guest linear memory, to map memfd ranges into it.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    shared: Arc<Shared>,
}

impl Window {
    /// Current accessible size in bytes; 0 once the memory was freed.
    pub(crate) fn size(&self) -> usize {
        let state = self.shared.lock();
        if state.alive { state.size } else { 0 }
    }

    fn check(state: &State, offset: usize, len: usize) -> Result<(), String> {
        if !state.alive {
            return Err("the guest memory is gone".into());
        }
        let page = page_size();
        if !offset.is_multiple_of(page) || !len.is_multiple_of(page) || len == 0 {
            return Err(format!(
                "range {offset:#x}+{len:#x} is not page-aligned and non-empty"
            ));
        }
        match offset.checked_add(len) {
            Some(end) if end <= state.size => Ok(()),
            _ => Err(format!(
                "range {offset:#x}+{len:#x} exceeds the guest memory ({:#x} bytes)",
                state.size
            )),
        }
    }

    /// Maps `len` bytes of `fd` from `file_offset` at guest offset `offset`, shared.
    /// `offset`, `len` and `file_offset` must be page-aligned and the range inside the
    /// accessible memory; `fd` must be a sealed memfd of at least `file_offset + len`
    /// bytes rounded up to a page (so guest access never hits SIGBUS).
    pub(crate) fn map(
        &self,
        offset: usize,
        len: usize,
        fd: BorrowedFd<'_>,
        file_offset: u64,
        prot: Prot,
    ) -> Result<(), String> {
        let state = self.shared.lock();
        Self::check(&state, offset, len)?;
        if !file_offset.is_multiple_of(page_size() as u64) {
            return Err(format!("file offset {file_offset:#x} is not page-aligned"));
        }
        // SAFETY: the target range is inside the live, accessible part of the guest's
        // reservation (checked above, under the lock that `Drop` takes before
        // unmapping). Only guest code and this handle address these pages; the host
        // holds no Rust reference into them. MAP_FIXED replaces exactly those pages.
        unsafe {
            rustix::mm::mmap(
                (self.shared.base + offset) as *mut _,
                len,
                prot.map_flags(),
                MapFlags::SHARED | MapFlags::FIXED,
                fd,
                file_offset,
            )
        }
        .map(|_| ())
        .map_err(|e| format!("mmap into the guest window failed: {e}"))
    }

    /// Replaces `[offset, offset + len)` by fresh zeroed private pages, read-write (as
    /// wasm memory is), dropping whatever memfd was mapped there.
    pub(crate) fn unmap(&self, offset: usize, len: usize) -> Result<(), String> {
        let state = self.shared.lock();
        Self::check(&state, offset, len)?;
        // SAFETY: as in `map`: a live, accessible range of the guest's reservation that
        // no host reference points into.
        unsafe {
            rustix::mm::mmap_anonymous(
                (self.shared.base + offset) as *mut _,
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE | MapFlags::FIXED,
            )
        }
        .map(|_| ())
        .map_err(|e| format!("resetting the guest window failed: {e}"))
    }

    /// Changes the protection of `[offset, offset + len)`.
    pub(crate) fn protect(&self, offset: usize, len: usize, prot: Prot) -> Result<(), String> {
        let state = self.shared.lock();
        Self::check(&state, offset, len)?;
        // SAFETY: as in `map`; only the guest's view of the pages changes.
        unsafe {
            rustix::mm::mprotect(
                (self.shared.base + offset) as *mut _,
                len,
                prot.mprotect_flags(),
            )
        }
        .map_err(|e| format!("mprotect in the guest window failed: {e}"))
    }
}
