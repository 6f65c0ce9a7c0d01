//! Buffers: a view of one arena slot plus timing metadata.
//!
//! A [`Buffer`] is immutable and cheap to clone (one slot reference, no copy), so a tee
//! hands the same bytes to every branch. A [`BufferMut`] is the writable form: it exists
//! only while its holder owns the slot alone, which the type system enforces instead of a
//! runtime lock. [`Buffer::into_mut`] gets it back without a copy when nobody else holds
//! the slot (GStreamer's `make_writable`).
//!
//! # Examples
//!
//! ```
//! use parallax_core::buffer::ClockTime;
//! use parallax_core::memory::CpuArena;
//!
//! let arena = CpuArena::new("doc", 64, 1).unwrap();
//! let mut out = arena.try_acquire().unwrap();
//! out.data_mut()[0] = 7;
//! out.set_len(1);
//! out.meta_mut().pts = Some(ClockTime::from_millis(40));
//! let buf = out.freeze();
//! assert_eq!(buf.data(), &[7]);
//! let mut again = buf.into_mut().ok().unwrap(); // unique: writable again, no copy
//! again.data_mut()[0] = 8;
//! ```

mod meta;

pub use meta::{BufferFlags, BufferMeta, ClockTime, ExtraMeta, MetaValue};

use crate::memory::Memory;

/// An immutable, shareable buffer: slot memory, a byte range within it, and metadata.
#[derive(Debug, Clone)]
pub struct Buffer {
    memory: Memory,
    offset: usize,
    len: usize,
    meta: BufferMeta,
}

impl Buffer {
    /// A buffer over `len` bytes at `offset` of `memory` (e.g. a slot another process
    /// filled), or `None` when the range does not fit in the slot.
    pub fn from_memory(
        memory: Memory,
        offset: usize,
        len: usize,
        meta: BufferMeta,
    ) -> Option<Buffer> {
        if offset.checked_add(len)? > memory.capacity() {
            return None;
        }
        Some(Buffer {
            memory,
            offset,
            len,
            meta,
        })
    }

    /// The bytes of the buffer.
    pub fn data(&self) -> &[u8] {
        // `offset + len <= capacity` is an invariant of every constructor.
        &self.memory.as_slice()[self.offset..self.offset + self.len]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Timing and flags.
    pub fn meta(&self) -> &BufferMeta {
        &self.meta
    }

    /// Timing and flags, writable: metadata belongs to this handle, not to the slot.
    pub fn meta_mut(&mut self) -> &mut BufferMeta {
        &mut self.meta
    }

    /// The slot behind the buffer (for zero-copy hand-off to another process or a guest).
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Byte offset of the buffer's data inside its slot.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// A buffer over `range` of this one's bytes, sharing the slot (no copy), with the
    /// same metadata. `None` when the range is out of bounds.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Option<Buffer> {
        if range.start > range.end || range.end > self.len {
            return None;
        }
        Some(Buffer {
            memory: self.memory.clone(),
            offset: self.offset + range.start,
            len: range.end - range.start,
            meta: self.meta.clone(),
        })
    }

    /// The writable form, without a copy, when this is the only reference to the slot;
    /// otherwise gives the buffer back.
    ///
    /// # Errors
    ///
    /// Returns `Err(self)` when another reference to the slot exists.
    #[expect(
        clippy::result_large_err,
        reason = "gives the caller its buffer back, as tokio's TrySendError does"
    )]
    pub fn into_mut(self) -> Result<BufferMut, Buffer> {
        if self.memory.is_unique() {
            Ok(BufferMut { inner: self })
        } else {
            Err(self)
        }
    }

    /// The writable form: without a copy when unique, else a copy into a fresh slot of
    /// the same arena. `None` when the slot is shared and the arena is exhausted.
    pub fn make_mut(self) -> Option<BufferMut> {
        match self.into_mut() {
            Ok(unique) => Some(unique),
            Err(shared) => {
                let mut memory = shared.memory.sibling()?;
                let target = memory.as_mut_slice()?;
                target[..shared.len].copy_from_slice(shared.data());
                Some(BufferMut {
                    inner: Buffer {
                        memory,
                        offset: 0,
                        len: shared.len,
                        meta: shared.meta,
                    },
                })
            }
        }
    }
}

