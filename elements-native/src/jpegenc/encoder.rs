//! One frame to one baseline JPEG: the settings of a stream, and the MCU loop.

use std::ops::Range;
use std::sync::Arc;

use parallax_core::Buffer;

use super::dct::{self, Block};
use super::huffman::{BitWriter, Coder, HuffTable};
use super::markers::{self, Component, Header};
use super::pool::{Job, Pool};
use super::quant::Quantizer;
use super::source::{Conversion, McuRows, Sampling};
use super::stripes;
use super::tables::{self, Class};
use crate::util::video_format::{FrameLayout, VideoFormat};
use crate::videoconvert::matrix::Standard;

/// Everything that stays the same from frame to frame of one stream.
pub(super) struct Settings {
    pub(super) sampling: Sampling,
    conversion: Conversion,
    tables: [[u8; 64]; 2],
    quant: [Quantizer; 2],
    /// DC and AC tables by [`Class`].
    huff: [(HuffTable, HuffTable); 2],
}

impl Settings {
    /// For frames of `format` in `standard`'s colours at `quality` (1..=100).
    pub(super) fn new(format: VideoFormat, standard: Standard, quality: u8) -> Self {
        let sampling = match format {
            VideoFormat::Gray8 => Sampling::Gray,
            // libjpeg's and GStreamer's choice for RGB: 4:2:0 below quality 90.
            f if f.is_420() || quality < 90 => Sampling::S420,
            _ => Sampling::S444,
        };
        let conversion = Conversion::new(format, standard);
        let tables = [Class::Luma, Class::Chroma].map(|c| tables::quant_table(c, quality));
        let quant = [
            Quantizer::new(&tables[0], conversion.luma_gain, conversion.luma_offset),
            Quantizer::new(&tables[1], 1.0, 0.0),
        ];
        let huff = [
            (
                HuffTable::new(&tables::DC_LUMA),
                HuffTable::new(&tables::AC_LUMA),
            ),
            (
                HuffTable::new(&tables::DC_CHROMA),
                HuffTable::new(&tables::AC_CHROMA),
            ),
        ];
        Settings {
            sampling,
            conversion,
            tables,
            quant,
            huff,
        }
    }

    fn components(&self) -> &'static [Component] {
        const fn c(h: u8, class: Class) -> Component {
            Component { h, v: h, class }
        }
        const S420: [Component; 3] = [c(2, Class::Luma), c(1, Class::Chroma), c(1, Class::Chroma)];
        const S444: [Component; 3] = [c(1, Class::Luma), c(1, Class::Chroma), c(1, Class::Chroma)];
        const GRAY: [Component; 1] = [c(1, Class::Luma)];
        match self.sampling {
            Sampling::S420 => &S420,
            Sampling::S444 => &S444,
            Sampling::Gray => &GRAY,
        }
    }

    fn coder(&self, class: Class) -> Coder<'_> {
        let (dc, ac) = &self.huff[class as usize];
        Coder { dc, ac, pred: 0 }
    }
}

/// Reused memory of one stripe: its entropy-coded bytes and its sample rows.
#[derive(Debug, Default)]
pub(super) struct Part {
    data: Vec<u8>,
    rows: McuRows,
}

/// One frame: `data` laid out as `layout`.
#[derive(Clone, Copy)]
pub(super) struct Frame<'a> {
    pub(super) layout: &'a FrameLayout,
    pub(super) data: &'a [u8],
}

impl Frame<'_> {
    fn mcu_cols(&self, s: &Settings) -> usize {
        self.layout.width.div_ceil(s.sampling.mcu())
    }

    fn mcu_rows(&self, s: &Settings) -> usize {
        self.layout.height.div_ceil(s.sampling.mcu())
    }
}

/// Encodes `frame` (`buffer`, laid out as `layout`) into `out` (cleared first), in
/// stripes shared with `threads - 1` helpers of `pool` when the frame is large enough;
/// `parts` keeps the stripes' memory.
///
/// # Errors
///
/// A description when a stripe's encoding panicked on a helper thread.
pub(super) fn encode(
    s: &Arc<Settings>,
    layout: &FrameLayout,
    buffer: &Buffer,
    threads: usize,
    pool: &mut Pool,
    parts: &mut Vec<Part>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let frame = Frame {
        layout,
        data: buffer.data(),
    };
    let (cols, rows) = (frame.mcu_cols(s), frame.mcu_rows(s));
    let plan = stripes::plan(cols, rows, threads);
    let count = plan.map_or(1, |p| p.count);
    parts.resize_with(count, Part::default);
    match plan {
        None => encode_rows(s, frame, 0..rows, &mut parts[0]),
        Some(plan) => {
            let job = Arc::new(Job::new(
                Arc::clone(s),
                layout.clone(),
                buffer.clone(),
                plan.mcu_rows,
                rows,
                &mut parts[..count],
            ));
            pool.offer(&job, threads - 1);
            if !job.finish(&mut parts[..count]) {
                return Err("a JPEG stripe encoder panicked");
            }
        }
    }

    out.clear();
    let header = Header {
        // The caps limit (16384) keeps both within u16.
        width: layout.width as u16,
        height: layout.height as u16,
        components: s.components(),
        tables: [&s.tables[0], &s.tables[1]],
        restart: plan.map(|p| p.interval(cols)),
    };
    markers::write_headers(out, &header);
    for (i, part) in parts[..count].iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&[0xFF, markers::RST0 + ((i - 1) % 8) as u8]);
        }
        out.extend_from_slice(&part.data);
    }
    out.extend_from_slice(&[0xFF, markers::EOI]);
    Ok(())
}

/// The entropy-coded data of MCU rows `range` (one restart interval) into `part`.
pub(super) fn encode_rows(s: &Settings, frame: Frame<'_>, range: Range<usize>, part: &mut Part) {
    let cols = frame.mcu_cols(s);
    part.data.clear();
    let mut w = BitWriter::new(&mut part.data);
    let mut luma = s.coder(Class::Luma);
    let mut cb = s.coder(Class::Chroma);
    let mut cr = s.coder(Class::Chroma);
    let [ql, qc] = &s.quant;
    let rows = &mut part.rows;
    let n = s.sampling.luma_blocks();
    for my in range {
        s.conversion
            .mcu_row(frame.layout, frame.data, s.sampling, my, cols, rows);
        let (ys, cs) = (rows.y_stride, rows.c_stride);
        for band in rows.y.chunks_exact_mut(8 * ys) {
            dct::vertical(band, ys);
        }
        let chroma = s.sampling != Sampling::Gray;
        if chroma {
            dct::vertical(&mut rows.cb, cs);
            dct::vertical(&mut rows.cr, cs);
        }
        for mx in 0..cols {
            for by in 0..n {
                let band = &rows.y[by * 8 * ys..];
                for bx in 0..n {
                    let b = dct::horizontal(band, ys, (mx * n + bx) * 8);
                    code(&mut w, &mut luma, ql, &b);
                }
            }
            if chroma {
                let b = dct::horizontal(&rows.cb, cs, mx * 8);
                code(&mut w, &mut cb, qc, &b);
                let b = dct::horizontal(&rows.cr, cs, mx * 8);
                code(&mut w, &mut cr, qc, &b);
            }
        }
    }
    w.flush();
}

#[inline(always)]
fn code(w: &mut BitWriter<'_>, coder: &mut Coder<'_>, q: &Quantizer, b: &Block) {
    let mut levels = [0i16; 64];
    q.quantize(b, &mut levels);
    coder.block(w, &levels);
}
