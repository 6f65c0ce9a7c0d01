//! Buffer timing and flags, and buffers an element returns by value.

use crate::bindings::parallax::element::types::{BufferMeta, MetaFlat};

/// Buffer flags (`keyframe`, `discont`, `gap`, `decode-only`, `corrupted`, `marker`,
/// `header`, `last`), a bitflags set: `Flags::DISCONT | Flags::GAP`, `Flags::empty()`.
pub use crate::bindings::parallax::element::types::BufferFlags as Flags;

/// Timing and flags of a buffer; times are nanoseconds of running time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Presentation time.
    pub pts: Option<u64>,
    /// Decode time.
    pub dts: Option<u64>,
    /// Duration.
    pub duration: Option<u64>,
    /// Media-specific position of the first unit (byte, frame or sample number).
    pub offset: Option<u64>,
    /// Media-specific position after the last unit.
    pub offset_end: Option<u64>,
    /// Flags.
    pub flags: Flags,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            pts: None,
            dts: None,
            duration: None,
            offset: None,
            offset_end: None,
            flags: Flags::empty(),
        }
    }
}

impl From<BufferMeta> for Meta {
    fn from(m: BufferMeta) -> Self {
        Meta {
            pts: m.pts,
            dts: m.dts,
            duration: m.duration,
            offset: m.offset,
            offset_end: m.offset_end,
            flags: m.flags,
        }
    }
}

impl From<Meta> for BufferMeta {
    fn from(m: Meta) -> Self {
        BufferMeta {
            pts: m.pts,
            dts: m.dts,
            duration: m.duration,
            offset: m.offset,
            offset_end: m.offset_end,
            flags: m.flags,
        }
    }
}

/// `meta-flat`'s "none".
const NONE: u64 = u64::MAX;

fn some(v: u64) -> Option<u64> {
    (v != NONE).then_some(v)
}

/// From `process`'s option-free form: `u64::MAX` is none.
impl From<MetaFlat> for Meta {
    fn from(m: MetaFlat) -> Self {
        Meta {
            pts: some(m.pts),
            dts: some(m.dts),
            duration: some(m.duration),
            offset: some(m.offset),
            offset_end: some(m.offset_end),
            flags: m.flags,
        }
    }
}

/// To `process`'s option-free form: none is `u64::MAX` (so a real `u64::MAX` reads as
/// none on the host).
impl From<Meta> for MetaFlat {
    fn from(m: Meta) -> Self {
        MetaFlat {
            pts: m.pts.unwrap_or(NONE),
            dts: m.dts.unwrap_or(NONE),
            duration: m.duration.unwrap_or(NONE),
            offset: m.offset.unwrap_or(NONE),
            offset_end: m.offset_end.unwrap_or(NONE),
            flags: m.flags,
        }
    }
}

/// A buffer returned by value: from [`Element::drain`](crate::Element::drain) and the
/// copying path ([`Element::process_copy`](crate::Element::process_copy)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedOutput {
    /// Src pad index (0 for single-output elements).
    pub pad: u32,
    /// The bytes.
    pub data: Vec<u8>,
    /// Timing and flags.
    pub meta: Meta,
}

impl OwnedOutput {
    /// A buffer for src pad 0.
    pub fn new(data: Vec<u8>, meta: Meta) -> Self {
        OwnedOutput { pad: 0, data, meta }
    }
}
