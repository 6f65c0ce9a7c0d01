//! A bounded link between two streaming threads (what a `queue` becomes).
//!
//! Single producer, single consumer: each link is fed by exactly one segment and read by
//! exactly one. The consumer takes items in batches (one lock per batch, not per buffer)
//! and a side only wakes the other when that side said it is waiting, so a link in steady
//! flow costs one uncontended lock per buffer on the producer and almost no system calls.
//! Limits follow GStreamer's queue: buffers, bytes and time, with leaky modes.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use parallax_core::{Buffer, Caps, ClockTime, FlowError, Leaky, QueueLimits};

use super::control::Control;
use super::parker::Parker;

/// What travels over a link.
#[derive(Debug)]
pub(crate) enum Item {
    Buffer(Buffer),
    /// New caps for the buffers that follow (mid-stream renegotiation).
    Caps(Caps),
    Eos,
}

#[derive(Debug, Default)]
struct LinkState {
    items: VecDeque<Item>,
    buffers: u32,
    bytes: u64,
    /// Queued buffers that carry a pts: with none (raw byte streams) the time limit has
    /// nothing to measure and `time_span` need not look at the queue at all.
    timed: u32,
    consumer_waiting: bool,
    producer_waiting: bool,
}

impl LinkState {
    fn time_span(&self) -> ClockTime {
        if self.timed < 2 {
            return ClockTime::ZERO;
        }
        let first = self.items.iter().find_map(pts);
        let last = self.items.iter().rev().find_map(pts);
        match (first, last) {
            (Some(a), Some(b)) if b >= a => ClockTime(b.0 - a.0),
            _ => ClockTime::ZERO,
        }
    }

    fn is_full(&self, limits: &QueueLimits) -> bool {
        (limits.max_buffers > 0 && self.buffers >= limits.max_buffers)
            || (limits.max_bytes > 0 && self.bytes >= limits.max_bytes)
            || (limits.max_time.0 > 0 && self.time_span() >= limits.max_time)
    }

    fn push(&mut self, item: Item) {
        if let Item::Buffer(b) = &item {
            self.buffers += 1;
            self.bytes += b.len() as u64;
            self.timed += u32::from(b.meta().pts.is_some());
        }
        self.items.push_back(item);
    }

    /// Keeps the counters in step with a buffer leaving the queue.
    fn forget(&mut self, buffer: &Buffer) {
        self.buffers -= 1;
        self.bytes -= buffer.len() as u64;
        self.timed -= u32::from(buffer.meta().pts.is_some());
    }

    fn pop(&mut self) -> Option<Item> {
        let item = self.items.pop_front()?;
        if let Item::Buffer(b) = &item {
            self.forget(b);
        }
        Some(item)
    }
}

fn pts(item: &Item) -> Option<ClockTime> {
    match item {
        Item::Buffer(b) => b.meta().pts,
        Item::Caps(_) | Item::Eos => None,
    }
}

/// How long a blocked side sleeps before re-checking for cancellation.
const PARK_SLICE: Duration = Duration::from_millis(50);

/// A bounded SPSC link.
#[derive(Debug)]
pub(crate) struct Link {
    state: Mutex<LinkState>,
    limits: QueueLimits,
    producer: Arc<Parker>,
    consumer: Arc<Parker>,
}

impl Link {
    pub(crate) fn new(limits: QueueLimits, producer: Arc<Parker>, consumer: Arc<Parker>) -> Self {
        let capacity = (limits.max_buffers as usize).clamp(1, 1024);
        Link {
            state: Mutex::new(LinkState {
                items: VecDeque::with_capacity(capacity + 1),
                ..LinkState::default()
            }),
            limits,
            producer,
            consumer,
        }
    }

