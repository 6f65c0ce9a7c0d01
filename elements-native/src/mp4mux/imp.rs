//! The `mp4mux` element: request pads `video_%u` / `audio_%u` in, one non-fragmented MP4
//! file out at end of stream.
//!
//! A key design decision: the engine pushes and never seeks, so a file whose `moov`
//! describes every sample can only be written once every sample is known. The muxer
//! copies sample bytes into memory as they arrive and writes `ftyp`, `moov` and `mdat`
//! (moov first by default, `faststart=false` puts it last) as one buffer at the end.
//! Memory is therefore the size of the file; fragmented MP4 would stream instead.

use parallax_core::registry::{ElementInfo, Rank};
use parallax_core::{
    AnyElement, Buffer, Caps, CapsValue, ClockTime, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadPresence, PadTemplate, ProcessContext, PropSpec, PropertyError,
    Structure, Transform, Value,
};

use super::write::{self, Entry, SampleData, TrackData};
use crate::util::codec_data;

const DEFAULT_FASTSTART: bool = true;
const VIDEO_TIMESCALE: u32 = 90_000;

fn video_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("video/x-av1")
            .with("stream-format", "obu-stream")
            .with("alignment", "tu"),
        Structure::new("video/x-h264")
            .with("stream-format", "avc")
            .with("alignment", "au"),
    ])
}

fn audio_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("audio/mpeg")
            .with("mpegversion", 4)
            .with("stream-format", "raw"),
        Structure::new("audio/x-opus"),
        Structure::new("audio/x-raw")
            .with("format", "S16LE")
            .with("layout", "interleaved")
            .with("rate", CapsValue::int_range(1, 65535))
            .with("channels", CapsValue::int_range(1, 8)),
    ])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "mp4mux",
        "Codec/Muxer",
        "Multiplex audio and video into an MP4 file",
    )
    .pad(PadTemplate::new(
        "video_%u",
        PadDirection::Sink,
        PadPresence::Request,
        video_caps(),
    ))
    .pad(PadTemplate::new(
        "audio_%u",
        PadDirection::Sink,
        PadPresence::Request,
        audio_caps(),
    ))
    .pad(PadTemplate::src(Caps::new(
        Structure::new("video/quicktime").with("variant", "iso"),
    )))
    .property(
        PropSpec::bool("faststart", DEFAULT_FASTSTART)
            .doc("Write the moov header before the media data"),
    )
    .hints(ExecutionHints::DEFAULT)
    .rank(Rank::Primary)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Mp4Mux {
        faststart: DEFAULT_FASTSTART,
        tracks: Vec::new(),
        data: Vec::new(),
    }))
}

#[derive(Debug)]
struct Track {
    entry: Option<Entry>,
    timescale: u32,
    /// Raw AV1 without codec_data: av1C is built from the first sequence header.
    needs_av1c: bool,
    samples: Vec<SampleData>,
    /// Decode time and duration of every sample, in ticks, before durations are fixed.
    last_dts: Option<u64>,
}

struct Mp4Mux {
    faststart: bool,
    tracks: Vec<Track>,
    data: Vec<u8>,
}

fn ticks(t: ClockTime, timescale: u32) -> u64 {
    let v = u128::from(t.nanos()) * u128::from(timescale) + 500_000_000;
    u64::try_from(v / 1_000_000_000).unwrap_or(u64::MAX)
}

fn entry_for(caps: &Caps) -> Result<(Option<Entry>, u32, bool), ElementError> {
    let s = caps
        .structure(0)
        .ok_or_else(|| ElementError::settings("mp4mux got no caps"))?;
    let int = |f: &str| {
        s.get_int(f)
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(0)
    };
    let config = codec_data::get(s);
    let missing =
        |what: &str| ElementError::settings(format!("mp4mux needs codec_data for {what} ({caps})"));
    Ok(match s.name() {
        "video/x-av1" => match config {
            Some(av1c) => (
                Some(Entry::Av1 {
                    width: int("width"),
                    height: int("height"),
                    av1c,
                }),
                VIDEO_TIMESCALE,
                false,
            ),
            None => (None, VIDEO_TIMESCALE, true),
        },
        "video/x-h264" => {
            let avcc = config.ok_or_else(|| missing("H.264"))?;
            (
                Some(Entry::H264 {
                    width: int("width"),
                    height: int("height"),
                    avcc,
                }),
                VIDEO_TIMESCALE,
                false,
            )
        }
        "audio/mpeg" => {
            let asc = config.ok_or_else(|| missing("AAC"))?;
            let rate = s
                .get_int("rate")
                .and_then(|r| u32::try_from(r).ok())
                .unwrap_or(48_000);
            (
                Some(Entry::Aac {
                    rate,
                    channels: int("channels").max(1),
                    asc,
                }),
                rate,
                false,
            )
        }
        "audio/x-opus" => {
            let dops = config.ok_or_else(|| missing("Opus"))?;
            (
                Some(Entry::Opus {
                    channels: int("channels").max(1),
                    dops,
                }),
                48_000,
                false,
            )
        }
        "audio/x-raw" => {
            let rate = s
                .get_int("rate")
                .and_then(|r| u32::try_from(r).ok())
                .unwrap_or(48_000);
            (
                Some(Entry::Pcm16 {
                    rate,
                    channels: int("channels").max(1),
                }),
                rate,
                false,
            )
        }
        other => {
            return Err(ElementError::settings(format!(
                "mp4mux cannot store {other}"
            )));
        }
    })
}

