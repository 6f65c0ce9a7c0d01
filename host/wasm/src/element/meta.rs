//! Buffer metadata between the host's `BufferMeta` and the WIT `buffer-meta` / `meta-flat`
//! (the option-free form of `process`, where `u64::MAX` means none).

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
    let flags = flags_to_guest(meta.flags);
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
    let flags = flags_from_guest(meta.flags);
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

/// `meta-flat`'s "none".
const NONE: u64 = u64::MAX;

fn flags_to_guest(flags: BufferFlags) -> types::BufferFlags {
    let mut out = types::BufferFlags::empty();
    for (host, guest) in FLAGS {
        if flags.contains(host) {
            out |= guest;
        }
    }
    out
}

fn flags_from_guest(flags: types::BufferFlags) -> BufferFlags {
    let mut out = BufferFlags::EMPTY;
    for (host, guest) in FLAGS {
        if flags.contains(guest) {
            out.insert(host);
        }
    }
    out
}

fn some(v: u64) -> Option<u64> {
    (v != NONE).then_some(v)
}

/// Host metadata → WIT `meta-flat` (`None` → `u64::MAX`; a real `u64::MAX` reads as none).
pub(crate) fn to_guest_flat(meta: &BufferMeta) -> types::MetaFlat {
    types::MetaFlat {
        pts: meta.pts.map_or(NONE, ClockTime::nanos),
        dts: meta.dts.map_or(NONE, ClockTime::nanos),
        duration: meta.duration.map_or(NONE, ClockTime::nanos),
        offset: meta.offset.unwrap_or(NONE),
        offset_end: meta.offset_end.unwrap_or(NONE),
        flags: flags_to_guest(meta.flags),
    }
}

/// WIT `meta-flat` → host (`u64::MAX` → `None`), keeping the extensible metadata of
/// `input`.
pub(crate) fn from_guest_flat(meta: &types::MetaFlat, input: &BufferMeta) -> BufferMeta {
    BufferMeta {
        pts: some(meta.pts).map(ClockTime::from_nanos),
        dts: some(meta.dts).map(ClockTime::from_nanos),
        duration: some(meta.duration).map(ClockTime::from_nanos),
        offset: some(meta.offset),
        offset_end: some(meta.offset_end),
        flags: flags_from_guest(meta.flags),
        extra: input.extra.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_none_is_u64_max_both_ways() {
        let meta = BufferMeta {
            pts: Some(ClockTime::from_nanos(5)),
            offset_end: Some(7),
            flags: BufferFlags::GAP | BufferFlags::LAST,
            ..BufferMeta::default()
        };
        let flat = to_guest_flat(&meta);
        assert_eq!((flat.pts, flat.dts, flat.offset_end), (5, u64::MAX, 7));
        let back = from_guest_flat(&flat, &BufferMeta::default());
        assert_eq!(back.pts, meta.pts);
        assert_eq!(back.dts, None);
        assert_eq!(back.offset, None);
        assert_eq!(back.offset_end, Some(7));
        assert_eq!(back.flags, meta.flags);
    }
}