    fn lock(&self) -> MutexGuard<'_, LinkState> {
        // A panic never happens while the lock is held (no element code runs under it),
        // so a poisoned lock still guards consistent data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `item`, waiting while the link is full (unless leaky).
    ///
    /// # Errors
    ///
    /// [`FlowError::Flushing`] when the pipeline stops while waiting.
    pub(crate) fn push(&self, item: Item, control: &Control) -> Result<(), FlowError> {
        let mut item = Some(item);
        loop {
            let mut state = self.lock();
            let is_buffer = matches!(item, Some(Item::Buffer(_)));
            if is_buffer && state.is_full(&self.limits) {
                match self.limits.leaky {
                    Leaky::Upstream => return Ok(()),
                    Leaky::Downstream => {
                        let oldest = state
                            .items
                            .iter()
                            .position(|i| matches!(i, Item::Buffer(_)));
                        if let Some(Item::Buffer(b)) = oldest.and_then(|i| state.items.remove(i)) {
                            state.forget(&b);
                        }
                    }
                    Leaky::No => {
                        state.producer_waiting = true;
                        drop(state);
                        if control.cancel.load(Ordering::Acquire) {
                            return Err(FlowError::Flushing);
                        }
                        self.producer.park(PARK_SLICE);
                        continue;
                    }
                }
            }
            let Some(item) = item.take() else {
                return Ok(());
            };
            state.push(item);
            let wake = std::mem::take(&mut state.consumer_waiting);
            drop(state);
            if wake {
                self.consumer.unpark();
            }
            return Ok(());
        }
    }

    /// Moves up to `max` items into `out`. When there are none, records that the consumer
    /// is about to wait, so the next push wakes it.
    pub(crate) fn pop_batch(&self, out: &mut VecDeque<Item>, max: usize) -> usize {
        let mut state = self.lock();
        let mut n = 0;
        while n < max {
            match state.pop() {
                Some(item) => {
                    out.push_back(item);
                    n += 1;
                }
                None => break,
            }
        }
        if n == 0 {
            state.consumer_waiting = true;
        }
        let wake = n > 0 && std::mem::take(&mut state.producer_waiting);
        drop(state);
        if wake {
            self.producer.unpark();
        }
        n
    }

    /// Drops every queued buffer (a flush); caps changes and end-of-stream markers stay
    /// (the buffers after the flush still need the caps that were announced).
    pub(crate) fn flush(&self) {
        let mut state = self.lock();
        state.items.retain(|i| !matches!(i, Item::Buffer(_)));
        state.buffers = 0;
        state.bytes = 0;
        state.timed = 0;
        let wake = std::mem::take(&mut state.producer_waiting);
        drop(state);
        if wake {
            self.producer.unpark();
        }
    }
}

#[cfg(test)]
mod tests {
    use parallax_core::memory::CpuArena;
    use parallax_core::{ClockTime, QueueLimits};

    use super::{Item, LinkState};

    fn buffer(arena: &CpuArena, pts: Option<u64>) -> Item {
        let mut b = arena.try_acquire().unwrap();
        b.set_len(10);
        b.meta_mut().pts = pts.map(ClockTime::from_millis);
        Item::Buffer(b.freeze())
    }

    #[test]
    fn the_time_limit_measures_the_queued_timestamps() {
        let arena = CpuArena::new("link-test", 16, 8).unwrap();
        let limits = QueueLimits {
            max_buffers: 0,
            max_bytes: 0,
            max_time: ClockTime::from_millis(100),
            ..QueueLimits::DEFAULT
        };
        let mut state = LinkState::default();
        // Buffers without timestamps never fill a time-limited queue.
        state.push(buffer(&arena, None));
        state.push(buffer(&arena, None));
        assert!(!state.is_full(&limits));
        state.push(buffer(&arena, Some(0)));
        state.push(buffer(&arena, Some(60)));
        assert!(!state.is_full(&limits));
        state.push(buffer(&arena, Some(100)));
        assert!(state.is_full(&limits));
        while state.pop().is_some() {}
        assert_eq!((state.buffers, state.bytes, state.timed), (0, 0, 0));
        assert!(!state.is_full(&limits));
    }
}
