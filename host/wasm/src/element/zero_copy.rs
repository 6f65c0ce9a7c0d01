//! The zero-copy data path: buffers cross as offsets into the guest's window.
//!
//! Window layout: a bump allocator over `[base, base + len)` of guest memory. Each arena
//! (by id) is mapped once, whole, and stays mapped: inputs read-only, the element's own
//! output arena read-only too except the slots lent to the guest, which are writable.
//! A lent slot stays lent (and writable) across calls until the guest writes an output
//! into it; only then is it made read-only again and sent downstream, and a fresh slot is
//! lent at the next call. So a passthrough costs no system call per buffer, and a buffer
//! never leaves the element while the guest can still write to it. When the window is
//! full every mapping is dropped and the window starts over (arenas churn rarely). An
//! input whose arena is larger than the window is copied into a small staging arena
//! (counted as copied).
//!
//! `process` has a fixed-size signature (one lent slot, `meta-flat`, result `produced`):
//! its flat parameters do not spill into guest memory and a result of `nothing` or `one`
//! comes back through the guest's static return area, so the usual call allocates nothing
//! in the guest; `many` (a list) is the general form.
//!
//! Every result the guest returns is validated before it becomes a buffer: at most
//! [`MAX_OUTPUTS`] outputs, a src pad that exists, an output slot index that was handed
//! out (only 0) and not used before, a length within the slot's capacity. Bytes are never read
//! by the host on this path, so a guest changing them at any time can only corrupt its
//! own output (see docs/security-model.md on TOCTOU).

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parallax_core::memory::{CpuArena, MemfdRegion};
use parallax_core::{
    Buffer, BufferMeta, BufferMut, ElementError, ErrorKind, FlowError, ProcessContext,
};

use super::limits::{CallLimits, Failure, trap_failure};
use super::meta;
use super::{Live, Outcome, flow_outcome};
use crate::bindings::{guest, types};
use crate::memory::{Prot, Window, page_size};
use crate::stats::WasmStats;

/// Most outputs one `process` call may return.
pub(crate) const MAX_OUTPUTS: usize = 16;
/// Output slots handed to the guest per call (the WIT `process` takes exactly one).
pub(crate) const OUTPUT_SLOTS_PER_CALL: usize = 1;
// `process` has a single `output: slot` parameter; used slots are tracked in a `u32` bit set.
const _: () = assert!(OUTPUT_SLOTS_PER_CALL == 1);
/// Slots of the element's output arena.
const OUTPUT_ARENA_SLOTS: usize = 16;

#[derive(Debug)]
struct Mapped {
    arena: u64,
    offset: usize,
}

/// An output slot lent to the guest: writable in the window until the guest uses it.
#[derive(Debug)]
struct Lent {
    buffer: BufferMut,
    arena: u64,
    offset: usize,
}

/// The part of a guest's linear memory the host maps arenas into.
#[derive(Debug)]
pub(crate) struct GuestWindow {
    window: Window,
    base: usize,
    len: usize,
    cursor: usize,
    maps: Vec<Mapped>,
    resets: u64,
    lent: Vec<Lent>,
}

impl GuestWindow {
    /// Checks the range the guest reserved: page-aligned and inside its memory.
    pub(crate) fn new(window: Window, base: usize, len: usize) -> Result<Self, String> {
        let page = page_size();
        if !base.is_multiple_of(page) {
            return Err(format!("offset {base:#x} is not page-aligned"));
        }
        match base.checked_add(len) {
            Some(end) if end <= window.size() && end <= 1 << 32 => {}
            _ => {
                return Err(format!(
                    "[{base:#x}, +{len:#x}) is outside its {:#x}-byte memory",
                    window.size()
                ));
            }
        }
        Ok(GuestWindow {
            window,
            base,
            len,
            cursor: 0,
            maps: Vec::new(),
            resets: 0,
            lent: Vec::with_capacity(OUTPUT_SLOTS_PER_CALL),
        })
    }

