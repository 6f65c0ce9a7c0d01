//! Whole-frame conversion between any two of I420, NV12, RGBA, RGB and GRAY8.
//!
//! A key design decision: frames are walked two rows at a time (one row of 4:2:0 chroma)
//! and every format is read into, or written from, one of three row representations:
//! Y'CbCr (luma rows plus one chroma row), packed RGBA or RGB rows, or gray rows. A conversion is
//! "read source form, change form if needed, write destination form", so five formats
//! need a handful of kernels rather than twenty paths, and the Y'CbCr <-> R'G'B' cases
//! (I420/NV12 to and from RGBA/RGB) read from and write to the frames directly with no
//! extra copy (NV12's chroma row is split first).

use std::ops::Range;

use crate::util::video_format::{FrameLayout, Plane, VideoFormat};

use super::kernels as k;
use super::matrix::{Standard, ToRgb, ToYuv, gray_weights};
use super::{to_rgb, to_yuv};

/// The row representation a format is naturally read and written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Yuv,
    Packed,
    Gray,
}

fn form(format: VideoFormat) -> Form {
    match format {
        VideoFormat::I420 | VideoFormat::Nv12 => Form::Yuv,
        VideoFormat::Rgba | VideoFormat::Rgb => Form::Packed,
        VideoFormat::Gray8 => Form::Gray,
    }
}

/// Bytes per pixel of a packed R'G'B' format.
fn bpp(format: VideoFormat) -> usize {
    if format == VideoFormat::Rgb { 3 } else { 4 }
}

/// The chroma rows the reader splits NV12 sources into.
#[derive(Debug, Default)]
struct ReadScratch {
    u: Vec<u8>,
    v: Vec<u8>,
}

/// Rows the writer converts through; separate from [`ReadScratch`] because a source
/// row pair may borrow that one while the writer runs.
#[derive(Debug, Default)]
struct WriteScratch {
    /// Where the second output row of a pair goes when the pair has one row (odd
    /// height); big enough for any format's row.
    spare: Vec<u8>,
    luma: [Vec<u8>; 2],
    u: Vec<u8>,
    v: Vec<u8>,
}

/// Which rows one step of the walk covers.
#[derive(Debug, Clone, Copy)]
struct RowPair {
    /// Chroma row (4:2:0).
    pair: usize,
    /// The two luma rows; the same row twice for the last row of an odd height.
    rows: [usize; 2],
    /// How many of `rows` are distinct (1 or 2).
    count: usize,
}

/// Converts frames of one layout into another of the same size.
#[derive(Debug)]
pub(super) struct Converter {
    src: FrameLayout,
    dst: FrameLayout,
    m: Matrices,
    /// One set of scratch rows per thread a frame is split across.
    workers: Vec<(ReadScratch, WriteScratch)>,
}

/// The part of the destination frame one band of row pairs writes: each plane's rows
/// from the band's first on, so bands can be written from different threads.
struct Band<'a> {
    planes: [&'a mut [u8]; 3],
    strides: [usize; 3],
    /// The band's first luma row and first chroma row.
    first: [usize; 2],
}

impl Band<'_> {
    /// Row `r` (a frame row number) of plane `k`, `len` bytes.
    fn row(&mut self, k: usize, r: usize, len: usize) -> &mut [u8] {
        let start = (r - self.first[k.min(1)]) * self.strides[k];
        &mut self.planes[k][start..start + len]
    }

    /// The rows of `at` in plane `k` (`len` bytes each), as two mutable rows; the
    /// second is `spare` when the pair has a single row.
    fn rows<'s>(
        &'s mut self,
        k: usize,
        at: RowPair,
        len: usize,
        spare: &'s mut [u8],
    ) -> [&'s mut [u8]; 2] {
        let [r0, r1] = at.rows;
        if at.count == 1 {
            return [self.row(k, r0, len), &mut spare[..len]];
        }
        let stride = self.strides[k];
        let start = (r0 - self.first[k.min(1)]) * stride;
        let (a, b) = self.planes[k][start..].split_at_mut((r1 - r0) * stride);
        [&mut a[..len], &mut b[..len]]
    }
}

