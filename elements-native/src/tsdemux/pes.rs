//! PES packets (ISO 13818-1 2.4.3.6): header timestamps and reassembly of one stream's
//! payload across transport packets.

/// The largest PES payload held (a 4K intra frame is a few MB).
pub(crate) const MAX_PES: usize = 64 * 1024 * 1024;

/// Why a PES packet could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PesError {
    #[error("no PES start code")]
    StartCode,
    #[error("PES header of {0} bytes does not fit its packet")]
    Header(usize),
    #[error("PES packet over the {MAX_PES}-byte limit")]
    TooLarge,
}

/// A PES packet being assembled.
#[derive(Debug, Default)]
pub(crate) struct PesAssembly {
    pub(crate) data: Vec<u8>,
    pub(crate) pts: Option<u64>,
    pub(crate) dts: Option<u64>,
    pub(crate) random_access: bool,
    /// Payload length the header announced (0: unbounded, video).
    pub(crate) expected: usize,
    /// Stream offset of the transport packet that started it.
    pub(crate) offset: u64,
    pub(crate) active: bool,
}

fn timestamp(b: &[u8]) -> u64 {
    (u64::from(b[0] >> 1) & 7) << 30
        | u64::from(b[1]) << 22
        | u64::from(b[2] >> 1) << 15
        | u64::from(b[3]) << 7
        | u64::from(b[4] >> 1)
}

impl PesAssembly {
    /// Starts a new PES packet from the payload of a unit-start transport packet.
    pub(crate) fn start(
        &mut self,
        payload: &[u8],
        random_access: bool,
        offset: u64,
    ) -> Result<(), PesError> {
        self.data.clear();
        self.pts = None;
        self.dts = None;
        self.expected = 0;
        self.random_access = random_access;
        self.offset = offset;
        self.active = false;
        if payload.len() < 9 || payload[..3] != [0, 0, 1] {
            return Err(PesError::StartCode);
        }
        let length = usize::from(u16::from_be_bytes([payload[4], payload[5]]));
        let flags = payload[7];
        let header_len = usize::from(payload[8]);
        let body = payload
            .get(9..9 + header_len)
            .ok_or(PesError::Header(header_len))?;
        if flags & 0x80 != 0 && body.len() >= 5 {
            self.pts = Some(timestamp(body));
            if flags & 0x40 != 0 && body.len() >= 10 {
                self.dts = Some(timestamp(&body[5..]));
            }
        }
        // PES_packet_length counts the bytes after itself: 3 + header + payload.
        self.expected = length.saturating_sub(3 + header_len);
        self.active = true;
        self.push(&payload[9 + header_len..])
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<(), PesError> {
        if !self.active {
            return Ok(());
        }
        if self.data.len() + bytes.len() > MAX_PES {
            self.active = false;
            return Err(PesError::TooLarge);
        }
        self.data.extend_from_slice(bytes);
        Ok(())
    }

    /// Whether the announced length has arrived.
    pub(crate) fn complete(&self) -> bool {
        self.active && self.expected > 0 && self.data.len() >= self.expected
    }
}

/// Unwraps 33-bit 90 kHz timestamps into a monotonic-ish 64-bit count.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Unwrap {
    last: Option<u64>,
    base: u64,
}

const WRAP: u64 = 1 << 33;

impl Unwrap {
    pub(crate) fn unwrap(&mut self, raw: u64) -> u64 {
        if let Some(last) = self.last {
            // A jump back by more than half the range is a wrap.
            if raw + WRAP / 2 < last {
                self.base += WRAP;
            } else if last + WRAP / 2 < raw && self.base >= WRAP {
                self.base -= WRAP;
            }
        }
        self.last = Some(raw);
        self.base + raw
    }
}

/// Whether an Annex B H.264 access unit holds an IDR slice (NAL type 5).
pub(crate) fn h264_has_idr(data: &[u8]) -> bool {
    let mut i = 0;
    while i + 3 < data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            match data[i + 3] & 0x1f {
                5 => return true,
                // A non-IDR slice: the access unit is not a keyframe.
                1 => return false,
                _ => {}
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    false
}

/// Sample rate and channels from an ADTS header at the start of `data`.
pub(crate) fn adts_format(data: &[u8]) -> Option<(u32, u32)> {
    const RATES: [u32; 13] = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    ];
    if data.len() < 7 || data[0] != 0xff || data[1] & 0xf0 != 0xf0 {
        return None;
    }
    let rate = *RATES.get(usize::from((data[2] >> 2) & 0x0f))?;
    let channels = u32::from((data[2] & 1) << 2 | data[3] >> 6);
    Some((rate, channels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_unwrap_across_33_bits() {
        let mut u = Unwrap::default();
        assert_eq!(u.unwrap(WRAP - 10), WRAP - 10);
        assert_eq!(u.unwrap(5), WRAP + 5);
    }

    #[test]
    fn pes_header_gives_pts_and_dts() {
        // PTS 900000 and DTS 897000 encoded per 2.4.3.7.
        let enc = |marker: u8, t: u64| {
            [
                marker << 4 | ((t >> 29) as u8 & 0x0e) | 1,
                (t >> 22) as u8,
                ((t >> 14) as u8 & 0xfe) | 1,
                (t >> 7) as u8,
                ((t << 1) as u8) | 1,
            ]
        };
        let mut p = vec![0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10];
        p.extend_from_slice(&enc(3, 900_000));
        p.extend_from_slice(&enc(1, 897_000));
        p.extend_from_slice(b"data");
        let mut a = PesAssembly::default();
        a.start(&p, false, 0).expect("pes");
        assert_eq!((a.pts, a.dts), (Some(900_000), Some(897_000)));
        assert_eq!(a.data, b"data");
    }
}
