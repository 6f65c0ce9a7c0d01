//! The `ivfmux` element: a 32-byte file header before the first frame, then a 12-byte
//! frame header (size, timestamp) in front of each temporal unit.
//!
//! A key design decision: like `wavenc`, nothing is held back and nothing is rewritten:
//! the header's frame count stays 0 (readers go by the file length; dav1d and FFmpeg
//! ignore the count), and timestamps are in the stream's frame duration (1/framerate),
//! computed from each buffer's pts.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, CapsValue, ClockTime, ElementError, ElementImpl,
    ExecutionHints, FlowError, PadDirection, PadTemplate, ProcessContext, PropertyError, Transform,
    Value,
};

use crate::util::video_caps::{self, MAX_DIMENSION};

const FILE_HEADER_LEN: usize = 32;
const FRAME_HEADER_LEN: usize = 12;

#[derive(Debug, Clone, Copy)]
struct Stream {
    width: u16,
    height: u16,
    /// Time base: `num / den` seconds per tick (the frame duration).
    num: u32,
    den: u32,
}

#[derive(Debug, Default)]
struct IvfMux {
    stream: Option<Stream>,
    header_sent: bool,
    frames: u64,
}

fn sink_template() -> Caps {
    Caps::builder("video/x-av1")
        .field("stream-format", "obu-stream")
        .field("alignment", "tu")
        .field("width", CapsValue::int_range(1, MAX_DIMENSION))
        .field("height", CapsValue::int_range(1, MAX_DIMENSION))
        .build()
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("ivfmux", "Codec/Muxer", "Muxes AV1 into an IVF file")
        .pad(PadTemplate::sink(sink_template()))
        .pad(PadTemplate::src(Caps::builder("video/x-ivf").build()))
        .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<IvfMux>::default())
}

fn file_header(s: &Stream) -> [u8; FILE_HEADER_LEN] {
    let mut h = [0u8; FILE_HEADER_LEN];
    h[0..4].copy_from_slice(b"DKIF");
    // version 0, then the header length
    h[6..8].copy_from_slice(&(FILE_HEADER_LEN as u16).to_le_bytes());
    h[8..12].copy_from_slice(b"AV01");
    h[12..14].copy_from_slice(&s.width.to_le_bytes());
    h[14..16].copy_from_slice(&s.height.to_le_bytes());
    // IVF stores the rate (ticks per second) first, then the scale.
    h[16..20].copy_from_slice(&s.den.to_le_bytes());
    h[20..24].copy_from_slice(&s.num.to_le_bytes());
    h
}

impl ElementImpl for IvfMux {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => Caps::builder("video/x-ivf").build(),
            PadDirection::Src if caps.can_intersect(&Caps::builder("video/x-ivf").build()) => {
                sink_template()
            }
            PadDirection::Src => Caps::empty(),
        }
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let s = sink
            .first()
            .and_then(|c| c.structure(0))
            .ok_or_else(|| ElementError::settings("no input caps were negotiated"))?;
        let (w, h) = video_caps::dimensions(s)?;
        let rate = video_caps::framerate(s).unwrap_or(parallax_core::Fraction::new(30, 1));
        let (Ok(width), Ok(height), Ok(num), Ok(den)) = (
            u16::try_from(w),
            u16::try_from(h),
            u32::try_from(rate.den),
            u32::try_from(rate.num),
        ) else {
            return Err(ElementError::settings(format!(
                "{w}x{h} at {rate:?} does not fit an IVF header"
            )));
        };
        self.stream = Some(Stream {
            width,
            height,
            num,
            den,
        });
        self.header_sent = false;
        self.frames = 0;
        Ok(())
    }
}

impl Transform for IvfMux {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(stream) = self.stream else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let Ok(size) = u32::try_from(buffer.len()) else {
            return Err(ctx.error(ElementError::stream(format!(
                "a {}-byte frame does not fit IVF's 32-bit frame size",
                buffer.len()
            ))));
        };
        // Ticks of num/den seconds; without a pts, the frame count.
        let ticks = buffer.meta().pts.map_or(self.frames, |ClockTime(ns)| {
            let scaled =
                u128::from(ns) * u128::from(stream.den) / (u128::from(stream.num) * 1_000_000_000);
            u64::try_from(scaled).unwrap_or(u64::MAX)
        });
        let header_len = if self.header_sent { 0 } else { FILE_HEADER_LEN };
        let len = header_len + FRAME_HEADER_LEN + buffer.len();
        let mut out = ctx.allocate(len)?;
        out.set_len(len);
        let data = out.data_mut();
        if !self.header_sent {
            data[..FILE_HEADER_LEN].copy_from_slice(&file_header(&stream));
        }
        let frame = &mut data[header_len..];
        frame[0..4].copy_from_slice(&size.to_le_bytes());
        frame[4..12].copy_from_slice(&ticks.to_le_bytes());
        frame[12..].copy_from_slice(buffer.data());
        let meta = out.meta_mut();
        meta.clone_from(buffer.meta());
        if !self.header_sent {
            meta.flags.insert(BufferFlags::HEADER);
        }
        self.header_sent = true;
        self.frames += 1;
        ctx.push(out.freeze());
        Ok(())
    }
}
