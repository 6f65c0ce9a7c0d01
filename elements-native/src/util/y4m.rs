//! YUV4MPEG2 (y4m) stream headers and the packed frame layout, shared by `y4mdec` and
//! `y4menc`.
//!
//! A key design decision: y4m frames are tightly packed planes while Parallax's raw
//! frames follow GStreamer's strides (rows padded to 4 bytes), so both elements copy
//! through the same list of row segments, merged where rows are contiguous in both
//! layouts: a frame without padding (e.g. 320x240 I420) is one segment, one `memcpy`.

use parallax_core::{Caps, CapsValue, Fraction, Structure};

use super::video_format::{FrameLayout, VideoFormat};

/// The stream header's first word.
pub(crate) const MAGIC: &[u8] = b"YUV4MPEG2";
/// Each frame's header starts with this word.
pub(crate) const FRAME: &[u8] = b"FRAME";
/// Longest header line accepted (stream or frame); real headers are under 100 bytes.
pub(crate) const MAX_LINE: usize = 4096;

/// Where 4:2:0 chroma samples sit, as y4m names it (`C420jpeg` etc.).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChromaSite {
    /// Centred between luma samples (`420jpeg`, the y4m default).
    Jpeg,
    /// Co-sited horizontally with the left luma sample (`420mpeg2`).
    Mpeg2,
    /// PAL DV (`420paldv`).
    PalDv,
}

/// The sample layouts both elements handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Colorspace {
    /// 8-bit 4:2:0, `I420` in caps.
    Yuv420(ChromaSite),
    /// 8-bit luma only (`Cmono`), `GRAY8` in caps.
    Mono,
}

impl Colorspace {
    /// From the value of a `C` tag; `None` for layouts Parallax has no raw format for.
    pub(crate) fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "420jpeg" | "420" => Colorspace::Yuv420(ChromaSite::Jpeg),
            "420mpeg2" => Colorspace::Yuv420(ChromaSite::Mpeg2),
            "420paldv" => Colorspace::Yuv420(ChromaSite::PalDv),
            "mono" => Colorspace::Mono,
            _ => return None,
        })
    }

    fn tag(self) -> &'static str {
        match self {
            Colorspace::Yuv420(ChromaSite::Jpeg) => "420jpeg",
            Colorspace::Yuv420(ChromaSite::Mpeg2) => "420mpeg2",
            Colorspace::Yuv420(ChromaSite::PalDv) => "420paldv",
            Colorspace::Mono => "mono",
        }
    }

    /// The raw format of frames in this layout.
    pub(crate) fn format(self) -> VideoFormat {
        match self {
            Colorspace::Yuv420(_) => VideoFormat::I420,
            Colorspace::Mono => VideoFormat::Gray8,
        }
    }

    /// The GStreamer `chroma-site` caps value, for 4:2:0.
    fn chroma_site(self) -> Option<&'static str> {
        match self {
            Colorspace::Yuv420(ChromaSite::Jpeg) => Some("jpeg"),
            Colorspace::Yuv420(ChromaSite::Mpeg2) => Some("mpeg2"),
            Colorspace::Yuv420(ChromaSite::PalDv) => Some("dv"),
            Colorspace::Mono => None,
        }
    }

    /// From a raw format and the caps' `chroma-site` (absent: the y4m default).
    pub(crate) fn for_format(format: VideoFormat, chroma_site: Option<&str>) -> Option<Self> {
        match format {
            VideoFormat::I420 => Some(Colorspace::Yuv420(match chroma_site {
                Some("mpeg2") => ChromaSite::Mpeg2,
                Some("dv") => ChromaSite::PalDv,
                _ => ChromaSite::Jpeg,
            })),
            VideoFormat::Gray8 => Some(Colorspace::Mono),
            _ => None,
        }
    }
}

/// A parsed stream header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) width: usize,
    pub(crate) height: usize,
    /// `F`; `None` when absent or `0:0`.
    pub(crate) framerate: Option<Fraction>,
    /// `A`; `None` when absent or `0:0` (unknown).
    pub(crate) aspect: Option<Fraction>,
    pub(crate) colorspace: Colorspace,
}

fn ratio(v: &str) -> Option<Option<Fraction>> {
    let (n, d) = v.split_once(':')?;
    let (n, d): (i32, i32) = (n.parse().ok()?, d.parse().ok()?);
    if n < 0 || d < 0 {
        return None;
    }
    Some((n > 0 && d > 0).then(|| Fraction::new(n, d)))
}

