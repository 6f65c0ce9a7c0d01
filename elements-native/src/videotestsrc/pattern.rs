//! The test patterns: their GStreamer names and numbers, and how each paints one row.
//!
//! A key design decision: rows are painted the way GStreamer paints its `tmpline`, into
//! one line buffer that persists from row to row, segment by segment. Pixels a row leaves
//! unpainted (a rounding gap in the SMPTE bottom strip) therefore keep the colour of the
//! row above, exactly as in GStreamer, and a template painted here matches its output.

use parallax_core::property::EnumValue;

use super::color::{
    BLACK, BLUE, DARK_GREY, GREEN, NEG_I, POS_Q, Palette, Px, RED, SUPER_BLACK, WHITE,
};

/// A test pattern; the discriminant is GStreamer's `GstVideoTestSrcPattern` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pattern {
    Smpte = 0,
    Snow = 1,
    Black = 2,
    White = 3,
    Red = 4,
    Green = 5,
    Blue = 6,
    Checkers1 = 7,
    Checkers2 = 8,
    Checkers4 = 9,
    Checkers8 = 10,
    Blink = 12,
    Smpte75 = 13,
    SolidColor = 17,
    Ball = 18,
    Smpte100 = 19,
    Bar = 20,
}

/// The patterns as the `pattern` property lists them (GStreamer's nicks and numbers;
/// GStreamer patterns not implemented here are absent, so asking for one is a clear
/// property error rather than a silent substitute).
pub(super) const PATTERNS: &[EnumValue] = &[
    EnumValue {
        nick: "smpte",
        value: 0,
        doc: "SMPTE 100% color bars",
    },
    EnumValue {
        nick: "snow",
        value: 1,
        doc: "Random (television snow)",
    },
    EnumValue {
        nick: "black",
        value: 2,
        doc: "100% Black",
    },
    EnumValue {
        nick: "white",
        value: 3,
        doc: "100% White",
    },
    EnumValue {
        nick: "red",
        value: 4,
        doc: "Red",
    },
    EnumValue {
        nick: "green",
        value: 5,
        doc: "Green",
    },
    EnumValue {
        nick: "blue",
        value: 6,
        doc: "Blue",
    },
    EnumValue {
        nick: "checkers-1",
        value: 7,
        doc: "Checkers 1px",
    },
    EnumValue {
        nick: "checkers-2",
        value: 8,
        doc: "Checkers 2px",
    },
    EnumValue {
        nick: "checkers-4",
        value: 9,
        doc: "Checkers 4px",
    },
    EnumValue {
        nick: "checkers-8",
        value: 10,
        doc: "Checkers 8px",
    },
    EnumValue {
        nick: "blink",
        value: 12,
        doc: "Blink",
    },
    EnumValue {
        nick: "smpte75",
        value: 13,
        doc: "SMPTE 75% color bars",
    },
    EnumValue {
        nick: "solid-color",
        value: 17,
        doc: "Solid color",
    },
    EnumValue {
        nick: "ball",
        value: 18,
        doc: "Moving ball",
    },
    EnumValue {
        nick: "smpte100",
        value: 19,
        doc: "SMPTE 100% color bars",
    },
    EnumValue {
        nick: "bar",
        value: 20,
        doc: "Bar",
    },
];

impl Pattern {
    /// Every pattern, in [`PATTERNS`] order.
    const ALL: [Pattern; 17] = [
        Pattern::Smpte,
        Pattern::Snow,
        Pattern::Black,
        Pattern::White,
        Pattern::Red,
        Pattern::Green,
        Pattern::Blue,
        Pattern::Checkers1,
        Pattern::Checkers2,
        Pattern::Checkers4,
        Pattern::Checkers8,
        Pattern::Blink,
        Pattern::Smpte75,
        Pattern::SolidColor,
        Pattern::Ball,
        Pattern::Smpte100,
        Pattern::Bar,
    ];

    /// The pattern with nick `nick`.
    pub(super) fn from_nick(nick: &str) -> Option<Pattern> {
        let value = PATTERNS.iter().find(|v| v.nick == nick)?.value;
        Self::ALL.into_iter().find(|p| *p as i64 == value)
    }

    /// The pattern's nick.
    pub(super) fn nick(self) -> &'static str {
        PATTERNS
            .iter()
            .find(|v| v.value == self as i64)
            .map_or("smpte", |v| v.nick)
    }
}

/// Paints `line[x1..x2]` with `px`; an empty or out-of-range segment paints nothing.
fn fill(line: &mut [Px], x1: usize, x2: usize, px: Px) {
    if let Some(segment) = line.get_mut(x1..x2.min(line.len())) {
        segment.fill(px);
    }
}

