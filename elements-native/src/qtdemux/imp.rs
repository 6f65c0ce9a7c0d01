//! The `qtdemux` element: MP4/QuickTime in (as a byte stream), one elementary stream per
//! linked `video_%u` / `audio_%u` pad out.
//!
//! A key design decision: the demuxer works in push mode on whatever `filesrc` sends,
//! because the engine has no pull/seek path. With `moov` first (faststart), samples are
//! cut out of the byte stream as it passes, in file order, with bounded memory (one
//! sample at most, usually a zero-copy slice of an input buffer). With `mdat` first (the
//! ffmpeg default), the bytes before `moov` are spooled in memory up to `max-spool-bytes`
//! and played from there once `moov` arrives. The graph is fixed before running, so
//! pads are not added at runtime: the `.px` text links `video_0`, `audio_0`, ...; once
//! the header is parsed each linked pad is mapped to the n-th track of its kind, gets its
//! real caps with `set_src_caps`, and tracks no pad asked for are dropped.

use parallax_core::memory::CpuArena;
use parallax_core::registry::{ElementInfo, Rank};
use parallax_core::{
    AnyElement, Buffer, BufferFlags, BufferMut, Caps, ClockTime, ElementError, ElementImpl,
    ExecutionHints, FlowError, PadDirection, PadPresence, PadTemplate, ProcessContext, PropSpec,
    PropertyError, Structure, Transform, Value,
};

use super::boxes::{BoxHeader, Cursor, Mp4Error};
use super::entry::TrackKind;
use super::moov::{self, Track};
use super::samples::{Sample, SampleCursor};
use crate::util::adapter::Adapter;
use crate::util::stream_pads::{self, StreamKind, StreamPad};

/// The largest `moov` held in memory (a one-hour file with 260 k samples needs ~3 MB).
const MAX_MOOV: u64 = 256 * 1024 * 1024;
/// The largest single sample (a 16K intra frame is far below this).
const MAX_SAMPLE: u32 = 256 * 1024 * 1024;
const DEFAULT_MAX_SPOOL: u64 = 512 * 1024 * 1024;

pub(crate) fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("video/quicktime"),
        Structure::new("audio/x-m4a"),
        Structure::new("application/x-3gp"),
    ])
}

/// What the `video_%u` pads can carry, in preference order for the initial fixation.
pub(crate) fn video_caps() -> Caps {
    Caps::from_structures(
        [
            "video/x-av1",
            "video/x-h264",
            "video/x-h265",
            "video/x-vp9",
            "video/mpeg",
            "image/jpeg",
            "video/x-unknown",
        ]
        .into_iter()
        .map(Structure::new)
        .collect(),
    )
}

/// What the `audio_%u` pads can carry.
pub(crate) fn audio_caps() -> Caps {
    Caps::from_structures(
        [
            "audio/mpeg",
            "audio/x-opus",
            "audio/x-flac",
            "audio/x-raw",
            "audio/x-unknown",
        ]
        .into_iter()
        .map(Structure::new)
        .collect(),
    )
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "qtdemux",
        "Codec/Demuxer",
        "Demultiplex a QuickTime/MP4 file into audio and video streams",
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
    .property(
        PropSpec::uint("max-spool-bytes", DEFAULT_MAX_SPOOL, 0, u64::MAX)
            .doc("Most bytes held while media data comes before the moov header"),
    )
    .hints(ExecutionHints::DEFAULT)
    .rank(Rank::Primary)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(QtDemux::default()))
}

/// A linked src pad: which track kind and number it asks for.
#[derive(Debug, Clone, Copy)]
struct Wanted {
    kind: TrackKind,
    number: usize,
}

#[derive(Debug)]
struct Stream {
    pad: usize,
    track: Track,
    cursor: SampleCursor,
    next: Option<Sample>,
    discont: bool,
}

