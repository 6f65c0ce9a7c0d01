//! What the audio decoders and parsers share: the raw formats they write, announcing the
//! caps the stream turns out to have, and timestamps counted in samples.
//!
//! A key design decision: the rate and channel count are only known from the stream, so
//! the caps fixated at negotiation are placeholders (only their `format` is taken, as
//! the downstream preference of a lossy decoder); [`AudioOut::push`] sends the real caps
//! in-band before the first buffer and again whenever the stream changes. Timestamps are
//! the first input timestamp plus the samples written so far, so they never drift.

use parallax_core::{
    BufferMut, Caps, CapsValue, ClockTime, ElementError, FlowError, ProcessContext, Structure,
};

/// Highest sample rate accepted from a stream.
pub(crate) const MAX_RATE: u32 = 768_000;
/// Most channels accepted from a stream.
pub(crate) const MAX_CHANNELS: usize = 32;

/// A raw sample format the decoders write (interleaved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SampleFormat {
    S16Le,
    F32Le,
}

impl SampleFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SampleFormat::S16Le => "S16LE",
            SampleFormat::F32Le => "F32LE",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "S16LE" => Some(SampleFormat::S16Le),
            "F32LE" => Some(SampleFormat::F32Le),
            _ => None,
        }
    }

    /// Bytes of one sample.
    pub(crate) fn bytes(self) -> usize {
        match self {
            SampleFormat::S16Le => 2,
            SampleFormat::F32Le => 4,
        }
    }
}

/// `audio/x-raw` with `formats` (first preferred), any rate and channel count.
pub(crate) fn src_template(formats: &[SampleFormat]) -> Caps {
    Caps::builder("audio/x-raw")
        .field("format", CapsValue::list(formats.iter().map(|f| f.name())))
        .field("rate", CapsValue::int_range(1, i64::from(MAX_RATE)))
        .field("channels", CapsValue::int_range(1, MAX_CHANNELS as i64))
        .field("layout", "interleaved")
        .build()
}

/// The format fixated on the src pad at negotiation, if it names one.
pub(crate) fn negotiated_format(src: &[Caps]) -> Option<SampleFormat> {
    src.first()
        .and_then(|c| c.structure(0))
        .and_then(|s| s.get_str("format"))
        .and_then(SampleFormat::from_name)
}

/// The stream's shape: format, rate and channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AudioShape {
    pub(crate) format: SampleFormat,
    pub(crate) rate: u32,
    pub(crate) channels: usize,
}

impl AudioShape {
    /// Checks rate and channels against the limits.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) naming the byte offset where the stream said so.
    pub(crate) fn new(
        format: SampleFormat,
        rate: u32,
        channels: usize,
        offset: u64,
    ) -> Result<Self, ElementError> {
        if rate == 0 || rate > MAX_RATE || channels == 0 || channels > MAX_CHANNELS {
            return Err(ElementError::stream(format!(
                "unsupported audio at byte offset {offset}: {rate} Hz, {channels} channels \
                 (limits 1..={MAX_RATE} Hz, 1..={MAX_CHANNELS} channels)"
            )));
        }
        Ok(AudioShape {
            format,
            rate,
            channels,
        })
    }

    /// Bytes of one frame (one sample per channel).
    pub(crate) fn frame_bytes(self) -> usize {
        self.format.bytes() * self.channels
    }

    fn caps(self) -> Caps {
        Caps::new(
            Structure::new("audio/x-raw")
                .with("format", self.format.name())
                .with("rate", CapsValue::Int(i64::from(self.rate)))
                .with("channels", CapsValue::Int(self.channels as i64))
                .with("layout", "interleaved"),
        )
    }
}

/// Caps announcement and sample-counted timestamps for one decoded stream.
#[derive(Debug, Default)]
pub(crate) struct AudioOut {
    announced: Option<AudioShape>,
    /// Timestamp of the first sample, from the first timestamped input buffer.
    base: Option<ClockTime>,
    /// Frames pushed since `base` at the current rate.
    frames: u64,
}

impl AudioOut {
    /// Remembers the first input timestamp as the stream's start (later ones are derived
    /// from the sample count).
    pub(crate) fn input_pts(&mut self, pts: Option<ClockTime>) {
        if self.base.is_none() {
            self.base = pts;
        }
    }

    /// Allocates a buffer for `frames` frames of `shape`, lets `fill` write it and pushes
    /// it, announcing caps first when the shape changed.
    ///
    /// # Errors
    ///
    /// What allocation returns.
    pub(crate) fn push(
        &mut self,
        ctx: &mut ProcessContext<'_>,
        shape: AudioShape,
        frames: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(), FlowError> {
        if frames == 0 {
            return Ok(());
        }
        if self.announced != Some(shape) {
            if let Some(old) = self.announced
                && old.rate != shape.rate
            {
                // Restart the sample clock at the new rate from where the old one ended.
                self.base = Some(self.now(old.rate));
                self.frames = 0;
            }
            ctx.set_src_caps(0, shape.caps());
            self.announced = Some(shape);
        }
        let len = frames * shape.frame_bytes();
        let mut out: BufferMut = ctx.allocate(len)?;
        out.set_len(len);
        fill(out.data_mut());
        let pts = self.now(shape.rate);
        self.frames += frames as u64;
        let meta = out.meta_mut();
        meta.pts = Some(pts);
        meta.duration = Some(ClockTime::from_nanos(
            self.now(shape.rate).nanos().saturating_sub(pts.nanos()),
        ));
        meta.offset = None;
        ctx.push(out.freeze());
        Ok(())
    }

    fn now(&self, rate: u32) -> ClockTime {
        let base = self.base.unwrap_or(ClockTime::ZERO);
        base.saturating_add(ClockTime::scale(self.frames, 1, u64::from(rate)))
    }

    /// Starts over (a flush or a new stream).
    pub(crate) fn reset(&mut self) {
        *self = AudioOut::default();
    }
}
