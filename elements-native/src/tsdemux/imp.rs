//! The `tsdemux` element: MPEG transport stream in, one elementary stream per linked
//! `video_%u` / `audio_%u` pad out (PES payloads with PTS/DTS).
//!
//! A key design decision: as in `qtdemux`, pads are named in the `.px` text (the graph
//! is fixed before running) and mapped, once the PMT arrives, to the n-th video or audio
//! stream of the first program; unlinked streams are never reassembled. Memory is one
//! PES packet per linked stream, bounded by [`MAX_PES`](super::pes::MAX_PES).

use parallax_core::registry::{ElementInfo, Rank};
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, ClockTime, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadPresence, PadTemplate, ProcessContext, PropertyError, Structure,
    Transform, Value,
};

use super::packet::{PACKET, Packet, SYNC};
use super::pes::{PesAssembly, Unwrap, adts_format, h264_has_idr};
use super::psi::{Codec, Kind, SectionBuffer, parse_pat, parse_pmt};
use crate::util::adapter::Adapter;
use crate::util::batch::Batch;
use crate::util::stream_pads::{self, StreamKind, StreamPad};

/// How far the demuxer hunts for a sync byte before giving up.
const SYNC_WINDOW: u64 = 64 * 1024;
/// How many packets may pass without a PAT/PMT before the input is refused.
const MAX_PACKETS_BEFORE_PMT: u64 = 100_000;

pub(crate) fn sink_caps() -> Caps {
    Caps::new(Structure::new("video/mpegts").with("systemstream", true))
}

fn video_caps() -> Caps {
    Caps::from_structures(
        ["video/x-h264", "video/x-h265", "video/x-av1", "video/mpeg"]
            .into_iter()
            .map(Structure::new)
            .collect(),
    )
}

fn audio_caps() -> Caps {
    Caps::from_structures(
        ["audio/mpeg", "audio/x-opus", "audio/x-ac3"]
            .into_iter()
            .map(Structure::new)
            .collect(),
    )
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "tsdemux",
        "Codec/Demuxer",
        "Demultiplex an MPEG transport stream into elementary streams",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::new(
        "video_%u",
        PadDirection::Src,
        PadPresence::Sometimes,
        video_caps(),
    ))
    .pad(PadTemplate::new(
        "audio_%u",
        PadDirection::Src,
        PadPresence::Sometimes,
        audio_caps(),
    ))
    .hints(ExecutionHints::DEFAULT)
    .rank(Rank::Primary)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(TsDemux::default()))
}

#[derive(Debug, Clone, Copy)]
struct Wanted {
    kind: Kind,
    number: usize,
}

#[derive(Debug)]
struct Stream {
    pad: usize,
    codec: Codec,
    pes: PesAssembly,
    pts: Unwrap,
    dts: Unwrap,
    caps_sent: bool,
    discont: bool,
}

#[derive(Debug, Default)]
pub(crate) struct TsDemux {
    wanted: Vec<Wanted>,
    adapter: Adapter,
    synced: bool,
    /// Bytes skipped while hunting for sync since the last good packet.
    hunted: u64,
    pat: SectionBuffer,
    pmt_pid: Option<u16>,
    pmt: SectionBuffer,
    /// PID → index in `streams` + 1 (0: not demuxed).
    pids: Vec<u16>,
    streams: Vec<Stream>,
    mapped: bool,
    packets: u64,
    /// PES packets completed in the current call.
    batch: Batch,
}

impl From<StreamPad> for Wanted {
    fn from(pad: StreamPad) -> Self {
        Wanted {
            kind: match pad.kind {
                StreamKind::Video => Kind::Video,
                StreamKind::Audio => Kind::Audio,
            },
            number: pad.number,
        }
    }
}

fn error(text: String) -> ElementError {
    ElementError::stream(format!("could not demux MPEG-TS: {text}"))
}