    fn lookup(&self, arena: u64) -> Option<usize> {
        self.maps
            .iter()
            .find(|m| m.arena == arena)
            .map(|m| m.offset)
    }

    fn reset(&mut self) -> Result<(), String> {
        if self.cursor > 0 {
            self.window.unmap(self.base, self.cursor)?;
        }
        self.cursor = 0;
        self.maps.clear();
        // Lent slots were unmapped with everything else; their buffers go back unused.
        self.lent.clear();
        self.resets += 1;
        Ok(())
    }

    /// The guest offset where `region` (arena `arena`) is mapped, mapping it read-only
    /// first if needed. `None` when it can never fit.
    fn ensure(&mut self, arena: u64, region: &MemfdRegion) -> Result<Option<usize>, String> {
        if let Some(offset) = self.lookup(arena) {
            return Ok(Some(offset));
        }
        let len = region.len().next_multiple_of(page_size());
        if len > self.len {
            return Ok(None);
        }
        if self.cursor + len > self.len {
            self.reset()?;
        }
        let offset = self.base + self.cursor;
        self.window.map(offset, len, region.fd(), 0, Prot::Read)?;
        self.cursor += len;
        self.maps.push(Mapped { arena, offset });
        Ok(Some(offset))
    }
}

/// The element's output memory and the staging arena for oversized inputs.
#[derive(Debug, Default)]
pub(crate) struct OutputPool {
    arena: Option<CpuArena>,
    staging: Option<CpuArena>,
}

fn internal(element: &str, message: String) -> Outcome {
    Outcome::Failed(Failure::reported(ElementError::new(
        ErrorKind::Core,
        format!("WASM element '{element}': {message}"),
    )))
}

fn refused(element: &str, message: String) -> Outcome {
    Outcome::Failed(Failure::reported(ElementError::stream(format!(
        "WASM element '{element}' returned an invalid result: {message}"
    ))))
}

/// A slot of `arena`, waiting while downstream holds all of them.
fn acquire(arena: &CpuArena, ctx: &ProcessContext<'_>) -> Result<BufferMut, Outcome> {
    let never = AtomicBool::new(false);
    loop {
        if let Some(buffer) = arena.acquire_timeout(&never, Duration::from_millis(20)) {
            return Ok(buffer);
        }
        if ctx.is_cancelled() {
            return Err(Outcome::Flow(FlowError::Flushing));
        }
    }
}

/// Everything `process` needs besides the instance.
pub(crate) struct Call<'a> {
    pub(crate) element: &'a str,
    pub(crate) pad: usize,
    pub(crate) n_src: usize,
    pub(crate) max_output: u32,
    pub(crate) limits: CallLimits,
    pub(crate) memory_limit: u64,
    pub(crate) stats: &'a WasmStats,
}

fn guest_u32(element: &str, value: usize) -> Result<u32, Outcome> {
    u32::try_from(value).map_err(|_| internal(element, format!("offset {value:#x} exceeds 4 GiB")))
}

/// Makes sure one slot of `arena` (mapped at `out_base`) is lent to the guest, writable,
/// and describes it (slots lent from a replaced arena are given back first).
fn lend_slot(
    name: &str,
    window: &mut GuestWindow,
    arena: &CpuArena,
    out_base: usize,
    ctx: &ProcessContext<'_>,
) -> Result<guest::Slot, Outcome> {
    let out_id = arena.stats().id;
    let slot_size = arena.slot_size();
    window.lent.retain(|l| l.arena == out_id);
    while window.lent.len() < OUTPUT_SLOTS_PER_CALL {
        let fresh = acquire(arena, ctx)?.freeze();
        let offset = out_base + fresh.memory().offset_in_region();
        let buffer = fresh
            .into_mut()
            .map_err(|_| internal(name, "a fresh output slot is shared".into()))?;
        window
            .window
            .protect(offset, slot_size, Prot::ReadWrite)
            .map_err(|e| internal(name, e))?;
        window.lent.push(Lent {
            buffer,
            arena: out_id,
            offset,
        });
    }
    let Some(lent) = window.lent.first() else {
        return Err(internal(name, "no output slot lent".into()));
    };
    Ok(guest::Slot {
        offset: guest_u32(name, lent.offset)?,
        len: 0,
        capacity: guest_u32(name, slot_size)?,
    })
}

