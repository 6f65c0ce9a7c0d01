//! Packing painted rows into a frame's memory layout, and the fast snow fill.
//!
//! A key design decision: painting and packing are separate (GStreamer's `tmpline` then
//! `pack_func`). Patterns paint rows of [`Px`]; [`write_rect`] packs any rectangle of them
//! into any of the five formats, computing 4:2:0 chroma from pairs of rows. That one path
//! builds every template and redraws the small per-frame regions (ball, SMPTE noise); only
//! full-frame snow, which is random on every pixel of every frame, bypasses it for speed.
//!
//! Rows are reached through `get_mut`, never indexing, so a layout that did not match the
//! buffer would leave pixels unpainted rather than panic.

use super::color::Px;
use super::format::{FrameLayout, Plane, VideoFormat};
use crate::util::rng::Rng;

/// A rectangle of pixels: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    pub(super) x0: usize,
    pub(super) x1: usize,
    pub(super) y0: usize,
    pub(super) y1: usize,
}

impl Rect {
    /// The whole frame.
    pub(super) fn full(layout: &FrameLayout) -> Rect {
        Rect {
            x0: 0,
            x1: layout.width,
            y0: 0,
            y1: layout.height,
        }
    }

    /// This rectangle grown to whole 2x2 chroma blocks for 4:2:0 formats, clamped to the
    /// frame.
    pub(super) fn aligned(self, layout: &FrameLayout) -> Rect {
        let x1 = self.x1.min(layout.width);
        let y1 = self.y1.min(layout.height);
        if !layout.format.is_420() {
            return Rect { x1, y1, ..self };
        }
        Rect {
            x0: self.x0 & !1,
            x1: x1.saturating_add(x1 & 1).min(layout.width),
            y0: self.y0 & !1,
            y1: y1.saturating_add(y1 & 1).min(layout.height),
        }
    }
}

/// Line buffers reused by every call, so redrawing a region allocates nothing.
#[derive(Debug, Clone)]
pub(super) struct Scratch {
    lines: [Vec<Px>; 2],
    noise: [Vec<u8>; 2],
    /// One chroma row of snow levels.
    levels: Vec<u8>,
}

impl Scratch {
    /// Buffers for rows `width` pixels wide.
    pub(super) fn new(width: usize) -> Scratch {
        Scratch {
            lines: [vec![[0; 4]; width], vec![[0; 4]; width]],
            noise: [vec![0; width], vec![0; width]],
            levels: vec![0; width.div_ceil(2)],
        }
    }
}

/// `len` bytes of row `row` of `plane`, starting `skip` bytes in.
fn row_mut(
    frame: &mut [u8],
    plane: Plane,
    row: usize,
    skip: usize,
    len: usize,
) -> Option<&mut [u8]> {
    let start = plane
        .offset
        .checked_add(row.checked_mul(plane.stride)?)?
        .checked_add(skip)?;
    frame.get_mut(start..start.checked_add(len)?)
}

/// Average of two samples, rounded up: GStreamer's 2:1 chroma downsampling for centred
/// (non-cosited) chroma, applied across and then down.
fn avg(a: u8, b: u8) -> u8 {
    ((u16::from(a) + u16::from(b) + 1) >> 1) as u8
}

/// Packs one painted row (columns `x0..x0 + line.len()`) of a format without subsampling.
fn pack_row(frame: &mut [u8], layout: &FrameLayout, y: usize, x0: usize, line: &[Px]) {
    let plane = layout.planes[0];
    let n = line.len();
    match layout.format {
        VideoFormat::Rgba => {
            if let Some(row) = row_mut(frame, plane, y, x0 * 4, n * 4) {
                for (d, p) in row.chunks_exact_mut(4).zip(line) {
                    d.copy_from_slice(&[p[1], p[2], p[3], p[0]]);
                }
            }
        }
        VideoFormat::Rgb => {
            if let Some(row) = row_mut(frame, plane, y, x0 * 3, n * 3) {
                for (d, p) in row.chunks_exact_mut(3).zip(line) {
                    d.copy_from_slice(&[p[1], p[2], p[3]]);
                }
            }
        }
        VideoFormat::Gray8 | VideoFormat::I420 | VideoFormat::Nv12 => {
            if let Some(row) = row_mut(frame, plane, y, x0, n) {
                for (d, p) in row.iter_mut().zip(line) {
                    *d = p[1];
                }
            }
        }
    }
}

