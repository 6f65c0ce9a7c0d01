//! Huffman decoding of JPEG entropy-coded data (ITU T.81 F.2.2): a 64-bit bit buffer
//! refilled eight bytes at a time where no `FF` byte is in the way, and a 9-bit look-up
//! table per Huffman table that gives code length and symbol at once; for AC tables a
//! second one gives run, length and the coefficient's value together when code and value
//! bits both fit in the 9 bits (most coefficients of ordinary pictures).
//!
//! A key design decision: at a marker the reader stops taking bytes and feeds zero bits,
//! as libjpeg does for data cut short, so corrupt data decodes to something bounded
//! instead of failing half-way or reading past the scan.

const LOOKAHEAD: u32 = 9;

/// Flag of an `ac_fast` entry for the end-of-block code.
const END_OF_BLOCK: i32 = 1 << 8;

/// One Huffman table, decoding-ready.
#[derive(Debug, Clone)]
pub(super) struct HuffmanTable {
    /// `(length << 8) | symbol` for codes of up to 9 bits by their next 9 bits; 0 for
    /// longer codes.
    fast: [u16; 1 << LOOKAHEAD],
    /// AC only: `(value << 16) | (run << 4) | (code + value bits)` when both fit in the 9
    /// bits and the value is nonzero, [`END_OF_BLOCK`]` | (code bits)` for a short EOB
    /// code; 0 otherwise.
    ac_fast: Vec<i32>,
    /// One past the largest code of each length (index 1..=16), left-aligned to 16
    /// bits: a 16-bit peek below it holds a code of at most that length.
    max_code: [u32; 18],
    /// Per length: symbol index minus first code.
    offset: [i32; 17],
    symbols: Vec<u8>,
}

impl HuffmanTable {
    /// Builds a table from its DHT counts and symbols (T.81 Annex C).
    ///
    /// # Errors
    ///
    /// A description when the counts make more codes than lengths allow.
    pub(super) fn new(counts: &[u8; 16], symbols: &[u8], ac: bool) -> Result<Self, String> {
        let mut t = HuffmanTable {
            fast: [0; 1 << LOOKAHEAD],
            ac_fast: Vec::new(),
            max_code: [0; 18],
            offset: [0; 17],
            symbols: symbols.to_vec(),
        };
        let mut code: u32 = 0;
        let mut k: usize = 0;
        for len in 1..=16u32 {
            let n = u32::from(counts[len as usize - 1]);
            t.offset[len as usize] = k as i32 - code as i32;
            if n > 0 {
                if code + n > 1 << len {
                    return Err("Huffman table with more codes than its lengths allow".into());
                }
                for _ in 0..n {
                    if len <= LOOKAHEAD {
                        let shift = LOOKAHEAD - len;
                        let first = (code << shift) as usize;
                        let entry = ((len as u16) << 8) | u16::from(symbols[k]);
                        t.fast[first..first + (1 << shift)].fill(entry);
                    }
                    code += 1;
                    k += 1;
                }
            }
            t.max_code[len as usize] = code << (16 - len);
            code <<= 1;
        }
        t.max_code[17] = u32::MAX;
        if ac {
            t.ac_fast = vec![0; 1 << LOOKAHEAD];
            for (peek, slot) in t.ac_fast.iter_mut().enumerate() {
                let entry = t.fast[peek];
                let (len, symbol) = (u32::from(entry >> 8), u32::from(entry & 0xff));
                let (run, size) = (symbol >> 4, symbol & 15);
                if len > 0 && symbol == 0 {
                    *slot = END_OF_BLOCK | len as i32;
                    continue;
                }
                if len == 0 || size == 0 || len + size > LOOKAHEAD {
                    continue;
                }
                let bits = (peek as u32 >> (LOOKAHEAD - len - size)) & ((1 << size) - 1);
                let value = extend(bits, size);
                *slot = (value << 16) | (run << 4) as i32 | (len + size) as i32;
            }
        }
        Ok(t)
    }
}

