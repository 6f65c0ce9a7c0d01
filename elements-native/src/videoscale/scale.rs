//! Whole-frame scaling, plane by plane: nearest neighbour or separable bilinear.
//!
//! A key design decision: sample positions are centre-aligned (destination pixel `i`
//! reads source position `(i + 0.5) * src / dst - 0.5`, clamped at the edges), as
//! GStreamer's scaler does, and tables of source indices and 8-bit weights are built
//! once per negotiation. Bilinear scales each needed source row horizontally once into
//! a 16-bit row (two are cached, so every source row is filtered at most once per frame
//! when downscaling by less than 2 and once in total when upscaling), then blends two
//! such rows vertically with exact rounding.

use crate::util::video_format::{FrameLayout, VideoFormat};

/// Weight precision: weights are in `0..=256`.
const ONE: u32 = 256;

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    Nearest,
    Bilinear,
}

/// One destination coordinate: the two source coordinates and the weight of the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tap {
    pub(super) i0: usize,
    pub(super) i1: usize,
    pub(super) w: u32,
}

/// Taps for scaling `src` samples to `dst`.
pub(super) fn taps(src: usize, dst: usize, method: Method) -> Vec<Tap> {
    let last = src.saturating_sub(1);
    (0..dst)
        .map(|i| {
            // Exact in f64 for any size the caps allow (< 2^15).
            let pos = (i as f64 + 0.5) * src as f64 / dst as f64 - 0.5;
            match method {
                Method::Nearest => {
                    let n = ((i as f64 + 0.5) * src as f64 / dst as f64).floor() as usize;
                    let n = n.min(last);
                    Tap { i0: n, i1: n, w: 0 }
                }
                Method::Bilinear => {
                    if pos <= 0.0 {
                        return Tap { i0: 0, i1: 0, w: 0 };
                    }
                    let i0 = (pos.floor() as usize).min(last);
                    let i1 = (i0 + 1).min(last);
                    let w = ((pos - i0 as f64) * f64::from(ONE)).round() as u32;
                    // A weight of a full unit means "the next sample": keep it exact.
                    if w >= ONE || i0 == i1 {
                        return Tap { i0: i1, i1, w: 0 };
                    }
                    Tap { i0, i1, w }
                }
            }
        })
        .collect()
}

/// One plane of a frame: where it is, its size in samples and channels per sample.
#[derive(Debug, Clone, Copy)]
struct PlaneGeom {
    offset: usize,
    stride: usize,
    width: usize,
    height: usize,
    channels: usize,
}

fn planes(l: &FrameLayout) -> Vec<PlaneGeom> {
    let (w, h) = (l.width, l.height);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let p = l.planes;
    let geom = |i: usize, width, height, channels| PlaneGeom {
        offset: p[i].offset,
        stride: p[i].stride,
        width,
        height,
        channels,
    };
    match l.format {
        VideoFormat::I420 => vec![geom(0, w, h, 1), geom(1, cw, ch, 1), geom(2, cw, ch, 1)],
        VideoFormat::Nv12 => vec![geom(0, w, h, 1), geom(1, cw, ch, 2)],
        VideoFormat::Rgba => vec![geom(0, w, h, 4)],
        VideoFormat::Rgb => vec![geom(0, w, h, 3)],
        VideoFormat::Gray8 => vec![geom(0, w, h, 1)],
    }
}

/// Scales one plane.
#[derive(Debug)]
struct PlaneScaler {
    src: PlaneGeom,
    dst: PlaneGeom,
    xs: Vec<Tap>,
    ys: Vec<Tap>,
    /// Horizontally filtered source rows and which source row each holds.
    rows: [(Option<usize>, Vec<u16>); 2],
}

/// Scales frames of one layout into another of the same format.
#[derive(Debug)]
pub(super) struct Scaler {
    method: Method,
    planes: Vec<PlaneScaler>,
}

impl Scaler {
    /// A scaler from `src` to `dst` (same format, any sizes).
    pub(super) fn new(src: &FrameLayout, dst: &FrameLayout, method: Method) -> Self {
        let planes = planes(src)
            .into_iter()
            .zip(planes(dst))
            .map(|(s, d)| {
                let row = vec![0u16; d.width * d.channels];
                PlaneScaler {
                    xs: taps(s.width, d.width, method),
                    ys: taps(s.height, d.height, method),
                    src: s,
                    dst: d,
                    rows: [(None, row.clone()), (None, row)],
                }
            })
            .collect();
        Scaler { method, planes }
    }

    /// Scales `input` (at least the source frame size) into `output` (at least the
    /// destination frame size); the caller checked both sizes.
    pub(super) fn scale(&mut self, input: &[u8], output: &mut [u8]) {
        for p in &mut self.planes {
            match self.method {
                Method::Nearest => p.nearest(input, output),
                Method::Bilinear => p.bilinear(input, output),
            }
        }
    }
}

