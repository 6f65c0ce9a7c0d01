//! The application's side of `appsrc`: a bounded queue of arena buffers.
//!
//! Threading: any number of application threads push, the one streaming thread pops.
//! All state sits behind one mutex (a push holds it only to check limits and to enqueue;
//! the copy into the slot happens outside it). Two condition variables: `space` wakes
//! pushers waiting for room (a pop, a flush, a stop), `data` wakes the streaming thread
//! waiting for a buffer or end of stream.
//!
//! Lifecycle: the queue accepts buffers from the moment the element exists, so an
//! application may fill it before the pipeline starts. Stopping the element drops what
//! is queued, forgets end of stream (the next run starts afresh) and bumps `epoch`, which
//! makes every push still waiting from before the stop fail with
//! [`AppSrcError::Flushing`] instead of landing in the next run.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use parallax_core::memory::{CpuArena, MemoryError};
use parallax_core::{Buffer, BufferMeta, BufferMut, Caps, ClockTime};

/// Slots beyond `max-buffers` in the arena: buffers already pushed downstream still hold
/// theirs (the engine gives every source pool the same headroom).
const IN_FLIGHT_SLOTS: usize = 32;
/// How long a push waiting for a free slot sleeps between checks for a stop.
const SLOT_WAIT_SLICE: Duration = Duration::from_millis(20);
/// A cancel flag that is never raised: slot waits end through `epoch` instead.
static NEVER: AtomicBool = AtomicBool::new(false);

/// Why a buffer could not be pushed into an `appsrc`. The caller keeps its data.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum AppSrcError {
    /// The data is larger than the element's slots (property `blocksize`); it is never
    /// truncated.
    #[error(
        "a {len}-byte buffer does not fit in this appsrc's {max}-byte slots (raise its 'blocksize' property)"
    )]
    TooLarge {
        /// Bytes pushed.
        len: usize,
        /// The largest buffer accepted.
        max: usize,
    },
    /// The queue holds `max-buffers` buffers (or every slot is in use) and `block` is false.
    #[error("the appsrc queue is full")]
    Full,
    /// [`AppSrcHandle::end_of_stream`] was called already.
    #[error("the appsrc stream has ended: no buffer may follow end of stream")]
    Eos,
    /// The element was stopped while the push waited for room; the buffer was dropped.
    #[error("the appsrc was stopped while the push waited for room")]
    Flushing,
    /// The shared memory for the element's buffers could not be created.
    #[error("could not allocate appsrc buffers: {0}")]
    Memory(#[from] MemoryError),
}

#[derive(Debug)]
struct Queue {
    buffers: VecDeque<Buffer>,
    /// Caps changes, each with the number of buffers pushed before it.
    caps_changes: VecDeque<(u64, Caps)>,
    /// Buffers pushed and popped so far (to place the caps changes between them).
    pushed: u64,
    popped: u64,
    eos: bool,
    /// Bumped by every stop; see the module docs.
    epoch: u64,
    max_buffers: usize,
    block: bool,
    blocksize: usize,
    /// Made on the first push, and again after `blocksize` or `max-buffers` change (the
    /// old arena lives on until its last buffer drops).
    arena: Option<CpuArena>,
}

/// What the streaming thread got from the queue.
#[derive(Debug)]
pub(super) enum Popped {
    /// The next buffer.
    Buffer(Buffer),
    /// New caps for the buffers that follow.
    Caps(Caps),
    /// End of stream, and the queue is drained.
    Eos,
    /// Nothing yet.
    Empty,
}

/// The application's handle to an `appsrc`: push buffers, then end the stream.
///
/// Get it with `pipeline.handle::<AppSrcHandle>("<element name>")`. It is `Send + Sync`
/// and may be used from any thread (a `std::thread`, or tokio's `spawn_blocking`, since a
/// push may block) while the pipeline runs; buffers may also be pushed before the
/// pipeline starts, up to `max-buffers`.
#[derive(Debug)]
pub struct AppSrcHandle {
    queue: Mutex<Queue>,
    space: Condvar,
    data: Condvar,
}

