//! The `dav1ddec` element: each input buffer is one temporal unit (from `ivfparse`,
//! `qtdemux`, `rav1enc`); pictures come out in presentation order with the pts of the
//! unit they were decoded from, and their caps go out in-band before the first one and
//! at every size or depth change.
//!
//! A key design decision: the input buffer itself is handed to libdav1d (it is kept
//! alive until dav1d releases it), so a temporal unit is never copied on the way in; in
//! a sandboxed worker that buffer is a read-only view of the host's memory.

use dav1d::{Decoder, Error as Dav1dError, Settings};
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, BufferMeta, Caps, ClockTime, ElementError, ElementImpl,
    ExecutionHints, FlowError, Fraction, PadDirection, PadTemplate, ProcessContext, PropSpec,
    PropertyError, Transform, Value,
};

use super::picture::{self, Shape};
use crate::util::video_caps;

const DEFAULT_N_THREADS: u64 = 0;
const DEFAULT_MAX_FRAME_DELAY: u64 = 0;
const FORMATS: [&str; 3] = ["I420", "I420_10LE", "I420_12LE"];

#[derive(Debug, Clone, Copy)]
struct Properties {
    n_threads: u64,
    max_frame_delay: u64,
}

struct Dav1dDec {
    props: Properties,
    decoder: Option<Decoder>,
    framerate: Option<Fraction>,
    /// The sequence header from `codec_data` (MP4's `av1C` config OBUs), sent first.
    config_obus: Option<Vec<u8>>,
    announced: Option<Shape>,
}

/// Data for dav1d, which holds it until it has read it: an input buffer (no copy) or
/// the config OBUs from the caps.
enum Unit {
    Buffer(Buffer),
    Bytes(Vec<u8>),
}

impl AsRef<[u8]> for Unit {
    fn as_ref(&self) -> &[u8] {
        match self {
            Unit::Buffer(b) => b.data(),
            Unit::Bytes(v) => v,
        }
    }
}

fn sink_template() -> Caps {
    Caps::builder("video/x-av1")
        .field("stream-format", "obu-stream")
        .field("alignment", "tu")
        .build()
}

fn src_template() -> Caps {
    video_caps::raw_template(&FORMATS)
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "dav1ddec",
        "Codec/Decoder/Video",
        "Decode AV1 with libdav1d (isolated in a sandboxed process by default)",
    )
    .pad(PadTemplate::sink(sink_template()))
    .pad(PadTemplate::src(src_template()))
    .property(
        PropSpec::uint("n-threads", DEFAULT_N_THREADS, 0, 256)
            .doc("Decoding threads (0 = one per CPU, as dav1d chooses)"),
    )
    .property(
        PropSpec::uint("max-frame-delay", DEFAULT_MAX_FRAME_DELAY, 0, 256)
            .doc("Most frames decoded ahead of output (0 = as dav1d chooses; 1 = lowest latency)"),
    )
    .hints(ExecutionHints {
        // A C library parsing untrusted bitstreams: the reason this element is isolated.
        uses_native_code: true,
        ..ExecutionHints::DEFAULT
    })
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Dav1dDec {
        props: Properties {
            n_threads: DEFAULT_N_THREADS,
            max_frame_delay: DEFAULT_MAX_FRAME_DELAY,
        },
        decoder: None,
        framerate: None,
        config_obus: None,
        announced: None,
    }))
}

fn decode_error(what: &str, e: Dav1dError) -> ElementError {
    ElementError::stream(format!("dav1d: {what}: {e}"))
}

/// `av1C` is 4 bytes of fields, then the config OBUs (usually the sequence header).
fn config_obus(codec_data: &str) -> Option<Vec<u8>> {
    let bytes: Option<Vec<u8>> = (0..codec_data.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(codec_data.get(i..i + 2)?, 16).ok())
        .collect();
    bytes.filter(|b| b.len() > 4).map(|b| b[4..].to_vec())
}

impl Dav1dDec {
    fn decoder(&mut self, ctx: &mut ProcessContext<'_>) -> Result<&mut Decoder, FlowError> {
        if self.decoder.is_none() {
            let mut settings = Settings::new();
            // Both are at most 256 (the property range), so the casts are exact.
            settings.set_n_threads(self.props.n_threads as u32);
            settings.set_max_frame_delay(self.props.max_frame_delay as u32);
            let decoder = Decoder::with_settings(&settings)
                .map_err(|e| ctx.error(decode_error("cannot open a decoder", e)))?;
            self.decoder = Some(decoder);
        }
        self.decoder.as_mut().ok_or(FlowError::Flushing)
    }

