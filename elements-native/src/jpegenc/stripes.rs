//! Encoding one JPEG in horizontal stripes on several threads.
//!
//! A key design decision: JPEG's restart markers reset the entropy coder's state (the DC
//! predictions) every `interval` MCUs, so stripes of a whole number of MCU rows can be
//! encoded independently and concatenated with `RSTn` markers between them; with a
//! `DRI` segment saying how many MCUs a stripe holds, the result is one baseline JPEG
//! that every decoder reads, the same picture as a single-threaded encode with that
//! restart interval. Every stripe is encoded with the same settings, so the tables in
//! the first stripe's headers hold for all of them.

/// How a frame is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Plan {
    /// Pixel rows in every stripe but the last (a multiple of the MCU height).
    pub(super) rows: usize,
    /// Number of stripes.
    pub(super) count: usize,
    /// MCUs per stripe (the restart interval).
    pub(super) interval: u16,
}

/// Frames smaller than this many pixels are not worth a thread.
const MIN_PIXELS: usize = 256 * 256;

/// The plan for a `width` x `height` picture with `mcu` x `mcu` pixel MCUs on `threads`
/// threads; `None` when one stripe is best.
pub(super) fn plan(width: usize, height: usize, mcu: usize, threads: usize) -> Option<Plan> {
    if threads < 2 || width * height < MIN_PIXELS {
        return None;
    }
    let (mcu_cols, mcu_rows) = (width.div_ceil(mcu), height.div_ceil(mcu));
    // The interval is 16 bits; caps keep mcu_cols <= 2048, so at least 31 rows fit.
    let max_rows = usize::from(u16::MAX) / mcu_cols;
    let per = mcu_rows.div_ceil(threads).min(max_rows).max(1);
    let count = mcu_rows.div_ceil(per);
    let interval = u16::try_from(per * mcu_cols).ok()?;
    (count > 1).then_some(Plan {
        rows: per * mcu,
        count,
        interval,
    })
}

const SOF0: u8 = 0xC0;
const SOS: u8 = 0xDA;
const EOI: [u8; 2] = [0xFF, 0xD9];
const RST0: u8 = 0xD0;

/// Where the frame header's height field and the scan data are in one encoded stripe.
struct Parts {
    sof_height: usize,
    sos: usize,
    data: usize,
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

/// Walks the marker segments of an encoder-made JPEG up to its scan.
fn parts(jpeg: &[u8]) -> Option<Parts> {
    let mut pos = 2;
    let mut sof_height = None;
    loop {
        if *jpeg.get(pos)? != 0xFF {
            return None;
        }
        let marker = *jpeg.get(pos + 1)?;
        let len = be16(jpeg, pos + 2)?;
        match marker {
            // FF C0, length (2), precision (1), then the height.
            SOF0 => sof_height = Some(pos + 5),
            SOS => {
                return Some(Parts {
                    sof_height: sof_height?,
                    sos: pos,
                    data: pos + 2 + len,
                });
            }
            _ => {}
        }
        pos += 2 + len;
    }
}

/// Joins encoded stripes into one JPEG of `height` rows in `out`.
///
/// # Errors
///
/// A description when a stripe is not the baseline JPEG the encoder is known to write.
pub(super) fn stitch(
    stripes: &[Vec<u8>],
    height: u16,
    interval: u16,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let first = stripes.first().ok_or("no stripes")?;
    let head = parts(first).ok_or("unexpected stripe headers")?;
    out.clear();
    out.extend_from_slice(&first[..head.sos]);
    out[head.sof_height..head.sof_height + 2].copy_from_slice(&height.to_be_bytes());
    // DRI: marker, length 4, interval.
    out.extend_from_slice(&[0xFF, 0xDD, 0x00, 0x04]);
    out.extend_from_slice(&interval.to_be_bytes());
    out.extend_from_slice(&first[head.sos..head.data]);
    for (i, stripe) in stripes.iter().enumerate() {
        let p = parts(stripe).ok_or("unexpected stripe headers")?;
        let scan = stripe
            .get(p.data..)
            .and_then(|s| s.strip_suffix(&EOI))
            .ok_or("stripe without end of image")?;
        out.extend_from_slice(scan);
        if i + 1 < stripes.len() {
            // The encoder pads each scan to a byte with 1 bits, as a restart requires.
            out.extend_from_slice(&[0xFF, RST0 + (i % 8) as u8]);
        }
    }
    out.extend_from_slice(&EOI);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cut_whole_mcu_rows() {
        assert_eq!(plan(64, 48, 16, 2), None);
        let p = plan(1280, 720, 16, 2).expect("two stripes");
        // 45 MCU rows: 23 + 22.
        assert_eq!((p.rows, p.count, p.interval), (368, 2, 23 * 80));
        assert_eq!(plan(1280, 720, 16, 1), None);
        // 16384 wide: 1024 MCUs per row, at most 63 rows per stripe.
        let p = plan(16384, 4096, 16, 2).expect("stripes");
        assert_eq!((p.rows, p.count), (63 * 16, 5));
    }
}