impl AppSrcHandle {
    pub(super) fn new(max_buffers: usize, block: bool, blocksize: usize) -> Self {
        AppSrcHandle {
            queue: Mutex::new(Queue {
                buffers: VecDeque::new(),
                caps_changes: VecDeque::new(),
                pushed: 0,
                popped: 0,
                eos: false,
                epoch: 0,
                max_buffers,
                block,
                blocksize,
                arena: None,
            }),
            space: Condvar::new(),
            data: Condvar::new(),
        }
    }

    /// Copies `data` into a new buffer (no timestamp) and queues it.
    ///
    /// # Errors
    ///
    /// As [`AppSrcHandle::push_buffer_with_meta`].
    pub fn push_buffer(&self, data: &[u8]) -> Result<(), AppSrcError> {
        self.push_buffer_with_meta(data, BufferMeta::default())
    }

    /// Copies `data` into a new buffer presented at `pts` and queues it.
    ///
    /// # Errors
    ///
    /// As [`AppSrcHandle::push_buffer_with_meta`].
    pub fn push_buffer_with_pts(&self, data: &[u8], pts: ClockTime) -> Result<(), AppSrcError> {
        self.push_buffer_with_meta(
            data,
            BufferMeta {
                pts: Some(pts),
                ..BufferMeta::default()
            },
        )
    }

    /// Copies `data` into a new buffer carrying `meta` (timestamps, offsets, flags) and
    /// queues it. When the queue holds `max-buffers` buffers, or every slot is still in
    /// use downstream, this waits for room if the element's `block` property is true.
    ///
    /// # Errors
    ///
    /// [`AppSrcError::TooLarge`] when `data` is larger than `blocksize`;
    /// [`AppSrcError::Full`] when there is no room and `block` is false;
    /// [`AppSrcError::Eos`] after [`AppSrcHandle::end_of_stream`];
    /// [`AppSrcError::Flushing`] when the element stops while this waits;
    /// [`AppSrcError::Memory`] when the element's buffer memory cannot be created.
    pub fn push_buffer_with_meta(&self, data: &[u8], meta: BufferMeta) -> Result<(), AppSrcError> {
        let (arena, epoch, block) = {
            let mut q = self.lock();
            if q.eos {
                return Err(AppSrcError::Eos);
            }
            if data.len() > q.blocksize {
                return Err(AppSrcError::TooLarge {
                    len: data.len(),
                    max: q.blocksize,
                });
            }
            if !q.block && q.buffers.len() >= q.max_buffers {
                // Refuse before copying anything.
                return Err(AppSrcError::Full);
            }
            (q.arena()?, q.epoch, q.block)
        };
        let mut slot = match arena.try_acquire() {
            Some(slot) => slot,
            None if !block => return Err(AppSrcError::Full),
            None => self.wait_for_slot(&arena, epoch)?,
        };
        if slot.set_len(data.len()) != data.len() {
            // Only reachable if the arena were smaller than `blocksize`; never truncate.
            return Err(AppSrcError::TooLarge {
                len: data.len(),
                max: arena.slot_size(),
            });
        }
        slot.data_mut().copy_from_slice(data);
        *slot.meta_mut() = meta;
        let buffer = slot.freeze();

        let mut q = self.lock();
        loop {
            if q.epoch != epoch {
                return Err(AppSrcError::Flushing);
            }
            if q.eos {
                return Err(AppSrcError::Eos);
            }
            if q.buffers.len() < q.max_buffers {
                break;
            }
            if !q.block {
                return Err(AppSrcError::Full);
            }
            q = self.space.wait(q).unwrap_or_else(PoisonError::into_inner);
        }
        q.buffers.push_back(buffer);
        q.pushed += 1;
        drop(q);
        self.data.notify_one();
        Ok(())
    }

    /// Changes the caps of the buffers pushed from now on, mid-stream: downstream
    /// elements renegotiate when the change reaches them, after the buffers already
    /// queued (GStreamer's `appsrc` `caps` property set while playing). Fixed caps are
    /// expected; a downstream element that cannot take them fails the pipeline.
    ///
    /// # Errors
    ///
    /// [`AppSrcError::Eos`] after [`AppSrcHandle::end_of_stream`].
    pub fn set_caps(&self, caps: Caps) -> Result<(), AppSrcError> {
        let mut q = self.lock();
        if q.eos {
            return Err(AppSrcError::Eos);
        }
        let at = q.pushed;
        q.caps_changes.push_back((at, caps));
        drop(q);
        self.data.notify_one();
        Ok(())
    }