/// Packs the chroma of a pair of painted rows into chroma row `cy`.
fn pack_chroma(
    frame: &mut [u8],
    layout: &FrameLayout,
    cy: usize,
    x0: usize,
    top: &[Px],
    bottom: &[Px],
) {
    let cx0 = x0 / 2;
    let n = top.len().div_ceil(2);
    // For an odd width the last pair is a single pixel, averaged with itself (GStreamer
    // extends its line with copies of the last pixel).
    let sample = |c: usize, i: usize| -> u8 {
        let pick = |line: &[Px]| {
            let a = line.get(2 * i).map_or(0, |p| p[c]);
            let b = line.get(2 * i + 1).map_or(a, |p| p[c]);
            avg(a, b)
        };
        avg(pick(top), pick(bottom))
    };
    match layout.format {
        VideoFormat::I420 => {
            for (plane, c) in [(layout.planes[1], 2), (layout.planes[2], 3)] {
                if let Some(row) = row_mut(frame, plane, cy, cx0, n) {
                    for (i, d) in row.iter_mut().enumerate() {
                        *d = sample(c, i);
                    }
                }
            }
        }
        VideoFormat::Nv12 => {
            if let Some(row) = row_mut(frame, layout.planes[1], cy, cx0 * 2, n * 2) {
                for (i, d) in row.chunks_exact_mut(2).enumerate() {
                    d.copy_from_slice(&[sample(2, i), sample(3, i)]);
                }
            }
        }
        VideoFormat::Rgba | VideoFormat::Rgb | VideoFormat::Gray8 => {}
    }
}

/// Paints `rect` (already [`Rect::aligned`]) of `frame`, asking `paint(y, x0, line)` for
/// the pixels of each row. For 4:2:0 formats rows come in pairs; a lone last row is
/// paired with itself, as GStreamer clamps to the last line.
pub(super) fn write_rect(
    frame: &mut [u8],
    layout: &FrameLayout,
    rect: Rect,
    scratch: &mut Scratch,
    mut paint: impl FnMut(usize, usize, &mut [Px]),
) {
    let n = rect.x1.saturating_sub(rect.x0);
    let [a, b] = &mut scratch.lines;
    let (Some(top), Some(bottom)) = (a.get_mut(..n), b.get_mut(..n)) else {
        return;
    };
    if !layout.format.is_420() {
        for y in rect.y0..rect.y1 {
            paint(y, rect.x0, top);
            pack_row(frame, layout, y, rect.x0, top);
        }
        return;
    }
    for y in (rect.y0..rect.y1).step_by(2) {
        paint(y, rect.x0, top);
        pack_row(frame, layout, y, rect.x0, top);
        if y + 1 < layout.height {
            paint(y + 1, rect.x0, bottom);
            pack_row(frame, layout, y + 1, rect.x0, bottom);
        } else {
            bottom.copy_from_slice(top);
        }
        pack_chroma(frame, layout, y / 2, rect.x0, top, bottom);
    }
}

/// Per-format lookup tables from a random level to packed bytes, so snow costs one
/// lookup per pixel.
#[derive(Debug, Clone)]
pub(super) struct SnowTables {
    rgba: [[u8; 4]; 256],
    luma: [u8; 256],
    u: [u8; 256],
    v: [u8; 256],
    /// The chroma when every level has the same one (grey snow, the default): chroma
    /// rows are then filled without looking at the levels.
    flat_chroma: Option<(u8, u8)>,
}

impl SnowTables {
    /// Tables for `ramp`, the palette's foreground/background blend.
    pub(super) fn new(ramp: &[Px; 256]) -> SnowTables {
        SnowTables {
            rgba: ramp.map(|p| [p[1], p[2], p[3], p[0]]),
            luma: ramp.map(|p| p[1]),
            u: ramp.map(|p| p[2]),
            v: ramp.map(|p| p[3]),
            flat_chroma: ramp
                .iter()
                .all(|p| p[2] == ramp[0][2] && p[3] == ramp[0][3])
                .then_some((ramp[0][2], ramp[0][3])),
        }
    }
}

/// Fills the whole frame with snow: every pixel an independent random level of the
/// foreground/background blend. Chroma of a 2x2 block is the colour of the block's
/// average level, which is exact for the default grey snow (constant chroma).
pub(super) fn fill_snow(
    frame: &mut [u8],
    layout: &FrameLayout,
    t: &SnowTables,
    rng: &mut Rng,
    scratch: &mut Scratch,
) {
    let (w, h) = (layout.width, layout.height);
    let plane = layout.planes[0];
    let [na, nb] = &mut scratch.noise;
    let levels = &mut scratch.levels;
    let (Some(top), Some(bottom)) = (na.get_mut(..w), nb.get_mut(..w)) else {
        return;
    };
    for y in 0..h {
        rng.fill(top);
        match layout.format {
            VideoFormat::Rgba => {
                if let Some(row) = row_mut(frame, plane, y, 0, w * 4) {
                    for (d, level) in row.chunks_exact_mut(4).zip(top.iter()) {
                        d.copy_from_slice(&t.rgba[usize::from(*level)]);
                    }
                }
            }
            VideoFormat::Rgb => {
                if let Some(row) = row_mut(frame, plane, y, 0, w * 3) {
                    for (d, level) in row.chunks_exact_mut(3).zip(top.iter()) {
                        let p = &t.rgba[usize::from(*level)];
                        d.copy_from_slice(&p[..3]);
                    }
                }
            }
            VideoFormat::Gray8 | VideoFormat::I420 | VideoFormat::Nv12 => {
                if let Some(row) = row_mut(frame, plane, y, 0, w) {
                    for (d, level) in row.iter_mut().zip(top.iter()) {
                        *d = t.luma[usize::from(*level)];
                    }
                }
            }
        }
        if layout.format.is_420() && t.flat_chroma.is_none() {
            // Chroma row y / 2 is written once its second luma row exists (or at the
            // last row of an odd height, paired with itself).
            if y % 2 == 0 {
                bottom.copy_from_slice(top);
                if y + 1 < h {
                    continue;
                }
            }
            snow_chroma(frame, layout, t, y / 2, bottom, top, levels);
        }
    }
    if let (true, Some((u, v))) = (layout.format.is_420(), t.flat_chroma) {
        fill_chroma(frame, layout, u, v);
    }
}

