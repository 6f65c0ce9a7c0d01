//! A big-endian bit reader over the bytes of one FLAC frame, with the Rice decoder of
//! the residuals (the hot loop of the whole decoder).
//!
//! A key design decision: a 64-bit cache refilled eight bytes at a time, so a typical
//! Rice code (unary quotient via `leading_zeros`, then `k` low bits) is read with one
//! refill check and no loop; codes that do not fit the cache take a slow path that
//! counts zeros across refills and stops at the end of the data. Bits below the valid
//! count in the cache are always the stream's own next bits (refills OR the same bytes
//! in again), never bits from outside the slice.

use super::error::FrameError;

/// Reads bits from a byte slice, most significant first.
pub(super) struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte not yet counted in `bits`.
    pos: usize,
    /// The next `bits` bits of the stream, left-aligned.
    cache: u64,
    bits: u32,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            pos: 0,
            cache: 0,
            bits: 0,
        }
    }

    /// Tops the cache up to at least 56 bits while the data lasts.
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(word) = self.data.get(self.pos..).and_then(|d| d.first_chunk::<8>()) {
            self.cache |= u64::from_be_bytes(*word) >> self.bits;
            let bytes = (63 - self.bits) >> 3;
            self.pos += bytes as usize;
            self.bits += bytes * 8;
        } else {
            while self.bits <= 56 {
                let Some(&b) = self.data.get(self.pos) else {
                    break;
                };
                self.cache |= u64::from(b) << (56 - self.bits);
                self.pos += 1;
                self.bits += 8;
            }
        }
    }

    /// Bytes consumed so far, rounded up to whole bytes.
    pub(super) fn byte_pos(&self) -> usize {
        self.pos - (self.bits / 8) as usize
    }

    /// Skips to the next byte boundary.
    pub(super) fn align(&mut self) {
        let n = self.bits % 8;
        self.cache <<= n;
        self.bits -= n;
    }

    /// `n` bits (0..=32) as an unsigned number.
    #[inline(always)]
    pub(super) fn read(&mut self, n: u32) -> Result<u32, FrameError> {
        debug_assert!(n <= 32);
        if self.bits < n {
            self.refill();
            if self.bits < n {
                return Err(FrameError::Truncated);
            }
        }
        // Two shifts so that n == 0 gives 0 instead of an out-of-range shift.
        let v = ((self.cache >> 1) >> (63 - n)) as u32;
        self.cache <<= n;
        self.bits -= n;
        Ok(v)
    }

    /// `n` bits (0..=32) as a two's complement number.
    #[inline(always)]
    pub(super) fn read_signed(&mut self, n: u32) -> Result<i32, FrameError> {
        let v = self.read(n)?;
        Ok(if n == 0 {
            0
        } else {
            ((v << (32 - n)) as i32) >> (32 - n)
        })
    }

    /// `n` bits (0..=33) as a two's complement number: a 33-bit side channel.
    pub(super) fn read_signed_wide(&mut self, n: u32) -> Result<i64, FrameError> {
        if n <= 32 {
            return Ok(i64::from(self.read_signed(n)?));
        }
        let hi = u64::from(self.read(n - 32)?);
        let v = hi << 32 | u64::from(self.read(32)?);
        Ok(((v << (64 - n)) as i64) >> (64 - n))
    }

    /// One Rice code with parameter `k` (0..=30) as a 64-bit residual, the slow way
    /// (only for a 33-bit side channel).
    pub(super) fn read_rice_wide(&mut self, k: u32) -> Result<i64, FrameError> {
        let q = u64::from(self.read_unary(u32::MAX)?);
        let v = q << k | u64::from(self.read(k)?);
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    /// A unary number: the count of zero bits before the next one bit, at most `max`.
    pub(super) fn read_unary(&mut self, max: u32) -> Result<u32, FrameError> {
        let mut q = 0u32;
        loop {
            if self.bits == 0 {
                self.refill();
                if self.bits == 0 {
                    return Err(FrameError::Truncated);
                }
            }
            let z = self.cache.leading_zeros().min(self.bits);
            if z < self.bits {
                self.cache <<= z + 1;
                self.bits -= z + 1;
                q = q.saturating_add(z);
                return if q > max {
                    Err(FrameError::Corrupt("unary number too long"))
                } else {
                    Ok(q)
                };
            }
            q = q.saturating_add(z);
            if q > max {
                return Err(FrameError::Corrupt("unary number too long"));
            }
            self.cache = 0;
            self.bits = 0;
        }
    }

    /// Rice codes with parameter `k` (0..=30), zigzag-mapped to signed residuals, one
    /// for each element of `out`.
    pub(super) fn read_rice(&mut self, k: u32, out: &mut [i32]) -> Result<(), FrameError> {
        // The state in locals, so it stays in registers while `out` is written.
        let data = self.data;
        let (mut cache, mut bits, mut pos) = (self.cache, self.bits, self.pos);
        for o in out.iter_mut() {
            if bits < 32 {
                let Some(word) = data.get(pos..).and_then(|d| d.first_chunk::<8>()) else {
                    (self.cache, self.bits, self.pos) = (cache, bits, pos);
                    *o = self.read_rice_one(k)?;
                    (cache, bits, pos) = (self.cache, self.bits, self.pos);
                    continue;
                };
                cache |= u64::from_be_bytes(*word) >> bits;
                let bytes = (63 - bits) >> 3;
                pos += bytes as usize;
                bits += bytes * 8;
            }
            let q = cache.leading_zeros();
            let used = q + 1 + k;
            if used > bits {
                (self.cache, self.bits, self.pos) = (cache, bits, pos);
                *o = self.read_rice_one(k)?;
                (cache, bits, pos) = (self.cache, self.bits, self.pos);
                continue;
            }
            // `used` <= 63: the whole code is in the cache.
            let low = ((cache << (q + 1)) >> 1) >> (63 - k);
            cache <<= used;
            bits -= used;
            let v = (q << k) | low as u32;
            *o = ((v >> 1) as i32) ^ -((v & 1) as i32);
        }
        (self.cache, self.bits, self.pos) = (cache, bits, pos);
        Ok(())
    }

    /// One Rice code the slow way: near the end of the data, or longer than the cache.
    #[cold]
    fn read_rice_one(&mut self, k: u32) -> Result<i32, FrameError> {
        let q = self.read_unary(u32::MAX >> k)?;
        let v = (q << k) | self.read(k)?;
        Ok(((v >> 1) as i32) ^ -((v & 1) as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::BitReader;
    use crate::flacdec::error::FrameError;

    #[test]
    fn reads_fields_across_refills_and_the_end() {
        let data = [0b1010_0000, 0xff, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut r = BitReader::new(&data);
        assert_eq!(r.read(3).unwrap(), 0b101);
        assert_eq!(r.read_signed(5).unwrap(), 0);
        assert_eq!(r.read_signed(8).unwrap(), -1);
        assert_eq!(r.read_unary(100).unwrap(), 15);
        assert_eq!(r.byte_pos(), 4);
        assert_eq!(r.read(32).unwrap(), 0x0102_0304);
        assert_eq!(r.read(0).unwrap(), 0);
        assert_eq!(r.read(32).unwrap(), 0x0506_0708);
        assert_eq!(r.read(8).unwrap(), 9);
        assert!(matches!(r.read(1), Err(FrameError::Truncated)));
    }

    #[test]
    fn rice_codes_match_a_bit_by_bit_reading() {
        // k = 2: 1 -> zigzag 2 = q 0, low 10; -3 -> 5 = q 1, low 01; 40 -> 80 = q 20, low 00.
        let mut bits = String::from("110");
        bits += "0101";
        bits += &"0".repeat(20);
        bits += "100";
        bits += &"0".repeat(70);
        bits += "1";
        bits += "11";
        while bits.len() % 8 != 0 {
            bits.push('0');
        }
        let bytes: Vec<u8> = bits
            .as_bytes()
            .chunks(8)
            .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 2).unwrap())
            .collect();
        let mut r = BitReader::new(&bytes);
        let mut out = [0; 4];
        r.read_rice(2, &mut out).unwrap();
        // 70 zeros then low bits 11: v = 70 * 4 + 3 = 283 -> -142.
        assert_eq!(out, [1, -3, 40, -142]);
        assert!(matches!(
            BitReader::new(&[0; 20]).read_rice(4, &mut out),
            Err(FrameError::Truncated)
        ));
    }
}
