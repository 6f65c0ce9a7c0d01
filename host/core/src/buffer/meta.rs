//! Buffer metadata: timestamps, stream offsets, flags and an extensible key/value list.
//!
//! The fixed fields are inline and `Copy`-cheap so that the common path never allocates;
//! extensible metadata is a boxed list that is absent (`None`) unless an element adds some.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// A time in nanoseconds on the pipeline's running-time axis (as `GstClockTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClockTime(pub u64);

impl ClockTime {
    /// Zero.
    pub const ZERO: ClockTime = ClockTime(0);
    /// One second.
    pub const SECOND: ClockTime = ClockTime(1_000_000_000);

    /// From nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        ClockTime(ns)
    }
    /// From microseconds, saturating.
    pub const fn from_micros(us: u64) -> Self {
        ClockTime(us.saturating_mul(1_000))
    }
    /// From milliseconds, saturating.
    pub const fn from_millis(ms: u64) -> Self {
        ClockTime(ms.saturating_mul(1_000_000))
    }
    /// From seconds, saturating.
    pub const fn from_secs(s: u64) -> Self {
        ClockTime(s.saturating_mul(1_000_000_000))
    }
    /// Nanoseconds.
    pub const fn nanos(self) -> u64 {
        self.0
    }
    /// As a [`Duration`].
    pub const fn to_duration(self) -> Duration {
        Duration::from_nanos(self.0)
    }
    /// `value * num / den` nanoseconds of one second, without overflow (e.g. frame n at
    /// 30/1 fps is `ClockTime::scale(n, 1, 30)`); saturates, and a zero `den` gives zero.
    pub fn scale(value: u64, num: u64, den: u64) -> Self {
        if den == 0 {
            return ClockTime::ZERO;
        }
        let ns = u128::from(value) * u128::from(num) * 1_000_000_000 / u128::from(den);
        ClockTime(u64::try_from(ns).unwrap_or(u64::MAX))
    }
    /// Saturating addition.
    pub const fn saturating_add(self, other: ClockTime) -> Self {
        ClockTime(self.0.saturating_add(other.0))
    }
}

impl From<Duration> for ClockTime {
    fn from(d: Duration) -> Self {
        ClockTime(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

impl fmt::Display for ClockTime {
    /// `h:mm:ss.nnnnnnnnn`, as GStreamer prints times.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        let secs = ns / 1_000_000_000;
        write!(
            f,
            "{}:{:02}:{:02}.{:09}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            ns % 1_000_000_000
        )
    }
}

/// Buffer flags (a small bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BufferFlags(u32);

impl BufferFlags {
    /// No flags.
    pub const EMPTY: BufferFlags = BufferFlags(0);
    /// The buffer can be decoded on its own (the inverse of gst's DELTA_UNIT).
    pub const KEYFRAME: BufferFlags = BufferFlags(1 << 0);
    /// Data before this buffer is missing or was dropped.
    pub const DISCONT: BufferFlags = BufferFlags(1 << 1);
    /// The buffer stands for a gap: its content is meaningless (silence, repeat).
    pub const GAP: BufferFlags = BufferFlags(1 << 2);
    /// The content may be decoded but must not be shown.
    pub const DECODE_ONLY: BufferFlags = BufferFlags(1 << 3);
    /// The buffer was made from corrupt data.
    pub const CORRUPTED: BufferFlags = BufferFlags(1 << 4);
    /// The buffer marks the end of a unit that began earlier (RTP marker, end of frame).
    pub const MARKER: BufferFlags = BufferFlags(1 << 5);
    /// The buffer holds stream headers (codec configuration).
    pub const HEADER: BufferFlags = BufferFlags(1 << 6);
    /// The last buffer before end of stream.
    pub const LAST: BufferFlags = BufferFlags(1 << 7);

    /// Flags from raw bits; unknown bits are kept.
    pub const fn from_bits_retain(bits: u32) -> Self {
        BufferFlags(bits)
    }
    /// Whether all of `other`'s flags are set.
    pub const fn contains(self, other: BufferFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Sets `other`'s flags.
    pub fn insert(&mut self, other: BufferFlags) {
        self.0 |= other.0;
    }
    /// Clears `other`'s flags.
    pub fn remove(&mut self, other: BufferFlags) {
        self.0 &= !other.0;
    }
    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }
}

impl std::ops::BitOr for BufferFlags {
    type Output = BufferFlags;
    fn bitor(self, rhs: BufferFlags) -> BufferFlags {
        BufferFlags(self.0 | rhs.0)
    }
}

/// A value of extensible metadata.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum MetaValue {
    /// A signed integer.
    Int(i64),
    /// A float.
    Double(f64),
    /// A string.
    Str(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

/// Extensible metadata: an ordered key/value list (few entries, so a Vec beats a map).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExtraMeta {
    entries: Vec<(Cow<'static, str>, MetaValue)>,
}

impl ExtraMeta {
    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&MetaValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Sets `key` to `value`, replacing an earlier value.
    pub fn set(&mut self, key: impl Into<Cow<'static, str>>, value: MetaValue) {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }
    /// All entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetaValue)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// Timing, position and flags of a buffer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BufferMeta {
    /// Presentation time on the running-time axis.
    pub pts: Option<ClockTime>,
    /// Decode time, for streams with reordered frames.
    pub dts: Option<ClockTime>,
    /// How long the buffer lasts.
    pub duration: Option<ClockTime>,
    /// Media-specific position of the first unit (byte offset, frame or sample number).
    pub offset: Option<u64>,
    /// Media-specific position after the last unit.
    pub offset_end: Option<u64>,
    /// Flags.
    pub flags: BufferFlags,
    /// Extensible metadata; `None` unless an element added some (keeps the hot path free
    /// of allocation).
    pub extra: Option<Box<ExtraMeta>>,
}

impl BufferMeta {
    /// The extensible metadata, created on first use.
    pub fn extra_mut(&mut self) -> &mut ExtraMeta {
        self.extra.get_or_insert_with(Box::default)
    }
}
