//! Whole-frame conversion between any two of I420, NV12, RGBA, RGB and GRAY8.
//!
//! A key design decision: frames are walked two rows at a time (one row of 4:2:0 chroma)
//! and every format is read into, or written from, one of three row representations:
//! Y'CbCr (luma rows plus one chroma row), packed RGBA or RGB rows, or gray rows. A conversion is
//! "read source form, change form if needed, write destination form", so five formats
//! need a handful of kernels rather than twenty paths, and the Y'CbCr <-> R'G'B' cases
//! (I420/NV12 to and from RGBA/RGB) read from and write to the frames directly with no
//! extra copy (NV12's chroma row is split first).

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
    read: ReadScratch,
    write: WriteScratch,
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
    pub(super) fn new(src: FrameLayout, dst: FrameLayout, standard: Standard) -> Self {
        let w = src.width;
        let cw = w.div_ceil(2);
        let mut read = ReadScratch::default();
        let mut write = WriteScratch::default();
        write.spare.resize(w * 4, 0);
        for r in &mut write.luma {
            r.resize(w, 0);
        }
        for r in [&mut read.u, &mut read.v, &mut write.u, &mut write.v] {
            r.resize(cw, 0);
        }
        Converter {
            src,
            dst,
            m: Matrices {
                to_rgb: ToRgb::new(standard),
                to_yuv: ToYuv::new(standard),
                gray: gray_weights(),
            },
            read,
            write,
        }
    }

    /// Converts `input` (at least `src.size` bytes) into `output` (at least `dst.size`
    /// bytes); the caller checked both sizes.
    pub(super) fn convert(&mut self, input: &[u8], output: &mut [u8]) {
        let h = self.src.height;
        for pair in 0..h.div_ceil(2) {
            let r0 = pair * 2;
            let count = if r0 + 1 < h { 2 } else { 1 };
            let at = RowPair {
                pair,
                rows: [r0, r0 + count - 1],
                count,
            };
            let rows = read(&self.src, input, at, &mut self.read);
            write(&self.dst, output, at, rows, &self.m, &mut self.write);
        }
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

fn row_mut(frame: &mut [u8], plane: Plane, r: usize, len: usize) -> &mut [u8] {
    let start = plane.offset + r * plane.stride;
    &mut frame[start..start + len]
}

/// The destination rows of `at` in `plane` (`len` bytes each), as two mutable rows; the
/// second is `spare` when the pair has a single row.
fn rows_mut<'a>(
    frame: &'a mut [u8],
    plane: Plane,
    at: RowPair,
    len: usize,
    spare: &'a mut [u8],
) -> [&'a mut [u8]; 2] {
    let [r0, r1] = at.rows;
    if at.count == 1 {
        return [row_mut(frame, plane, r0, len), &mut spare[..len]];
    }
    let (a, b) = frame.split_at_mut(plane.offset + r1 * plane.stride);
    [row_mut(a, plane, r0, len), &mut b[..len]]
}

/// Writes one row pair into the destination frame, changing form on the way.
fn write(
    layout: &FrameLayout,
    frame: &mut [u8],
    at: RowPair,
    rows: Rows<'_>,
    m: &Matrices,
    s: &mut WriteScratch,
) {
    let (w, r, pair, n) = (layout.width, at.rows, at.pair, at.count);
    let cw = w.div_ceil(2);
    let p = layout.planes;
    match (form(layout.format), rows) {
        (Form::Packed, rows) => {
            let out_bpp = bpp(layout.format);
            match rows {
                Rows::Yuv { y, u, v } => {
                    let out = rows_mut(frame, p[0], at, w * out_bpp, &mut s.spare);
                    if out_bpp == 3 {
                        to_rgb::yuv_rows_to_rgb::<3>(&m.to_rgb, y, u, v, out);
                    } else {
                        to_rgb::yuv_rows_to_rgb::<4>(&m.to_rgb, y, u, v, out);
                    }
                }
                Rows::Packed(src, in_bpp) => {
                    for i in 0..n {
                        let out = row_mut(frame, p[0], r[i], w * out_bpp);
                        match (in_bpp, out_bpp) {
                            (3, 4) => k::rgb_row_to_rgba(src[i], out),
                            (4, 3) => k::rgba_row_to_rgb(src[i], out),
                            _ => out.copy_from_slice(src[i]),
                        }
                    }
                }
                Rows::Gray(g) => {
                    for i in 0..n {
                        let out = row_mut(frame, p[0], r[i], w * out_bpp);
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
                let out = row_mut(frame, p[0], r[i], w);
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
                        row_mut(frame, p[0], r[i], w).copy_from_slice(y[i]);
                    }
                    (u, v)
                }
                Rows::Packed(src, in_bpp) => {
                    let y = rows_mut(frame, p[0], at, w, &mut s.spare);
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
                        row_mut(frame, p[0], r[i], w).copy_from_slice(&s.luma[i]);
                    }
                    s.u.fill(128);
                    s.v.fill(128);
                    (&s.u, &s.v)
                }
            };
            if layout.format == VideoFormat::Nv12 {
                k::merge_uv(u, v, row_mut(frame, p[1], pair, cw * 2));
            } else {
                row_mut(frame, p[1], pair, cw).copy_from_slice(u);
                row_mut(frame, p[2], pair, cw).copy_from_slice(v);
            }
        }
    }
}
