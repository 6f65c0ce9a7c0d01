//! Frames as `jpeg-encoder` image sources: rows of JFIF (full-range BT.601) Y'CbCr or
//! gray, read straight out of the frame's planes.
//!
//! A key design decision: 4:2:0 input is converted to full range with two lookup tables
//! and handed over with its chroma repeated per pixel; the encoder subsamples it back
//! (2x2) exactly, so the only loss is the range expansion's rounding. HD frames (BT.709
//! by GStreamer's default) go through R'G'B' first, because JFIF is always BT.601.

use jpeg_encoder::{ImageBuffer, JpegColorType};

use crate::util::video_format::{FrameLayout, VideoFormat};
use crate::videoconvert::matrix::Standard;

/// One frame of raw video, ready to be encoded.
pub(super) struct FrameSource<'a> {
    pub(super) layout: &'a FrameLayout,
    pub(super) data: &'a [u8],
    pub(super) standard: Standard,
    pub(super) luts: &'a Luts,
}

/// Limited-to-full range tables for luma and chroma.
#[derive(Debug)]
pub(super) struct Luts {
    y: [u8; 256],
    c: [u8; 256],
}

impl Luts {
    pub(super) fn new() -> Self {
        let mut y = [0u8; 256];
        let mut c = [0u8; 256];
        for i in 0..256 {
            let v = i as f64;
            y[i] = ((v - 16.0) * 255.0 / 219.0).round().clamp(0.0, 255.0) as u8;
            c[i] = ((v - 128.0) * 255.0 / 224.0 + 128.0)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
        Luts { y, c }
    }
}

fn clamp(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// BT.709 limited-range Y'CbCr to JFIF (BT.601 full-range) Y'CbCr, through R'G'B'.
fn bt709_to_jfif(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = (f32::from(y) - 16.0) * (255.0 / 219.0);
    let cb = (f32::from(cb) - 128.0) * (255.0 / 224.0);
    let cr = (f32::from(cr) - 128.0) * (255.0 / 224.0);
    let r = y + 1.5748 * cr;
    let g = y - 0.187_324 * cb - 0.468_124 * cr;
    let b = y + 1.8556 * cb;
    let yy = 0.299 * r + 0.587 * g + 0.114 * b;
    [
        clamp(yy),
        clamp(128.0 + (b - yy) * 0.564_334),
        clamp(128.0 + (r - yy) * 0.713_267),
    ]
}

impl ImageBuffer for FrameSource<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        match self.layout.format {
            VideoFormat::Gray8 => JpegColorType::Luma,
            _ => JpegColorType::Ycbcr,
        }
    }

    // The caps limit (16384) keeps both dimensions within u16.
    fn width(&self) -> u16 {
        self.layout.width as u16
    }

    fn height(&self) -> u16 {
        self.layout.height as u16
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let (l, w, r) = (self.layout, self.layout.width, usize::from(y));
        let p = l.planes;
        let at = |plane: usize, row: usize, len: usize| {
            let start = p[plane].offset + row * p[plane].stride;
            &self.data[start..start + len]
        };
        let [yb, cbb, crb, _] = buffers;
        match l.format {
            VideoFormat::Gray8 => yb.extend_from_slice(at(0, r, w)),
            VideoFormat::Rgb | VideoFormat::Rgba => {
                let n = if l.format == VideoFormat::Rgb { 3 } else { 4 };
                for px in at(0, r, w * n).chunks_exact(n) {
                    let [rr, gg, bb] = [px[0], px[1], px[2]].map(f32::from);
                    let yy = 0.299 * rr + 0.587 * gg + 0.114 * bb;
                    yb.push(clamp(yy));
                    cbb.push(clamp(128.0 + (bb - yy) * 0.564_334));
                    crb.push(clamp(128.0 + (rr - yy) * 0.713_267));
                }
            }
            VideoFormat::I420 | VideoFormat::Nv12 => {
                let cw = w.div_ceil(2);
                let luma = at(0, r, w);
                let mut push = |pair: &[u8], u: u8, v: u8| {
                    for &yv in pair {
                        if self.standard == Standard::Bt709 {
                            let [a, b, c] = bt709_to_jfif(yv, u, v);
                            yb.push(a);
                            cbb.push(b);
                            crb.push(c);
                        } else {
                            yb.push(self.luts.y[usize::from(yv)]);
                            cbb.push(self.luts.c[usize::from(u)]);
                            crb.push(self.luts.c[usize::from(v)]);
                        }
                    }
                };
                if l.format == VideoFormat::Nv12 {
                    for (pair, uv) in luma.chunks(2).zip(at(1, r / 2, cw * 2).chunks_exact(2)) {
                        push(pair, uv[0], uv[1]);
                    }
                } else {
                    let (u, v) = (at(1, r / 2, cw), at(2, r / 2, cw));
                    for (pair, (&u, &v)) in luma.chunks(2).zip(u.iter().zip(v)) {
                        push(pair, u, v);
                    }
                }
            }
        }
    }
}
