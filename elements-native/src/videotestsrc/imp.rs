//! The `videotestsrc` element: properties, GStreamer-style fixation (320x240 at 30/1,
//! first format), caps checks and timestamps; painting lives in `render.rs`.
//!
//! A key design decision: everything that can fail or allocate happens in `set_caps`
//! (frame size checked against a 512 MiB limit, templates built), so `produce` only
//! copies and draws into the pool's slot. A zero framerate gives one frame, then end of
//! stream, as in GStreamer.

use parallax_core::element::MemoryProfile;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Caps, CapsValue, ClockTime, ElementError, ElementImpl, ExecutionHints, FlowError,
    Fraction, PadTemplate, ProduceContext, ProduceResult, PropSpec, PropertyError, Source,
    Structure, Value,
};

use super::format::{FrameLayout, VideoFormat};
use super::pattern::{PATTERNS, Pattern};
use super::render::Renderer;

const DEFAULT_PATTERN: Pattern = Pattern::Smpte;
const DEFAULT_NUM_BUFFERS: i64 = -1;
const DEFAULT_IS_LIVE: bool = false;
const DEFAULT_TIMESTAMP_OFFSET: i64 = 0;
const DEFAULT_FOREGROUND_COLOR: u32 = 0xffff_ffff;
const DEFAULT_BACKGROUND_COLOR: u32 = 0xff00_0000;

/// Largest width and height the pad template allows (GStreamer allows `G_MAXINT`; frames
/// that large could not be allocated anyway).
const MAX_DIMENSION: i64 = 16384;
/// Largest frame accepted at negotiation: the engine keeps a pool of these.
const MAX_FRAME_SIZE: usize = 512 * 1024 * 1024;

/// What fixation aims for when downstream leaves a choice (GStreamer's values).
const PREFERRED_WIDTH: i64 = 320;
const PREFERRED_HEIGHT: i64 = 240;
const PREFERRED_FRAMERATE: Fraction = Fraction::new(30, 1);

#[derive(Debug, Clone)]
struct Settings {
    pattern: Pattern,
    num_buffers: i64,
    is_live: bool,
    timestamp_offset: u64,
    foreground: u32,
    background: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pattern: DEFAULT_PATTERN,
            num_buffers: DEFAULT_NUM_BUFFERS,
            is_live: DEFAULT_IS_LIVE,
            timestamp_offset: DEFAULT_TIMESTAMP_OFFSET as u64,
            foreground: DEFAULT_FOREGROUND_COLOR,
            background: DEFAULT_BACKGROUND_COLOR,
        }
    }
}

/// The negotiated format and what paints it.
#[derive(Debug)]
struct State {
    layout: FrameLayout,
    framerate: Fraction,
    /// Built at `set_caps`; dropped when a property that shapes the picture changes and
    /// rebuilt before the next frame.
    renderer: Option<Renderer>,
}

#[derive(Debug, Default)]
struct VideoTestSrc {
    settings: Settings,
    state: Option<State>,
    /// Frames produced since caps were set (GStreamer's `n_frames`).
    frames: u64,
}

fn template_caps() -> Caps {
    Caps::builder("video/x-raw")
        .field(
            "format",
            CapsValue::list(VideoFormat::ALL.map(VideoFormat::name)),
        )
        .field("width", CapsValue::int_range(1, MAX_DIMENSION))
        .field("height", CapsValue::int_range(1, MAX_DIMENSION))
        .field(
            "framerate",
            CapsValue::fraction_range(Fraction::new(0, 1), Fraction::new(i32::MAX, 1)),
        )
        .build()
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "videotestsrc",
        "Source/Video",
        "Creates a test video stream",
    )
    .pad(PadTemplate::src(template_caps()))
    .property(
        PropSpec::enumeration("pattern", DEFAULT_PATTERN.nick(), PATTERNS)
            .doc("Type of test pattern to generate"),
    )
    .property(
        PropSpec::int("num-buffers", DEFAULT_NUM_BUFFERS, -1, i64::from(i32::MAX))
            .doc("Number of buffers to output before sending EOS (-1 = unlimited)"),
    )
    .property(PropSpec::bool("is-live", DEFAULT_IS_LIVE).doc("Whether to act as a live source"))
    .property(
        PropSpec::int("timestamp-offset", DEFAULT_TIMESTAMP_OFFSET, 0, i64::MAX)
            .doc("An offset added to timestamps set on buffers (in ns)"),
    )
    .property(
        PropSpec::uint(
            "foreground-color",
            u64::from(DEFAULT_FOREGROUND_COLOR),
            0,
            u64::from(u32::MAX),
        )
        .doc("Foreground color to use (big-endian ARGB)"),
    )
    .property(
        PropSpec::uint(
            "background-color",
            u64::from(DEFAULT_BACKGROUND_COLOR),
            0,
            u64::from(u32::MAX),
        )
        .doc("Background color to use (big-endian ARGB)"),
    )
    .hints(ExecutionHints {
        memory: MemoryProfile::Medium,
        ..ExecutionHints::DEFAULT
    })
}

