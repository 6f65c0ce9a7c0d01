//! The `oggdemux` element: reads Ogg pages from a byte stream, follows the first Vorbis
//! logical stream and pushes its packets (the three header packets first, as GStreamer
//! does) with `audio/x-vorbis` caps; other logical streams are skipped.
//!
//! A key design decision: one always src pad for the one audio stream it supports, not
//! GStreamer's sometimes-pads, so `filesrc ! oggdemux ! vorbisdec` links statically;
//! a chained file (a new Vorbis stream after the end of the last) continues on the
//! same pad and `vorbisdec` starts over at the new headers.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropertyError, Structure, Transform,
    Value,
};

use super::page::{self, MAX_PAGE};
use crate::util::byte_queue::ByteQueue;

/// The largest packet put together from pages (Vorbis setup headers are some KiB).
const MAX_PACKET: usize = 16 * 1024 * 1024;

struct OggDemux {
    queue: ByteQueue,
    /// The logical stream followed.
    serial: Option<u32>,
    /// A packet continued across pages.
    packet: Vec<u8>,
    /// Stream offset of the page where `packet` started.
    packet_offset: u64,
    pushed: u64,
    /// The followed stream's last page (end-of-stream flag) went by.
    ended: bool,
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("application/ogg"),
        Structure::new("audio/ogg"),
        Structure::new("application/octet-stream"),
    ])
}

fn src_caps() -> Caps {
    Caps::new(Structure::new("audio/x-vorbis"))
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "oggdemux",
        "Codec/Demuxer",
        "Demultiplex the first Vorbis stream of an Ogg file into packets",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(OggDemux {
        queue: ByteQueue::new(MAX_PAGE * 2),
        serial: None,
        packet: Vec::new(),
        packet_offset: 0,
        pushed: 0,
        ended: false,
    }))
}

/// Rate and channels from a Vorbis identification header.
fn ident(packet: &[u8]) -> Option<(u32, u8)> {
    if packet.len() < 30 || &packet[..7] != b"\x01vorbis" {
        return None;
    }
    let channels = packet[11];
    let rate = u32::from_le_bytes([packet[12], packet[13], packet[14], packet[15]]);
    Some((rate, channels))
}

impl OggDemux {
    fn emit(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let packet = std::mem::take(&mut self.packet);
        if packet.is_empty() {
            // Zero-length packets carry nothing (Vorbis ignores them).
            self.packet = packet;
            return Ok(());
        }
        if let Some((rate, channels)) = ident(&packet) {
            let caps = Structure::new("audio/x-vorbis")
                .with("rate", CapsValue::Int(i64::from(rate)))
                .with("channels", CapsValue::Int(i64::from(channels)));
            ctx.set_src_caps(0, Caps::new(caps));
        }
        let mut out = ctx.allocate(packet.len())?;
        out.set_len(packet.len());
        out.data_mut().copy_from_slice(&packet);
        let meta = out.meta_mut();
        meta.offset = Some(self.packet_offset);
        if packet.first().is_some_and(|b| b & 1 == 1) {
            meta.flags.insert(BufferFlags::HEADER);
        }
        ctx.push(out.freeze());
        self.pushed += 1;
        // Keep the allocation for the next packet.
        self.packet = packet;
        self.packet.clear();
        Ok(())
    }

    fn run(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let Some(page) = page::parse(self.queue.bytes(), offset).map_err(|e| ctx.error(e))?
            else {
                return Ok(());
            };
            let len = page.len;
            if page.is_bos() && (self.serial.is_none() || self.ended) {
                // A new logical stream: follow it if it is Vorbis and none is followed
                // (or, in a chained file, the followed one ended).
                let first_len = page.segments.iter().take_while(|&&s| s == 255).count();
                let first: usize = page
                    .segments
                    .iter()
                    .take(first_len + 1)
                    .map(|&s| usize::from(s))
                    .sum();
                if page.body.get(..first).and_then(ident).is_some() {
                    self.serial = Some(page.serial);
                    self.ended = false;
                    self.packet.clear();
                }
            }
            if Some(page.serial) != self.serial {
                self.queue.consume(len);
                continue;
            }
            if !page.continues() && !self.packet.is_empty() {
                return Err(ctx.error(ElementError::stream(format!(
                    "Ogg page at byte offset {offset} drops an unfinished packet"
                ))));
            }
            self.ended = page.flags & 4 != 0;
            let (segments, body) = (page.segments.to_vec(), page.body.to_vec());
            self.queue.consume(len);
            let mut at = 0;
            for lace in segments {
                let lace = usize::from(lace);
                if self.packet.is_empty() {
                    self.packet_offset = offset;
                }
                if self.packet.len() + lace > MAX_PACKET {
                    return Err(ctx.error(ElementError::stream(format!(
                        "Ogg packet over {MAX_PACKET} bytes at byte offset {offset}"
                    ))));
                }
                self.packet.extend_from_slice(&body[at..at + lace]);
                at += lace;
                if lace < 255 {
                    self.emit(ctx)?;
                }
            }
        }
    }
}

impl ElementImpl for OggDemux {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => src_caps(),
            PadDirection::Src => sink_caps(),
        }
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        self.queue.clear();
        self.serial = None;
        self.packet.clear();
        self.pushed = 0;
        self.ended = false;
    }
}

impl Transform for OggDemux {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.queue
            .push(buffer.data(), "Ogg page")
            .map_err(|e| ctx.error(e))?;
        self.run(ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let offset = self.queue.offset();
        if !self.queue.is_empty() {
            return Err(ctx.error(ElementError::stream(format!(
                "truncated Ogg page at byte offset {offset}"
            ))));
        }
        if self.pushed == 0 {
            return Err(ctx.error(ElementError::stream(format!(
                "no Vorbis stream in {offset} bytes of Ogg (from byte offset 0)"
            ))));
        }
        Ok(())
    }
}
