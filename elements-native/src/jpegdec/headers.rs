//! Reads the segments of one JPEG file up to its scan (ITU T.81 Annex B) and says
//! whether our own planar decoder takes it: baseline or extended sequential (SOF0/SOF1),
//! 8-bit, Huffman-coded, one interleaved scan of all components, as gray or YCbCr 4:2:0.
//! Anything else (progressive, arithmetic coding, 12-bit, CMYK, Adobe RGB, other
//! sampling, several scans) is [`Layout::Other`] and goes to zune-jpeg.
//!
//! Every length and table index comes from the file, so each is checked; a bad one is an
//! error naming its byte offset.

use super::huffman::HuffmanTable;

/// How the planar decoder lays out the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// One component: GRAY8.
    Gray,
    /// Y 2x2, Cb 1x1, Cr 1x1: I420.
    Yuv420,
    /// Something zune-jpeg decodes.
    Other,
}

/// One scan component: its quantisation table (in zig-zag order) and Huffman tables.
#[derive(Debug, Clone, Copy)]
pub(super) struct Component {
    pub(super) quant: usize,
    pub(super) dc: usize,
    pub(super) ac: usize,
}

/// What the scan needs, read from the headers before it.
#[derive(Debug)]
pub(super) struct Headers {
    pub(super) layout: Layout,
    pub(super) width: usize,
    pub(super) height: usize,
    /// MCUs between restart markers, 0 when there are none.
    pub(super) restart_interval: usize,
    /// In scan order (Y, Cb, Cr).
    pub(super) components: Vec<Component>,
    /// Quantisation tables in zig-zag order.
    pub(super) quant: [[u16; 64]; 4],
    pub(super) dc: [Option<HuffmanTable>; 4],
    pub(super) ac: [Option<HuffmanTable>; 4],
    /// Byte index of the first entropy-coded byte.
    pub(super) scan_start: usize,
}

/// A bad header: what, and at which index of the file.
#[derive(Debug)]
pub(super) struct HeaderError {
    pub(super) at: usize,
    pub(super) what: String,
}

fn bad(at: usize, what: impl Into<String>) -> HeaderError {
    HeaderError {
        at,
        what: what.into(),
    }
}

struct FrameComponent {
    id: u8,
    h: u8,
    v: u8,
    quant: usize,
}

/// Reads the headers of `file` (which starts with SOI) up to the first scan.
///
/// # Errors
///
/// [`HeaderError`] for segments that run past the file or hold bad tables.
pub(super) fn read(file: &[u8]) -> Result<Headers, HeaderError> {
    let mut h = Headers {
        layout: Layout::Other,
        width: 0,
        height: 0,
        restart_interval: 0,
        components: Vec::new(),
        quant: [[0; 64]; 4],
        dc: [None, None, None, None],
        ac: [None, None, None, None],
        scan_start: 0,
    };
    let mut frame: Vec<FrameComponent> = Vec::new();
    let mut sequential = false;
    let mut adobe_rgb = false;
    let mut quant_seen = [false; 4];
    let mut at = 2;
    loop {
        // Fill bytes may precede a marker.
        while file.get(at) == Some(&0xff) && file.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let (Some(&0xff), Some(&marker)) = (file.get(at), file.get(at + 1)) else {
            return Err(bad(at, "expected a JPEG marker"));
        };
        if matches!(marker, 0x01 | 0xd0..=0xd7) {
            at += 2;
            continue;
        }
        if marker == 0xd9 {
            return Err(bad(at, "end of image before any scan"));
        }
        let len = file
            .get(at + 2..at + 4)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
            .filter(|&l| l >= 2)
            .ok_or_else(|| bad(at, "JPEG segment without a valid length"))?;
        let body = file
            .get(at + 4..at + 2 + len)
            .ok_or_else(|| bad(at, "JPEG segment runs past the end of the image"))?;
        let body_at = at + 4;
        match marker {
            0xdb => read_quant(body, body_at, &mut h.quant, &mut quant_seen)?,
            0xc4 => read_huffman(body, body_at, &mut h)?,
            0xdd => {
                let r = body
                    .get(..2)
                    .ok_or_else(|| bad(at, "DRI segment too short"))?;
                h.restart_interval = usize::from(u16::from_be_bytes([r[0], r[1]]));
            }
            0xee if body.len() >= 12 && body.starts_with(b"Adobe") => {
                // Transform 0: the three components are RGB, not YCbCr.
                adobe_rgb = body[11] == 0;
            }
            0xc0 | 0xc1 => {
                sequential = true;
                read_frame(body, body_at, &mut h, &mut frame)?;
            }
            0xc2 | 0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                // Progressive, lossless, hierarchical or arithmetic: zune-jpeg's.
                return Ok(h);
            }
            0xda => {
                h.scan_start = at + 2 + len;
                if sequential && !adobe_rgb {
                    read_scan(body, body_at, &mut h, &frame, &quant_seen)?;
                }
                return Ok(h);
            }
            _ => {}
        }
        at += 2 + len;
    }
}