/// T.81 F.2.2.1 EXTEND: `size` bits as a signed value.
#[inline(always)]
fn extend(bits: u32, size: u32) -> i32 {
    if size == 0 {
        0
    } else if bits < 1 << (size - 1) {
        bits as i32 - (1 << size) + 1
    } else {
        bits as i32
    }
}

/// Reads bits from entropy-coded data, taking out `FF 00` stuffing.
pub(super) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Left-aligned: the next bit is bit 63.
    buf: u64,
    bits: u32,
    /// A marker was reached: zero bits from here on.
    at_marker: bool,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            pos: 0,
            buf: 0,
            bits: 0,
            at_marker: false,
        }
    }

    /// Fills the buffer to at least 57 bits.
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let word = u64::from_be_bytes(chunk.try_into().unwrap_or([0xff; 8]));
            // No byte of `word` is FF: take whole bytes of it straight.
            let inverted = !word;
            if inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080 == 0
            {
                let take = (64 - self.bits) / 8;
                let filled = self.bits + take * 8;
                let keep = !u64::MAX.checked_shr(filled).unwrap_or(0);
                self.buf |= (word >> self.bits) & keep;
                self.bits = filled;
                self.pos += take as usize;
                return;
            }
        }
        self.refill_slow();
    }

    #[cold]
    fn refill_slow(&mut self) {
        while self.bits <= 56 {
            let mut byte = 0;
            if !self.at_marker {
                match self.data.get(self.pos) {
                    Some(0xff) => match self.data.get(self.pos + 1) {
                        Some(0x00) => {
                            byte = 0xff;
                            self.pos += 2;
                        }
                        _ => self.at_marker = true,
                    },
                    Some(&b) => {
                        byte = b;
                        self.pos += 1;
                    }
                    None => self.at_marker = true,
                }
            }
            self.buf |= u64::from(byte) << (56 - self.bits);
            self.bits += 8;
        }
    }

    #[inline(always)]
    fn ensure(&mut self) {
        if self.bits < 32 {
            self.refill();
        }
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.buf <<= n;
        self.bits -= n;
    }

    /// `size` (at most 16) bits as a signed coefficient value.
    #[inline(always)]
    fn receive_extend(&mut self, size: u32) -> i32 {
        if size == 0 {
            return 0;
        }
        let bits = (self.buf >> (64 - size)) as u32;
        self.consume(size);
        extend(bits, size)
    }

    /// [`Self::receive_extend`] without a branch on the value: the DC difference's size
    /// and sign follow the picture, not a pattern the branch predictor could learn (a
    /// mispredicted branch per block cost more than this arithmetic). `size` at most 16.
    #[inline(always)]
    fn receive_extend_branchless(&mut self, size: u32) -> i32 {
        // `buf >> (64 - size)`, which is 0 for size 0 (a shift by 64 is not allowed):
        // bit 63 of `buf >> 1` is always clear.
        let bits = ((self.buf >> 1) >> (63 - size)) as i32;
        self.consume(size);
        // Values below half the range are negative (T.81 F.2.2.1 EXTEND): all ones when
        // `bits < 2^(size-1)`, which for size 0 (half 0) never holds.
        let half = (1i32 << size) >> 1;
        let negative = (bits - half) >> 31;
        bits - (negative & ((1 << size) - 1))
    }

    /// The next symbol of `table`; needs 16 bits in the buffer.
    #[inline(always)]
    fn symbol(&mut self, table: &HuffmanTable) -> Result<u8, &'static str> {
        let peek = (self.buf >> (64 - LOOKAHEAD)) as usize;
        let entry = table.fast[peek];
        if entry != 0 {
            self.consume(u32::from(entry >> 8));
            return Ok(entry as u8);
        }
        self.symbol_slow(table)
    }

    #[cold]
    fn symbol_slow(&mut self, table: &HuffmanTable) -> Result<u8, &'static str> {
        let code16 = (self.buf >> 48) as u32;
        let mut len = LOOKAHEAD as usize + 1;
        while len <= 16 && code16 >= table.max_code[len] {
            len += 1;
        }
        if len > 16 {
            return Err("Huffman code not in its table");
        }
        let code = (code16 >> (16 - len)) as i32;
        let symbol = usize::try_from(code + table.offset[len])
            .ok()
            .and_then(|i| table.symbols.get(i))
            .ok_or("Huffman code not in its table")?;
        self.consume(len as u32);
        Ok(*symbol)
    }

    /// The DC difference of the next block.
    #[inline(always)]
    pub(super) fn dc_diff(&mut self, table: &HuffmanTable) -> Result<i32, &'static str> {
        self.ensure();
        // A code of up to 9 bits and its value (at most 16 bits) fit in the 32 bits
        // `ensure` leaves.
        let entry = table.fast[(self.buf >> (64 - LOOKAHEAD)) as usize];
        let (len, size) = (u32::from(entry >> 8), u32::from(entry & 0xff));
        if len > 0 && size <= 16 {
            self.consume(len);
            return Ok(self.receive_extend_branchless(size));
        }
        let size = u32::from(self.symbol(table)?);
        if size > 16 {
            return Err("DC difference of more than 16 bits");
        }
        self.ensure();
        Ok(self.receive_extend(size))
    }

    /// Decodes the AC coefficients of one block into `block` (natural order),
    /// dequantised by `quant` (zig-zag order). Returns the zig-zag index of the last
    /// coefficient stored, 0 when there was none.
    ///
    /// The bit buffer lives in locals for the loop (written back around a refill and at
    /// the end), so that it stays in registers.
    #[inline(always)]
    pub(super) fn ac_block(
        &mut self,
        table: &HuffmanTable,
        quant: &[u16; 64],
        block: &mut [i16; 64],
    ) -> Result<usize, &'static str> {
        let mut k = 1usize;
        let mut last = 0;
        let (mut buf, mut bits) = (self.buf, self.bits);
        let fast_table: &[i32; 1 << LOOKAHEAD] = match table.ac_fast.as_slice().try_into() {
            Ok(t) => t,
            Err(_) => return Err("DC table used for AC coefficients"),
        };
        while k < 64 {
            if bits < 32 {
                (self.buf, self.bits) = (buf, bits);
                self.refill();
                (buf, bits) = (self.buf, self.bits);
            }
            let fast = fast_table[(buf >> (64 - LOOKAHEAD)) as usize];
            if fast != 0 {
                let len = (fast & 15) as u32;
                buf <<= len;
                bits -= len;
                if fast & END_OF_BLOCK != 0 {
                    break;
                }
                k += ((fast >> 4) & 15) as usize;
                if k > 63 {
                    break;
                }
                // Dequantised to 16 bits, as libjpeg-turbo's SIMD code does (`pmullw`).
                block[usize::from(ZIGZAG[k])] =
                    (fast >> 16).wrapping_mul(i32::from(quant[k])) as i16;
                last = k;
                k += 1;
                continue;
            }
            (self.buf, self.bits) = (buf, bits);
            let symbol = self.symbol(table)?;
            let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
            if size == 0 {
                (buf, bits) = (self.buf, self.bits);
                if run != 15 {
                    break;
                }
                k += 16;
                continue;
            }
            k += run;
            let value = self.receive_extend(size);
            (buf, bits) = (self.buf, self.bits);
            if k > 63 {
                break;
            }
            block[usize::from(ZIGZAG[k])] = value.wrapping_mul(i32::from(quant[k])) as i16;
            last = k;
            k += 1;
        }
        (self.buf, self.bits) = (buf, bits);
        if k > 64 {
            return Err("AC coefficients past the end of a block");
        }
        Ok(last)
    }

    /// At a restart interval's end: drops the padding bits and steps past the next
    /// restart marker (after any garbage before it, as libjpeg resynchronises). At
    /// another marker the reader stays there and goes on with zero bits.
    pub(super) fn restart(&mut self) {
        self.buf = 0;
        self.bits = 0;
        self.at_marker = false;
        while let Some(off) = self
            .data
            .get(self.pos..)
            .and_then(|d| d.iter().position(|&b| b == 0xff))
        {
            let at = self.pos + off;
            match self.data.get(at + 1) {
                Some(0xd0..=0xd7) => {
                    self.pos = at + 2;
                    return;
                }
                Some(0x00 | 0xff) => self.pos = at + 1,
                _ => {
                    self.pos = at;
                    self.at_marker = true;
                    return;
                }
            }
        }
        self.pos = self.data.len();
        self.at_marker = true;
    }

    /// Bytes taken so far, for error offsets.
    pub(super) fn position(&self) -> usize {
        self.pos
    }
}

