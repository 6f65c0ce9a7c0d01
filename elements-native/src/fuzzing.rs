//! Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`): each runs one
//! parser over arbitrary bytes the way a pipeline would, without the engine.

use std::sync::atomic::AtomicBool;

use parallax_core::memory::CpuArena;
use parallax_core::{Buffer, ContextState, FlowError, ProcessContext};

/// Input pieces are this large, as `filesrc` sends them by default.
const CHUNK: usize = 4096;

/// Feeds `data` in `CHUNK`-byte buffers to `feed`, then calls `finish`; outputs are
/// dropped after every call so the element's pools never run dry.
fn drive(
    data: &[u8],
    mut feed: impl FnMut(Buffer, &mut ProcessContext<'_>) -> Result<(), FlowError>,
    mut finish: impl FnMut(&mut ProcessContext<'_>) -> Result<(), FlowError>,
) {
    let Ok(arena) = CpuArena::new("fuzz-input", CHUNK, 4) else {
        return;
    };
    let mut state = ContextState::new("fuzz");
    let cancel = AtomicBool::new(false);
    for piece in data.chunks(CHUNK) {
        let Some(mut buffer) = arena.try_acquire() else {
            return;
        };
        buffer.set_len(piece.len());
        buffer.data_mut().copy_from_slice(piece);
        let result = feed(
            buffer.freeze(),
            &mut ProcessContext::new(&mut state, &cancel),
        );
        drop(state.take_outputs());
        if result.is_err() {
            return;
        }
    }
    let _ = finish(&mut ProcessContext::new(&mut state, &cancel));
    drop(state.take_outputs());
}

/// `qtdemux` with `video_0` and `audio_0` linked.
#[cfg(feature = "mp4")]
pub fn qtdemux(data: &[u8]) {
    let demux =
        std::cell::RefCell::new(crate::qtdemux::QtDemux::with_pads(&["video_0", "audio_0"]));
    drive(
        data,
        |b, ctx| demux.borrow_mut().feed(b, ctx),
        |ctx| demux.borrow_mut().finish(ctx),
    );
}

/// `tsdemux` with `video_0` and `audio_0` linked.
#[cfg(feature = "ts")]
pub fn tsdemux(data: &[u8]) {
    let demux =
        std::cell::RefCell::new(crate::tsdemux::TsDemux::with_pads(&["video_0", "audio_0"]));
    drive(
        data,
        |b, ctx| demux.borrow_mut().feed(b, ctx),
        |ctx| demux.borrow_mut().finish(ctx),
    );
}

/// Typefinding over the first bytes of a stream; the media type found, if any.
#[cfg(feature = "decodebin")]
pub fn typefind(data: &[u8]) -> Option<String> {
    crate::decodebin::typefind::typefind(data).map(|s| s.name().to_owned())
}
