//! MPEG-TS packets (ISO 13818-1 2.4.3): the 4-byte header, the adaptation field's
//! random-access flag and the payload.

pub(crate) const PACKET: usize = 188;
pub(crate) const SYNC: u8 = 0x47;

/// One parsed transport packet, borrowing its payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Packet<'a> {
    pub(crate) pid: u16,
    /// payload_unit_start_indicator: a PES packet or section starts here.
    pub(crate) unit_start: bool,
    /// The adaptation field's random_access_indicator.
    pub(crate) random_access: bool,
    pub(crate) payload: &'a [u8],
}

/// Why a packet could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PacketError {
    #[error("lost sync: byte {0:#04x} instead of 0x47")]
    Sync(u8),
    #[error("adaptation field of {0} bytes does not fit the packet")]
    Adaptation(usize),
}

impl<'a> Packet<'a> {
    /// Parses exactly one 188-byte packet.
    pub(crate) fn parse(p: &'a [u8; PACKET]) -> Result<Packet<'a>, PacketError> {
        if p[0] != SYNC {
            return Err(PacketError::Sync(p[0]));
        }
        let pid = (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
        let unit_start = p[1] & 0x40 != 0;
        let control = (p[3] >> 4) & 3;
        let mut start = 4;
        let mut random_access = false;
        if control & 2 != 0 {
            let len = usize::from(p[4]);
            if 5 + len > PACKET {
                return Err(PacketError::Adaptation(len));
            }
            random_access = len > 0 && p[5] & 0x40 != 0;
            start = 5 + len;
        }
        let payload = if control & 1 != 0 { &p[start..] } else { &[] };
        Ok(Packet {
            pid,
            unit_start,
            random_access,
            payload,
        })
    }
}