fn read_quant(
    mut body: &[u8],
    mut at: usize,
    quant: &mut [[u16; 64]; 4],
    seen: &mut [bool; 4],
) -> Result<(), HeaderError> {
    while let Some(&pq_tq) = body.first() {
        let (precision, id) = (pq_tq >> 4, usize::from(pq_tq & 15));
        let size = match precision {
            0 => 64,
            1 => 128,
            _ => return Err(bad(at, "quantisation table precision not 8 or 16 bits")),
        };
        let table = quant
            .get_mut(id)
            .ok_or_else(|| bad(at, "quantisation table id over 3"))?;
        let values = body
            .get(1..1 + size)
            .ok_or_else(|| bad(at, "quantisation table runs past its segment"))?;
        for (k, q) in table.iter_mut().enumerate() {
            *q = if precision == 0 {
                u16::from(values[k])
            } else {
                u16::from_be_bytes([values[2 * k], values[2 * k + 1]])
            };
        }
        seen[id] = true;
        body = &body[1 + size..];
        at += 1 + size;
    }
    Ok(())
}

fn read_huffman(mut body: &[u8], mut at: usize, h: &mut Headers) -> Result<(), HeaderError> {
    while let Some(&tc_th) = body.first() {
        let (class, id) = (tc_th >> 4, usize::from(tc_th & 15));
        if class > 1 || id > 3 {
            return Err(bad(at, "Huffman table class over 1 or id over 3"));
        }
        let counts = body
            .get(1..17)
            .ok_or_else(|| bad(at, "Huffman table runs past its segment"))?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let symbols = body
            .get(17..17 + total)
            .ok_or_else(|| bad(at, "Huffman table runs past its segment"))?;
        let mut lengths = [0u8; 16];
        lengths.copy_from_slice(counts);
        let table =
            HuffmanTable::new(&lengths, symbols, class == 1).map_err(|what| bad(at, what))?;
        if class == 0 {
            h.dc[id] = Some(table);
        } else {
            h.ac[id] = Some(table);
        }
        body = &body[17 + total..];
        at += 17 + total;
    }
    Ok(())
}

fn read_frame(
    body: &[u8],
    at: usize,
    h: &mut Headers,
    frame: &mut Vec<FrameComponent>,
) -> Result<(), HeaderError> {
    let head = body
        .get(..6)
        .ok_or_else(|| bad(at, "frame header (SOF) too short"))?;
    if head[0] != 8 {
        return Ok(());
    }
    h.height = usize::from(u16::from_be_bytes([head[1], head[2]]));
    h.width = usize::from(u16::from_be_bytes([head[3], head[4]]));
    let count = usize::from(head[5]);
    let comps = body
        .get(6..6 + 3 * count)
        .ok_or_else(|| bad(at, "frame header (SOF) shorter than its components"))?;
    frame.clear();
    for c in comps.chunks_exact(3) {
        frame.push(FrameComponent {
            id: c[0],
            h: c[1] >> 4,
            v: c[1] & 15,
            quant: usize::from(c[2]),
        });
    }
    Ok(())
}

