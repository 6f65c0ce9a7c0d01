//! Making frames: templates built once per (pattern, caps), then cheap per-frame work.
//!
//! A key design decision: nothing is painted twice. At negotiation the renderer paints
//! every static part of the pattern into a frame-sized template (GStreamer caches static
//! patterns the same way); each frame is then one `copy_from_slice` of the template plus
//! whatever truly changes: the SMPTE noise square (1/16 of the frame), the ball's bounding
//! box, or, for snow, every pixel through a lookup table. A frame allocates nothing.

use super::color::{Palette, Px, Space};
use super::format::FrameLayout;
use super::pack::{Rect, Scratch, SnowTables, fill_snow, write_rect};
use super::pattern::{Ball, Pattern, paint_row, smpte_bands, smpte_noise_x};
use crate::util::rng::Rng;

/// The seed of the snow and SMPTE noise generator: runs are reproducible.
const NOISE_SEED: u64 = 0x5eed_7e57;

/// What a frame of the pattern is made of.
#[derive(Debug)]
enum Kind {
    /// The same picture every frame.
    Static { template: Vec<u8> },
    /// Background and foreground frames, alternating (background first).
    Blink { off: Vec<u8>, on: Vec<u8> },
    /// The bars, with fresh noise in the bottom-right square each frame.
    Smpte {
        template: Vec<u8>,
        /// The static colours of the rows around the noise square: the row just above
        /// the bottom strip (4:2:0 pairing may pull it in) and every bottom-strip row.
        above: Vec<Px>,
        bottom: Vec<Px>,
        /// First bottom-strip row and first noise column.
        y2: usize,
        noise_x: usize,
    },
    /// Random levels on every pixel.
    Snow { tables: Box<SnowTables> },
    /// A ball over the background.
    Ball { template: Vec<u8> },
}

/// Paints frames of one pattern in one layout.
#[derive(Debug)]
pub(super) struct Renderer {
    layout: FrameLayout,
    palette: Palette,
    kind: Kind,
    scratch: Scratch,
    rng: Rng,
}

/// A template: every row of `pattern` painted in order into one persistent line, as
/// GStreamer does, then packed.
fn template(
    layout: &FrameLayout,
    pattern: Pattern,
    pal: &Palette,
    scratch: &mut Scratch,
) -> Vec<u8> {
    let (w, h) = (layout.width, layout.height);
    let mut frame = vec![0; layout.size];
    let mut line = vec![pal.bg; w];
    write_rect(
        &mut frame,
        layout,
        Rect::full(layout),
        scratch,
        |y, _, out| {
            paint_row(pattern, pal, w, h, y, &mut line);
            out.copy_from_slice(&line);
        },
    );
    frame
}

impl Renderer {
    /// A renderer of `pattern` with the given ARGB colours. Allocates the templates.
    pub(super) fn new(
        layout: FrameLayout,
        pattern: Pattern,
        foreground: u32,
        background: u32,
    ) -> Renderer {
        let palette = Palette::new(
            Space::for_format(layout.format, layout.height),
            foreground,
            background,
        );
        let mut scratch = Scratch::new(layout.width);
        let (w, h) = (layout.width, layout.height);
        let kind = match pattern {
            Pattern::Snow => Kind::Snow {
                tables: Box::new(SnowTables::new(&palette.ramp)),
            },
            Pattern::Ball => Kind::Ball {
                template: template(&layout, pattern, &palette, &mut scratch),
            },
            Pattern::Blink => Kind::Blink {
                off: template(&layout, Pattern::Black, &palette, &mut scratch),
                on: template(&layout, Pattern::White, &palette, &mut scratch),
            },
            Pattern::Smpte => {
                let (_, y2) = smpte_bands(h);
                // Replay the rows up to the bottom strip to get the persistent line's
                // state there, as the template saw it.
                let mut line = vec![palette.bg; w];
                for y in 0..y2 {
                    paint_row(pattern, &palette, w, h, y, &mut line);
                }
                let above = line.clone();
                paint_row(pattern, &palette, w, h, y2, &mut line);
                Kind::Smpte {
                    template: template(&layout, pattern, &palette, &mut scratch),
                    above,
                    bottom: line,
                    y2,
                    noise_x: smpte_noise_x(w),
                }
            }
            _ => Kind::Static {
                template: template(&layout, pattern, &palette, &mut scratch),
            },
        };
        Renderer {
            layout,
            palette,
            kind,
            scratch,
            rng: Rng::new(NOISE_SEED),
        }
    }

    /// Paints frame number `n` into `out` (exactly the layout's size).
    pub(super) fn render(&mut self, n: u64, out: &mut [u8]) {
        let layout = &self.layout;
        let pal = &self.palette;
        match &self.kind {
            Kind::Static { template } => copy(out, template),
            Kind::Blink { off, on } => copy(out, if n % 2 == 1 { on } else { off }),
            Kind::Snow { tables } => {
                fill_snow(out, layout, tables, &mut self.rng, &mut self.scratch)
            }
            Kind::Ball { template } => {
                copy(out, template);
                let ball = Ball::at(n, layout.width, layout.height);
                let (x0, x1) = ball.columns(layout.width);
                let (y0, y1) = ball.rows(layout.height);
                if x0 < x1 && y0 < y1 {
                    let rect = Rect { x0, x1, y0, y1 }.aligned(layout);
                    write_rect(out, layout, rect, &mut self.scratch, |y, x, line| {
                        ball.paint_row(pal, layout.width, y, x, line);
                    });
                }
            }
            Kind::Smpte {
                template,
                above,
                bottom,
                y2,
                noise_x,
            } => {
                copy(out, template);
                let (y2, noise_x) = (*y2, *noise_x);
                let rect = Rect {
                    x0: noise_x,
                    x1: layout.width,
                    y0: y2,
                    y1: layout.height,
                }
                .aligned(layout);
                if rect.x0 >= rect.x1 || rect.y0 >= rect.y1 {
                    return;
                }
                let rng = &mut self.rng;
                let mut word = 0u64;
                let mut left = 0u32;
                write_rect(out, layout, rect, &mut self.scratch, |y, x0, line| {
                    let source = if y < y2 { above } else { bottom };
                    if let Some(s) = source.get(x0..x0 + line.len()) {
                        line.copy_from_slice(s);
                    }
                    if y < y2 {
                        return;
                    }
                    let skip = noise_x.saturating_sub(x0);
                    for px in line.iter_mut().skip(skip) {
                        if left == 0 {
                            word = rng.next_u64();
                            left = 8;
                        }
                        *px = pal.ramp[(word & 0xff) as usize];
                        word >>= 8;
                        left -= 1;
                    }
                });
            }
        }
    }
}

/// Copies a template into a frame; both are the layout's size.
fn copy(out: &mut [u8], template: &[u8]) {
    let n = out.len().min(template.len());
    if let (Some(dst), Some(src)) = (out.get_mut(..n), template.get(..n)) {
        dst.copy_from_slice(src);
    }
}
