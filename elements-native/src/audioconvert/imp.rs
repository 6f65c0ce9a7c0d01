//! The `audioconvert` element.
//!
//! A key design decision: samples go through `f64`, which holds every S16, S32 and F32
//! value exactly, so format changes are exact wherever the target can represent the
//! value (S16 -> S32 -> S16 is lossless), and equal caps pass buffers through untouched.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadDirection, PadTemplate, ProcessContext, PropertyError, Transform, Value,
};

use crate::util::audio::{self, AudioFormat, AudioInfo, MAX_CHANNELS};
use crate::util::video_caps::widen_list;

#[derive(Debug)]
struct Conversion {
    input: AudioInfo,
    output: AudioInfo,
    samples: Vec<f64>,
    mixed: Vec<f64>,
}

#[derive(Debug, Default)]
struct AudioConvert {
    /// `None` before caps, `Some(None)` for passthrough.
    conversion: Option<Option<Conversion>>,
}

fn names() -> Vec<&'static str> {
    AudioFormat::ALL.iter().map(|f| f.name()).collect()
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "audioconvert",
        "Filter/Converter/Audio",
        "Convert audio to different formats",
    )
    .pad(PadTemplate::sink(audio::raw_template(&AudioFormat::ALL)))
    .pad(PadTemplate::src(audio::raw_template(&AudioFormat::ALL)))
    .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<AudioConvert>::default())
}

/// Mixes interleaved `input` frames of `from` channels into `to` channels.
fn mix(input: &[f64], from: usize, to: usize, out: &mut Vec<f64>) {
    out.clear();
    if from == to {
        out.extend_from_slice(input);
    } else if from == 1 {
        for &s in input {
            out.extend(std::iter::repeat_n(s, to));
        }
    } else {
        // to == 1 (checked at negotiation): the average keeps full-scale input in range.
        let scale = 1.0 / from as f64;
        out.extend(
            input
                .chunks_exact(from)
                .map(|f| f.iter().sum::<f64>() * scale),
        );
    }
}

impl ElementImpl for AudioConvert {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    /// Any format and channel count on the other side, the same ones preferred: the
    /// structures with the original channel count come first, so fixation keeps it.
    fn transform_caps(&self, _direction: PadDirection, caps: &Caps) -> Caps {
        let same = widen_list(caps, "audio/x-raw", "format", &names());
        if same.is_any() {
            return same;
        }
        let mut out = same.clone();
        for s in same.structures() {
            let mut any_channels = s.clone();
            if s.name() == "audio/x-raw" {
                any_channels.set("channels", CapsValue::int_range(1, MAX_CHANNELS));
                any_channels.remove("channel-mask");
            }
            out.push(any_channels);
        }
        out
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let input = audio::parse_raw(sink.first())?;
        let output = audio::parse_raw(src.first())?;
        if input.rate != output.rate {
            return Err(ElementError::settings(format!(
                "audioconvert does not resample ({} Hz in, {} Hz out); put audioresample next to it",
                input.rate, output.rate
            )));
        }
        let (from, to) = (input.channels, output.channels);
        if from != to && from != 1 && to != 1 {
            return Err(ElementError::settings(format!(
                "audioconvert mixes mono to N channels and N to mono, not {from} to {to}"
            )));
        }
        self.conversion = Some((input != output).then(|| Conversion {
            input,
            output,
            samples: Vec::new(),
            mixed: Vec::new(),
        }));
        Ok(())
    }
}

impl Transform for AudioConvert {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let c = match &mut self.conversion {
            None => return Err(ctx.error(ElementError::stream("no caps were negotiated"))),
            Some(None) => {
                ctx.push(buffer);
                return Ok(());
            }
            Some(Some(c)) => c,
        };
        let frames = audio::check_whole_frames(buffer.len(), &c.input).map_err(|e| ctx.error(e))?;
        c.input.format.read(buffer.data(), &mut c.samples);
        mix(
            &c.samples,
            c.input.channels,
            c.output.channels,
            &mut c.mixed,
        );
        let len = frames * c.output.frame_bytes();
        let mut out = ctx.allocate(len)?;
        out.set_len(len);
        c.output.format.write(&c.mixed, out.data_mut());
        out.meta_mut().clone_from(buffer.meta());
        ctx.push(out.freeze());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixing_up_and_down() {
        let mut out = Vec::new();
        mix(&[0.5, -0.25], 1, 2, &mut out);
        assert_eq!(out, [0.5, 0.5, -0.25, -0.25]);
        mix(&[1.0, 0.0, -1.0, -1.0], 2, 1, &mut out);
        assert_eq!(out, [0.5, -1.0]);
    }
}