    /// Sends one unit, taking pictures out whenever dav1d's queue is full.
    fn send(
        &mut self,
        data: Unit,
        meta: &BufferMeta,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let pts = meta.pts.and_then(|t| i64::try_from(t.nanos()).ok());
        let duration = meta.duration.and_then(|t| i64::try_from(t.nanos()).ok());
        let mut sent = self.decoder(ctx)?.send_data(data, None, pts, duration);
        let result = loop {
            match sent {
                Ok(()) => break Ok(()),
                Err(Dav1dError::Again) => {
                    // dav1d keeps the rest of the unit; it needs a picture taken first.
                    if let Err(e) = self.take_pictures(ctx, false) {
                        break Err(e);
                    }
                    sent = self.decoder(ctx)?.send_pending_data();
                }
                Err(e) => break Err(ctx.error(decode_error("cannot decode", e))),
            }
        };
        if result.is_err()
            && let Some(decoder) = self.decoder.as_mut()
        {
            // Drops data dav1d still holds: sending more while it holds some panics.
            decoder.flush();
        }
        result
    }

    /// Pushes the pictures dav1d has ready; `drain` also waits for frames in flight.
    fn take_pictures(
        &mut self,
        ctx: &mut ProcessContext<'_>,
        drain: bool,
    ) -> Result<(), FlowError> {
        loop {
            let got = self.decoder(ctx)?.get_picture();
            let p = match got {
                Ok(p) => p,
                Err(Dav1dError::Again) => return Ok(()),
                Err(e) => return Err(ctx.error(decode_error("cannot output a picture", e))),
            };
            self.push_picture(&p, ctx)?;
            if !drain {
                // dav1d's guidance: one picture per unit keeps frame threading busy.
                return Ok(());
            }
        }
    }

    fn push_picture(
        &mut self,
        p: &dav1d::Picture,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let shape = Shape::of(p).map_err(|e| ctx.error(e))?;
        let size = shape.frame_size();
        let mut out = ctx.allocate(size)?;
        out.set_len(size);
        picture::copy_planes(p, &shape, out.data_mut()).map_err(|e| ctx.error(e))?;
        let meta = out.meta_mut();
        meta.pts = p
            .timestamp()
            .and_then(|t| u64::try_from(t).ok())
            .map(ClockTime);
        meta.duration = u64::try_from(p.duration())
            .ok()
            .filter(|&d| d > 0)
            .map(ClockTime);
        if self.announced != Some(shape) {
            ctx.set_src_caps(0, shape.caps(self.framerate));
            self.announced = Some(shape);
            meta.flags.insert(BufferFlags::DISCONT);
        }
        ctx.push(out.freeze());
        Ok(())
    }
}

impl ElementImpl for Dav1dDec {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "n-threads" => self.props.n_threads = value.uint_for(name)?,
            "max-frame-delay" => self.props.max_frame_delay = value.uint_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Ok(match name {
            "n-threads" => Value::UInt(self.props.n_threads),
            "max-frame-delay" => Value::UInt(self.props.max_frame_delay),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        // The real output caps are only known from the first picture; they go out
        // in-band then, so negotiation only checks that raw video can flow.
        match direction {
            PadDirection::Sink => src_template(),
            PadDirection::Src => sink_template(),
        }
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let s = sink.first().and_then(|c| c.structure(0));
        self.framerate = s.and_then(video_caps::framerate);
        self.config_obus = s
            .and_then(|s| s.get_str("codec_data"))
            .and_then(config_obus);
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.decoder = None;
        self.announced = None;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        self.decoder = None;
        Ok(())
    }

    fn flush(&mut self) {
        if let Some(decoder) = self.decoder.as_mut() {
            decoder.flush();
            // Pictures still queued belong to before the flush.
            while decoder.get_picture().is_ok() {}
        }
    }
}

impl Transform for Dav1dDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if let Some(obus) = self.config_obus.take() {
            self.send(Unit::Bytes(obus), &BufferMeta::default(), ctx)?;
        }
        let meta = buffer.meta().clone();
        self.send(Unit::Buffer(buffer), &meta, ctx)?;
        self.take_pictures(ctx, false)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.decoder.is_none() {
            return Ok(());
        }
        self.take_pictures(ctx, true)
    }
}

#[cfg(test)]
mod tests {
    use super::config_obus;

    #[test]
    fn av1c_config_obus_follow_four_bytes() {
        assert_eq!(config_obus("812000000a0b"), Some(vec![0x0a, 0x0b]));
        assert_eq!(config_obus("81200000"), None);
        assert_eq!(config_obus("8x"), None);
    }
}