/// Fills every chroma sample with `u`, `v`.
fn fill_chroma(frame: &mut [u8], layout: &FrameLayout, u: u8, v: u8) {
    let n = layout.width.div_ceil(2);
    for cy in 0..layout.height.div_ceil(2) {
        match layout.format {
            VideoFormat::I420 => {
                for (plane, value) in [(layout.planes[1], u), (layout.planes[2], v)] {
                    if let Some(row) = row_mut(frame, plane, cy, 0, n) {
                        row.fill(value);
                    }
                }
            }
            VideoFormat::Nv12 => {
                if let Some(row) = row_mut(frame, layout.planes[1], cy, 0, n * 2) {
                    for d in row.chunks_exact_mut(2) {
                        d.copy_from_slice(&[u, v]);
                    }
                }
            }
            VideoFormat::Rgba | VideoFormat::Rgb | VideoFormat::Gray8 => {}
        }
    }
}

/// Chroma row `cy` of snow from the two rows of random levels: each 2x2 block's average
/// level, looked up in the U and V tables.
fn snow_chroma(
    frame: &mut [u8],
    layout: &FrameLayout,
    t: &SnowTables,
    cy: usize,
    top: &[u8],
    bottom: &[u8],
    levels: &mut [u8],
) {
    // A lone last column (odd width) pairs with itself.
    let pair = |c: &[u8]| match c {
        [a, b] => avg(*a, *b),
        [a] => *a,
        _ => 0,
    };
    for (l, (t, b)) in levels.iter_mut().zip(top.chunks(2).zip(bottom.chunks(2))) {
        *l = avg(pair(t), pair(b));
    }
    let n = levels.len();
    match layout.format {
        VideoFormat::I420 => {
            for (plane, table) in [(layout.planes[1], &t.u), (layout.planes[2], &t.v)] {
                if let Some(row) = row_mut(frame, plane, cy, 0, n) {
                    for (d, l) in row.iter_mut().zip(levels.iter()) {
                        *d = table[usize::from(*l)];
                    }
                }
            }
        }
        VideoFormat::Nv12 => {
            if let Some(row) = row_mut(frame, layout.planes[1], cy, 0, n * 2) {
                for (d, l) in row.chunks_exact_mut(2).zip(levels.iter()) {
                    let l = usize::from(*l);
                    d.copy_from_slice(&[t.u[l], t.v[l]]);
                }
            }
        }
        VideoFormat::Rgba | VideoFormat::Rgb | VideoFormat::Gray8 => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_rects_cover_whole_chroma_blocks() {
        let l = FrameLayout::new(VideoFormat::I420, 33, 17).expect("layout");
        let r = Rect {
            x0: 3,
            x1: 8,
            y0: 5,
            y1: 9,
        }
        .aligned(&l);
        assert_eq!((r.x0, r.x1, r.y0, r.y1), (2, 8, 4, 10));
        let edge = Rect {
            x0: 31,
            x1: 40,
            y0: 15,
            y1: 40,
        }
        .aligned(&l);
        assert_eq!((edge.x0, edge.x1, edge.y0, edge.y1), (30, 33, 14, 17));
        let rgb = FrameLayout::new(VideoFormat::Rgb, 33, 17).expect("layout");
        assert_eq!(edge.aligned(&rgb).x0, 30);
    }

    #[test]
    fn i420_odd_frame_is_fully_painted() {
        let l = FrameLayout::new(VideoFormat::I420, 3, 3).expect("layout");
        let mut frame = vec![0u8; l.size];
        let mut scratch = Scratch::new(3);
        write_rect(
            &mut frame,
            &l,
            Rect::full(&l),
            &mut scratch,
            |_, _, line| {
                line.fill([255, 200, 100, 50]);
            },
        );
        let y = l.planes[0];
        assert_eq!(&frame[..3], &[200; 3]);
        assert_eq!(&frame[2 * y.stride..2 * y.stride + 3], &[200; 3]);
        assert_eq!(frame[l.planes[1].offset + 1], 100);
        assert_eq!(frame[l.planes[2].offset + l.planes[2].stride + 1], 50);
    }
}