/// Seven equal bars, `colors[0..7]`, GStreamer's `i * w / 7` boundaries.
fn seven_bars(line: &mut [Px], w: usize, colors: &[Px; 12]) {
    for (i, px) in colors.iter().take(7).enumerate() {
        fill(line, i * w / 7, (i + 1) * w / 7, *px);
    }
}

/// The rows where the SMPTE pattern's bands start: the middle strip at `2h/3`, the
/// bottom strip at `3h/4`.
pub(super) fn smpte_bands(h: usize) -> (usize, usize) {
    (2 * h / 3, 3 * h / 4)
}

/// The first column of the SMPTE pattern's noise square (bottom right).
pub(super) fn smpte_noise_x(w: usize) -> usize {
    w * 3 / 4
}

/// Paints row `y` of a `w` x `h` frame of `pattern` into `line` (of length `w`), leaving
/// pixels the pattern does not paint on this row as they are. The per-frame parts (the
/// SMPTE noise square, snow, the ball, blink's foreground frames) are painted with the
/// background here; the renderer draws over them.
pub(super) fn paint_row(
    pattern: Pattern,
    pal: &Palette,
    w: usize,
    h: usize,
    y: usize,
    line: &mut [Px],
) {
    match pattern {
        Pattern::Smpte => smpte_row(pal, w, h, y, line),
        Pattern::Smpte75 => seven_bars(line, w, &pal.bars75),
        Pattern::Smpte100 => seven_bars(line, w, &pal.full),
        // GStreamer's black and white patterns are the background and foreground colours.
        Pattern::Black | Pattern::Snow | Pattern::Ball | Pattern::Blink => line.fill(pal.bg),
        Pattern::White | Pattern::SolidColor => line.fill(pal.fg),
        Pattern::Red => line.fill(pal.full[RED]),
        Pattern::Green => line.fill(pal.full[GREEN]),
        Pattern::Blue => line.fill(pal.full[BLUE]),
        Pattern::Checkers1 => checkers(pal, y, 1, line),
        Pattern::Checkers2 => checkers(pal, y, 2, line),
        Pattern::Checkers4 => checkers(pal, y, 4, line),
        Pattern::Checkers8 => checkers(pal, y, 8, line),
        Pattern::Bar => {
            let x2 = w / 7;
            fill(line, 0, x2, pal.fg);
            fill(line, x2, w, pal.bg);
        }
    }
}

/// Green where bit `size` of `x ^ y` is set, red elsewhere: `size`-pixel checkers.
fn checkers(pal: &Palette, y: usize, size: usize, line: &mut [Px]) {
    let (green, red) = (pal.full[GREEN], pal.full[RED]);
    for (x, px) in line.iter_mut().enumerate() {
        *px = if (x ^ y) & size != 0 { green } else { red };
    }
}

/// One row of GStreamer's `smpte` pattern (100% bars).
fn smpte_row(pal: &Palette, w: usize, h: usize, y: usize, line: &mut [Px]) {
    let (y1, y2) = smpte_bands(h);
    let colors = &pal.full;
    if y < y1 {
        seven_bars(line, w, colors);
    } else if y < y2 {
        // The "inverse blue bars": blue, black, magenta, black, cyan, black, white.
        for i in 0..7 {
            let k = if i & 1 == 1 { BLACK } else { 6 - i };
            fill(line, i * w / 7, (i + 1) * w / 7, colors[k]);
        }
    } else {
        for (i, k) in [NEG_I, WHITE, POS_Q].into_iter().enumerate() {
            fill(line, i * w / 6, (i + 1) * w / 6, colors[k]);
        }
        // The PLUGE: super black, black, dark grey.
        for (i, k) in [SUPER_BLACK, BLACK, DARK_GREY].into_iter().enumerate() {
            fill(
                line,
                w / 2 + i * w / 12,
                w / 2 + (i + 1) * w / 12,
                colors[k],
            );
        }
        fill(line, smpte_noise_x(w), w, pal.bg);
    }
}

/// Where the ball is in frame `n` (GStreamer's default `motion=wavy`,
/// `animation-mode=frames`): centre and radius, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ball {
    /// Centre column.
    pub(super) x: f64,
    /// Centre row.
    pub(super) y: f64,
    /// Radius.
    pub(super) radius: f64,
}

impl Ball {
    /// GStreamer's ball radius for the wavy motion.
    const RADIUS: f64 = 20.0;

