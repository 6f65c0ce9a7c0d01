//! Huffman coding of quantised blocks (T.81 F.1.2) into a byte-stuffed bit stream.
//!
//! A key design decision: bits gather in a 64-bit accumulator, most significant first,
//! and go out eight bytes at a time; only a word that holds an `0xFF` byte (rare: it
//! needs eight 1 bits on a byte boundary) takes the byte-by-byte path that stuffs the
//! zero after it. Each code and its extra bits go in as one value.

use super::quant::ZIGZAG_T;
use super::tables::HuffSpec;

/// Code (high bits) and length (low 8 bits) of every symbol of one table.
pub(super) struct HuffTable {
    codes: [u32; 256],
}

impl HuffTable {
    /// The codes of `spec`, generated as T.81 Annex C does.
    pub(super) fn new(spec: &HuffSpec) -> Self {
        let mut codes = [0u32; 256];
        let (mut code, mut k) = (0u32, 0usize);
        for (len, &count) in (1u32..).zip(&spec.bits) {
            for _ in 0..count {
                if let Some(&symbol) = spec.values.get(k) {
                    codes[usize::from(symbol)] = (code << 8) | len;
                }
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        HuffTable { codes }
    }

    /// Code and length of `symbol`.
    #[inline(always)]
    fn get(&self, symbol: usize) -> (u32, u32) {
        let c = self.codes[symbol & 0xff];
        (c >> 8, c & 0xff)
    }
}

/// Appends stuffed entropy-coded bytes to a `Vec`.
pub(super) struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    /// Unused (low) bits of `acc`.
    free: u32,
}

impl<'a> BitWriter<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter {
            out,
            acc: 0,
            free: 64,
        }
    }

    /// Appends the low `len` bits of `bits` (`len` at most 32; higher bits zero).
    #[inline(always)]
    fn put(&mut self, bits: u32, len: u32) {
        let bits = u64::from(bits);
        if len < self.free {
            self.free -= len;
            self.acc |= bits << self.free;
        } else {
            let over = len - self.free;
            let word = self.acc | (bits >> over);
            self.write_word(word);
            // `over` is at most 32, so this shifts by 32 and then by 32 - over.
            self.acc = (bits << 32) << (32 - over);
            self.free = 64 - over;
        }
    }

    #[inline(always)]
    fn write_word(&mut self, word: u64) {
        // Some byte is 0xFF exactly when some byte of !word is zero.
        let inv = !word;
        let has_ff = inv.wrapping_sub(0x0101_0101_0101_0101) & word & 0x8080_8080_8080_8080;
        if has_ff == 0 {
            self.out.extend_from_slice(&word.to_be_bytes());
        } else {
            for b in word.to_be_bytes() {
                self.out.push(b);
                if b == 0xFF {
                    self.out.push(0);
                }
            }
        }
    }

    /// Pads the last byte with 1 bits (as a restart marker or the end of the scan
    /// requires) and writes out everything held.
    pub(super) fn flush(&mut self) {
        let used = 64 - self.free;
        let pad = (8 - used % 8) % 8;
        if pad > 0 {
            self.put((1 << pad) - 1, pad);
        }
        let used = 64 - self.free;
        for b in self.acc.to_be_bytes().iter().take((used / 8) as usize) {
            self.out.push(*b);
            if *b == 0xFF {
                self.out.push(0);
            }
        }
        self.acc = 0;
        self.free = 64;
    }
}

/// Huffman category (bit count) of `v` and its extra bits (T.81 F.1.2.1).
#[inline(always)]
fn category(v: i16) -> (u32, u32) {
    let v = i32::from(v);
    let n = 32 - v.unsigned_abs().leading_zeros();
    // Negative values are sent as v - 1 in n bits (their one's complement).
    let bits = (v + (v >> 31)) as u32 & ((1u32 << n) - 1);
    (n, bits)
}

/// Which coefficients of `q` (`quant.rs`'s layout) are not zero, by zig-zag position,
/// DC left out.
///
/// The flags are made as bytes (`pcmpeqw`, `packsswb`), gathered eight at a time into
/// bits by one multiply each, and moved to zig-zag order by one table look-up per byte:
/// portable code gets neither `pmovmskb` nor a bit permute from the compiler.
#[inline(always)]
fn zigzag_mask(q: &[i16; 64]) -> u64 {
    let mut flags = [0u8; 64];
    for (f, &v) in flags.iter_mut().zip(q) {
        *f = u8::from(v != 0);
    }
    let mut mask = 0u64;
    for (b, chunk) in flags.chunks_exact(8).enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        // Byte i (0 or 1) of the word lands on bit i of the top byte.
        let bits = u64::from_le_bytes(bytes).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= ZIGZAG_BITS[b][bits as usize];
    }
    mask & !1
}