/// Makes sure the output arena has slots of at least `needed` bytes (page-rounded).
fn ensure_arena<'p>(
    name: &str,
    slot: &'p mut Option<CpuArena>,
    needed: usize,
) -> Result<&'p CpuArena, Outcome> {
    let needed = needed.max(1).next_multiple_of(page_size());
    if slot.as_ref().is_none_or(|a| a.slot_size() < needed) {
        let arena = CpuArena::new(&format!("{name}-out"), needed, OUTPUT_ARENA_SLOTS)
            .map_err(|e| internal(name, format!("cannot create its output arena: {e}")))?;
        *slot = Some(arena);
    }
    slot.as_ref()
        .ok_or_else(|| internal(name, "no output arena".into()))
}

/// Slot bytes of a source whose `set-caps` answered 0.
pub(crate) const DEFAULT_SOURCE_SLOT: usize = 4096;

/// Asks a source guest for its next buffer through `generate`, lending it one slot of the
/// element's own output arena (the same window logic as `process`). `Ok(None)`: nothing
/// right now.
pub(crate) fn generate(
    live: &mut Live,
    pool: &mut OutputPool,
    call: &Call<'_>,
    ctx: &ProcessContext<'_>,
) -> Result<Option<Buffer>, Outcome> {
    let name = call.element;
    let needed = if call.max_output > 0 {
        call.max_output as usize
    } else {
        DEFAULT_SOURCE_SLOT
    };
    let arena = ensure_arena(name, &mut pool.arena, needed)?;
    let Some(window) = live.window.as_mut() else {
        return Err(internal(name, "zero-copy instance without a window".into()));
    };
    let out_base = window
        .ensure(arena.stats().id, arena.region())
        .map_err(|e| internal(name, e))?
        .ok_or_else(|| {
            Outcome::Failed(Failure::reported(ElementError::settings(format!(
                "WASM element '{name}': its output buffers do not fit its zero-copy window; raise WasmConfig::window_bytes"
            ))))
        })?;
    let slot_size = arena.slot_size();
    let output_slot = lend_slot(name, window, arena, out_base, ctx)?;
    call.limits.arm(&mut live.store);
    let result = live
        .world
        .parallax_element_element()
        .instance()
        .call_generate(&mut live.store, live.handle, output_slot);
    let produced = match result {
        Err(e) => {
            return Err(Outcome::Failed(trap_failure(
                name,
                "generate",
                &e,
                &live.store,
                &call.limits,
                call.memory_limit,
            )));
        }
        Ok(Err(flow)) => return Err(flow_outcome(name, flow)),
        Ok(Ok(produced)) => produced,
    };
    let out = match produced {
        types::Produced::Nothing => return Ok(None),
        types::Produced::One(out) => out,
        types::Produced::Many(list) => {
            return Err(refused(
                name,
                format!(
                    "generate returned {} outputs (a source returns one)",
                    list.len()
                ),
            ));
        }
    };
    let len = match out.data {
        types::OutputData::Written((0, len)) => len as usize,
        types::OutputData::Written((index, _)) => {
            return Err(refused(
                name,
                format!("output slot {index} was not handed out (1)"),
            ));
        }
        types::OutputData::Input => {
            return Err(refused(name, "a source has no input to forward".into()));
        }
    };
    if out.pad != 0 {
        return Err(refused(
            name,
            format!("src pad {} does not exist (1 pad)", out.pad),
        ));
    }
    if len > slot_size {
        return Err(refused(
            name,
            format!("{len} bytes written into a {slot_size}-byte slot"),
        ));
    }
    let Some(lent) = window.lent.pop() else {
        return Err(internal(name, "output slot 0 vanished".into()));
    };
    // The guest loses write access before the buffer goes downstream.
    window
        .window
        .protect(lent.offset, slot_size, Prot::Read)
        .map_err(|e| internal(name, e))?;
    let mut buffer = lent.buffer;
    buffer.set_len(len);
    *buffer.meta_mut() = meta::from_guest_flat(&out.meta, &BufferMeta::default());
    call.stats.add_out(1);
    Ok(Some(buffer.freeze()))
}