pub(super) fn create() -> AnyElement {
    AnyElement::Source(Box::<VideoTestSrc>::default())
}

/// A colour property as a 32-bit ARGB value.
fn color_for(name: &str, value: &Value) -> Result<u32, PropertyError> {
    let v = value.uint_for(name)?;
    u32::try_from(v).map_err(|_| PropertyError::OutOfRange {
        name: name.to_owned(),
        range: format!("[0, {}]", u32::MAX),
        got: v.to_string(),
    })
}

/// Reads the negotiated `video/x-raw` structure into a layout and framerate.
fn parse_caps(s: &Structure) -> Result<(FrameLayout, Fraction), ElementError> {
    if s.name() != "video/x-raw" {
        return Err(ElementError::settings(format!(
            "cannot produce {}, only video/x-raw",
            s.name()
        )));
    }
    let format = s
        .get_str("format")
        .and_then(VideoFormat::from_name)
        .ok_or_else(|| {
            ElementError::settings(format!(
                "unsupported format {:?}; supported: I420, NV12, RGBA, RGB, GRAY8",
                s.get("format").map(ToString::to_string)
            ))
        })?;
    let dimension = |field: &str| -> Result<usize, ElementError> {
        s.get_int(field)
            .filter(|v| (1..=MAX_DIMENSION).contains(v))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| {
                ElementError::settings(format!(
                    "{field} must be a fixed integer in [1, {MAX_DIMENSION}]"
                ))
            })
    };
    let (width, height) = (dimension("width")?, dimension("height")?);
    let framerate = s
        .get_fraction("framerate")
        .filter(|f| f.num >= 0 && f.den > 0)
        .ok_or_else(|| ElementError::settings("framerate must be a fixed fraction n/d >= 0"))?;
    let too_large = || {
        ElementError::settings(format!(
            "a {width}x{height} {} frame is larger than the {MAX_FRAME_SIZE}-byte limit",
            format.name()
        ))
    };
    let layout = FrameLayout::new(format, width, height).ok_or_else(too_large)?;
    if layout.size > MAX_FRAME_SIZE {
        return Err(too_large().with_debug(format!("frame size {} bytes", layout.size)));
    }
    Ok((layout, framerate))
}

/// Presentation time and duration of frame `n` at `framerate`, shifted by `offset`.
/// A zero framerate (a still picture) has no duration.
fn frame_times(n: u64, framerate: Fraction, offset: u64) -> (ClockTime, Option<ClockTime>) {
    let (Ok(num), Ok(den)) = (u64::try_from(framerate.num), u64::try_from(framerate.den)) else {
        return (ClockTime(offset), None);
    };
    if num == 0 || den == 0 {
        return (ClockTime(offset), None);
    }
    let start = ClockTime::scale(n, den, num);
    let end = ClockTime::scale(n.saturating_add(1), den, num);
    (
        start.saturating_add(ClockTime(offset)),
        Some(ClockTime(end.0.saturating_sub(start.0))),
    )
}

impl VideoTestSrc {
    /// Makes the next frame rebuild its templates (a property shaping the picture changed).
    fn invalidate(&mut self) {
        if let Some(state) = &mut self.state {
            state.renderer = None;
        }
    }
}

impl ElementImpl for VideoTestSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "pattern" => {
                let nick = value.str_for(name)?;
                self.settings.pattern =
                    Pattern::from_nick(nick).ok_or_else(|| PropertyError::BadValue {
                        name: name.to_owned(),
                        expected: "a pattern nick".to_owned(),
                        got: nick.to_owned(),
                    })?;
                self.invalidate();
            }
            "num-buffers" => self.settings.num_buffers = value.int_for(name)?,
            "is-live" => self.settings.is_live = value.bool_for(name)?,
            "timestamp-offset" => self.settings.timestamp_offset = value.uint_for(name)?,
            "foreground-color" => {
                self.settings.foreground = color_for(name, value)?;
                self.invalidate();
            }
            "background-color" => {
                self.settings.background = color_for(name, value)?;
                self.invalidate();
            }
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "pattern" => Value::Enum(s.pattern.nick().to_owned()),
            "num-buffers" => Value::Int(s.num_buffers),
            "is-live" => Value::Bool(s.is_live),
            "timestamp-offset" => Value::Int(i64::try_from(s.timestamp_offset).unwrap_or(i64::MAX)),
            "foreground-color" => Value::UInt(u64::from(s.foreground)),
            "background-color" => Value::UInt(u64::from(s.background)),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn fixate_caps(&self, _pad: usize, caps: Caps) -> Caps {
        let Some(first) = caps.structure(0) else {
            return caps.fixate();
        };
        let mut s = first.clone();
        s.fixate_field_nearest_int("width", PREFERRED_WIDTH);
        s.fixate_field_nearest_int("height", PREFERRED_HEIGHT);
        if !s.fixate_field_nearest_fraction("framerate", PREFERRED_FRAMERATE) {
            s.set("framerate", PREFERRED_FRAMERATE);
        }
        // The format (and anything else) is fixated the default way: the first allowed.
        Caps::new(s.fixate())
    }

    fn set_caps(&mut self, _sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let s = src
            .first()
            .and_then(|c| c.structure(0))
            .ok_or_else(|| ElementError::settings("no output caps were negotiated"))?;
        let (layout, framerate) = parse_caps(s)?;
        let renderer = Renderer::new(
            layout.clone(),
            self.settings.pattern,
            self.settings.foreground,
            self.settings.background,
        );
        self.state = Some(State {
            layout,
            framerate,
            renderer: Some(renderer),
        });
        // As GStreamer: new caps restart the frame count (and with it the timestamps).
        self.frames = 0;
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.frames = 0;
        Ok(())
    }
}

