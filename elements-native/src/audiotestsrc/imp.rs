//! The `audiotestsrc` element: properties, fixation (44100 Hz, stereo, S16LE), caps
//! checks and sample-count timestamps; the waveforms live in `wave.rs`.
//!
//! A key design decision: timestamps and offsets derive from the running sample count
//! (`pts = samples / rate`, rounded down), never from summed durations, so they do not
//! drift however long the stream runs.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Caps, CapsValue, ClockTime, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadTemplate, ProduceContext, ProduceResult, PropSpec, PropertyError, Source, Structure, Value,
};

use super::wave::{Oscillator, SampleFormat, Signal, WAVES, Wave};

const DEFAULT_WAVE: Wave = Wave::Sine;
const DEFAULT_FREQ: f64 = 440.0;
const MAX_FREQ: f64 = 20000.0;
const DEFAULT_VOLUME: f64 = 0.8;
const DEFAULT_SAMPLES_PER_BUFFER: i64 = 1024;
const DEFAULT_NUM_BUFFERS: i64 = -1;
const DEFAULT_IS_LIVE: bool = false;
const DEFAULT_TIMESTAMP_OFFSET: i64 = 0;

/// Largest buffer accepted at negotiation: the engine keeps a pool of these.
const MAX_BUFFER_SIZE: usize = 512 * 1024 * 1024;

/// What fixation aims for when downstream leaves a choice.
const PREFERRED_RATE: i64 = 44100;
/// Stereo, as this project chose; GStreamer's audiotestsrc fixates to mono.
const PREFERRED_CHANNELS: i64 = 2;

#[derive(Debug, Clone)]
struct Settings {
    wave: Wave,
    freq: f64,
    volume: f64,
    samples_per_buffer: usize,
    num_buffers: i64,
    is_live: bool,
    timestamp_offset: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            wave: DEFAULT_WAVE,
            freq: DEFAULT_FREQ,
            volume: DEFAULT_VOLUME,
            samples_per_buffer: DEFAULT_SAMPLES_PER_BUFFER as usize,
            num_buffers: DEFAULT_NUM_BUFFERS,
            is_live: DEFAULT_IS_LIVE,
            timestamp_offset: DEFAULT_TIMESTAMP_OFFSET as u64,
        }
    }
}

/// The negotiated format.
#[derive(Debug, Clone, Copy)]
struct State {
    format: SampleFormat,
    rate: u32,
    channels: usize,
    /// Bytes per frame (one sample of every channel).
    frame_size: usize,
}

#[derive(Debug)]
struct AudioTestSrc {
    settings: Settings,
    state: Option<State>,
    oscillator: Oscillator,
    /// Frames produced so far: the next buffer's offset (GStreamer's `next_sample`).
    next_sample: u64,
    buffers: u64,
}

fn template_caps() -> Caps {
    let max = i64::from(i32::MAX);
    Caps::builder("audio/x-raw")
        .field(
            "format",
            CapsValue::list(SampleFormat::ALL.map(SampleFormat::name)),
        )
        .field("layout", "interleaved")
        .field("rate", CapsValue::int_range(1, max))
        .field("channels", CapsValue::int_range(1, max))
        .build()
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "audiotestsrc",
        "Source/Audio",
        "Creates audio test signals of given frequency and volume",
    )
    .pad(PadTemplate::src(template_caps()))
    .property(
        PropSpec::int(
            "samplesperbuffer",
            DEFAULT_SAMPLES_PER_BUFFER,
            1,
            i64::from(i32::MAX),
        )
        .doc("Number of samples in each outgoing buffer"),
    )
    .property(PropSpec::enumeration("wave", DEFAULT_WAVE.nick(), WAVES).doc("Oscillator waveform"))
    .property(
        PropSpec::double("freq", DEFAULT_FREQ, 0.0, MAX_FREQ)
            .doc("Frequency of test signal. The sample rate needs to be at least 2 times higher."),
    )
    .property(PropSpec::double("volume", DEFAULT_VOLUME, 0.0, 1.0).doc("Volume of test signal"))
    .property(
        PropSpec::int("num-buffers", DEFAULT_NUM_BUFFERS, -1, i64::from(i32::MAX))
            .doc("Number of buffers to output before sending EOS (-1 = unlimited)"),
    )
    .property(PropSpec::bool("is-live", DEFAULT_IS_LIVE).doc("Whether to act as a live source"))
    .property(
        PropSpec::int("timestamp-offset", DEFAULT_TIMESTAMP_OFFSET, 0, i64::MAX)
            .doc("An offset added to timestamps set on buffers (in ns)"),
    )
    .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Source(Box::new(AudioTestSrc {
        settings: Settings::default(),
        state: None,
        oscillator: Oscillator::new(),
        next_sample: 0,
        buffers: 0,
    }))
}

