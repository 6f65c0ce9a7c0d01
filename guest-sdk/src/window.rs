//! The window: pages of linear memory that the host maps its arena slots into, and the
//! only place in the SDK that turns host-given offsets into slices (all `unsafe` is here).
//!
//! A key design decision: the host is not trusted to pass sane slots. `reserve-window`
//! grows linear memory itself (so the allocator never owns those pages) and records the
//! window `[start, end)`; both slots of a call are then checked to lie inside it, to be
//! consistent (`len <= capacity`) and not to overlap each other,
//! before one slice is formed. A lying host gets a `FlowError`, never an out-of-window read
//! or aliasing `&mut`.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::FlowError;
use crate::bindings::parallax::element::types::Slot;

/// WebAssembly page size.
const PAGE: u64 = 65536;

/// Window start; meaningful only when `END` is non-zero.
static START: AtomicU64 = AtomicU64::new(0);
/// Window end (exclusive); 0 until `reserve-window` succeeded.
static END: AtomicU64 = AtomicU64::new(0);

/// `reserve-window`: grows memory by whole pages covering `bytes` and records the window.
///
/// # Errors
/// When a window already exists, `bytes` is 0, or memory cannot grow.
pub(crate) fn reserve(bytes: u32) -> Result<u32, String> {
    if END.load(Ordering::Relaxed) != 0 {
        return Err("the window is already reserved".into());
    }
    if bytes == 0 {
        return Err("a window of 0 bytes was asked for".into());
    }
    let pages = u64::from(bytes).div_ceil(PAGE);
    let first_page = grow(pages)?;
    let start = first_page * PAGE;
    let end = start + pages * PAGE;
    let offset = u32::try_from(start).map_err(|_| "window starts past 4 GiB".to_string())?;
    if offset == 0 {
        // Never happens (a Rust module has a stack), but 0 would make slices from null.
        return Err("linear memory was empty before the window".into());
    }
    START.store(start, Ordering::Relaxed);
    END.store(end, Ordering::Relaxed);
    Ok(offset)
}

/// Grows memory 0 by `pages` and returns the first new page.
#[cfg(target_arch = "wasm32")]
fn grow(pages: u64) -> Result<u64, String> {
    let delta = usize::try_from(pages).map_err(|_| "window too large".to_string())?;
    // `memory_grow` is a safe intrinsic: new pages are zeroed, belong to nobody (the
    // allocator only uses pages it grew itself), and the memory never shrinks.
    let old = core::arch::wasm32::memory_grow::<0>(delta);
    if old == usize::MAX {
        return Err(format!("linear memory cannot grow by {pages} pages"));
    }
    Ok(old as u64)
}

/// Hosts have no window: every slot check then fails, so no slice is ever formed.
#[cfg(not(target_arch = "wasm32"))]
fn grow(_pages: u64) -> Result<u64, String> {
    Err("reserve-window exists only on wasm32".into())
}

/// `[start, end)` of a checked slot, inside the window.
#[derive(Clone, Copy)]
struct Span {
    start: u64,
    end: u64,
}

impl Span {
    /// Whether both are non-empty and share a byte.
    fn overlaps(self, other: Span) -> bool {
        self.start < self.end
            && other.start < other.end
            && self.start < other.end
            && other.start < self.end
    }
}

/// Checks that `[offset, offset + len)` lies in the window; `what` names the slot.
fn span(offset: u32, len: u32, what: &dyn Fn() -> String) -> Result<Span, FlowError> {
    let (ws, we) = (START.load(Ordering::Relaxed), END.load(Ordering::Relaxed));
    let start = u64::from(offset);
    let end = start + u64::from(len); // both < 2^32: no overflow in u64
    if we == 0 || start < ws || end > we {
        return Err(FlowError::error(format!(
            "host passed {} = [{start}, {end}) outside the window [{ws}, {we})",
            what()
        )));
    }
    Ok(Span { start, end })
}

