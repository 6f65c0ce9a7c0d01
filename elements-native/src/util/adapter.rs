//! A byte queue over incoming buffers, addressed by absolute stream offset, for parsers
//! that receive a byte stream in arbitrary pieces (demuxers behind `filesrc`).
//!
//! A key design decision: the queue holds the upstream buffers themselves (O(1) clones),
//! so a unit that lies inside one buffer leaves as a slice of it without a copy; only a
//! unit that straddles buffers is gathered. Memory is whatever the caller pushed and has
//! not consumed yet, so callers bound it by consuming (or refusing) as they go.

use std::collections::VecDeque;

use parallax_core::Buffer;

#[derive(Debug, Default)]
pub(crate) struct Adapter {
    buffers: VecDeque<Buffer>,
    /// Bytes of the front buffer already consumed.
    head: usize,
    /// Bytes held and not consumed.
    len: usize,
    /// Stream offset of the first byte not consumed.
    position: u64,
}

impl Adapter {
    /// Appends a buffer at the end of the stream.
    pub(crate) fn push(&mut self, buffer: Buffer) {
        if buffer.is_empty() {
            return;
        }
        self.len += buffer.len();
        self.buffers.push_back(buffer);
    }

    /// Bytes available to read.
    pub(crate) fn available(&self) -> usize {
        self.len
    }

    /// Stream offset of the next byte.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// Drops everything (flush); the position moves past what was held.
    pub(crate) fn clear(&mut self) {
        self.position += self.len as u64;
        self.buffers.clear();
        self.head = 0;
        self.len = 0;
    }

    /// Copies the first `out.len()` bytes without consuming them; false when fewer are held.
    pub(crate) fn peek(&self, out: &mut [u8]) -> bool {
        if out.len() > self.len {
            return false;
        }
        let mut filled = 0;
        let mut skip = self.head;
        for buffer in &self.buffers {
            if filled == out.len() {
                break;
            }
            let data = &buffer.data()[skip..];
            skip = 0;
            let n = data.len().min(out.len() - filled);
            out[filled..filled + n].copy_from_slice(&data[..n]);
            filled += n;
        }
        true
    }

    /// Consumes up to `n` bytes; returns how many were consumed.
    pub(crate) fn skip(&mut self, n: usize) -> usize {
        let mut left = n.min(self.len);
        let consumed = left;
        while left > 0 {
            let Some(front) = self.buffers.front() else {
                break;
            };
            let in_front = front.len() - self.head;
            if left >= in_front {
                left -= in_front;
                self.buffers.pop_front();
                self.head = 0;
            } else {
                self.head += left;
                left = 0;
            }
        }
        self.len -= consumed;
        self.position += consumed as u64;
        consumed
    }

    /// The next `n` bytes as a slice of the front buffer (no copy), consumed; `None` when
    /// they are not all inside the front buffer.
    pub(crate) fn take_slice(&mut self, n: usize) -> Option<Buffer> {
        let front = self.buffers.front()?;
        let end = self.head.checked_add(n)?;
        if end > front.len() {
            return None;
        }
        let slice = front.slice(self.head..end)?;
        self.skip(n);
        Some(slice)
    }

    /// Copies the next `out.len()` bytes into `out` and consumes them; false (nothing
    /// consumed) when fewer are held.
    pub(crate) fn take_into(&mut self, out: &mut [u8]) -> bool {
        if !self.peek(out) {
            return false;
        }
        self.skip(out.len());
        true
    }

    /// Appends the next `n` bytes to `out` and consumes them; false when fewer are held.
    pub(crate) fn take_extend(&mut self, n: usize, out: &mut Vec<u8>) -> bool {
        if n > self.len {
            return false;
        }
        let start = out.len();
        out.resize(start + n, 0);
        self.take_into(&mut out[start..])
    }
}
