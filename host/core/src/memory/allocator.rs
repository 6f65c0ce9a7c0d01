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
/// Most slots a size class grows to when one call holds all of them (see
/// [`BufferAllocator::allocate_holding`]).
pub const MAX_SLOTS_PER_CLASS: usize = 4096;

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
        self.allocate_holding(len, cancel, 0)
    }

    /// As [`BufferAllocator::allocate`], for a caller that still holds `pending` buffers
    /// it has not handed on (the outputs of the current call). When the class is
    /// exhausted and `pending` could account for all of its slots, waiting would wait on
    /// the caller itself — a decoder that makes more frames from one input than the class
    /// has slots — so the class grows instead (a new arena with twice the slots; the old
    /// one lives until its buffers drop), up to [`MAX_SLOTS_PER_CLASS`].
    ///
    /// # Errors
    ///
    /// [`MemoryError`] when a new arena cannot be created, or
    /// [`MemoryError::TooLarge`] when one call holds more than [`MAX_SLOTS_PER_CLASS`].
    pub fn allocate_holding(
        &mut self,
        len: usize,
        cancel: &AtomicBool,
        pending: usize,
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
        let index = match self.classes.iter().position(|a| a.slot_size() == class) {
            Some(i) => i,
            None => {
                let arena = CpuArena::new(&self.name, class, self.slots_per_class)?;
                self.classes.push(arena);
                self.classes.len() - 1
            }
        };
        let slots = self.classes[index].slot_count();
        if pending >= slots {
            if let Some(mut buf) = self.classes[index].try_acquire() {
                buf.set_len(len);
                return Ok(Some(buf));
            }
            if slots >= MAX_SLOTS_PER_CLASS {
                return Err(MemoryError::TooLarge {
                    slot_size: class,
                    slots: pending + 1,
                });
            }
            let grown = CpuArena::new(&self.name, class, (slots * 2).min(MAX_SLOTS_PER_CLASS))?;
            self.classes[index] = grown;
        }
        Ok(self.classes[index].acquire(cancel).map(|mut buf| {
            buf.set_len(len);
            buf
        }))
    }

    /// The arenas created so far.
    pub fn arenas(&self) -> &[CpuArena] {
        &self.classes
    }
}

#[cfg(test)]
mod growth_tests {
    use std::sync::atomic::AtomicBool;

    use super::BufferAllocator;

    #[test]
    fn a_call_holding_every_slot_grows_the_class_instead_of_waiting_on_itself() {
        let mut allocator = BufferAllocator::new("grow", 2);
        let never = AtomicBool::new(false);
        let held: Vec<_> = (0..2)
            .map(|_| allocator.allocate_holding(100, &never, 0).unwrap().unwrap())
            .collect();
        // Both slots are outputs this call has not handed on: waiting would never end.
        let third = allocator
            .allocate_holding(100, &never, held.len())
            .unwrap()
            .unwrap();
        assert_eq!(third.len(), 100);
        assert_eq!(allocator.arenas()[0].slot_count(), 4);
    }
}