fn read_scan(
    body: &[u8],
    at: usize,
    h: &mut Headers,
    frame: &[FrameComponent],
    quant_seen: &[bool; 4],
) -> Result<(), HeaderError> {
    let count = usize::from(*body.first().ok_or_else(|| bad(at, "empty scan header"))?);
    let comps = body
        .get(1..1 + 2 * count)
        .ok_or_else(|| bad(at, "scan header (SOS) shorter than its components"))?;
    let spectral = body
        .get(1 + 2 * count..4 + 2 * count)
        .ok_or_else(|| bad(at, "scan header (SOS) too short"))?;
    // Anything but one full sequential scan of every component is zune-jpeg's.
    if spectral != [0, 63, 0] || count != frame.len() || h.width == 0 || h.height == 0 {
        return Ok(());
    }
    let layout = match frame {
        [_] => Layout::Gray,
        [y, cb, cr] if (y.h, y.v, cb.h, cb.v, cr.h, cr.v) == (2, 2, 1, 1, 1, 1) => Layout::Yuv420,
        _ => return Ok(()),
    };
    let mut components = Vec::with_capacity(count);
    for (c, f) in comps.chunks_exact(2).zip(frame) {
        // Interleaved scans list the components in frame order (T.81 B.2.3).
        if c[0] != f.id {
            return Ok(());
        }
        let (dc, ac) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
        let ok = |i: usize| i < 4;
        if !ok(dc) || !ok(ac) || !ok(f.quant) {
            return Err(bad(at, "scan uses a table id over 3"));
        }
        if h.dc[dc].is_none() || h.ac[ac].is_none() || !quant_seen[f.quant] {
            return Err(bad(at, "scan uses a table that was not defined"));
        }
        components.push(Component {
            quant: f.quant,
            dc,
            ac,
        });
    }
    h.components = components;
    h.layout = layout;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Layout, read};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/codecs/");

    fn layout_of(name: &str) -> Layout {
        let file = std::fs::read(format!("{FIXTURES}{name}")).expect("fixture");
        read(&file).expect("headers").layout
    }

    #[test]
    fn takes_sequential_gray_and_420_only() {
        assert_eq!(layout_of("jpeg_420.jpg"), Layout::Yuv420);
        assert_eq!(layout_of("jpeg_420_odd_restart.jpg"), Layout::Yuv420);
        assert_eq!(layout_of("jpeg_gray.jpg"), Layout::Gray);
        assert_eq!(layout_of("jpeg_444.jpg"), Layout::Other);
        assert_eq!(layout_of("jpeg_420_progressive.jpg"), Layout::Other);
    }

    #[test]
    fn adobe_rgb_and_cut_segments() {
        let file = std::fs::read(format!("{FIXTURES}jpeg_420.jpg")).expect("fixture");
        // An Adobe APP14 segment with transform 0 right after SOI: the components are
        // RGB, so zune-jpeg's.
        let mut adobe = file[..2].to_vec();
        adobe.extend([0xff, 0xee, 0, 14]);
        adobe.extend(b"Adobe\0\x64\0\0\0\0\0");
        adobe.extend(&file[2..]);
        assert_eq!(read(&adobe).expect("headers").layout, Layout::Other);
        // Every cut before the scan is an error with an offset inside the file, never a
        // panic.
        let scan = read(&file).expect("headers").scan_start;
        for end in 2..scan {
            let e = read(&file[..end]).expect_err("cut headers");
            assert!(e.at <= end, "{end}: {}", e.what);
        }
    }
}
