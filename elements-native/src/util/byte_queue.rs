//! A growing byte window for parsers that receive a stream in arbitrary chunks
//! (`filesrc` blocks, network reads) and must frame it themselves.
//!
//! A key design decision: the window remembers the stream offset of its first byte, so
//! every parse error can name the byte offset in the input where it happened, and it
//! refuses to grow past a limit instead of buffering an endless run of garbage. A skip
//! of a declared length (a tag, a chunk) may run past what has arrived: the rest is
//! dropped as it comes, never queued nor scanned.

use parallax_core::ElementError;

/// Bytes received but not yet consumed, with their position in the stream.
#[derive(Debug)]
pub(crate) struct ByteQueue {
    data: Vec<u8>,
    start: usize,
    /// Stream offset of `data[start]`.
    offset: u64,
    limit: usize,
    /// Bytes still to drop as they arrive; while non-zero the queue is empty.
    skip_left: u64,
}

impl ByteQueue {
    /// An empty queue that holds at most `limit` unconsumed bytes.
    pub(crate) fn new(limit: usize) -> Self {
        ByteQueue {
            data: Vec::new(),
            start: 0,
            offset: 0,
            limit,
            skip_left: 0,
        }
    }

    /// Appends `bytes`.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) when the unconsumed bytes would pass the limit: the
    /// parser found no frame boundary in that much data.
    pub(crate) fn push(&mut self, bytes: &[u8], what: &str) -> Result<(), ElementError> {
        let dropped = usize::try_from(self.skip_left)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        self.skip_left -= dropped as u64;
        self.offset += dropped as u64;
        let bytes = &bytes[dropped..];
        if self.len().saturating_add(bytes.len()) > self.limit {
            return Err(ElementError::stream(format!(
                "no complete {what} within {} bytes at byte offset {}",
                self.limit, self.offset
            )));
        }
        // Move the live bytes to the front once the consumed prefix dominates, so the
        // vector stays about as large as the largest frame (amortised O(1) per byte).
        if self.start > 0 && self.start >= self.data.len() / 2 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        self.data.extend_from_slice(bytes);
        Ok(())
    }

    /// The unconsumed bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data[self.start..]
    }

    /// How many bytes are unconsumed.
    pub(crate) fn len(&self) -> usize {
        self.data.len() - self.start
    }

    /// Whether nothing is left.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stream offset of the first unconsumed byte.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Drops the first `n` unconsumed bytes (at most all of them).
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.len());
        self.start += n;
        self.offset += n as u64;
        if self.start == self.data.len() {
            self.data.clear();
            self.start = 0;
        }
    }

    /// Drops the next `n` bytes of the stream: those queued and, when fewer are queued,
    /// the rest as later pushes bring them (a tag larger than what has arrived).
    pub(crate) fn skip(&mut self, n: u64) {
        let now = usize::try_from(n).unwrap_or(usize::MAX).min(self.len());
        self.consume(now);
        // While a skip is pending the queue is empty (`now` is 0): the two add up.
        self.skip_left += n - now as u64;
    }

    /// Bytes of a [`ByteQueue::skip`] that have not arrived yet.
    pub(crate) fn skip_left(&self) -> u64 {
        self.skip_left
    }

    /// Drops the unconsumed bytes without counting them as consumed: the caller
    /// hands the same bytes over again another way (the offset stays where it is).
    pub(crate) fn forget(&mut self) {
        self.data.clear();
        self.start = 0;
    }

    /// Counts `n` bytes the caller handled straight from its input buffer, without
    /// queueing them (only while the queue is empty), so later offsets stay right.
    pub(crate) fn consume_external(&mut self, n: usize) {
        debug_assert!(self.is_empty() && self.skip_left == 0);
        self.offset += n as u64;
    }

    /// Forgets everything (a flush); the stream offset restarts at 0.
    pub(crate) fn clear(&mut self) {
        self.data.clear();
        self.start = 0;
        self.offset = 0;
        self.skip_left = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::ByteQueue;

    #[test]
    fn offsets_follow_consumption_across_compaction() {
        let mut q = ByteQueue::new(16);
        q.push(&[1, 2, 3, 4], "x").unwrap();
        q.consume(3);
        assert_eq!((q.bytes(), q.offset()), (&[4u8][..], 3));
        q.push(&[5, 6], "x").unwrap();
        assert_eq!((q.bytes(), q.offset()), (&[4u8, 5, 6][..], 3));
        q.consume(10);
        assert!(q.is_empty());
        assert_eq!(q.offset(), 6);
        assert!(q.push(&[0; 17], "x").is_err());
    }

    #[test]
    fn a_skip_longer_than_the_queue_drops_later_bytes_as_they_arrive() {
        let mut q = ByteQueue::new(16);
        q.push(&[1, 2, 3], "x").unwrap();
        q.skip(10);
        assert_eq!((q.len(), q.offset(), q.skip_left()), (0, 3, 7));
        // More than the limit may be skipped: skipped bytes are never held.
        q.push(&[0; 5], "x").unwrap();
        assert_eq!((q.len(), q.offset(), q.skip_left()), (0, 8, 2));
        q.push(&[9, 9, 4, 5], "x").unwrap();
        assert_eq!(
            (q.bytes(), q.offset(), q.skip_left()),
            (&[4u8, 5][..], 10, 0)
        );
        q.skip(1);
        assert_eq!((q.bytes(), q.offset(), q.skip_left()), (&[5u8][..], 11, 0));
        q.skip(40);
        q.push(&[0; 30], "x").unwrap();
        assert_eq!((q.len(), q.offset(), q.skip_left()), (0, 42, 9));
        q.clear();
        q.push(&[7], "x").unwrap();
        assert_eq!((q.bytes(), q.offset()), (&[7u8][..], 0));
    }
}