fn src_row<'a>(frame: &'a [u8], g: &PlaneGeom, r: usize) -> &'a [u8] {
    let start = g.offset + r * g.stride;
    &frame[start..start + g.width * g.channels]
}

fn dst_row<'a>(frame: &'a mut [u8], g: &PlaneGeom, r: usize) -> &'a mut [u8] {
    let start = g.offset + r * g.stride;
    &mut frame[start..start + g.width * g.channels]
}

/// Horizontal bilinear pass of one row into 8.8 fixed point.
fn h_filter<const C: usize>(src: &[u8], xs: &[Tap], out: &mut [u16]) {
    for (o, t) in out.chunks_exact_mut(C).zip(xs) {
        let a = &src[t.i0 * C..t.i0 * C + C];
        let b = &src[t.i1 * C..t.i1 * C + C];
        // At most 255 * 256, within u16.
        let (wa, wb) = ((ONE - t.w) as u16, t.w as u16);
        for c in 0..C {
            o[c] = u16::from(a[c]) * wa + u16::from(b[c]) * wb;
        }
    }
}

fn h_filter_any(channels: usize, src: &[u8], xs: &[Tap], out: &mut [u16]) {
    match channels {
        1 => h_filter::<1>(src, xs, out),
        2 => h_filter::<2>(src, xs, out),
        3 => h_filter::<3>(src, xs, out),
        _ => h_filter::<4>(src, xs, out),
    }
}

fn nearest_row<const C: usize>(src: &[u8], xs: &[Tap], out: &mut [u8]) {
    for (o, t) in out.chunks_exact_mut(C).zip(xs) {
        o.copy_from_slice(&src[t.i0 * C..t.i0 * C + C]);
    }
}

impl PlaneScaler {
    fn nearest(&self, input: &[u8], output: &mut [u8]) {
        for (r, t) in self.ys.iter().enumerate() {
            let src = src_row(input, &self.src, t.i0);
            let out = dst_row(output, &self.dst, r);
            match self.src.channels {
                1 => nearest_row::<1>(src, &self.xs, out),
                2 => nearest_row::<2>(src, &self.xs, out),
                3 => nearest_row::<3>(src, &self.xs, out),
                _ => nearest_row::<4>(src, &self.xs, out),
            }
        }
    }

    /// Makes `rows[slot]` hold source row `r`, filtered.
    fn ensure(&mut self, slot: usize, r: usize, input: &[u8]) {
        if self.rows[slot].0 == Some(r) {
            return;
        }
        let src = src_row(input, &self.src, r);
        h_filter_any(self.src.channels, src, &self.xs, &mut self.rows[slot].1);
        self.rows[slot].0 = Some(r);
    }

    fn bilinear(&mut self, input: &[u8], output: &mut [u8]) {
        // Rows cached from the previous frame are stale.
        self.rows[0].0 = None;
        self.rows[1].0 = None;
        for r in 0..self.ys.len() {
            let t = self.ys[r];
            // Keep slot 0 for the upper row: a row the previous step filtered as its
            // lower one is reused, not filtered again.
            if self.rows[1].0 == Some(t.i0) {
                self.rows.swap(0, 1);
            }
            self.ensure(0, t.i0, input);
            let out = dst_row(output, &self.dst, r);
            if t.w == 0 {
                for (o, &a) in out.iter_mut().zip(&self.rows[0].1) {
                    *o = ((u32::from(a) + ONE / 2) / ONE) as u8;
                }
                continue;
            }
            self.ensure(1, t.i1, input);
            let (wa, wb) = (ONE - t.w, t.w);
            let [(_, a), (_, b)] = &self.rows;
            for (o, (&a, &b)) in out.iter_mut().zip(a.iter().zip(b)) {
                // At most 255 * 256 * 256 < 2^24; the result is at most 255.
                let v = u32::from(a) * wa + u32::from(b) * wb;
                *o = ((v + ONE * ONE / 2) / (ONE * ONE)) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_are_centre_aligned() {
        // 2 -> 4: positions -0.25, 0.25, 0.75, 1.25.
        let t = taps(2, 4, Method::Bilinear);
        let w: Vec<(usize, usize, u32)> = t.iter().map(|t| (t.i0, t.i1, t.w)).collect();
        assert_eq!(w, vec![(0, 0, 0), (0, 1, 64), (0, 1, 192), (1, 1, 0)]);
        // Same size: every tap is its own sample.
        assert!(
            taps(7, 7, Method::Bilinear)
                .iter()
                .enumerate()
                .all(|(i, t)| t.i0 == i && t.w == 0)
        );
        let n: Vec<usize> = taps(4, 2, Method::Nearest).iter().map(|t| t.i0).collect();
        assert_eq!(n, vec![1, 3]);
    }
}
