//! The raw video formats the video elements handle and their memory layout.
//!
//! A key design decision: strides, plane offsets and frame sizes follow GStreamer's
//! `video-info.c` (`fill_planes`, default alignment) exactly, so a frame made here has
//! the same size and row layout as GStreamer's and elements written against GStreamer's
//! `GstVideoInfo` rules read it unchanged. Every size is computed with checked arithmetic:
//! widths and heights come from caps a user wrote.

/// A raw video format (what `videotestsrc` paints and `videoconvert` converts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VideoFormat {
    /// Planar Y, U, V with 2x2 chroma subsampling (4:2:0).
    I420,
    /// Planar Y, then interleaved U/V with 2x2 chroma subsampling.
    Nv12,
    /// Packed R, G, B, A bytes.
    Rgba,
    /// Packed R, G, B bytes.
    Rgb,
    /// One luma byte per pixel.
    Gray8,
}

impl VideoFormat {
    /// Every format, in the order of the pad template (the first is what fixation picks
    /// when downstream allows several, as in GStreamer).
    pub(crate) const ALL: [VideoFormat; 5] = [
        VideoFormat::I420,
        VideoFormat::Nv12,
        VideoFormat::Rgba,
        VideoFormat::Rgb,
        VideoFormat::Gray8,
    ];

    /// The caps name (`format=` value).
    pub(crate) fn name(self) -> &'static str {
        match self {
            VideoFormat::I420 => "I420",
            VideoFormat::Nv12 => "NV12",
            VideoFormat::Rgba => "RGBA",
            VideoFormat::Rgb => "RGB",
            VideoFormat::Gray8 => "GRAY8",
        }
    }

    /// The format with caps name `name`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether chroma is subsampled 2x2, so painting works on pairs of rows and columns.
    pub(crate) fn is_420(self) -> bool {
        matches!(self, VideoFormat::I420 | VideoFormat::Nv12)
    }
}

/// Where one plane starts in the frame and how far apart its rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Plane {
    /// Byte offset of the plane's first row.
    pub(crate) offset: usize,
    /// Bytes from one row to the next.
    pub(crate) stride: usize,
}

/// The memory layout of one frame: GStreamer's `GstVideoInfo` with default alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrameLayout {
    /// The pixel format.
    pub(crate) format: VideoFormat,
    /// Width in pixels (at least 1).
    pub(crate) width: usize,
    /// Height in pixels (at least 1).
    pub(crate) height: usize,
    /// Planes in order (Y, U, V for I420; Y, UV for NV12; one for packed formats).
    pub(crate) planes: [Plane; 3],
    /// Bytes per frame, padding included.
    pub(crate) size: usize,
}

/// `GST_ROUND_UP_2`, `None` on overflow.
fn round_up_2(v: usize) -> Option<usize> {
    v.checked_next_multiple_of(2)
}

/// `GST_ROUND_UP_4`, `None` on overflow.
fn round_up_4(v: usize) -> Option<usize> {
    v.checked_next_multiple_of(4)
}

impl FrameLayout {
    /// The layout of a `width` x `height` frame of `format`; `None` when a dimension is
    /// zero or a size does not fit in `usize`.
    pub(crate) fn new(format: VideoFormat, width: usize, height: usize) -> Option<Self> {
        if width == 0 || height == 0 {
            return None;
        }
        let packed = |stride: usize| -> Option<([Plane; 3], usize)> {
            let size = stride.checked_mul(height)?;
            Some((
                [
                    Plane { offset: 0, stride },
                    Plane::default(),
                    Plane::default(),
                ],
                size,
            ))
        };
        let (planes, size) = match format {
            VideoFormat::Rgba => packed(width.checked_mul(4)?)?,
            VideoFormat::Rgb => packed(round_up_4(width.checked_mul(3)?)?)?,
            VideoFormat::Gray8 => packed(round_up_4(width)?)?,
            VideoFormat::I420 => {
                let y_stride = round_up_4(width)?;
                let c_stride = round_up_4(round_up_2(width)? / 2)?;
                // GStreamer gives the luma plane an even number of rows.
                let rows = round_up_2(height)?;
                let c_rows = rows / 2;
                let u = y_stride.checked_mul(rows)?;
                let c_size = c_stride.checked_mul(c_rows)?;
                let v = u.checked_add(c_size)?;
                let planes = [
                    Plane {
                        offset: 0,
                        stride: y_stride,
                    },
                    Plane {
                        offset: u,
                        stride: c_stride,
                    },
                    Plane {
                        offset: v,
                        stride: c_stride,
                    },
                ];
                (planes, v.checked_add(c_size)?)
            }
            VideoFormat::Nv12 => {
                let stride = round_up_4(width)?;
                let rows = round_up_2(height)?;
                let uv = stride.checked_mul(rows)?;
                let planes = [
                    Plane { offset: 0, stride },
                    Plane { offset: uv, stride },
                    Plane::default(),
                ];
                (planes, uv.checked_add(stride.checked_mul(rows / 2)?)?)
            }
        };
        Some(FrameLayout {
            format,
            width,
            height,
            planes,
            size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(format: VideoFormat, w: usize, h: usize) -> FrameLayout {
        FrameLayout::new(format, w, h).expect("valid size")
    }

    #[test]
    fn i420_matches_gstreamer() {
        let l = layout(VideoFormat::I420, 320, 240);
        assert_eq!(l.size, 320 * 240 * 3 / 2);
        assert_eq!(
            l.planes[1],
            Plane {
                offset: 76800,
                stride: 160
            }
        );
        assert_eq!(l.planes[2].offset, 76800 + 19200);
        // Odd sizes: luma stride 36, chroma stride round_up_4(17) = 20, 18 luma rows and
        // 9 chroma rows.
        let l = layout(VideoFormat::I420, 33, 17);
        assert_eq!((l.planes[0].stride, l.planes[1].stride), (36, 20));
        assert_eq!(l.planes[1].offset, 36 * 18);
        assert_eq!(l.planes[2].offset, 36 * 18 + 20 * 9);
        assert_eq!(l.size, 36 * 18 + 2 * 20 * 9);
    }

    #[test]
    fn nv12_packed_and_gray_strides() {
        let l = layout(VideoFormat::Nv12, 33, 17);
        assert_eq!(
            l.planes[1],
            Plane {
                offset: 36 * 18,
                stride: 36
            }
        );
        assert_eq!(l.size, 36 * 18 + 36 * 9);
        assert_eq!(layout(VideoFormat::Rgba, 33, 17).size, 33 * 4 * 17);
        assert_eq!(layout(VideoFormat::Rgb, 33, 17).planes[0].stride, 100);
        assert_eq!(layout(VideoFormat::Rgb, 33, 17).size, 100 * 17);
        assert_eq!(layout(VideoFormat::Gray8, 33, 17).size, 36 * 17);
    }

    #[test]
    fn overflow_and_zero_are_refused() {
        assert!(FrameLayout::new(VideoFormat::Rgba, usize::MAX / 2, 2).is_none());
        assert!(FrameLayout::new(VideoFormat::I420, usize::MAX, 1).is_none());
        assert!(FrameLayout::new(VideoFormat::Nv12, 1 << 40, 1 << 40).is_none());
        assert!(FrameLayout::new(VideoFormat::Gray8, 0, 10).is_none());
        assert!(FrameLayout::new(VideoFormat::Gray8, 10, 0).is_none());
    }

    #[test]
    fn names_round_trip() {
        for f in VideoFormat::ALL {
            assert_eq!(VideoFormat::from_name(f.name()), Some(f));
        }
        assert_eq!(VideoFormat::from_name("YUY2"), None);
    }
}
