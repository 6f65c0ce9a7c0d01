//! Ogg pages (RFC 3533): `OggS`, a 27-byte header, a segment table and the data; the
//! page CRC (poly 0x04c11db7, with the CRC field zeroed) is checked, so a corrupted or
//! random file is refused instead of misread.

use parallax_core::ElementError;

/// Largest Ogg page: 27 + 255 + 255 * 255 bytes.
pub(super) const MAX_PAGE: usize = 27 + 255 + 255 * 255;

const fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u32) << 24;
        let mut b = 0;
        while b < 8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ 0x04c1_1db7
            } else {
                c << 1
            };
            b += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CRC: [u32; 256] = crc_table();

fn crc(c: u32, data: &[u8]) -> u32 {
    data.iter()
        .fold(c, |c, &b| (c << 8) ^ CRC[usize::from((c >> 24) as u8 ^ b)])
}

/// One page, borrowed from the input.
#[derive(Debug)]
pub(super) struct Page<'a> {
    /// Header type flags: 1 continued packet, 2 beginning of stream, 4 end of stream.
    pub(super) flags: u8,
    pub(super) serial: u32,
    /// Lacing values.
    pub(super) segments: &'a [u8],
    pub(super) body: &'a [u8],
    /// Bytes of the whole page.
    pub(super) len: usize,
}

impl Page<'_> {
    pub(super) fn is_bos(&self) -> bool {
        self.flags & 2 != 0
    }

    pub(super) fn continues(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// The page at the start of `d` (stream offset `offset`); `Ok(None)` when more bytes
/// are needed.
///
/// # Errors
///
/// [`ElementError`] (stream) for a missing capture pattern, a bad version or a CRC
/// mismatch.
pub(super) fn parse(d: &[u8], offset: u64) -> Result<Option<Page<'_>>, ElementError> {
    let bad = |what: &str| ElementError::stream(format!("{what} at byte offset {offset}"));
    if !d.starts_with(&b"OggS"[..d.len().min(4)]) {
        return Err(bad("no Ogg page"));
    }
    let Some(h) = d.get(..27) else {
        return Ok(None);
    };
    if h[4] != 0 {
        return Err(bad("unsupported Ogg version"));
    }
    let nsegs = usize::from(h[26]);
    let Some(segments) = d.get(27..27 + nsegs) else {
        return Ok(None);
    };
    let body_len: usize = segments.iter().map(|&s| usize::from(s)).sum();
    let len = 27 + nsegs + body_len;
    let Some(page) = d.get(..len) else {
        return Ok(None);
    };
    let stored = u32::from_le_bytes([h[22], h[23], h[24], h[25]]);
    // The CRC covers the page with its own field taken as zero.
    let computed = crc(crc(crc(0, &page[..22]), &[0; 4]), &page[26..]);
    if computed != stored {
        return Err(bad("Ogg page CRC mismatch"));
    }
    Ok(Some(Page {
        flags: h[5],
        serial: u32::from_le_bytes([h[14], h[15], h[16], h[17]]),
        segments,
        body: &page[27 + nsegs..],
        len,
    }))
}
