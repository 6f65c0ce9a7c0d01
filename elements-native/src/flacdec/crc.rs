//! The two checksums of FLAC frames: CRC-8 (poly 0x07) over the frame header and CRC-16
//! (poly 0x8005) over the whole frame, both MSB-first with a zero start value.
//!
//! A key design decision: the CRC-16 runs over every byte of the stream, so it takes
//! eight bytes per step ("slicing-by-8": table `k` holds the CRC of a byte followed by
//! `k` zero bytes), which breaks the one-table-lookup-per-byte dependency chain.

const fn table8() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u8;
        let mut b = 0;
        while b < 8 {
            c = if c & 0x80 != 0 {
                (c << 1) ^ 0x07
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

const fn table16() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u16) << 8;
        let mut b = 0;
        while b < 8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x8005
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

const fn tables16() -> [[u16; 256]; 8] {
    let mut t = [[0u16; 256]; 8];
    t[0] = table16();
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev << 8) ^ t[0][(prev >> 8) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static CRC8: [u8; 256] = table8();
static CRC16: [[u16; 256]; 8] = tables16();

pub(super) fn crc8(data: &[u8]) -> u8 {
    data.iter().fold(0, |c, &b| CRC8[usize::from(c ^ b)])
}

pub(super) fn crc16(data: &[u8]) -> u16 {
    let t = &CRC16;
    let mut chunks = data.chunks_exact(8);
    let mut c = 0u16;
    for b in &mut chunks {
        // The register's two bytes meet the first two data bytes.
        let [hi, lo] = c.to_be_bytes();
        c = t[7][usize::from(b[0] ^ hi)]
            ^ t[6][usize::from(b[1] ^ lo)]
            ^ t[5][usize::from(b[2])]
            ^ t[4][usize::from(b[3])]
            ^ t[3][usize::from(b[4])]
            ^ t[2][usize::from(b[5])]
            ^ t[1][usize::from(b[6])]
            ^ t[0][usize::from(b[7])];
    }
    chunks
        .remainder()
        .iter()
        .fold(c, |c, &b| (c << 8) ^ t[0][usize::from((c >> 8) as u8 ^ b)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_values() {
        // The standard check values for "123456789".
        assert_eq!(super::crc8(b"123456789"), 0xf4);
        assert_eq!(super::crc16(b"123456789"), 0xfee8);
        // Every length against the byte-at-a-time definition.
        let data: Vec<u8> = (0..100u32).map(|i| (i * 97 + 13) as u8).collect();
        for n in 0..data.len() {
            let slow = data[..n].iter().fold(0u16, |c, &b| {
                (c << 8) ^ super::CRC16[0][usize::from((c >> 8) as u8 ^ b)]
            });
            assert_eq!(super::crc16(&data[..n]), slow, "length {n}");
        }
    }
}
