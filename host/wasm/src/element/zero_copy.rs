//! The zero-copy data path: buffers cross as offsets into the guest's window.
//!
//! Window layout: a bump allocator over `[base, base + len)` of guest memory. Each arena
//! (by id) is mapped once, whole, and stays mapped: inputs read-only, the element's own
//! output arena read-only too except the slots handed out for the current call, which
//! are made writable just for that call. When the window is full every mapping is
//! dropped and the window starts over (arenas churn rarely). An input whose arena is
//! larger than the window is copied into a small staging arena (counted as copied).
//!
//! Every result the guest returns is validated before it becomes a buffer: at most
//! [`MAX_OUTPUTS`] outputs, a src pad that exists, an output slot index that was handed
//! out and not used before, a length within the slot's capacity. Bytes are never read
//! by the host on this path, so a guest changing them at any time can only corrupt its
//! own output (see docs/security-model.md on TOCTOU).

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parallax_core::memory::{CpuArena, MemfdRegion};
use parallax_core::{Buffer, BufferMut, ElementError, ErrorKind, FlowError, ProcessContext};

use super::limits::{CallLimits, Failure, trap_failure};
use super::meta;
use super::{Live, Outcome, flow_outcome};
use crate::bindings::{guest, types};
use crate::memory::{Prot, Window, page_size};
use crate::stats::WasmStats;

/// Most outputs one `process` call may return.
pub(crate) const MAX_OUTPUTS: usize = 16;
/// Output slots handed to the guest per call.
pub(crate) const OUTPUT_SLOTS_PER_CALL: usize = 1;
/// Slots of the element's output arena.
const OUTPUT_ARENA_SLOTS: usize = 16;

#[derive(Debug)]
struct Mapped {
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
    }
    .max(1)
    .next_multiple_of(page);
    if pool.arena.as_ref().is_none_or(|a| a.slot_size() < needed) {
        let arena = CpuArena::new(&format!("{name}-out"), needed, OUTPUT_ARENA_SLOTS)
            .map_err(|e| internal(name, format!("cannot create its output arena: {e}")))?;
        pool.arena = Some(arena);
    }
    let Some(arena) = pool.arena.as_ref() else {
        return Err(internal(name, "no output arena".into()));
    };
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
    let mut handed: Vec<Option<BufferMut>> = Vec::with_capacity(OUTPUT_SLOTS_PER_CALL);
    let mut slots = Vec::with_capacity(OUTPUT_SLOTS_PER_CALL);
    for _ in 0..OUTPUT_SLOTS_PER_CALL {
        let fresh = acquire(arena, ctx)?.freeze();
        let offset = out_base + fresh.memory().offset_in_region();
        let buffer = fresh
            .into_mut()
            .map_err(|_| internal(name, "a fresh output slot is shared".into()))?;
        slots.push(guest::Slot {
            offset: guest_u32(name, offset)?,
            len: 0,
            capacity: guest_u32(name, slot_size)?,
        });
        handed.push(Some(buffer));
    }
    let protect = |prot: Prot| -> Result<(), Outcome> {
        for slot in &slots {
            window
                .window
                .protect(slot.offset as usize, slot_size, prot)
                .map_err(|e| internal(name, e))?;
        }
        Ok(())
    };
    protect(Prot::ReadWrite)?;
    let guest_meta = meta::to_guest(input.meta());
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
            &slots,
        );
    // Whatever happened, the guest loses write access to the handed-out slots now.
    protect(Prot::Read)?;
    let results = match result {
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
        Ok(Ok(results)) => results,
    };
    if results.len() > MAX_OUTPUTS {
        return Err(refused(
            name,
            format!("{} outputs (at most {MAX_OUTPUTS})", results.len()),
        ));
    }
    let mut ready: Vec<(usize, Buffer)> = Vec::with_capacity(results.len());
    for out in &results {
        let pad = out.pad as usize;
        if pad >= call.n_src {
            return Err(refused(
                name,
                format!("src pad {pad} does not exist ({} pads)", call.n_src),
            ));
        }
        let out_meta = meta::from_guest(&out.meta, input.meta());
        match out.data {
            types::OutputData::Input => {
                let mut forwarded = input.clone();
                *forwarded.meta_mut() = out_meta;
                ready.push((pad, forwarded));
            }
            types::OutputData::Written((index, len)) => {
                let Some(entry) = handed.get_mut(index as usize) else {
                    return Err(refused(
                        name,
                        format!("output slot {index} was not handed out ({})", slots.len()),
                    ));
                };
                let Some(mut buffer) = entry.take() else {
                    return Err(refused(name, format!("output slot {index} used twice")));
                };
                if len as usize > slot_size {
                    return Err(refused(
                        name,
                        format!("{len} bytes written into a {slot_size}-byte slot"),
                    ));
                }
                buffer.set_len(len as usize);
                *buffer.meta_mut() = out_meta;
                ready.push((pad, buffer.freeze()));
            }
        }
    }
    call.stats.add_out(ready.len() as u64);
    for (pad, buffer) in ready {
        ctx.push_to(pad, buffer);
    }
    Ok(())
}