/// `ZIGZAG_BITS[b][v]`: the zig-zag positions (as bits) of the coefficients
/// `8 * b + i` (`quant.rs`'s layout) for the bits `i` set in `v`.
static ZIGZAG_BITS: [[u64; 256]; 8] = {
    let mut rank = [0u32; 64];
    let mut k = 0;
    while k < 64 {
        rank[ZIGZAG_T[k] as usize] = k as u32;
        k += 1;
    }
    let mut t = [[0u64; 256]; 8];
    let mut b = 0;
    while b < 8 {
        let mut v = 0;
        while v < 256 {
            let mut i = 0;
            while i < 8 {
                if v & (1 << i) != 0 {
                    t[b][v] |= 1 << rank[8 * b + i];
                }
                i += 1;
            }
            v += 1;
        }
        b += 1;
    }
    t
};

/// The tables and DC prediction of one component.
pub(super) struct Coder<'t> {
    pub(super) dc: &'t HuffTable,
    pub(super) ac: &'t HuffTable,
    pub(super) pred: i16,
}

impl Coder<'_> {
    /// Codes one quantised block (`quant.rs`'s transposed layout).
    #[inline]
    pub(super) fn block(&mut self, w: &mut BitWriter<'_>, q: &[i16; 64]) {
        let diff = q[0].wrapping_sub(self.pred);
        self.pred = q[0];
        let (n, bits) = category(diff);
        let (code, len) = self.dc.get(n as usize);
        w.put((code << n) | bits, len + n);

        // Flat blocks (common: quantisation zeroes most of smooth areas) are DC only.
        let mut acc = [0i16; 8];
        for row in q.chunks_exact(8).skip(1) {
            for (a, &v) in acc.iter_mut().zip(row) {
                *a |= v;
            }
        }
        if acc
            .iter()
            .zip(&q[..8])
            .skip(1)
            .fold(acc[0], |a, (&v, &d)| a | v | d)
            == 0
        {
            let (code, len) = self.ac.get(0);
            w.put(code, len);
            return;
        }

        let mut mask = zigzag_mask(q);
        let mut last = 0u32;
        while mask != 0 {
            let k = mask.trailing_zeros();
            mask &= mask - 1;
            let mut run = k - last - 1;
            while run >= 16 {
                // ZRL: sixteen zeros.
                let (code, len) = self.ac.get(0xF0);
                w.put(code, len);
                run -= 16;
            }
            let (n, bits) = category(q[usize::from(ZIGZAG_T[k as usize])]);
            let (code, len) = self.ac.get(((run << 4) | n) as usize);
            w.put((code << n) | bits, len + n);
            last = k;
        }
        if last != 63 {
            // EOB.
            let (code, len) = self.ac.get(0);
            w.put(code, len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpegenc::tables::{AC_LUMA, DC_LUMA};

    #[test]
    fn codes_follow_annex_c() {
        let dc = HuffTable::new(&DC_LUMA);
        // Table K.3: category 0 is 00, 1 is 010, 11 is 111111110.
        assert_eq!(dc.get(0), (0b00, 2));
        assert_eq!(dc.get(1), (0b010, 3));
        assert_eq!(dc.get(11), (0b1_1111_1110, 9));
        let ac = HuffTable::new(&AC_LUMA);
        // Table K.5: EOB is 1010, 0/1 is 00, ZRL is 11111111001.
        assert_eq!(ac.get(0x00), (0b1010, 4));
        assert_eq!(ac.get(0x01), (0b00, 2));
        assert_eq!(ac.get(0xF0), (0b111_1111_1001, 11));
    }

    #[test]
    fn zigzag_mask_matches_a_plain_scan() {
        for seed in 0..200u32 {
            let q: [i16; 64] = std::array::from_fn(|i| {
                let h = ((i as u32).wrapping_mul(2_654_435_761) ^ seed.wrapping_mul(40_503)) >> 7;
                if h.is_multiple_of(seed % 7 + 2) {
                    (h % 9) as i16 - 4
                } else {
                    0
                }
            });
            let want = (1..64)
                .filter(|&k| q[usize::from(ZIGZAG_T[k])] != 0)
                .fold(0u64, |m, k| m | 1 << k);
            assert_eq!(zigzag_mask(&q), want, "seed {seed}");
        }
    }

    #[test]
    fn categories_and_extra_bits() {
        assert_eq!(category(0), (0, 0));
        assert_eq!(category(1), (1, 1));
        assert_eq!(category(-1), (1, 0));
        assert_eq!(category(-5), (3, 0b010));
        assert_eq!(category(1023), (10, 1023));
        assert_eq!(category(-2047), (11, 0));
    }

    #[test]
    fn stuffs_ff_bytes_and_pads_with_ones() {
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        // 0xFF, then 0x12, then three bits 101 padded with ones: 1011_1111.
        w.put(0xFF, 8);
        w.put(0x12, 8);
        w.put(0b101, 3);
        w.flush();
        // A full word with an 0xFF in it.
        for _ in 0..4 {
            w.put(0xFF01, 16);
        }
        w.flush();
        assert_eq!(
            out,
            [
                0xFF, 0, 0x12, 0xBF, 0xFF, 0, 1, 0xFF, 0, 1, 0xFF, 0, 1, 0xFF, 0, 1
            ]
        );
    }
}
