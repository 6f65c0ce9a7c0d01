//! ISO BMFF box reading over bytes held in memory: a bounds-checked cursor and box
//! headers, every failure a typed error carrying the absolute byte offset.
//!
//! A key design decision: nothing here allocates from a size field. A box size only
//! bounds a sub-slice of bytes that are already in memory, and a table's entry count is
//! checked against the bytes left before anything is reserved.

/// Why the MP4 structure could not be read; offsets are absolute file positions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Mp4Error {
    /// The data ends inside a structure.
    #[error("truncated {what} at byte {offset}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where it started.
        offset: u64,
    },
    /// A value makes no sense.
    #[error("invalid {what} at byte {offset}: {detail}")]
    Invalid {
        /// What was being read.
        what: &'static str,
        /// Where.
        offset: u64,
        /// Why it is invalid.
        detail: String,
    },
    /// A box larger than the demuxer is willing to hold in memory.
    #[error("{what} at byte {offset} is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Which box.
        what: String,
        /// Where it starts.
        offset: u64,
        /// Its declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl Mp4Error {
    pub(crate) fn invalid(what: &'static str, offset: u64, detail: impl Into<String>) -> Self {
        Mp4Error::Invalid {
            what,
            offset,
            detail: detail.into(),
        }
    }
}

/// A four-character code as text, for messages and caps.
pub(crate) fn fourcc_str(fourcc: [u8; 4]) -> String {
    fourcc
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}

/// A box header: its type, header length and total size (`None`: up to the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BoxHeader {
    pub(crate) kind: [u8; 4],
    pub(crate) header_len: usize,
    pub(crate) size: Option<u64>,
}

impl BoxHeader {
    /// Parses a header at the start of `data` (found at stream offset `offset`);
    /// `Ok(None)` when `data` is too short to tell.
    pub(crate) fn parse(data: &[u8], offset: u64) -> Result<Option<BoxHeader>, Mp4Error> {
        if data.len() < 8 {
            return Ok(None);
        }
        let size32 = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        let kind = [data[4], data[5], data[6], data[7]];
        let (header_len, size) = match size32 {
            0 => (8, None),
            1 => {
                if data.len() < 16 {
                    return Ok(None);
                }
                let mut b = [0; 8];
                b.copy_from_slice(&data[8..16]);
                (16, Some(u64::from_be_bytes(b)))
            }
            n => (8, Some(u64::from(n))),
        };
        if let Some(size) = size
            && size < header_len as u64
        {
            return Err(Mp4Error::invalid(
                "box header",
                offset,
                format!(
                    "'{}' declares {size} bytes, less than its own header",
                    fourcc_str(kind)
                ),
            ));
        }
        Ok(Some(BoxHeader {
            kind,
            header_len,
            size,
        }))
    }
}

/// A bounds-checked big-endian reader over bytes that start at stream offset `base`.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64) -> Self {
        Cursor { data, pos: 0, base }
    }

    /// Stream offset of the next byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Mp4Error> {
        if n > self.remaining() {
            return Err(Mp4Error::Truncated {
                what,
                offset: self.offset(),
            });
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// The rest of the bytes.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = &self.data[self.pos..];
        self.pos = self.data.len();
        out
    }

    pub(crate) fn skip(&mut self, n: usize, what: &'static str) -> Result<(), Mp4Error> {
        self.bytes(n, what).map(|_| ())
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Mp4Error> {
        let mut out = [0; N];
        out.copy_from_slice(self.bytes(N, what)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, Mp4Error> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, Mp4Error> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, Mp4Error> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn i32(&mut self, what: &'static str) -> Result<i32, Mp4Error> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, Mp4Error> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn fourcc(&mut self, what: &'static str) -> Result<[u8; 4], Mp4Error> {
        self.array(what)
    }

    /// A full box's version and flags.
    pub(crate) fn version_flags(&mut self, what: &'static str) -> Result<(u8, u32), Mp4Error> {
        let v = self.u32(what)?;
        Ok(((v >> 24) as u8, v & 0x00ff_ffff))
    }

    /// An entry count that must fit the bytes left at `entry_size` bytes each (so it can
    /// size an allocation safely).
    pub(crate) fn count(
        &mut self,
        entry_size: usize,
        what: &'static str,
    ) -> Result<usize, Mp4Error> {
        let offset = self.offset();
        let n = self.u32(what)? as usize;
        if n.checked_mul(entry_size)
            .is_none_or(|b| b > self.remaining())
        {
            return Err(Mp4Error::invalid(
                what,
                offset,
                format!(
                    "{n} entries of {entry_size} bytes do not fit in the {} bytes left",
                    self.remaining()
                ),
            ));
        }
        Ok(n)
    }

    /// The next child box: its type and a cursor over its payload; `None` at the end.
    /// A size running past the parent is an error.
    pub(crate) fn next_box(&mut self) -> Result<Option<([u8; 4], Cursor<'a>)>, Mp4Error> {
        if self.remaining() == 0 {
            return Ok(None);
        }
        let offset = self.offset();
        let rest = &self.data[self.pos..];
        let Some(header) = BoxHeader::parse(rest, offset)? else {
            return Err(Mp4Error::Truncated {
                what: "box header",
                offset,
            });
        };
        let size = match header.size {
            None => rest.len(),
            Some(s) => match usize::try_from(s) {
                Ok(s) if s <= rest.len() => s,
                _ => {
                    return Err(Mp4Error::invalid(
                        "box",
                        offset,
                        format!(
                            "'{}' declares {s} bytes but only {} are left in its parent",
                            fourcc_str(header.kind),
                            rest.len()
                        ),
                    ));
                }
            },
        };
        let payload = Cursor::new(
            &rest[header.header_len..size],
            offset + header.header_len as u64,
        );
        self.pos += size;
        Ok(Some((header.kind, payload)))
    }

    /// The payload of the first child box of type `kind`.
    pub(crate) fn find(&self, kind: &[u8; 4]) -> Result<Option<Cursor<'a>>, Mp4Error> {
        let mut c = self.clone();
        while let Some((k, payload)) = c.next_box()? {
            if &k == kind {
                return Ok(Some(payload));
            }
        }
        Ok(None)
    }
}