/// How many planes `format` has.
fn plane_count(format: VideoFormat) -> usize {
    match format {
        VideoFormat::I420 => 3,
        VideoFormat::Nv12 => 2,
        VideoFormat::Rgba | VideoFormat::Rgb | VideoFormat::Gray8 => 1,
    }
}

/// Cuts `frame` (laid out as `layout`) into one [`Band`] per range of row pairs; the
/// ranges are consecutive and cover the frame.
fn bands<'a>(layout: &FrameLayout, frame: &'a mut [u8], ranges: &[Range<usize>]) -> Vec<Band<'a>> {
    let h = layout.height;
    let strides = layout.planes.map(|p| p.stride);
    let mut bands: Vec<Band<'a>> = ranges
        .iter()
        .map(|r| Band {
            planes: [&mut [], &mut [], &mut []],
            strides,
            first: [r.start * 2, r.start],
        })
        .collect();
    let mut rest = frame;
    let mut pos = 0;
    for k in 0..plane_count(layout.format) {
        let plane = layout.planes[k];
        let skip = plane.offset.saturating_sub(pos).min(rest.len());
        rest = &mut std::mem::take(&mut rest)[skip..];
        pos += skip;
        for (band, r) in bands.iter_mut().zip(ranges) {
            let rows = if k == 0 {
                (r.end * 2).min(h) - r.start * 2
            } else {
                r.len()
            };
            let len = (rows * plane.stride).min(rest.len());
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(len);
            band.planes[k] = mine;
            rest = tail;
            pos += len;
        }
    }
    bands
}

#[derive(Debug)]
struct Matrices {
    to_rgb: ToRgb,
    to_yuv: ToYuv,
    gray: [i32; 3],
}