impl TsDemux {
    /// A demuxer for the pads named (fuzzing, without a pipeline).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn with_pads(pads: &[&str]) -> Self {
        TsDemux {
            wanted: pads
                .iter()
                .filter_map(|p| stream_pads::parse(p))
                .map(Wanted::from)
                .collect(),
            ..TsDemux::default()
        }
    }

    pub(crate) fn feed(
        &mut self,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.adapter.push(buffer);
        let mut packet = [0u8; PACKET];
        while self.adapter.available() >= PACKET {
            let offset = self.adapter.position();
            self.adapter.peek(&mut packet);
            // Out of sync (start, or a damaged packet): hunt byte by byte for a 0x47
            // that is followed by another one a packet later.
            let confirmed = packet[0] == SYNC
                && (self.synced || {
                    let mut two = [0u8; PACKET + 1];
                    !self.adapter.peek(&mut two) || two[PACKET] == SYNC
                });
            if !confirmed {
                if self.synced {
                    ctx.warning(format!("tsdemux lost sync at byte {offset}"));
                    self.synced = false;
                }
                self.adapter.skip(1);
                self.hunted += 1;
                if self.hunted > SYNC_WINDOW {
                    return Err(ctx.error(error(format!(
                        "no sync byte (0x47 every 188 bytes) in the {SYNC_WINDOW} bytes before byte {}",
                        offset + 1
                    ))));
                }
                continue;
            }
            self.synced = true;
            self.hunted = 0;
            self.adapter.skip(PACKET);
            self.packet(&packet, offset, ctx)?;
        }
        self.batch.flush(ctx)
    }

    pub(crate) fn finish(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let end = self.adapter.position() + self.adapter.available() as u64;
        if !self.mapped {
            let why = if self.packets == 0 {
                format!("no transport packet found; the stream ended at byte {end}")
            } else {
                format!("no program map table (PMT) before the end of the stream at byte {end}")
            };
            return Err(ctx.error(error(why)));
        }
        if self.adapter.available() > 0 {
            return Err(ctx.error(error(format!(
                "truncated packet at byte {}: the stream ended at byte {end}",
                self.adapter.position()
            ))));
        }
        if let Some(s) = self
            .streams
            .iter()
            .find(|s| s.pes.active && s.pes.expected > s.pes.data.len())
        {
            return Err(ctx.error(error(format!(
                "truncated PES packet at byte {}: {} of {} bytes before the end at byte {end}",
                s.pes.offset,
                s.pes.data.len(),
                s.pes.expected
            ))));
        }
        for i in 0..self.streams.len() {
            self.emit(i, ctx)?;
        }
        self.batch.flush(ctx)
    }

    fn packet(
        &mut self,
        bytes: &[u8; PACKET],
        offset: u64,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let packet =
            Packet::parse(bytes).map_err(|e| ctx.error(error(format!("{e} at byte {offset}"))))?;
        self.packets += 1;
        if let Some(&slot) = self.pids.get(usize::from(packet.pid))
            && slot != 0
        {
            return self.payload(usize::from(slot - 1), &packet, offset, ctx);
        }
        if self.mapped {
            return Ok(());
        }
        if packet.pid == 0 {
            if let Some(section) = self.pat.push(packet.unit_start, packet.payload) {
                self.pmt_pid = parse_pat(&section);
            }
        } else if Some(packet.pid) == self.pmt_pid
            && let Some(section) = self.pmt.push(packet.unit_start, packet.payload)
            && let Some(streams) = parse_pmt(&section)
        {
            self.map_streams(&streams, ctx);
        }
        if !self.mapped && self.packets > MAX_PACKETS_BEFORE_PMT {
            return Err(ctx.error(error(format!(
                "no PAT/PMT in the first {MAX_PACKETS_BEFORE_PMT} packets (up to byte {offset})"
            ))));
        }
        Ok(())
    }

    fn map_streams(&mut self, es: &[super::psi::EsInfo], ctx: &mut ProcessContext<'_>) {
        self.pids = vec![0; 8192];
        for (pad, wanted) in self.wanted.iter().enumerate() {
            let Some(info) = es
                .iter()
                .filter(|e| e.codec.kind() == wanted.kind)
                .nth(wanted.number)
            else {
                ctx.warning(format!(
                    "pad {}_{} is linked but the stream has no such elementary stream; it gets no data",
                    if wanted.kind == Kind::Video { "video" } else { "audio" },
                    wanted.number
                ));
                continue;
            };
            self.streams.push(Stream {
                pad,
                codec: info.codec,
                pes: PesAssembly::default(),
                pts: Unwrap::default(),
                dts: Unwrap::default(),
                caps_sent: false,
                discont: true,
            });
            if let Some(slot) = self.pids.get_mut(usize::from(info.pid)) {
                *slot = self.streams.len() as u16;
            }
            ctx.post_message(
                Structure::new("stream-info")
                    .with("pad", pad as i64)
                    .with("pid", i64::from(info.pid))
                    .with("caps", Caps::new(info.codec.caps()).to_string().as_str()),
            );
        }
        self.mapped = true;
    }

    fn payload(
        &mut self,
        i: usize,
        packet: &Packet<'_>,
        offset: u64,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if packet.unit_start {
            self.emit(i, ctx)?;
            let pes = &mut self.streams[i].pes;
            if let Err(e) = pes.start(packet.payload, packet.random_access, offset) {
                return Err(ctx.error(error(format!("{e} at byte {offset}"))));
            }
        } else if let Err(e) = self.streams[i].pes.push(packet.payload) {
            return Err(ctx.error(error(format!("{e} at byte {offset}"))));
        }
        if self.streams[i].pes.complete() {
            self.emit(i, ctx)?;
        }
        Ok(())
    }

    /// Pushes the PES packet assembled for stream `i`, if any.
    fn emit(&mut self, i: usize, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let s = &mut self.streams[i];
        if !s.pes.active || s.pes.data.is_empty() {
            return Ok(());
        }
        s.pes.active = false;
        if !s.caps_sent {
            let mut caps = s.codec.caps();
            if s.codec == Codec::Aac
                && let Some((rate, channels)) = adts_format(&s.pes.data)
            {
                caps.set("rate", i64::from(rate));
                caps.set("channels", i64::from(channels));
            }
            ctx.set_src_caps(s.pad, Caps::new(caps));
            s.caps_sent = true;
        }
        let mut meta = parallax_core::BufferMeta::default();
        let pts = s.pes.pts.map(|t| s.pts.unwrap(t));
        let dts = s.pes.dts.map(|t| s.dts.unwrap(t)).or(pts);
        meta.pts = pts.map(|t| ClockTime::scale(t, 1, 90_000));
        meta.dts = dts.map(|t| ClockTime::scale(t, 1, 90_000));
        meta.offset = Some(s.pes.offset);
        let keyframe = match s.codec.kind() {
            Kind::Video => {
                s.pes.random_access || (s.codec == Codec::H264 && h264_has_idr(&s.pes.data))
            }
            _ => true,
        };
        if keyframe {
            meta.flags.insert(BufferFlags::KEYFRAME);
        }
        if s.discont {
            meta.flags.insert(BufferFlags::DISCONT);
            s.discont = false;
        }
        // The assembled bytes move into the batch; the stream gets a recycled vector.
        let data = std::mem::replace(&mut s.pes.data, self.batch.vec());
        self.batch.add(s.pad, meta, data);
        Ok(())
    }
}

impl ElementImpl for TsDemux {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => Caps::any(),
            PadDirection::Src => sink_caps(),
        }
    }

    fn configure_pads(&mut self, _sink: &[String], src: &[String]) -> Result<(), ElementError> {
        self.wanted = stream_pads::parse_all("tsdemux", src)?
            .into_iter()
            .map(Wanted::from)
            .collect();
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        let wanted = std::mem::take(&mut self.wanted);
        *self = TsDemux {
            wanted,
            ..TsDemux::default()
        };
        Ok(())
    }

    fn flush(&mut self) {
        self.adapter.clear();
        self.synced = false;
        for s in &mut self.streams {
            s.pes.active = false;
            s.discont = true;
        }
    }
}

impl Transform for TsDemux {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.feed(buffer, ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.finish(ctx)
    }
}
