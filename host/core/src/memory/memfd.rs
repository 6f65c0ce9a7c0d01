//! A sealed, shared mapping of one memfd.
//!
//! The memfd is sealed against growing and shrinking before anyone else can see it, so a
//! process that receives the fd can trust the size it maps (PipeWire `mem.c` does the same).

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;

use rustix::fs::{MemfdFlags, SealFlags};
use rustix::mm::{MapFlags, ProtFlags};

use super::MemoryError;

/// One memfd mapped read-write and shared, unmapped on drop.
#[derive(Debug)]
pub struct MemfdRegion {
    fd: OwnedFd,
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the region is plain shared memory; all access goes through raw pointers whose
// aliasing rules are upheld by the arena (a slot is written only by its unique owner).
unsafe impl Send for MemfdRegion {}
// SAFETY: see `Send`; `&MemfdRegion` only hands out the base pointer and the length.
unsafe impl Sync for MemfdRegion {}

impl MemfdRegion {
    /// Creates a memfd named `name` of `len` bytes (at least one page), seals its size and
    /// maps it shared read-write.
    ///
    /// # Errors
    ///
    /// [`MemoryError::Os`] when the kernel refuses any step.
    pub fn create(name: &str, len: usize) -> Result<Self, MemoryError> {
        let len = len.max(page_size());
        let fd = rustix::fs::memfd_create(name, MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING)
            .map_err(|e| MemoryError::os("memfd_create", e))?;
        rustix::fs::ftruncate(&fd, len as u64).map_err(|e| MemoryError::os("ftruncate", e))?;
        rustix::fs::fcntl_add_seals(&fd, SealFlags::GROW | SealFlags::SHRINK)
            .map_err(|e| MemoryError::os("fcntl(F_ADD_SEALS)", e))?;
        // SAFETY: a fresh shared mapping of a memfd we own, at an address the kernel
        // chooses; nothing else can alias it yet.
        let raw = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                &fd,
                0,
            )
        }
        .map_err(|e| MemoryError::os("mmap", e))?;
        let ptr = NonNull::new(raw.cast::<u8>()).ok_or(MemoryError::Os {
            op: "mmap",
            source: std::io::Error::other("mapped at address zero"),
        })?;
        Ok(MemfdRegion { fd, ptr, len })
    }

    /// Maps a memfd received from another process. The size is taken from the file and
    /// must be sealed against shrinking (else the sender could truncate it under us and
    /// turn our reads into SIGBUS); `writable` maps it read-write, else read-only.
    ///
    /// # Errors
    ///
    /// [`MemoryError::Os`] when the kernel refuses, [`MemoryError::NotSealed`] when the
    /// file can still shrink, [`MemoryError::TooLarge`] for an empty file.
    pub fn map(fd: OwnedFd, writable: bool) -> Result<Self, MemoryError> {
        let seals = rustix::fs::fcntl_get_seals(&fd)
            .map_err(|e| MemoryError::os("fcntl(F_GET_SEALS)", e))?;
        if !seals.contains(SealFlags::SHRINK) {
            return Err(MemoryError::NotSealed);
        }
        let stat = rustix::fs::fstat(&fd).map_err(|e| MemoryError::os("fstat", e))?;
        let len = usize::try_from(stat.st_size).unwrap_or(0);
        if len == 0 {
            return Err(MemoryError::TooLarge {
                slot_size: 0,
                slots: 0,
            });
        }
        let prot = if writable {
            ProtFlags::READ | ProtFlags::WRITE
        } else {
            ProtFlags::READ
        };
        // SAFETY: a fresh shared mapping at an address the kernel chooses, of exactly the
        // file's (sealed, so stable) size; nothing in this process aliases it yet.
        let raw =
            unsafe { rustix::mm::mmap(std::ptr::null_mut(), len, prot, MapFlags::SHARED, &fd, 0) }
                .map_err(|e| MemoryError::os("mmap", e))?;
        let ptr = NonNull::new(raw.cast::<u8>()).ok_or(MemoryError::Os {
            op: "mmap",
            source: std::io::Error::other("mapped at address zero"),
        })?;
        Ok(MemfdRegion { fd, ptr, len })
    }

    /// Adds `F_SEAL_SEAL` so that nobody can remove or add seals any more (done before
    /// the fd leaves the process).
    ///
    /// # Errors
    ///
    /// [`MemoryError::Os`] when the kernel refuses.
    pub fn seal_seals(&self) -> Result<(), MemoryError> {
        rustix::fs::fcntl_add_seals(&self.fd, SealFlags::SEAL)
            .map_err(|e| MemoryError::os("fcntl(F_ADD_SEALS)", e))
    }

    /// Base address of the mapping.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Length of the mapping in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never true: a region is at least one page).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The memfd, for passing to another process or mapping into a guest.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Drop for MemfdRegion {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly the mapping created in `create`, and every
        // `Buffer` into it holds an `Arc` on the arena, so no reference outlives this.
        // A failed munmap only leaks address space, so the result is ignored.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

fn page_size() -> usize {
    rustix::param::page_size()
}