/// A writable buffer; its holder owns the slot alone.
#[derive(Debug)]
pub struct BufferMut {
    inner: Buffer,
}

impl BufferMut {
    /// The writable form of `memory` (its whole capacity), or `None` when another
    /// reference to the slot exists.
    pub fn from_unique(memory: Memory) -> Option<Self> {
        memory.is_unique().then(|| Self::from_memory(memory))
    }

    pub(crate) fn from_memory(memory: Memory) -> Self {
        let len = memory.capacity();
        BufferMut {
            inner: Buffer {
                memory,
                offset: 0,
                len,
                meta: BufferMeta::default(),
            },
        }
    }

    /// The bytes, writable. Starts as the whole slot; see [`BufferMut::set_len`].
    pub fn data_mut(&mut self) -> &mut [u8] {
        let (offset, len) = (self.inner.offset, self.inner.len);
        match self.inner.memory.as_mut_slice() {
            Some(slice) => &mut slice[offset..offset + len],
            // Unreachable by construction (a BufferMut is unique), but an empty slice is
            // a safe answer if that invariant were ever broken.
            None => &mut [],
        }
    }

    /// The bytes, read-only.
    pub fn data(&self) -> &[u8] {
        self.inner.data()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.inner.len
    }

    /// Whether the buffer holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.inner.len == 0
    }

    /// Bytes available from the buffer's offset to the end of its slot.
    pub fn capacity(&self) -> usize {
        self.inner.memory.capacity() - self.inner.offset
    }

    /// Sets the length, clamped to the capacity; returns the length set.
    pub fn set_len(&mut self, len: usize) -> usize {
        self.inner.len = len.min(self.capacity());
        self.inner.len
    }

    /// Timing and flags.
    pub fn meta(&self) -> &BufferMeta {
        &self.inner.meta
    }

    /// Timing and flags, writable.
    pub fn meta_mut(&mut self) -> &mut BufferMeta {
        &mut self.inner.meta
    }

    /// Turns it into a shareable [`Buffer`].
    pub fn freeze(self) -> Buffer {
        self.inner
    }
}

#[cfg(test)]
mod tests {
    use crate::memory::CpuArena;

    #[test]
    fn writable_only_when_unique() {
        let arena = CpuArena::new("unique", 8, 2).unwrap();
        let buf = arena.try_acquire().unwrap().freeze();
        let twin = buf.clone();
        let buf = buf.into_mut().expect_err("shared buffers are not writable");
        drop(twin);
        assert!(buf.into_mut().is_ok());
    }

    #[test]
    fn make_mut_copies_only_when_shared() {
        let arena = CpuArena::new("cow", 8, 2).unwrap();
        let mut out = arena.try_acquire().unwrap();
        out.data_mut().copy_from_slice(b"abcdefgh");
        let buf = out.freeze();
        let twin = buf.clone();
        let mut copy = buf.make_mut().unwrap();
        copy.data_mut()[0] = b'X';
        assert_eq!(twin.data(), b"abcdefgh", "the original is untouched");
        assert_eq!(copy.data(), b"Xbcdefgh");
        assert_ne!(copy.freeze().memory().slot(), twin.memory().slot());
    }

    #[test]
    fn slices_share_the_slot_and_check_bounds() {
        let arena = CpuArena::new("slice", 8, 1).unwrap();
        let mut out = arena.try_acquire().unwrap();
        out.data_mut().copy_from_slice(b"01234567");
        let buf = out.freeze();
        let part = buf.slice(2..5).unwrap();
        assert_eq!(part.data(), b"234");
        assert_eq!(part.slice(1..3).unwrap().data(), b"34");
        assert!(buf.slice(4..9).is_none());
        #[expect(
            clippy::reversed_empty_ranges,
            reason = "testing that inverted ranges are refused"
        )]
        let inverted = buf.slice(5..4);
        assert!(inverted.is_none());
    }
}
