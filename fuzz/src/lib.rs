//! The harness the decoder fuzz targets share: one element instance per input, fed the
//! input in chunks (the first byte picks the chunk size, so framing across buffer
//! boundaries is fuzzed too), then end of stream. A panic, a hang or runaway memory is
//! a finding; an error return is the expected answer to bad input.

use std::cell::RefCell;
use std::sync::atomic::AtomicBool;

use parallax_core::memory::BufferAllocator;
use parallax_core::{AnyElement, Caps, ContextState, ProcessContext, Registry};

struct Harness {
    registry: Registry,
    state: ContextState,
    input: BufferAllocator,
}

thread_local! {
    // memfd arenas are costly to create, so they live across inputs.
    static HARNESS: RefCell<Option<Harness>> = const { RefCell::new(None) };
}

/// Feeds `data` to a fresh `element` whose sink caps are `caps`.
pub fn drive(element: &str, caps: &str, data: &[u8]) {
    HARNESS.with(|h| {
        let mut h = h.borrow_mut();
        let h = h.get_or_insert_with(|| {
            let mut registry = Registry::new();
            parallax_elements::register_all(&mut registry).expect("register");
            Harness {
                registry,
                state: ContextState::new("fuzz"),
                input: BufferAllocator::new("fuzz-input", 4),
            }
        });
        run(h, element, caps, data);
    });
}

fn run(h: &mut Harness, element: &str, caps: &str, data: &[u8]) {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let chunk = 1 + usize::from(first) * 61;
    let AnyElement::Transform(mut e) = h.registry.get(element).expect("element").create() else {
        panic!("{element} is not a transform");
    };
    let caps: Caps = caps.parse().expect("caps");
    let src = e
        .transform_caps(parallax_core::PadDirection::Sink, &caps)
        .fixate();
    if e.set_caps(&[caps], &[src]).is_err() || e.start().is_err() {
        return;
    }
    let cancel = AtomicBool::new(false);
    for piece in data.chunks(chunk) {
        let Ok(Some(mut buffer)) = h.input.allocate(piece.len(), &cancel) else {
            return;
        };
        buffer.set_len(piece.len());
        buffer.data_mut().copy_from_slice(piece);
        let mut ctx = ProcessContext::new(&mut h.state, &cancel);
        let result = e.process(0, buffer.freeze(), &mut ctx);
        // Drop the outputs so the arenas never run dry (which would block).
        drop(h.state.take_outputs());
        h.state.take_caps_changes();
        if result.is_err() {
            h.state.take_error();
            return;
        }
    }
    let mut ctx = ProcessContext::new(&mut h.state, &cancel);
    let _ = e.sink_eos(0, true, &mut ctx);
    drop(h.state.take_outputs());
    h.state.take_caps_changes();
    h.state.take_error();
}