/// Media data held while `moov` has not arrived: one slot of its own arena (a memfd,
/// backed only as far as it is written).
#[derive(Debug)]
struct Spool {
    start: u64,
    buffer: BufferMut,
    filled: usize,
}

#[derive(Debug, Default)]
enum Phase {
    /// At a top-level box boundary.
    #[default]
    Top,
    /// Collecting the `moov` box that started at `start`.
    Moov {
        start: u64,
        size: usize,
        data: Vec<u8>,
    },
    /// Passing over `left` bytes of a box (`None`: up to the end of the stream).
    Skip { left: Option<u64> },
    /// `moov` is known: cutting samples out of the stream.
    Samples,
    /// Every stream has ended; input is dropped.
    Done,
}

#[derive(Debug)]
pub(crate) struct QtDemux {
    max_spool: u64,
    wanted: Vec<Wanted>,
    adapter: Adapter,
    phase: Phase,
    /// Bytes from the first `mdat` on, while they come before `moov`.
    spool: Option<Spool>,
    /// The spool once `moov` arrived; samples leave as slices of it (no copy, and one
    /// slot however many samples are in flight).
    spooled: Option<(u64, Buffer)>,
    streams: Vec<Stream>,
    /// Offset of the `moov` box, for errors in its tables.
    moov_at: u64,
    header_seen: bool,
}

impl Default for QtDemux {
    fn default() -> Self {
        QtDemux {
            max_spool: DEFAULT_MAX_SPOOL,
            wanted: Vec::new(),
            adapter: Adapter::default(),
            phase: Phase::Top,
            spool: None,
            spooled: None,
            streams: Vec::new(),
            moov_at: 0,
            header_seen: false,
        }
    }
}

impl From<StreamPad> for Wanted {
    fn from(pad: StreamPad) -> Self {
        Wanted {
            kind: match pad.kind {
                StreamKind::Video => TrackKind::Video,
                StreamKind::Audio => TrackKind::Audio,
            },
            number: pad.number,
        }
    }
}

fn stream_error(e: &Mp4Error) -> ElementError {
    ElementError::stream(format!("could not demux MP4: {e}"))
}