/// Reads the negotiated `audio/x-raw` structure.
fn parse_caps(s: &Structure, samples_per_buffer: usize) -> Result<State, ElementError> {
    if s.name() != "audio/x-raw" {
        return Err(ElementError::settings(format!(
            "cannot produce {}, only audio/x-raw",
            s.name()
        )));
    }
    let format = s
        .get_str("format")
        .and_then(SampleFormat::from_name)
        .ok_or_else(|| ElementError::settings("format must be S16LE or F32LE"))?;
    if s.get_str("layout").is_some_and(|l| l != "interleaved") {
        return Err(ElementError::settings(
            "only interleaved layout is produced",
        ));
    }
    let positive = |field: &str| -> Result<i64, ElementError> {
        s.get_int(field)
            .filter(|v| (1..=i64::from(i32::MAX)).contains(v))
            .ok_or_else(|| {
                ElementError::settings(format!(
                    "{field} must be a fixed integer in [1, {}]",
                    i32::MAX
                ))
            })
    };
    let rate = u32::try_from(positive("rate")?)
        .map_err(|_| ElementError::settings("rate does not fit 32 bits"))?;
    let channels = usize::try_from(positive("channels")?)
        .map_err(|_| ElementError::settings("channels does not fit this machine"))?;
    let too_large = || {
        ElementError::settings(format!(
            "{samples_per_buffer} samples of {channels} channels exceed the {MAX_BUFFER_SIZE}-byte buffer limit"
        ))
    };
    let frame_size = channels.checked_mul(format.width()).ok_or_else(too_large)?;
    let buffer = frame_size
        .checked_mul(samples_per_buffer)
        .ok_or_else(too_large)?;
    if buffer > MAX_BUFFER_SIZE {
        return Err(too_large());
    }
    Ok(State {
        format,
        rate,
        channels,
        frame_size,
    })
}

impl AudioTestSrc {
    /// Restarts the stream: first sample, phase zero.
    fn restart(&mut self) {
        self.next_sample = 0;
        self.buffers = 0;
        self.oscillator = Oscillator::new();
    }
}

impl ElementImpl for AudioTestSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "samplesperbuffer" => {
                let v = value.int_for(name)?;
                s.samples_per_buffer =
                    usize::try_from(v).ok().filter(|n| *n > 0).ok_or_else(|| {
                        PropertyError::OutOfRange {
                            name: name.to_owned(),
                            range: format!("[1, {}]", i32::MAX),
                            got: v.to_string(),
                        }
                    })?;
            }
            "wave" => {
                let nick = value.str_for(name)?;
                s.wave = Wave::from_nick(nick).ok_or_else(|| PropertyError::BadValue {
                    name: name.to_owned(),
                    expected: "a wave nick".to_owned(),
                    got: nick.to_owned(),
                })?;
            }
            "freq" => s.freq = value.double_for(name)?.clamp(0.0, MAX_FREQ),
            "volume" => s.volume = value.double_for(name)?.clamp(0.0, 1.0),
            "num-buffers" => s.num_buffers = value.int_for(name)?,
            "is-live" => s.is_live = value.bool_for(name)?,
            "timestamp-offset" => s.timestamp_offset = value.uint_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "samplesperbuffer" => {
                Value::Int(i64::try_from(s.samples_per_buffer).unwrap_or(i64::MAX))
            }
            "wave" => Value::Enum(s.wave.nick().to_owned()),
            "freq" => Value::Double(s.freq),
            "volume" => Value::Double(s.volume),
            "num-buffers" => Value::Int(s.num_buffers),
            "is-live" => Value::Bool(s.is_live),
            "timestamp-offset" => Value::Int(i64::try_from(s.timestamp_offset).unwrap_or(i64::MAX)),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn fixate_caps(&self, _pad: usize, caps: Caps) -> Caps {
        let Some(first) = caps.structure(0) else {
            return caps.fixate();
        };
        let mut s = first.clone();
        s.fixate_field_nearest_int("rate", PREFERRED_RATE);
        s.fixate_field_nearest_int("channels", PREFERRED_CHANNELS);
        // Format and layout take the first allowed value, S16LE first.
        Caps::new(s.fixate())
    }

    fn set_caps(&mut self, _sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let s = src
            .first()
            .and_then(|c| c.structure(0))
            .ok_or_else(|| ElementError::settings("no output caps were negotiated"))?;
        self.state = Some(parse_caps(s, self.settings.samples_per_buffer)?);
        self.restart();
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.restart();
        Ok(())
    }
}

