//! Linear memory the host can map shared memory into: the only `unsafe` of this crate.
//!
//! A key design decision: wasmtime offers no API to reach a component's core memory, so
//! the engine creates every linear memory through [`WindowCreator`] (a custom
//! `MemoryCreator`). Each memory records itself in a thread-local list right when the
//! instantiation on this thread creates it, and the element that instantiated takes it
//! from there as a [`Window`] handle. Through that handle the host maps memfd arena
//! slots into the guest's address space (`MAP_FIXED | MAP_SHARED`), read-only for
//! inputs, so buffers cross the boundary as offsets and are never copied.
//!
//! The memory never moves (it reserves what wasmtime asks for up front), and the
//! handle refuses every mapping outside `[0, byte_size)` or after the memory was freed.

mod window;

pub(crate) use window::{Prot, Window, WindowCreator, page_size, take_created};
