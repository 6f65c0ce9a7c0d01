//! Per-element buffer allocation from memfd arenas grouped by size class.
//!
//! Elements that make new buffers (converters, decoders) ask their context for memory;
//! the first request of a size class creates one arena, and every later request reuses
//! its slots, so the steady state allocates nothing. Size classes are powers of two from
//! 4 KiB, which wastes at most half a slot and keeps the number of arenas small.

use std::sync::atomic::AtomicBool;

use super::{CpuArena, MemoryError};
use crate::buffer::BufferMut;

const MIN_CLASS: usize = 4096;

/// Slots per size class unless configured otherwise.
pub const DEFAULT_SLOTS_PER_CLASS: usize = 16;

/// Where an allocator takes slots from instead of its own arenas (a sandboxed worker
/// allocates from shared arenas its host lends it).
pub trait SlotSource: Send {
    /// A writable buffer of `len` bytes, `Ok(None)` when `cancel` was raised while waiting.
    ///
    /// # Errors
    ///
    /// [`MemoryError`] when no slot can be had.
    fn allocate(
        &mut self,
        len: usize,
        cancel: &AtomicBool,
    ) -> Result<Option<BufferMut>, MemoryError>;
}

/// Allocates writable buffers for one element, from arenas it owns.
pub struct BufferAllocator {
    name: String,
    slots_per_class: usize,
    classes: Vec<CpuArena>,
    source: Option<Box<dyn SlotSource>>,
}

impl std::fmt::Debug for BufferAllocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferAllocator")
            .field("name", &self.name)
            .field("classes", &self.classes)
            .field("external", &self.source.is_some())
            .finish()
    }
}

impl BufferAllocator {
    /// An allocator whose arenas are named after `name` (the element), each with
    /// `slots_per_class` slots.
    pub fn new(name: impl Into<String>, slots_per_class: usize) -> Self {
        BufferAllocator {
            name: name.into(),
            slots_per_class: slots_per_class.max(1),
            classes: Vec::new(),
            source: None,
        }
    }

    /// An allocator that takes every buffer from `source`.
    pub fn with_source(name: impl Into<String>, source: Box<dyn SlotSource>) -> Self {
        BufferAllocator {
            source: Some(source),
            ..Self::new(name, 1)
        }
    }

    /// A writable buffer of at least `len` bytes (its length is set to `len`), waiting
    /// for a free slot while the class is exhausted. `Ok(None)` when `cancel` was raised
    /// while waiting.
    ///
    /// # Errors
    ///
    /// [`MemoryError`] when a new arena cannot be created.
    pub fn allocate(
        &mut self,
        len: usize,
        cancel: &AtomicBool,
    ) -> Result<Option<BufferMut>, MemoryError> {
        if let Some(source) = &mut self.source {
            return source.allocate(len, cancel);
        }
        let class =
            len.max(MIN_CLASS)
                .checked_next_power_of_two()
                .ok_or(MemoryError::TooLarge {
                    slot_size: len,
                    slots: 1,
                })?;
        let arena = match self.classes.iter().position(|a| a.slot_size() == class) {
            Some(i) => &self.classes[i],
            None => {
                let arena = CpuArena::new(&self.name, class, self.slots_per_class)?;
                self.classes.push(arena);
                &self.classes[self.classes.len() - 1]
            }
        };
        Ok(arena.acquire(cancel).map(|mut buf| {
            buf.set_len(len);
            buf
        }))
    }

    /// The arenas created so far.
    pub fn arenas(&self) -> &[CpuArena] {
        &self.classes
    }
}