/// An av1C for a stream without one: version 1, main profile, 4:2:0, plus the stream's
/// sequence header OBU (decoders read the details from it).
fn av1c_from(tu: &[u8]) -> Option<Vec<u8>> {
    let mut rest = tu;
    while let Some(&header) = rest.first() {
        let kind = (header >> 3) & 0x0f;
        let ext = usize::from(header & 4 != 0);
        if header & 2 == 0 {
            return None;
        }
        let mut size = 0usize;
        let mut len = 0usize;
        for i in 0..8 {
            let b = *rest.get(1 + ext + i)?;
            size |= usize::from(b & 0x7f) << (7 * i);
            len = i + 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let total = 1 + ext + len + size;
        let obu = rest.get(..total)?;
        if kind == 1 {
            let mut out = vec![0x81, 0x00, 0x0c, 0x00];
            out.extend_from_slice(obu);
            return Some(out);
        }
        rest = &rest[total..];
    }
    None
}

impl Mp4Mux {
    fn add(&mut self, pad: usize, buffer: &Buffer) -> Result<(), ElementError> {
        let track = self
            .tracks
            .get_mut(pad)
            .ok_or_else(|| ElementError::stream(format!("mp4mux has no sink pad {pad}")))?;
        if track.needs_av1c {
            if let Some(av1c) = av1c_from(buffer.data()) {
                track.entry = Some(Entry::Av1 {
                    width: 0,
                    height: 0,
                    av1c,
                });
                track.needs_av1c = false;
            } else {
                return Err(ElementError::stream(
                    "AV1 stream without codec_data does not start with a sequence header",
                ));
            }
        }
        let meta = buffer.meta();
        let ts = track.timescale;
        let dts = meta
            .dts
            .or(meta.pts)
            .map(|t| ticks(t, ts))
            .or_else(|| track.samples.last().map(|s| s.dts + u64::from(s.duration)))
            .unwrap_or(0);
        // Decode times never go backwards in a sample table.
        let dts = dts.max(track.last_dts.unwrap_or(0));
        if let Some(prev) = track.samples.last_mut() {
            prev.duration = u32::try_from(dts - prev.dts).unwrap_or(u32::MAX);
        }
        let composition_offset = meta
            .pts
            .map(|p| ticks(p, ts) as i64 - dts as i64)
            .and_then(|o| i32::try_from(o).ok())
            .unwrap_or(0);
        let size =
            u32::try_from(buffer.len()).map_err(|_| ElementError::stream("sample over 4 GiB"))?;
        track.samples.push(SampleData {
            offset: self.data.len() as u64,
            size,
            dts,
            composition_offset,
            duration: meta
                .duration
                .map_or(0, |d| u32::try_from(ticks(d, ts)).unwrap_or(u32::MAX)),
            keyframe: meta.flags.contains(parallax_core::BufferFlags::KEYFRAME),
        });
        track.last_dts = Some(dts);
        self.data.extend_from_slice(buffer.data());
        Ok(())
    }

    fn finish(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let mut tracks = Vec::new();
        for t in &mut self.tracks {
            let Some(entry) = t.entry.clone() else {
                continue;
            };
            // The last sample without a duration lasts as long as the one before it.
            let n = t.samples.len();
            if n >= 2 && t.samples[n - 1].duration == 0 {
                t.samples[n - 1].duration = t.samples[n - 2].duration;
            }
            tracks.push(TrackData {
                entry,
                timescale: t.timescale,
                samples: std::mem::take(&mut t.samples),
            });
        }
        let file = write::file(&tracks, &self.data, self.faststart);
        self.data = Vec::new();
        let mut out = ctx.allocate(file.len())?;
        out.set_len(file.len());
        out.data_mut().copy_from_slice(&file);
        out.meta_mut().offset = Some(0);
        ctx.push(out.freeze());
        Ok(())
    }
}

impl ElementImpl for Mp4Mux {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "faststart" => self.faststart = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "faststart" => Ok(Value::Bool(self.faststart)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => {
                Caps::new(Structure::new("video/quicktime").with("variant", "iso"))
            }
            // Each input pad's own template bounds it.
            PadDirection::Src => Caps::any(),
        }
    }

    fn configure_pads(&mut self, sink: &[String], _src: &[String]) -> Result<(), ElementError> {
        self.tracks = sink
            .iter()
            .map(|_| Track {
                entry: None,
                timescale: VIDEO_TIMESCALE,
                needs_av1c: false,
                samples: Vec::new(),
                last_dts: None,
            })
            .collect();
        Ok(())
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        for (track, caps) in self.tracks.iter_mut().zip(sink) {
            // Initial negotiation may only know the media type; the real caps (with
            // codec_data) follow in-band before the first buffer.
            if !caps.is_fixed()
                || caps.structure(0).is_none_or(|s| {
                    codec_data::get(s).is_none()
                        && s.name() != "audio/x-raw"
                        && s.name() != "video/x-av1"
                })
            {
                continue;
            }
            let (entry, timescale, needs_av1c) = entry_for(caps)?;
            *track = Track {
                entry,
                timescale,
                needs_av1c,
                samples: std::mem::take(&mut track.samples),
                last_dts: track.last_dts,
            };
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.data.clear();
        for t in &mut self.tracks {
            t.samples.clear();
            t.last_dts = None;
        }
        Ok(())
    }
}

impl Transform for Mp4Mux {
    fn process(
        &mut self,
        pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self
            .tracks
            .get(pad)
            .is_some_and(|t| t.entry.is_none() && !t.needs_av1c)
        {
            return Err(ctx.error(ElementError::stream(format!(
                "mp4mux sink pad {pad} got data before caps it can store (codec_data missing?)"
            ))));
        }
        self.add(pad, &buffer).map_err(|e| ctx.error(e))
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.finish(ctx)
    }
}
