//! The `audioresample` element: caps (same format and channels, any rate), and the
//! per-buffer call with timestamps counted in output samples.
//!
//! A key design decision: the output offers the input rate first, so fixation keeps it
//! whenever downstream allows it and buffers then pass through untouched. When
//! resampling, output timestamps are the first input timestamp plus the output frames
//! produced so far over the output rate, so they never drift from the sample count.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, CapsValue, ClockTime, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropertyError, Transform, Value,
};

use super::sinc::Resampler;
use crate::util::audio::{self, AudioFormat, AudioInfo, MAX_RATE};

#[derive(Debug)]
struct Resampling {
    input: AudioInfo,
    output: AudioInfo,
    resampler: Resampler,
    /// Timestamp of the first input buffer that had one.
    start: Option<ClockTime>,
    samples: Vec<f64>,
    resampled: Vec<f64>,
}

#[derive(Debug, Default)]
struct AudioResample {
    /// `None` before caps, `Some(None)` for passthrough.
    mode: Option<Option<Resampling>>,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("audioresample", "Filter/Converter/Audio", "Resamples audio")
        .pad(PadTemplate::sink(audio::raw_template(&AudioFormat::ALL)))
        .pad(PadTemplate::src(audio::raw_template(&AudioFormat::ALL)))
        .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<AudioResample>::default())
}

impl Resampling {
    /// Writes `self.resampled` into a buffer and pushes it.
    fn push_out(&mut self, first: u64, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let ch = self.output.channels;
        let frames = (self.resampled.len() / ch) as u64;
        if frames == 0 {
            return Ok(());
        }
        let len = self.resampled.len() * self.output.format.width();
        let mut out = ctx.allocate(len)?;
        out.set_len(len);
        self.output.format.write(&self.resampled, out.data_mut());
        let rate = u64::from(self.output.rate);
        let meta = out.meta_mut();
        if let Some(start) = self.start {
            meta.pts = Some(start.saturating_add(ClockTime::scale(first, 1, rate)));
        }
        meta.duration = Some(ClockTime::scale(frames, 1, rate));
        meta.offset = Some(first);
        meta.offset_end = Some(first + frames);
        ctx.push(out.freeze());
        Ok(())
    }
}

impl ElementImpl for AudioResample {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, _direction: PadDirection, caps: &Caps) -> Caps {
        if caps.is_any() {
            return caps.clone();
        }
        let mut out = caps.clone();
        for s in out.structures_mut() {
            if s.name() != "audio/x-raw" {
                continue;
            }
            if let Some(v) = s.get("rate").cloned() {
                // The current rate first (fixation keeps it), then any rate.
                s.set(
                    "rate",
                    CapsValue::List(vec![v, CapsValue::int_range(1, MAX_RATE)]),
                );
            }
        }
        out
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let input = audio::parse_raw(sink.first())?;
        let output = audio::parse_raw(src.first())?;
        if (input.format, input.channels) != (output.format, output.channels) {
            return Err(ElementError::settings(format!(
                "audioresample changes only the rate ({} {}ch in, {} {}ch out); put \
                 audioconvert next to it",
                input.format.name(),
                input.channels,
                output.format.name(),
                output.channels
            )));
        }
        self.mode = Some((input.rate != output.rate).then(|| Resampling {
            input,
            output,
            resampler: Resampler::new(input.rate, output.rate, input.channels),
            start: None,
            samples: Vec::new(),
            resampled: Vec::new(),
        }));
        Ok(())
    }

    fn flush(&mut self) {
        // A flush starts a new stream: fresh filter state and timestamps.
        if let Some(Some(r)) = &mut self.mode {
            r.resampler = Resampler::new(r.input.rate, r.output.rate, r.input.channels);
            r.start = None;
        }
    }
}

impl Transform for AudioResample {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(mode) = self.mode.as_mut() else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let Some(r) = mode else {
            ctx.push(buffer);
            return Ok(());
        };
        audio::check_whole_frames(buffer.len(), &r.input).map_err(|e| ctx.error(e))?;
        if r.start.is_none() {
            r.start = buffer.meta().pts;
        }
        r.input.format.read(buffer.data(), &mut r.samples);
        let first = r.resampler.frames_out();
        r.resampler.push(&r.samples, &mut r.resampled);
        r.push_out(first, ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let Some(Some(r)) = self.mode.as_mut() else {
            return Ok(());
        };
        let first = r.resampler.frames_out();
        r.resampler.drain(&mut r.resampled);
        r.push_out(first, ctx)
    }
}
