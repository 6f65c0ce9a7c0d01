//! Our own decoder for the JPEGs [`Layout::Gray`] and [`Layout::Yuv420`] describe:
//! the scan's MCUs are Huffman-decoded block by block and each block is transformed
//! into its place in one MCU row of the output planes (GRAY8, or I420 with the JPEG's
//! own chroma planes), staged in a small buffer and copied out whole rows at a time, so
//! there is neither chroma upsampling nor colour conversion, which is what GStreamer's
//! `jpegdec` (libjpeg-turbo in raw mode) does too.
//!
//! Blocks that a picture size not a multiple of the MCU cuts are transformed into a
//! small buffer and only their visible part copied; blocks wholly outside are decoded
//! (the bit stream needs it) but not transformed.

use super::headers::{Headers, Layout};
use super::huffman::BitReader;
use super::{idct, idct_fast};

/// The inverse DCT, GStreamer's `idct-method` values (its `float` is not offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdctMethod {
    /// libjpeg's accurate integer IDCT (`jidctint.c`, `djpeg -dct int`).
    Islow,
    /// libjpeg's fast integer IDCT (`jidctfst.c`, `djpeg -dct fast`), GStreamer's default.
    Ifast,
}

/// Where one component's samples go in the output buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plane {
    pub(super) offset: usize,
    pub(super) stride: usize,
    pub(super) width: usize,
    pub(super) height: usize,
}

/// A decode failure: what, and the index in the file where the reader was.
pub(super) struct ScanError {
    pub(super) at: usize,
    pub(super) what: &'static str,
}

/// Decodes the scan of `file` described by `h` into `out`, one [`Plane`] per component
/// (Y only for gray; Y, U, V for 4:2:0), with the inverse DCT `method`.
///
/// # Errors
///
/// [`ScanError`] for Huffman codes not in their table or coefficients past a block.
pub(super) fn decode(
    file: &[u8],
    h: &Headers,
    planes: &[Plane],
    out: &mut [u8],
    method: IdctMethod,
) -> Result<(), ScanError> {
    let scan = file.get(h.scan_start..).unwrap_or_default();
    let mut reader = BitReader::new(scan);
    let fail = |reader: &BitReader<'_>, what| ScanError {
        at: h.scan_start + reader.position(),
        what,
    };
    // (blocks across, blocks down) per component in one MCU, and MCUs in the picture.
    let (sampling, mcu_size): (&[(usize, usize)], usize) = match h.layout {
        Layout::Gray => (&[(1, 1)], 8),
        Layout::Yuv420 => (&[(2, 2), (1, 1), (1, 1)], 16),
        Layout::Other => return Err(fail(&reader, "not a layout of the planar decoder")),
    };
    if planes.len() != sampling.len() || h.components.len() != sampling.len() {
        return Err(fail(&reader, "component count does not match the layout"));
    }
    // Every plane must hold its samples: the caller's layout is trusted only this far.
    for p in planes {
        let end = p
            .height
            .checked_sub(1)
            .and_then(|r| r.checked_mul(p.stride))
            .and_then(|v| v.checked_add(p.offset + p.width));
        if p.width > p.stride || end.is_none_or(|e| e > out.len()) {
            return Err(fail(&reader, "output planes do not fit the buffer"));
        }
    }
    let mcus_x = h.width.div_ceil(mcu_size);
    let mcus_y = h.height.div_ceil(mcu_size);
    // The fast IDCT takes its AAN scale factors with the dequantisation.
    let quant = match method {
        IdctMethod::Islow => h.quant,
        IdctMethod::Ifast => h.quant.map(|q| idct_fast::scaled_quant(&q)),
    };
    let mut tables = Vec::with_capacity(sampling.len());
    for c in &h.components {
        let (Some(dc), Some(ac)) = (h.dc[c.dc].as_ref(), h.ac[c.ac].as_ref()) else {
            return Err(fail(
                &reader,
                "scan uses a Huffman table that was not defined",
            ));
        };
        tables.push((dc, ac, &quant[c.quant]));
    }
    let mut pred = [0i32; 3];
    // Two blocks in turn: each is transformed only after the next one is decoded, so
    // the transform's vector loads do not wait for the decoder's 16-bit stores to the
    // same bytes (a failed store-to-load forward cost a fifth of the transform's time).
    let mut blocks = [[0i16; 64]; 2];
    let mut cur = 0;
    // The block decoded last and not yet transformed: its last coefficient, plane, x, y.
    let mut pending: Option<(usize, usize, usize, usize)> = None;
    let mut edge = [0u8; 64];
    // One MCU row of every plane, transformed here and copied out row by row: the
    // output is usually not in cache (a buffer pool cycles through many), and blocks
    // stored straight into it, eight bytes into each of eight rows, stalled on its
    // cache misses; whole rows copied out stream instead.
    let mut row_planes = Vec::with_capacity(planes.len());
    let mut staged = 0;
    for (p, &(_, bh)) in planes.iter().zip(sampling) {
        row_planes.push(Plane {
            offset: staged,
            stride: p.stride,
            width: p.width,
            height: bh * 8,
        });
        staged += bh * 8 * p.stride;
    }
    let mut stage = vec![0u8; staged];
    let mut left = h.restart_interval;
    for my in 0..mcus_y {
        for (row, (p, &(_, bh))) in row_planes.iter_mut().zip(planes.iter().zip(sampling)) {
            row.height = (bh * 8).min(p.height.saturating_sub(my * bh * 8));
        }
        for mx in 0..mcus_x {
            if h.restart_interval > 0 {
                if left == 0 {
                    reader.restart();
                    pred = [0; 3];
                    left = h.restart_interval;
                }
                left -= 1;
            }
            for (c, &(bw, bh)) in sampling.iter().enumerate() {
                let (dc, ac, quant) = tables[c];
                for by in 0..bh {
                    for bx in 0..bw {
                        let diff = reader.dc_diff(dc).map_err(|w| fail(&reader, w))?;
                        pred[c] = pred[c].wrapping_add(diff);
                        let block = &mut blocks[cur];
                        block[0] = pred[c].wrapping_mul(i32::from(quant[0])) as i16;
                        let last = reader
                            .ac_block(ac, quant, block)
                            .map_err(|w| fail(&reader, w))?;
                        let x = (mx * bw + bx) * 8;
                        let y = by * 8;
                        cur ^= 1;
                        if let Some((last, p, x, y)) = pending {
                            let block = &mut blocks[cur];
                            let plane = &row_planes[p];
                            put_block(block, last, plane, (x, y), &mut stage, &mut edge, method);
                            if last > 0 {
                                *block = [0; 64];
                            }
                        }
                        pending = Some((last, c, x, y));
                    }
                }
            }
        }
        if let Some((last, p, x, y)) = pending.take() {
            let block = &mut blocks[cur ^ 1];
            put_block(
                block,
                last,
                &row_planes[p],
                (x, y),
                &mut stage,
                &mut edge,
                method,
            );
            *block = [0; 64];
        }
        for ((row, p), &(_, bh)) in row_planes.iter().zip(planes).zip(sampling) {
            if row.height == 0 {
                continue;
            }
            let len = (row.height - 1) * p.stride + p.width;
            let at = p.offset + my * bh * 8 * p.stride;
            out[at..at + len].copy_from_slice(&stage[row.offset..row.offset + len]);
        }
    }
    Ok(())
}

