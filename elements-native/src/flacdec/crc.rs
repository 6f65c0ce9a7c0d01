//! The two checksums of FLAC frames: CRC-8 (poly 0x07) over the frame header and CRC-16
//! (poly 0x8005) over the whole frame, both MSB-first with a zero start value.

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

static CRC8: [u8; 256] = table8();
static CRC16: [u16; 256] = table16();

pub(super) fn crc8(data: &[u8]) -> u8 {
    data.iter().fold(0, |c, &b| CRC8[usize::from(c ^ b)])
}

pub(super) fn crc16(data: &[u8]) -> u16 {
    data.iter()
        .fold(0, |c, &b| (c << 8) ^ CRC16[usize::from((c >> 8) as u8 ^ b)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_values() {
        // The standard check values for "123456789".
        assert_eq!(super::crc8(b"123456789"), 0xf4);
        assert_eq!(super::crc16(b"123456789"), 0xfee8);
    }
}
