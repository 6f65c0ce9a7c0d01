//! Reading and writing `video/x-raw` caps for the elements that take raw video
//! (converters, scalers, encoders).
//!
//! A key design decision: every check that can fail (names, dimensions, the frame-size
//! limit) happens here, at negotiation, so the data path only compares buffer sizes.

use parallax_core::{Caps, CapsValue, ElementError, Fraction, Structure};

use super::video_format::{FrameLayout, VideoFormat};

/// Largest width and height accepted (as `videotestsrc`).
pub(crate) const MAX_DIMENSION: i64 = 16384;
/// Largest frame accepted at negotiation.
pub(crate) const MAX_FRAME_SIZE: usize = 512 * 1024 * 1024;

/// A negotiated raw video stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VideoInfo {
    /// Format and memory layout of one frame.
    pub(crate) layout: FrameLayout,
    /// Frames per second; `None` when the caps name none (or 0/1, a still picture).
    pub(crate) framerate: Option<Fraction>,
}

/// `video/x-raw` with `formats` and any size and framerate.
pub(crate) fn raw_template(formats: &[&str]) -> Caps {
    Caps::builder("video/x-raw")
        .field("format", CapsValue::list(formats.iter().copied()))
        .field("width", CapsValue::int_range(1, MAX_DIMENSION))
        .field("height", CapsValue::int_range(1, MAX_DIMENSION))
        .field(
            "framerate",
            CapsValue::fraction_range(Fraction::new(0, 1), Fraction::new(i32::MAX, 1)),
        )
        .build()
}

/// The fixed width and height of `s`, each in `[1, MAX_DIMENSION]`.
///
/// # Errors
///
/// [`ElementError`] (settings) naming the field that is missing or out of range.
pub(crate) fn dimensions(s: &Structure) -> Result<(usize, usize), ElementError> {
    let dimension = |field: &str| -> Result<usize, ElementError> {
        s.get_int(field)
            .filter(|v| (1..=MAX_DIMENSION).contains(v))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| {
                ElementError::settings(format!(
                    "{field} must be a fixed integer in [1, {MAX_DIMENSION}], got {}",
                    s.get(field).map_or("nothing".into(), ToString::to_string)
                ))
            })
    };
    Ok((dimension("width")?, dimension("height")?))
}

/// The framerate of `s` when it is a fixed fraction `n/d` with `n > 0`.
pub(crate) fn framerate(s: &Structure) -> Option<Fraction> {
    s.get_fraction("framerate")
        .filter(|f| f.num > 0 && f.den > 0)
}

/// Reads fixed `video/x-raw` caps (the first structure of `caps`).
///
/// # Errors
///
/// [`ElementError`] (settings) for other media types, unknown formats, bad dimensions or
/// frames over [`MAX_FRAME_SIZE`].
pub(crate) fn parse_raw(caps: Option<&Caps>) -> Result<VideoInfo, ElementError> {
    let s = caps
        .and_then(|c| c.structure(0))
        .ok_or_else(|| ElementError::settings("no caps were negotiated"))?;
    if s.name() != "video/x-raw" {
        return Err(ElementError::settings(format!(
            "expected video/x-raw, got {}",
            s.name()
        )));
    }
    let format = s
        .get_str("format")
        .and_then(VideoFormat::from_name)
        .ok_or_else(|| {
            ElementError::settings(format!(
                "unsupported format {}; supported: I420, NV12, RGBA, RGB, GRAY8",
                s.get("format").map_or("(none)".into(), ToString::to_string)
            ))
        })?;
    let (width, height) = dimensions(s)?;
    let layout = FrameLayout::new(format, width, height)
        .filter(|l| l.size <= MAX_FRAME_SIZE)
        .ok_or_else(|| {
            ElementError::settings(format!(
                "a {width}x{height} {} frame is larger than the {MAX_FRAME_SIZE}-byte limit",
                format.name()
            ))
        })?;
    Ok(VideoInfo {
        layout,
        framerate: framerate(s),
    })
}

/// Checks that an input buffer holds a whole frame of `expected` bytes.
///
/// # Errors
///
/// [`ElementError`] (stream) with both sizes.
pub(crate) fn check_frame_size(got: usize, expected: usize) -> Result<(), ElementError> {
    if got < expected {
        return Err(ElementError::stream(format!(
            "input buffer of {got} bytes is shorter than one frame ({expected} bytes)"
        )));
    }
    Ok(())
}

/// `caps` with `field` of every `media_type` structure opened up to `all`, keeping the
/// values the structure already had first: a converter offers its input format first,
/// so fixation keeps it (no conversion) whenever the other side allows it.
pub(crate) fn widen_list(caps: &Caps, media_type: &str, field: &str, all: &[&str]) -> Caps {
    if caps.is_any() {
        return caps.clone();
    }
    let mut out = caps.clone();
    for s in out.structures_mut() {
        if s.name() != media_type {
            continue;
        }
        let mut values: Vec<CapsValue> = match s.get(field) {
            Some(CapsValue::List(items)) => items.clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        };
        for name in all {
            let v = CapsValue::from(*name);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        s.set(field, CapsValue::List(values));
    }
    out
}

/// Caps across an encoder from raw video (`formats`) to `encoded` (e.g. `image/png`):
/// the picture fields (size, framerate, aspect) carry over in both directions, the
/// format does not.
// Only the feature-gated encoders use it; the default build would warn otherwise.
#[cfg(any(feature = "image", feature = "av1enc"))]
pub(crate) fn encoder_transform_caps(
    direction: parallax_core::PadDirection,
    caps: &Caps,
    encoded: &str,
    formats: &[&str],
) -> Caps {
    if caps.is_any() {
        return caps.clone();
    }
    let (from, to) = match direction {
        parallax_core::PadDirection::Sink => ("video/x-raw", encoded),
        parallax_core::PadDirection::Src => (encoded, "video/x-raw"),
    };
    let mut out = Caps::empty();
    for s in caps.structures().iter().filter(|s| s.name() == from) {
        let mut t = Structure::new(to);
        if to == "video/x-raw" {
            t.set("format", CapsValue::list(formats.iter().copied()));
        }
        for field in ["width", "height", "framerate", "pixel-aspect-ratio"] {
            if let Some(v) = s.get(field) {
                t.set(field, v.clone());
            }
        }
        out.push(t);
    }
    out
}