/// Processes one buffer through the guest's `process`.
pub(crate) fn process(
    live: &mut Live,
    pool: &mut OutputPool,
    call: &Call<'_>,
    input: Buffer,
    ctx: &mut ProcessContext<'_>,
) -> Result<(), Outcome> {
    let name = call.element;
    let page = page_size();
    let needed = if call.max_output > 0 {
        call.max_output as usize
    } else {
        input.len()
    };
    let arena = ensure_arena(name, &mut pool.arena, needed)?;
    let Some(window) = live.window.as_mut() else {
        return Err(internal(name, "zero-copy instance without a window".into()));
    };
    let map_err = |e: String| internal(name, e);
    let out_id = arena.stats().id;
    let too_big = |what: &str| {
        Outcome::Failed(Failure::reported(ElementError::settings(format!(
            "WASM element '{name}': {what} do not fit its zero-copy window; raise WasmConfig::window_bytes"
        ))))
    };
    let mut out_base = window
        .ensure(out_id, arena.region())
        .map_err(map_err)?
        .ok_or_else(|| too_big("its output buffers"))?;
    // The input: mapped where its arena lives, or copied into staging when too large.
    let resets = window.resets;
    let staged;
    let (in_mem_off, in_arena_off, in_arena) = match window
        .ensure(input.memory().arena_id(), input.memory().region())
        .map_err(map_err)?
    {
        Some(off) => (
            input.memory().offset_in_region() + input.offset(),
            off,
            input.memory().arena_id(),
        ),
        None => {
            let slot = input.len().max(1).next_multiple_of(page);
            if pool.staging.as_ref().is_none_or(|a| a.slot_size() < slot) {
                pool.staging = Some(
                    CpuArena::new(&format!("{name}-staging"), slot, 2)
                        .map_err(|e| internal(name, format!("cannot stage input: {e}")))?,
                );
            }
            let Some(staging) = pool.staging.as_ref() else {
                return Err(internal(name, "no staging arena".into()));
            };
            let mut copy = acquire(staging, ctx)?;
            copy.data_mut()[..input.len()].copy_from_slice(input.data());
            copy.set_len(input.len());
            call.stats.add_copied(input.len());
            staged = copy.freeze();
            let off = window
                .ensure(staging.stats().id, staging.region())
                .map_err(map_err)?
                .ok_or_else(|| too_big("its input buffers"))?;
            (staged.memory().offset_in_region(), off, staging.stats().id)
        }
    };
    if window.resets != resets {
        // Mapping the input evicted the output arena: map it again, keeping the input.
        out_base = window
            .ensure(out_id, arena.region())
            .map_err(map_err)?
            .ok_or_else(|| too_big("its output buffers"))?;
        if window.lookup(in_arena) != Some(in_arena_off) {
            return Err(too_big("its input and output buffers together"));
        }
    }
    let input_slot = guest::Slot {
        offset: guest_u32(name, in_arena_off + in_mem_off)?,
        len: guest_u32(name, input.len())?,
        capacity: guest_u32(name, input.len())?,
    };
    let slot_size = arena.slot_size();
    let output_slot = lend_slot(name, window, arena, out_base, ctx)?;
    let guest_meta = meta::to_guest_flat(input.meta());
    call.limits.arm(&mut live.store);
    let result = live
        .world
        .parallax_element_element()
        .instance()
        .call_process(
            &mut live.store,
            live.handle,
            call.pad as u32,
            input_slot,
            guest_meta,
            output_slot,
        );
    let produced = match result {
        Err(e) => {
            return Err(Outcome::Failed(trap_failure(
                name,
                "process",
                &e,
                &live.store,
                &call.limits,
                call.memory_limit,
            )));
        }
        Ok(Err(flow)) => return Err(flow_outcome(name, flow)),
        Ok(Ok(produced)) => produced,
    };
    // Both forms become the same (pad, data, meta) triples; `one` without an allocation.
    let mut one;
    let mut many;
    let results: &mut [Out] = match produced {
        types::Produced::Nothing => &mut [],
        types::Produced::One(out) => {
            one = [Out {
                pad: out.pad,
                data: out.data,
                meta: meta::from_guest_flat(&out.meta, input.meta()),
            }];
            &mut one
        }
        types::Produced::Many(list) => {
            if list.len() > MAX_OUTPUTS {
                return Err(refused(
                    name,
                    format!("{} outputs (at most {MAX_OUTPUTS})", list.len()),
                ));
            }
            many = list
                .into_iter()
                .map(|out| Out {
                    pad: out.pad,
                    data: out.data,
                    meta: meta::from_guest(&out.meta, input.meta()),
                })
                .collect::<Vec<_>>();
            &mut many
        }
    };
    // Check everything before anything leaves: a bad result refuses the whole call.
    let lent_count = window.lent.len();
    let mut used: u32 = 0;
    for out in results.iter() {
        let pad = out.pad as usize;
        if pad >= call.n_src {
            return Err(refused(
                name,
                format!("src pad {pad} does not exist ({} pads)", call.n_src),
            ));
        }
        if let types::OutputData::Written((index, len)) = out.data {
            if index as usize >= lent_count {
                return Err(refused(
                    name,
                    format!("output slot {index} was not handed out ({lent_count})"),
                ));
            }
            if used & (1 << index) != 0 {
                return Err(refused(name, format!("output slot {index} used twice")));
            }
            used |= 1 << index;
            if len as usize > slot_size {
                return Err(refused(
                    name,
                    format!("{len} bytes written into a {slot_size}-byte slot"),
                ));
            }
        }
    }
    // The guest loses write access to every slot it used before the slot goes downstream.
    for index in (0..lent_count).filter(|i| used & (1 << i) != 0) {
        let offset = window.lent[index].offset;
        window
            .window
            .protect(offset, slot_size, Prot::Read)
            .map_err(|e| internal(name, e))?;
    }
    let mut taken: [Option<BufferMut>; OUTPUT_SLOTS_PER_CALL] = Default::default();
    for index in (0..lent_count).rev().filter(|i| used & (1 << i) != 0) {
        taken[index] = Some(window.lent.swap_remove(index).buffer);
    }
    let mut pushed = 0u64;
    for out in results.iter_mut() {
        let buffer = match out.data {
            types::OutputData::Input => {
                let mut forwarded = input.clone();
                *forwarded.meta_mut() = std::mem::take(&mut out.meta);
                forwarded
            }
            types::OutputData::Written((index, len)) => {
                let Some(mut buffer) = taken.get_mut(index as usize).and_then(Option::take) else {
                    return Err(internal(name, format!("output slot {index} vanished")));
                };
                buffer.set_len(len as usize);
                *buffer.meta_mut() = std::mem::take(&mut out.meta);
                buffer.freeze()
            }
        };
        ctx.push_to(out.pad as usize, buffer);
        pushed += 1;
    }
    call.stats.add_out(pushed);
    Ok(())
}

/// One validated-to-be result of `process`, whichever form it came in.
struct Out {
    pad: u32,
    data: types::OutputData,
    meta: BufferMeta,
}
