//! Buffer metadata between the host's `BufferMeta` and the WIT `buffer-meta`.

use parallax_core::{BufferFlags, BufferMeta, ClockTime};

use crate::bindings::types;

const FLAGS: [(BufferFlags, types::BufferFlags); 8] = [
    (BufferFlags::KEYFRAME, types::BufferFlags::KEYFRAME),
    (BufferFlags::DISCONT, types::BufferFlags::DISCONT),
    (BufferFlags::GAP, types::BufferFlags::GAP),
    (BufferFlags::DECODE_ONLY, types::BufferFlags::DECODE_ONLY),
    (BufferFlags::CORRUPTED, types::BufferFlags::CORRUPTED),
    (BufferFlags::MARKER, types::BufferFlags::MARKER),
    (BufferFlags::HEADER, types::BufferFlags::HEADER),
    (BufferFlags::LAST, types::BufferFlags::LAST),
];

/// Host metadata → WIT.
pub(crate) fn to_guest(meta: &BufferMeta) -> types::BufferMeta {
    let mut flags = types::BufferFlags::empty();
    for (host, guest) in FLAGS {
        if meta.flags.contains(host) {
            flags |= guest;
        }
    }
    types::BufferMeta {
        pts: meta.pts.map(ClockTime::nanos),
        dts: meta.dts.map(ClockTime::nanos),
        duration: meta.duration.map(ClockTime::nanos),
        offset: meta.offset,
        offset_end: meta.offset_end,
        flags,
    }
}

/// WIT metadata → host, keeping the extensible metadata of `input` (guests cannot see it).
pub(crate) fn from_guest(meta: &types::BufferMeta, input: &BufferMeta) -> BufferMeta {
    let mut flags = BufferFlags::EMPTY;
    for (host, guest) in FLAGS {
        if meta.flags.contains(guest) {
            flags.insert(host);
        }
    }
    BufferMeta {
        pts: meta.pts.map(ClockTime::from_nanos),
        dts: meta.dts.map(ClockTime::from_nanos),
        duration: meta.duration.map(ClockTime::from_nanos),
        offset: meta.offset,
        offset_end: meta.offset_end,
        flags,
        extra: input.extra.clone(),
    }
}