impl Source for AudioTestSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let s = &self.settings;
        if u64::try_from(s.num_buffers).is_ok_and(|max| self.buffers >= max) {
            return Ok(ProduceResult::Eos);
        }
        let Some(state) = self.state else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        // `samplesperbuffer` may have grown after the pool was sized: never overrun a slot.
        let frames = s
            .samples_per_buffer
            .min(ctx.slot_size() / state.frame_size.max(1));
        if frames == 0 {
            return Err(ctx.error(ElementError::resource(format!(
                "output buffers of {} bytes cannot hold one {}-byte frame",
                ctx.slot_size(),
                state.frame_size
            ))));
        }
        let signal = Signal {
            wave: s.wave,
            freq: s.freq,
            volume: s.volume,
            rate: state.rate,
            channels: state.channels,
            format: state.format,
        };
        let len = frames * state.frame_size;
        let first = self.next_sample;
        let last = first.saturating_add(frames as u64);
        let rate = u64::from(state.rate);
        let offset = ClockTime(s.timestamp_offset);
        let buffer = ctx.buffer()?;
        let len = buffer.set_len(len);
        self.oscillator.fill(&signal, buffer.data_mut());
        let start = ClockTime::scale(first, 1, rate);
        let end = ClockTime::scale(last, 1, rate);
        let meta = buffer.meta_mut();
        meta.pts = Some(start.saturating_add(offset));
        meta.duration = Some(ClockTime(end.0.saturating_sub(start.0)));
        meta.offset = Some(first);
        meta.offset_end = Some(last);
        self.next_sample = last;
        self.buffers = self.buffers.saturating_add(1);
        Ok(ProduceResult::Produced(len))
    }

    fn buffer_size(&self) -> usize {
        self.state.map_or(0, |st| {
            st.frame_size
                .saturating_mul(self.settings.samples_per_buffer)
                .min(MAX_BUFFER_SIZE)
        })
    }

    fn is_live(&self) -> bool {
        self.settings.is_live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_parsing() {
        let s = |t: &str| t.parse::<Structure>().expect("structure");
        let st = parse_caps(
            &s("audio/x-raw, format=S16LE, layout=interleaved, rate=44100, channels=2"),
            1024,
        )
        .expect("valid");
        assert_eq!((st.rate, st.channels, st.frame_size), (44100, 2, 4));
        let huge =
            s("audio/x-raw, format=F32LE, layout=interleaved, rate=48000, channels=2147483647");
        assert!(parse_caps(&huge, 1024).is_err_and(|e| e.message.contains("limit")));
        assert!(parse_caps(&s("audio/x-raw, format=S8, rate=1, channels=1"), 1).is_err());
        assert!(
            parse_caps(
                &s("audio/x-raw, format=S16LE, layout=non-interleaved, rate=1, channels=1"),
                1
            )
            .is_err()
        );
        assert!(parse_caps(&s("audio/x-raw, format=S16LE, rate=0, channels=1"), 1).is_err());
    }
}