    /// The ball in frame `n` of a `w` x `h` video.
    pub(super) fn at(n: u64, w: usize, h: usize) -> Ball {
        let r = Self::RADIUS;
        let rad = std::f64::consts::TAU * (n as f64 / 200.0);
        Ball {
            x: r + (0.5 + 0.5 * rad.sin()) * (w as f64 - 2.0 * r),
            y: r + (0.5 + 0.5 * (rad * std::f64::consts::SQRT_2).sin()) * (h as f64 - 2.0 * r),
            radius: r,
        }
    }

    /// Rows `[first, end)` the ball touches, clamped to `h` rows (empty when off-frame).
    pub(super) fn rows(&self, h: usize) -> (usize, usize) {
        // GStreamer paints row i when y - radius <= i <= y + radius.
        let first = (self.y - self.radius).ceil().max(0.0) as usize;
        let last = (self.y + self.radius).floor();
        let end = if last < 0.0 {
            0
        } else {
            (last as usize).saturating_add(1).min(h)
        };
        (first.min(end), end)
    }

    /// Columns `[first, end)` the ball may touch, clamped to `w` columns.
    pub(super) fn columns(&self, w: usize) -> (usize, usize) {
        let first = (self.x - self.radius).max(0.0) as usize;
        let end = ((self.x + self.radius + 1.0).max(0.0) as usize).min(w);
        (first.min(end), end)
    }

    /// Paints row `y`, columns `x0..x0 + line.len()`, with the ball over `pal.bg`: the
    /// ramp index is GStreamer's antialiased edge, `256 * (radius - distance) / 2`.
    pub(super) fn paint_row(&self, pal: &Palette, w: usize, y: usize, x0: usize, line: &mut [Px]) {
        line.fill(pal.bg);
        let dy = y as f64 - self.y;
        if dy.abs() > self.radius {
            return;
        }
        let half = (self.radius * self.radius - dy * dy)
            .max(0.0)
            .sqrt()
            .round_ties_even();
        let first = (self.x - half).max(0.0) as usize;
        let end = ((self.x + half + 1.0).max(0.0) as usize).min(w);
        for x in first.max(x0)..end.min(x0 + line.len()) {
            let dx = x as f64 - self.x;
            let edge = (self.radius - (dx * dx + dy * dy).sqrt()) * 0.5;
            let level = (256.0 * edge).floor().clamp(0.0, 255.0) as usize;
            if let (Some(px), Some(color)) = (line.get_mut(x - x0), pal.ramp.get(level)) {
                *px = *color;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::color::Space;
    use super::*;

    #[test]
    fn nicks_and_numbers_round_trip() {
        assert_eq!(PATTERNS.len(), Pattern::ALL.len());
        for (p, v) in Pattern::ALL.iter().zip(PATTERNS) {
            assert_eq!(*p as i64, v.value);
            assert_eq!(Pattern::from_nick(v.nick), Some(*p));
            assert_eq!(p.nick(), v.nick);
        }
        assert_eq!(Pattern::from_nick("zone-plate"), None);
    }

    #[test]
    fn smpte_rows() {
        let pal = Palette::new(Space::Rgb, 0xffff_ffff, 0xff00_0000);
        let mut line = vec![[0; 4]; 70];
        paint_row(Pattern::Smpte, &pal, 70, 12, 0, &mut line);
        assert_eq!(line[0], [255, 255, 255, 255]);
        assert_eq!(line[69], [255, 0, 0, 255]);
        paint_row(Pattern::Smpte, &pal, 70, 12, 8, &mut line);
        assert_eq!(line[0], [255, 0, 0, 255], "inverse bars start blue");
        assert_eq!(line[10], [255, 0, 0, 0], "then black");
        paint_row(Pattern::Smpte, &pal, 70, 12, 11, &mut line);
        assert_eq!(line[0], [255, 0, 0, 128], "-I");
        assert_eq!(line[12], [255, 255, 255, 255], "white");
    }

    #[test]
    fn ball_geometry() {
        let ball = Ball::at(0, 320, 240);
        assert_eq!((ball.x, ball.y), (160.0, 120.0));
        assert_eq!(ball.rows(240), (100, 141));
        assert_eq!(ball.columns(320), (140, 181));
        let pal = Palette::new(Space::Rgb, 0xffff_ffff, 0xff00_0000);
        let mut line = vec![[0; 4]; 320];
        ball.paint_row(&pal, 320, 120, 0, &mut line);
        assert_eq!(line[160], [255, 255, 255, 255], "centre is foreground");
        assert_eq!(line[100], [255, 0, 0, 0], "outside is background");
        let far = Ball {
            x: -100.0,
            y: -100.0,
            radius: 20.0,
        };
        assert_eq!(far.rows(240), (0, 0));
        assert_eq!(far.columns(320), (0, 0));
    }
}