/// Natural-order index of each zig-zag position.
pub(super) const ZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

#[cfg(test)]
mod tests {
    use super::{BitReader, HuffmanTable};

    #[test]
    fn refuses_more_codes_than_lengths_allow() {
        let mut counts = [0u8; 16];
        counts[0] = 3; // three 1-bit codes
        assert!(HuffmanTable::new(&counts, &[0, 1, 2], false).is_err());
    }

    #[test]
    fn branchless_extend_equals_extend() {
        for size in 0..=16u32 {
            for top in [0u64, 1, 0x5a5a, 0x7fff, 0x8000, 0xa5a5, 0xffff] {
                let buf = (top << 48) | 0x0000_1234_5678_9abc;
                let mut a = BitReader::new(&[]);
                (a.buf, a.bits) = (buf, 64);
                let mut b = BitReader::new(&[]);
                (b.buf, b.bits) = (buf, 64);
                let expected = a.receive_extend(size);
                assert_eq!(
                    b.receive_extend_branchless(size),
                    expected,
                    "{size} {top:x}"
                );
                assert_eq!((a.buf, a.bits), (b.buf, b.bits));
            }
        }
    }

    #[test]
    fn decodes_short_and_long_codes_and_end_of_block() {
        // AC table: EOB = 0 (1 bit), 0x01 (size 1) = 10, 0x0a (size 10) = 110 (fast table
        // too short for code + value), and 0x11 = 1110000000 (10 bits: slow path).
        let mut counts = [0u8; 16];
        (counts[0], counts[1], counts[2], counts[9]) = (1, 1, 1, 1);
        let ac = HuffmanTable::new(&counts, &[0x00, 0x01, 0x0a, 0x11], true).unwrap();
        let quant = [2u16; 64];
        // 10 1 | 110 0000000001 | 1110000000 0 | 0 (EOB), padded with ones (a whole FF
        // byte of padding would be stuffed as FF 00).
        let bits = "101".to_owned() + "1100000000001" + "11100000000" + "0";
        let mut data = Vec::new();
        let padded = format!("{bits:1<32}");
        for byte in padded.as_bytes().chunks(8) {
            let b = u8::from_str_radix(std::str::from_utf8(byte).unwrap(), 2).unwrap();
            data.push(b);
            if b == 0xff {
                data.push(0);
            }
        }
        let mut block = [0i16; 64];
        let last = BitReader::new(&data)
            .ac_block(&ac, &quant, &mut block)
            .unwrap();
        // Coefficients 1 (+1), 2 (-1022), 4 (after a run of 1: -1), all times 2.
        assert_eq!(last, 4);
        assert_eq!(block[1], 2);
        assert_eq!(block[8], -2044);
        assert_eq!(block[9], -2);
        assert_eq!(block.iter().filter(|&&v| v != 0).count(), 3);
    }
}