impl QtDemux {
    /// A demuxer for the pads named (fuzzing, without a pipeline).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn with_pads(pads: &[&str]) -> Self {
        QtDemux {
            wanted: pads
                .iter()
                .filter_map(|p| stream_pads::parse(p))
                .map(Wanted::from)
                .collect(),
            ..QtDemux::default()
        }
    }

    /// Takes in one buffer and pushes every sample that became complete.
    pub(crate) fn feed(
        &mut self,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if matches!(self.phase, Phase::Done) {
            return Ok(());
        }
        self.adapter.push(buffer);
        self.pump(ctx)
    }

    /// End of input: everything must have been delivered.
    pub(crate) fn finish(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.pump(ctx)?;
        let end = self.adapter.position() + self.adapter.available() as u64;
        let err = match &self.phase {
            Phase::Done => return Ok(()),
            Phase::Samples => match self
                .streams
                .iter()
                .filter_map(|s| s.next.map(|n| (s, n)))
                .min_by_key(|(_, n)| n.offset)
            {
                Some((s, n)) => {
                    Mp4Error::Truncated {
                        what: if n.offset >= end {
                            "file: no data for the sample"
                        } else {
                            "sample"
                        },
                        offset: n.offset,
                    }
                    .to_string()
                        + &format!(
                            " (sample {} of track {}, {} bytes; the stream ended at byte {end})",
                            n.number, s.track.id, n.size
                        )
                }
                None => return Ok(()),
            },
            Phase::Moov { start, .. } => {
                Mp4Error::Truncated {
                    what: "moov box",
                    offset: *start,
                }
                .to_string()
                    + &format!(" (the stream ended at byte {end})")
            }
            Phase::Top | Phase::Skip { .. } if !self.header_seen => {
                format!("no MP4 box found: the stream ended at byte {end}")
            }
            Phase::Top | Phase::Skip { .. } => {
                format!("no moov box before the end of the stream at byte {end}")
            }
        };
        Err(ctx.error(ElementError::stream(format!("could not demux MP4: {err}"))))
    }

    fn pump(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let progressed = match self.step(ctx) {
                Ok(p) => p,
                Err(Step::Flow(f)) => return Err(f),
                Err(Step::Mp4(e)) => return Err(ctx.error(stream_error(&e))),
            };
            if !progressed {
                return Ok(());
            }
        }
    }

    /// Consumes bytes into the spool when one is active.
    fn consume(&mut self, n: usize) -> Result<usize, Step> {
        let Some(spool) = &mut self.spool else {
            return Ok(self.adapter.skip(n));
        };
        let n = n.min(self.adapter.available());
        let end = spool.filled + n;
        if end > spool.buffer.len() {
            return Err(Step::Mp4(Mp4Error::TooLarge {
                what: "media data before the moov box (remux with the moov first, e.g. ffmpeg -movflags +faststart, or raise max-spool-bytes)".into(),
                offset: spool.start,
                size: end as u64,
                limit: spool.buffer.len() as u64,
            }));
        }
        self.adapter
            .take_into(&mut spool.buffer.data_mut()[spool.filled..end]);
        spool.filled = end;
        Ok(n)
    }

    /// Starts holding media data at the `mdat` at `offset` (declared `size`).
    fn start_spool(&mut self, offset: u64, size: Option<u64>) -> Result<(), Step> {
        // Room for the mdat and a little more (free boxes before moov); never more than
        // the limit, whatever the header claims.
        let wanted = size.map_or(self.max_spool, |s| s.saturating_add(1 << 20));
        let capacity = usize::try_from(wanted.min(self.max_spool)).unwrap_or(usize::MAX);
        let too_large = || {
            Step::Mp4(Mp4Error::TooLarge {
                what: "media data before the moov box".into(),
                offset,
                size: wanted,
                limit: self.max_spool,
            })
        };
        let arena = CpuArena::new("qtdemux-spool", capacity.max(1), 1).map_err(|_| too_large())?;
        let mut buffer = arena.try_acquire().ok_or_else(too_large)?;
        buffer.set_len(capacity);
        self.spool = Some(Spool {
            start: offset,
            buffer,
            filled: 0,
        });
        Ok(())
    }

    /// One unit of work; `Ok(false)` when more input is needed.
    fn step(&mut self, ctx: &mut ProcessContext<'_>) -> Result<bool, Step> {
        match &mut self.phase {
            Phase::Done => {
                self.adapter.clear();
                Ok(false)
            }
            Phase::Samples => self.next_sample(ctx),
            Phase::Skip { left } => {
                let want = match *left {
                    Some(l) => usize::try_from(l).unwrap_or(usize::MAX),
                    None => usize::MAX,
                };
                if self.adapter.available() == 0 {
                    return Ok(false);
                }
                let n = self.consume(want)?;
                if let Phase::Skip { left: Some(l) } = &mut self.phase {
                    *l -= n as u64;
                    if *l == 0 {
                        self.phase = Phase::Top;
                    }
                }
                Ok(n > 0)
            }
            Phase::Moov { start, size, data } => {
                let n = (*size - data.len()).min(self.adapter.available());
                self.adapter.take_extend(n, data);
                if data.len() < *size {
                    return Ok(false);
                }
                let (start, data) = (*start, std::mem::take(data));
                self.header_done(start, &data, ctx)?;
                Ok(true)
            }
            Phase::Top => self.top_box(),
        }
    }

    fn top_box(&mut self) -> Result<bool, Step> {
        let mut head = [0u8; 16];
        let n = self.adapter.available().min(16);
        if n < 8 || !self.adapter.peek(&mut head[..n]) {
            return Ok(false);
        }
        let offset = self.adapter.position();
        let Some(header) = BoxHeader::parse(&head[..n], offset).map_err(Step::Mp4)? else {
            return Ok(false);
        };
        // Real box types are printable; anything else means this is not MP4 (or the
        // previous box's size was wrong).
        if !header
            .kind
            .iter()
            .all(|b| b.is_ascii_graphic() || *b == b' ')
        {
            return Err(Step::Mp4(Mp4Error::invalid(
                "box header",
                offset,
                format!("type {:02x?} is not a box type", header.kind),
            )));
        }
        self.header_seen = true;
        let payload = header.size.map(|s| s - header.header_len as u64);
        match &header.kind {
            b"moov" => {
                let size = header.size.unwrap_or(u64::MAX);
                if size > MAX_MOOV {
                    return Err(Step::Mp4(Mp4Error::TooLarge {
                        what: "moov box".into(),
                        offset,
                        size,
                        limit: MAX_MOOV,
                    }));
                }
                self.consume(header.header_len)?;
                self.phase = Phase::Moov {
                    start: offset,
                    size: usize::try_from(size).unwrap_or(0) - header.header_len,
                    data: Vec::new(),
                };
                self.moov_at = offset;
            }
            b"mdat" if self.spool.is_none() => {
                // Media before the header: hold it until moov says what it is.
                self.start_spool(offset, header.size)?;
                self.consume(header.header_len)?;
                self.phase = Phase::Skip { left: payload };
            }
            _ => {
                self.consume(header.header_len)?;
                self.phase = if payload == Some(0) {
                    Phase::Top
                } else {
                    Phase::Skip { left: payload }
                };
            }
        }
        Ok(true)
    }

    /// `moov` is complete: map pads to tracks, announce caps, start cutting samples.
    fn header_done(
        &mut self,
        start: u64,
        data: &[u8],
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), Step> {
        if let Some(mut spool) = self.spool.take() {
            spool.buffer.set_len(spool.filled);
            self.spooled = Some((spool.start, spool.buffer.freeze()));
        }
        let tracks = moov::parse(Cursor::new(data, start + 8)).map_err(Step::Mp4)?;
        self.streams.clear();
        for (pad, wanted) in self.wanted.iter().enumerate() {
            let track = tracks
                .iter()
                .filter(|t| t.kind == wanted.kind)
                .nth(wanted.number);
            let Some(track) = track else {
                ctx.warning(format!(
                    "pad {}_{} is linked but the file has no such track; it gets no data",
                    if wanted.kind == TrackKind::Video {
                        "video"
                    } else {
                        "audio"
                    },
                    wanted.number
                ));
                continue;
            };
            let mut cursor = SampleCursor::default();
            let next = cursor.next(&track.tables, start).map_err(Step::Mp4)?;
            let caps = Caps::new(track.caps.clone());
            ctx.post_message(
                Structure::new("stream-info")
                    .with("pad", pad as i64)
                    .with("track-id", i64::from(track.id))
                    .with("caps", caps.to_string().as_str())
                    .with("samples", i64::from(track.tables.count))
                    .with(
                        "duration",
                        ClockTime::scale(track.duration, 1, u64::from(track.timescale)).nanos()
                            as i64,
                    ),
            );
            ctx.set_src_caps(pad, caps);
            self.streams.push(Stream {
                pad,
                track: track.clone(),
                cursor,
                next,
                discont: true,
            });
        }
        self.phase = Phase::Samples;
        Ok(())
    }

    fn next_sample(&mut self, ctx: &mut ProcessContext<'_>) -> Result<bool, Step> {
        let Some(i) = self
            .streams
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.next.map(|n| (i, n.offset)))
            .min_by_key(|&(_, o)| o)
            .map(|(i, _)| i)
        else {
            self.spooled = None;
            self.phase = Phase::Done;
            return Ok(true);
        };
        let Some(sample) = self.streams[i].next else {
            return Ok(false);
        };
        if sample.size > MAX_SAMPLE {
            return Err(Step::Mp4(Mp4Error::TooLarge {
                what: format!(
                    "sample {} of track {}",
                    sample.number, self.streams[i].track.id
                ),
                offset: sample.offset,
                size: u64::from(sample.size),
                limit: u64::from(MAX_SAMPLE),
            }));
        }
        let size = sample.size as usize;
        let position = self.adapter.position();
        let out = if let Some(slice) = self.spooled(sample.offset, size) {
            slice
        } else if sample.offset < position {
            return Err(Step::Mp4(Mp4Error::invalid(
                "sample table",
                self.moov_at,
                format!(
                    "sample {} of track {} at byte {} lies before the current position {position} (not playable from a stream)",
                    sample.number, self.streams[i].track.id, sample.offset
                ),
            )));
        } else if sample.offset > position {
            let gap = usize::try_from(sample.offset - position).unwrap_or(usize::MAX);
            let skipped = self.adapter.skip(gap);
            return Ok(skipped > 0);
        } else if self.adapter.available() < size {
            return Ok(false);
        } else if let Some(slice) = self.adapter.take_slice(size) {
            slice
        } else {
            let mut out = ctx.allocate(size).map_err(Step::Flow)?;
            out.set_len(size);
            self.adapter.take_into(out.data_mut());
            out.freeze()
        };
        self.emit(i, sample, out, ctx).map_err(Step::Mp4)?;
        Ok(true)
    }

    /// A sample's bytes as a slice of the spool, when it lies wholly inside.
    fn spooled(&self, offset: u64, size: usize) -> Option<Buffer> {
        let (start, data) = self.spooled.as_ref()?;
        let from = usize::try_from(offset.checked_sub(*start)?).ok()?;
        data.slice(from..from.checked_add(size)?)
    }

    fn emit(
        &mut self,
        i: usize,
        sample: Sample,
        mut out: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), Mp4Error> {
        let moov_at = self.moov_at;
        let stream = &mut self.streams[i];
        let track = &stream.track;
        let dts = i64::try_from(sample.dts).unwrap_or(i64::MAX);
        let meta = out.meta_mut();
        *meta = Default::default();
        meta.dts = track.time(dts);
        meta.pts = track.time(dts.saturating_add(sample.composition_offset));
        meta.duration = Some(ClockTime::scale(
            u64::from(sample.duration),
            1,
            u64::from(track.timescale),
        ));
        meta.offset = Some(sample.offset);
        meta.offset_end = Some(sample.offset + u64::from(sample.size));
        if sample.keyframe {
            meta.flags.insert(BufferFlags::KEYFRAME);
        }
        if stream.discont {
            meta.flags.insert(BufferFlags::DISCONT);
            stream.discont = false;
        }
        stream.next = stream.cursor.next(&track.tables, moov_at)?;
        ctx.push_to(stream.pad, out);
        Ok(())
    }
}

enum Step {
    Flow(FlowError),
    Mp4(Mp4Error),
}

impl ElementImpl for QtDemux {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "max-spool-bytes" => self.max_spool = value.uint_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "max-spool-bytes" => Ok(Value::UInt(self.max_spool)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        // A stream's caps come from the file, not from the input caps; the pad templates
        // bound them.
        match direction {
            PadDirection::Sink => Caps::any(),
            PadDirection::Src => sink_caps(),
        }
    }

    fn configure_pads(&mut self, _sink: &[String], src: &[String]) -> Result<(), ElementError> {
        self.wanted = stream_pads::parse_all("qtdemux", src)?
            .into_iter()
            .map(Wanted::from)
            .collect();
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        let wanted = std::mem::take(&mut self.wanted);
        let max_spool = self.max_spool;
        *self = QtDemux {
            wanted,
            max_spool,
            ..QtDemux::default()
        };
        Ok(())
    }

    fn flush(&mut self) {
        self.adapter.clear();
    }
}

impl Transform for QtDemux {
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