    /// Ends the stream: buffers already queued still go out, then end of stream. Later
    /// pushes fail with [`AppSrcError::Eos`]. Calling it again does nothing.
    pub fn end_of_stream(&self) {
        self.lock().eos = true;
        self.data.notify_all();
        // Pushers waiting for room would otherwise wait for a pop that may never come.
        self.space.notify_all();
    }

    /// Buffers waiting in the queue (GStreamer's `current-level-buffers`).
    pub fn queued(&self) -> usize {
        self.lock().buffers.len()
    }

    /// Waits for a free slot, in slices so that a stop (a new epoch) ends the wait.
    fn wait_for_slot(&self, arena: &CpuArena, epoch: u64) -> Result<BufferMut, AppSrcError> {
        loop {
            if let Some(slot) = arena.acquire_timeout(&NEVER, SLOT_WAIT_SLICE) {
                return Ok(slot);
            }
            if self.lock().epoch != epoch {
                return Err(AppSrcError::Flushing);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic elsewhere cannot leave the queue half-updated (every update is one
        // VecDeque call or a field store), so a poisoned lock is still consistent.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next buffer, waiting up to `wait` for one to arrive.
    pub(super) fn pop(&self, wait: Duration) -> Popped {
        let mut q = self.lock();
        let idle = |q: &mut Queue| q.buffers.is_empty() && q.caps_changes.is_empty() && !q.eos;
        if idle(&mut q) {
            q = self
                .data
                .wait_timeout_while(q, wait, idle)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if q.caps_changes
            .front()
            .is_some_and(|(at, _)| *at <= q.popped)
            && let Some((_, caps)) = q.caps_changes.pop_front()
        {
            return Popped::Caps(caps);
        }
        match q.buffers.pop_front() {
            Some(buffer) => {
                q.popped += 1;
                drop(q);
                self.space.notify_one();
                Popped::Buffer(buffer)
            }
            None if q.eos => Popped::Eos,
            None => Popped::Empty,
        }
    }

    /// Drops queued buffers and end of stream, and fails pushes still waiting (see the
    /// module docs).
    pub(super) fn stop(&self) {
        let mut q = self.lock();
        q.buffers.clear();
        q.caps_changes.clear();
        q.popped = q.pushed;
        q.eos = false;
        q.epoch = q.epoch.wrapping_add(1);
        drop(q);
        self.space.notify_all();
    }

    /// Drops queued buffers (a flush); waiting pushes then find room.
    pub(super) fn flush(&self) {
        let mut q = self.lock();
        q.buffers.clear();
        // Caps changes stay (each was placed at or before `pushed`, so all now come
        // before the next buffer): the buffers pushed after the flush still need them.
        q.popped = q.pushed;
        drop(q);
        self.space.notify_all();
    }

    pub(super) fn max_buffers(&self) -> usize {
        self.lock().max_buffers
    }

    pub(super) fn set_max_buffers(&self, max_buffers: usize) {
        let mut q = self.lock();
        if q.max_buffers != max_buffers {
            q.max_buffers = max_buffers;
            q.arena = None;
        }
        drop(q);
        // A larger limit may let waiting pushers in.
        self.space.notify_all();
    }

    pub(super) fn block(&self) -> bool {
        self.lock().block
    }

    pub(super) fn set_block(&self, block: bool) {
        self.lock().block = block;
        // Pushers waiting for room re-check and fail with `Full` when blocking is off.
        self.space.notify_all();
    }

    pub(super) fn blocksize(&self) -> usize {
        self.lock().blocksize
    }

    pub(super) fn set_blocksize(&self, blocksize: usize) {
        let mut q = self.lock();
        if q.blocksize != blocksize {
            q.blocksize = blocksize;
            q.arena = None;
        }
    }
}

impl Queue {
    /// The arena for new buffers, made on first use.
    fn arena(&mut self) -> Result<CpuArena, MemoryError> {
        if let Some(arena) = &self.arena {
            return Ok(arena.clone());
        }
        let slots = self.max_buffers.saturating_add(IN_FLIGHT_SLOTS);
        let arena = CpuArena::new("appsrc", self.blocksize, slots)?;
        self.arena = Some(arena.clone());
        Ok(arena)
    }
}