impl Header {
    /// Parses a stream header line (without its `\n`). `max_dimension` bounds the size.
    ///
    /// # Errors
    ///
    /// What is wrong with the line, as text for an element error.
    pub(crate) fn parse(line: &[u8], max_dimension: usize) -> Result<Self, String> {
        let text = std::str::from_utf8(line).map_err(|_| "the header is not text".to_owned())?;
        let mut words = text.split(' ').filter(|w| !w.is_empty());
        if words.next().map(str::as_bytes) != Some(MAGIC) {
            return Err("the stream does not start with YUV4MPEG2".into());
        }
        let (mut width, mut height) = (None, None);
        let mut header = Header {
            width: 0,
            height: 0,
            framerate: None,
            aspect: None,
            colorspace: Colorspace::Yuv420(ChromaSite::Jpeg),
        };
        let dimension = |v: &str, what: &str| -> Result<usize, String> {
            v.parse::<usize>()
                .ok()
                .filter(|d| (1..=max_dimension).contains(d))
                .ok_or_else(|| format!("{what} {v:?} is not in 1..={max_dimension}"))
        };
        for word in words {
            // Tags are one ASCII letter and a value (`split_at` needs a char boundary).
            let Some(value) = word.get(1..) else {
                return Err(format!("unreadable tag {word:?}"));
            };
            match word.as_bytes()[0] {
                b'W' => width = Some(dimension(value, "width")?),
                b'H' => height = Some(dimension(value, "height")?),
                b'F' => {
                    header.framerate =
                        ratio(value).ok_or_else(|| format!("bad frame rate {value:?}"))?;
                }
                b'A' => {
                    header.aspect =
                        ratio(value).ok_or_else(|| format!("bad pixel aspect {value:?}"))?;
                }
                b'C' => {
                    header.colorspace = Colorspace::from_tag(value).ok_or_else(|| {
                        format!(
                            "colorspace C{value} is not supported \
                             (supported: 420jpeg, 420mpeg2, 420paldv, 420, mono)"
                        )
                    })?;
                }
                // Interlacing and extensions (`XYSCSS=...`, `XCOLORRANGE=...`) do not
                // change the frame layout.
                b'I' | b'X' => {}
                _ => return Err(format!("unknown tag {word:?}")),
            }
        }
        header.width = width.ok_or("the header has no width (W)")?;
        header.height = height.ok_or("the header has no height (H)")?;
        Ok(header)
    }

    /// The header line, `\n` included.
    pub(crate) fn line(&self) -> String {
        let r = |f: Option<Fraction>| f.map_or("0:0".into(), |f| format!("{}:{}", f.num, f.den));
        format!(
            "YUV4MPEG2 W{} H{} F{} Ip A{} C{}\n",
            self.width,
            self.height,
            r(self.framerate),
            r(self.aspect),
            self.colorspace.tag()
        )
    }

    /// The `video/x-raw` caps of the frames.
    pub(crate) fn caps(&self) -> Caps {
        // Dimensions were checked against the caps limit, so they fit an i64.
        let mut s = Structure::new("video/x-raw")
            .with("format", self.colorspace.format().name())
            .with("width", CapsValue::Int(self.width as i64))
            .with("height", CapsValue::Int(self.height as i64))
            .with(
                "framerate",
                CapsValue::Fraction(self.framerate.unwrap_or(Fraction::new(0, 1))),
            )
            .with(
                "pixel-aspect-ratio",
                CapsValue::Fraction(self.aspect.unwrap_or(Fraction::new(1, 1))),
            );
        if let Some(site) = self.colorspace.chroma_site() {
            s = s.with("chroma-site", site);
        }
        Caps::new(s)
    }
}

/// One run of bytes that is contiguous both in the packed y4m frame and in the raw
/// frame: `len` bytes at `offset` in the raw frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) offset: usize,
    pub(crate) len: usize,
}

/// The segments of a frame of `layout` in packed (y4m) order: every plane's rows, row
/// padding left out, neighbours merged.
pub(crate) fn segments(layout: &FrameLayout) -> Vec<Segment> {
    let (w, h) = (layout.width, layout.height);
    let planes: &[(usize, usize)] = match layout.format {
        VideoFormat::I420 => &[
            (w, h),
            (w.div_ceil(2), h.div_ceil(2)),
            (w.div_ceil(2), h.div_ceil(2)),
        ],
        _ => &[(w, h)],
    };
    let mut out: Vec<Segment> = Vec::new();
    for (plane, &(row, rows)) in layout.planes.iter().zip(planes) {
        for r in 0..rows {
            let offset = plane.offset + r * plane.stride;
            match out.last_mut() {
                Some(last) if last.offset + last.len == offset => last.len += row,
                _ => out.push(Segment { offset, len: row }),
            }
        }
    }
    out
}

/// Bytes of one packed frame.
pub(crate) fn packed_size(segments: &[Segment]) -> usize {
    segments.iter().map(|s| s.len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffmpeg_header_parses_and_prints_back() {
        let h = Header::parse(
            b"YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg XYSCSS=420JPEG",
            16384,
        )
        .expect("valid");
        assert_eq!((h.width, h.height), (320, 240));
        assert_eq!(h.framerate, Some(Fraction::new(30, 1)));
        assert_eq!(h.line(), "YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg\n");
        assert!(Header::parse(b"YUV4MPEG2 W320 H240 C444", 16384).is_err());
        assert!(Header::parse(b"YUV4MPEG2 W0 H240", 16384).is_err());
        assert!(Header::parse(b"YUV4MPEG2 H240", 16384).is_err());
    }

    #[test]
    fn unpadded_frames_are_one_segment() {
        let l = FrameLayout::new(VideoFormat::I420, 320, 240).expect("layout");
        assert_eq!(
            segments(&l),
            vec![Segment {
                offset: 0,
                len: l.size
            }]
        );
        // 6x2: luma rows 6 of stride 8, chroma rows 3 of stride 4.
        let l = FrameLayout::new(VideoFormat::I420, 6, 2).expect("layout");
        let s = segments(&l);
        assert_eq!(packed_size(&s), 6 * 2 + 3 * 2);
        assert_eq!(s[0], Segment { offset: 0, len: 6 });
        assert_eq!(s[1], Segment { offset: 8, len: 6 });
    }
}