impl Source for VideoTestSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let settings = &self.settings;
        if u64::try_from(settings.num_buffers).is_ok_and(|max| self.frames >= max) {
            return Ok(ProduceResult::Eos);
        }
        let Some(state) = self.state.as_mut() else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        // A zero framerate is a still picture: one frame, then end of stream (GStreamer).
        if state.framerate.num == 0 && self.frames >= 1 {
            return Ok(ProduceResult::Eos);
        }
        let size = state.layout.size;
        if ctx.slot_size() < size {
            return Err(ctx.error(ElementError::resource(format!(
                "output buffers hold {} bytes but a frame needs {size}",
                ctx.slot_size()
            ))));
        }
        let renderer = state.renderer.get_or_insert_with(|| {
            Renderer::new(
                state.layout.clone(),
                settings.pattern,
                settings.foreground,
                settings.background,
            )
        });
        let n = self.frames;
        let buffer = ctx.buffer()?;
        let len = buffer.set_len(size);
        renderer.render(n, buffer.data_mut());
        let (pts, duration) = frame_times(n, state.framerate, settings.timestamp_offset);
        let meta = buffer.meta_mut();
        meta.pts = Some(pts);
        meta.duration = duration;
        meta.offset = Some(n);
        meta.offset_end = Some(n.saturating_add(1));
        self.frames = n.saturating_add(1);
        Ok(ProduceResult::Produced(len))
    }

    fn buffer_size(&self) -> usize {
        self.state.as_ref().map_or(0, |s| s.layout.size)
    }

    fn is_live(&self) -> bool {
        self.settings.is_live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let fps = Fraction::new(30, 1);
        assert_eq!(
            frame_times(0, fps, 0),
            (ClockTime(0), Some(ClockTime(33_333_333)))
        );
        assert_eq!(frame_times(1, fps, 0).0, ClockTime(33_333_333));
        assert_eq!(
            frame_times(2, fps, 0),
            (ClockTime(66_666_666), Some(ClockTime(33_333_334)))
        );
        assert_eq!(frame_times(3, fps, 5).0, ClockTime(100_000_005));
        let ntsc = Fraction::new(30000, 1001);
        assert_eq!(frame_times(30000, ntsc, 0).0, ClockTime(1_001_000_000_000));
        assert_eq!(frame_times(0, Fraction::new(0, 1), 7), (ClockTime(7), None));
        assert_eq!(frame_times(u64::MAX, fps, u64::MAX).0, ClockTime(u64::MAX));
    }

    #[test]
    fn caps_parsing_refuses_bad_values() {
        let s = |text: &str| text.parse::<Structure>().expect("structure");
        assert!(
            parse_caps(&s(
                "video/x-raw, format=RGBA, width=64, height=48, framerate=30/1"
            ))
            .is_ok()
        );
        let huge = parse_caps(&s(
            "video/x-raw, format=RGBA, width=16384, height=16384, framerate=30/1",
        ));
        assert!(huge.is_err_and(|e| e.message.contains("limit")));
        assert!(
            parse_caps(&s(
                "video/x-raw, format=YUY2, width=64, height=48, framerate=30/1"
            ))
            .is_err()
        );
        assert!(
            parse_caps(&s(
                "video/x-raw, format=RGBA, width=0, height=48, framerate=30/1"
            ))
            .is_err()
        );
        assert!(
            parse_caps(&s(
                "video/x-raw, format=RGBA, width=64, height=48, framerate=-1/1"
            ))
            .is_err()
        );
        assert!(
            parse_caps(&s(
                "audio/x-raw, format=RGBA, width=64, height=48, framerate=30/1"
            ))
            .is_err()
        );
    }
}