/// A source row pair in its natural form, borrowed from the frame or from scratch.
enum Rows<'a> {
    Yuv {
        y: [&'a [u8]; 2],
        u: &'a [u8],
        v: &'a [u8],
    },
    /// RGBA or RGB rows and their bytes per pixel.
    Packed([&'a [u8]; 2], usize),
    Gray([&'a [u8]; 2]),
}

fn row(frame: &[u8], plane: Plane, r: usize, len: usize) -> &[u8] {
    let start = plane.offset + r * plane.stride;
    &frame[start..start + len]
}

impl Converter {
    /// A converter between two layouts of the same size; `standard` is the Y'CbCr matrix
    /// (GStreamer's default for the height unless caps said otherwise).
    ///
    /// Each frame is split into `threads` bands of rows converted in parallel (at least
    /// one; never more bands than chroma rows).
    pub(super) fn new(
        src: FrameLayout,
        dst: FrameLayout,
        standard: Standard,
        threads: usize,
    ) -> Self {
        let w = src.width;
        let cw = w.div_ceil(2);
        let threads = threads.clamp(1, src.height.div_ceil(2));
        let workers = (0..threads)
            .map(|_| {
                let mut read = ReadScratch::default();
                let mut write = WriteScratch::default();
                write.spare.resize(w * 4, 0);
                for r in &mut write.luma {
                    r.resize(w, 0);
                }
                for r in [&mut read.u, &mut read.v, &mut write.u, &mut write.v] {
                    r.resize(cw, 0);
                }
                (read, write)
            })
            .collect();
        Converter {
            src,
            dst,
            m: Matrices {
                to_rgb: ToRgb::new(standard),
                to_yuv: ToYuv::new(standard),
                gray: gray_weights(),
            },
            workers,
        }
    }

    /// Converts `input` (at least `src.size` bytes) into `output` (at least `dst.size`
    /// bytes); the caller checked both sizes.
    pub(super) fn convert(&mut self, input: &[u8], output: &mut [u8]) {
        let pairs = self.src.height.div_ceil(2);
        let n = self.workers.len();
        let ranges: Vec<Range<usize>> =
            (0..n).map(|i| pairs * i / n..pairs * (i + 1) / n).collect();
        let (src, dst, m) = (&self.src, &self.dst, &self.m);
        let mut jobs = bands(dst, output, &ranges)
            .into_iter()
            .zip(ranges.iter().cloned())
            .zip(self.workers.iter_mut());
        let Some(((band, range), scratch)) = jobs.next() else {
            return;
        };
        std::thread::scope(|scope| {
            for ((band, range), scratch) in jobs {
                scope.spawn(move || convert_band(src, dst, m, input, band, range, scratch));
            }
            convert_band(src, dst, m, input, band, range, scratch);
        });
    }
}

/// Converts the row pairs `pairs` of `input` into `band`.
fn convert_band(
    src: &FrameLayout,
    dst: &FrameLayout,
    m: &Matrices,
    input: &[u8],
    mut band: Band<'_>,
    pairs: Range<usize>,
    (read_scratch, write_scratch): &mut (ReadScratch, WriteScratch),
) {
    let h = src.height;
    for pair in pairs {
        let r0 = pair * 2;
        let count = if r0 + 1 < h { 2 } else { 1 };
        let at = RowPair {
            pair,
            rows: [r0, r0 + count - 1],
            count,
        };
        let rows = read(src, input, at, read_scratch);
        write(dst, &mut band, at, rows, m, write_scratch);
    }
}

/// Reads source rows `r` (chroma row `pair`) in the source's natural form. NV12's
/// interleaved chroma is split into the read-side scratch.
fn read<'a>(
    layout: &FrameLayout,
    frame: &'a [u8],
    at: RowPair,
    scratch: &'a mut ReadScratch,
) -> Rows<'a> {
    let (w, r, pair) = (layout.width, at.rows, at.pair);
    let cw = w.div_ceil(2);
    let p = layout.planes;
    match layout.format {
        VideoFormat::I420 => Rows::Yuv {
            y: [row(frame, p[0], r[0], w), row(frame, p[0], r[1], w)],
            u: row(frame, p[1], pair, cw),
            v: row(frame, p[2], pair, cw),
        },
        VideoFormat::Nv12 => {
            k::split_uv(
                row(frame, p[1], pair, cw * 2),
                &mut scratch.u,
                &mut scratch.v,
            );
            Rows::Yuv {
                y: [row(frame, p[0], r[0], w), row(frame, p[0], r[1], w)],
                u: &scratch.u,
                v: &scratch.v,
            }
        }
        VideoFormat::Rgba | VideoFormat::Rgb => {
            let n = bpp(layout.format);
            let len = w * n;
            Rows::Packed(
                [row(frame, p[0], r[0], len), row(frame, p[0], r[1], len)],
                n,
            )
        }
        VideoFormat::Gray8 => Rows::Gray([row(frame, p[0], r[0], w), row(frame, p[0], r[1], w)]),
    }
}

/// Writes one row pair into the destination frame, changing form on the way.
fn write(
    layout: &FrameLayout,
    band: &mut Band<'_>,
    at: RowPair,
    rows: Rows<'_>,
    m: &Matrices,
    s: &mut WriteScratch,
) {
    let (w, r, pair, n) = (layout.width, at.rows, at.pair, at.count);
    let cw = w.div_ceil(2);
    match (form(layout.format), rows) {
        (Form::Packed, rows) => {
            let out_bpp = bpp(layout.format);
            match rows {
                Rows::Yuv { y, u, v } => {
                    let out = band.rows(0, at, w * out_bpp, &mut s.spare);
                    if out_bpp == 3 {
                        to_rgb::yuv_rows_to_rgb::<3>(&m.to_rgb, y, u, v, out);
                    } else {
                        to_rgb::yuv_rows_to_rgb::<4>(&m.to_rgb, y, u, v, out);
                    }
                }
                Rows::Packed(src, in_bpp) => {
                    for i in 0..n {
                        let out = band.row(0, r[i], w * out_bpp);
                        match (in_bpp, out_bpp) {
                            (3, 4) => k::rgb_row_to_rgba(src[i], out),
                            (4, 3) => k::rgba_row_to_rgb(src[i], out),
                            _ => out.copy_from_slice(src[i]),
                        }
                    }
                }
                Rows::Gray(g) => {
                    for i in 0..n {
                        let out = band.row(0, r[i], w * out_bpp);
                        if out_bpp == 3 {
                            k::gray_row_to_rgb::<3>(g[i], out);
                        } else {
                            k::gray_row_to_rgb::<4>(g[i], out);
                        }
                    }
                }
            }
        }
        (Form::Gray, rows) => {
            for i in 0..n {
                let out = band.row(0, r[i], w);
                match &rows {
                    Rows::Yuv { y, .. } => k::y_row_to_gray(y[i], out),
                    Rows::Packed(src, 3) => k::rgb_row_to_gray::<3>(m.gray, src[i], out),
                    Rows::Packed(src, _) => k::rgb_row_to_gray::<4>(m.gray, src[i], out),
                    Rows::Gray(g) => out.copy_from_slice(g[i]),
                }
            }
        }
        (Form::Yuv, rows) => {
            // Luma rows straight into the frame; chroma into the writer's u/v rows,
            // then stored as planes (I420) or interleaved (NV12).
            let (u, v): (&[u8], &[u8]) = match rows {
                Rows::Yuv { y, u, v } => {
                    for i in 0..n {
                        band.row(0, r[i], w).copy_from_slice(y[i]);
                    }
                    (u, v)
                }
                Rows::Packed(src, in_bpp) => {
                    let y = band.rows(0, at, w, &mut s.spare);
                    if in_bpp == 3 {
                        to_yuv::rgb_rows_to_yuv::<3>(&m.to_yuv, src, y, &mut s.u, &mut s.v);
                    } else {
                        to_yuv::rgb_rows_to_yuv::<4>(&m.to_yuv, src, y, &mut s.u, &mut s.v);
                    }
                    (&s.u, &s.v)
                }
                Rows::Gray(g) => {
                    for i in 0..n {
                        k::gray_row_to_y(g[i], &mut s.luma[i]);
                        band.row(0, r[i], w).copy_from_slice(&s.luma[i]);
                    }
                    s.u.fill(128);
                    s.v.fill(128);
                    (&s.u, &s.v)
                }
            };
            if layout.format == VideoFormat::Nv12 {
                k::merge_uv(u, v, band.row(1, pair, cw * 2));
            } else {
                band.row(1, pair, cw).copy_from_slice(u);
                band.row(2, pair, cw).copy_from_slice(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn bands_on_threads_give_the_single_threaded_frame() {
        for (w, h) in [(37, 7), (64, 9), (3, 1), (18, 2)] {
            for from in VideoFormat::ALL {
                for to in VideoFormat::ALL {
                    let (src, dst) = (
                        FrameLayout::new(from, w, h).expect("layout"),
                        FrameLayout::new(to, w, h).expect("layout"),
                    );
                    let mut input = vec![0; src.size];
                    Rng::new(7).fill(&mut input);
                    let run = |threads| {
                        // Padding bytes keep their fill, so differences there show too.
                        let mut out = vec![0xa5; dst.size];
                        Converter::new(src.clone(), dst.clone(), Standard::Bt709, threads)
                            .convert(&input, &mut out);
                        out
                    };
                    let one = run(1);
                    for threads in [2, 3, 16] {
                        assert!(
                            run(threads) == one,
                            "{from:?} -> {to:?} {w}x{h} on {threads} threads"
                        );
                    }
                }
            }
        }
    }
}