/// Transforms `block` (`last`: zig-zag index of its last coefficient) into `plane` at
/// sample (`x`, `y`), cropped to the plane.
#[inline(always)]
fn put_block(
    block: &[i16; 64],
    last: usize,
    plane: &Plane,
    (x, y): (usize, usize),
    out: &mut [u8],
    edge: &mut [u8; 64],
    method: IdctMethod,
) {
    if x >= plane.width || y >= plane.height {
        return;
    }
    let start = plane.offset + y * plane.stride + x;
    if x + 8 <= plane.width && y + 8 <= plane.height {
        transform(
            block,
            last,
            &mut out[start..start + 7 * plane.stride + 8],
            plane.stride,
            method,
        );
        return;
    }
    transform_edge(block, last, edge, method);
    let (w, rows) = ((plane.width - x).min(8), (plane.height - y).min(8));
    for r in 0..rows {
        let at = start + r * plane.stride;
        out[at..at + w].copy_from_slice(&edge[r * 8..r * 8 + w]);
    }
}

/// The transform for `last` (see [`put_block`]) into 8 rows at `dst[row * stride..]`.
#[inline(always)]
fn transform(block: &[i16; 64], last: usize, dst: &mut [u8], stride: usize, method: IdctMethod) {
    if method == IdctMethod::Ifast {
        if last == 0 {
            idct_fast::dc_only(block[0], dst, stride);
        } else if last <= idct::LAST_IN_2X2 {
            idct_fast::idct::<2>(block, dst, stride);
        } else if last <= idct::LAST_IN_4X4 {
            idct_fast::idct::<4>(block, dst, stride);
        } else {
            idct_fast::idct::<8>(block, dst, stride);
        }
    } else if last == 0 {
        idct::dc_only(block[0], dst, stride);
    } else if last <= idct::LAST_IN_2X2 {
        idct::idct::<2>(block, dst, stride);
    } else if last <= idct::LAST_IN_4X4 {
        idct::idct::<4>(block, dst, stride);
    } else {
        idct::idct::<8>(block, dst, stride);
    }
}

/// [`transform`] into a block-sized buffer, out of line: only edge blocks take it.
#[inline(never)]
fn transform_edge(block: &[i16; 64], last: usize, edge: &mut [u8; 64], method: IdctMethod) {
    transform(block, last, edge, 8, method);
}