/// Checks `input` and `output` against the window and each other, then calls `f` with a
/// read-only view of the input's bytes and a writable view of the output slot's capacity.
/// The views cannot outlive `f` (its lifetime is generic), so they end with the call.
/// Nothing is allocated unless a check fails.
///
/// # Errors
/// A [`FlowError::Error`] naming the slot when a check fails; `f` is then not called.
pub(crate) fn with_slot<R>(
    input: Slot,
    output: Slot,
    f: impl for<'a> FnOnce(&'a [u8], &'a mut [u8]) -> R,
) -> Result<R, FlowError> {
    if input.len > input.capacity {
        return Err(FlowError::error(
            "host passed an input slot with len > capacity",
        ));
    }
    let input_span = span(input.offset, input.len, &|| "the input slot".into())?;
    let out_span = span(output.offset, output.capacity, &|| "the output slot".into())?;
    if out_span.overlaps(input_span) {
        return Err(FlowError::error(
            "host passed an output slot overlapping the input slot",
        ));
    }
    // SAFETY: the host guarantees (wit/element.wit, `slot`) that for the length of this
    // call `[offset, offset + len)` of the input is mapped readable and nobody writes it,
    // and `[offset, offset + capacity)` of the output is mapped writable and used by this
    // call only. We do not rely on that for memory safety of the guest itself: both spans
    // were checked above to lie inside the window that `reserve` grew (pages that belong to
    // linear memory, that no allocator hands out and that no Rust reference points into
    // outside this function), and the output span does not overlap the input, so the
    // `&mut` slice never aliases. Offsets are linear-memory addresses on wasm32; elsewhere
    // no window exists and `span` has already failed. The slices' lifetime is the generic
    // `'a` of `f`, so neither escapes the call.
    let inp: &[u8] = unsafe {
        core::slice::from_raw_parts(input_span.start as usize as *const u8, input.len as usize)
    };
    // SAFETY: as above; the span is in the window and disjoint from the input.
    let out: &mut [u8] = unsafe {
        core::slice::from_raw_parts_mut(
            out_span.start as usize as *mut u8,
            (out_span.end - out_span.start) as usize,
        )
    };
    Ok(f(inp, out))
}

/// Checks `output` against the window, then calls `f` with a writable view of its
/// capacity (a source's `generate`: no input). As [`with_slot`] otherwise.
///
/// # Errors
/// A [`FlowError::Error`] when the check fails; `f` is then not called.
pub(crate) fn with_output<R>(
    output: Slot,
    f: impl for<'a> FnOnce(&'a mut [u8]) -> R,
) -> Result<R, FlowError> {
    let out_span = span(output.offset, output.capacity, &|| "the output slot".into())?;
    // SAFETY: as in `with_slot`: the span was checked to lie inside the window that
    // `reserve` grew, the host maps it writable for this call only, no other reference
    // points into it, and the slice's lifetime is the generic `'a` of `f`.
    let out: &mut [u8] = unsafe {
        core::slice::from_raw_parts_mut(
            out_span.start as usize as *mut u8,
            (out_span.end - out_span.start) as usize,
        )
    };
    Ok(f(out))
}

/// Forgets the window (tests only).
#[cfg(test)]
pub(crate) fn reset_for_tests() {
    END.store(0, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(offset: u32, len: u32, capacity: u32) -> Slot {
        Slot {
            offset,
            len,
            capacity,
        }
    }

    #[test]
    fn without_a_window_every_slot_is_refused() {
        reset_for_tests();
        assert!(reserve(4096).is_err(), "hosts cannot grow linear memory");
        let r = with_slot(slot(0, 0, 0), slot(0, 0, 0), |_, _| ());
        assert!(matches!(r, Err(FlowError::Error(_))));
    }

    #[test]
    fn overlap_detection() {
        let a = Span { start: 0, end: 10 };
        assert!(a.overlaps(Span { start: 9, end: 12 }));
        assert!(!a.overlaps(Span { start: 10, end: 12 }));
        assert!(!a.overlaps(Span { start: 5, end: 5 }));
    }
}
