//! Program-specific information: section reassembly, the PAT (program → PMT PID) and the
//! PMT (elementary streams, their types and registration descriptors), and the caps of
//! each stream type.

use parallax_core::Structure;

/// The longest PSI section (12-bit section_length plus the 3-byte header).
const MAX_SECTION: usize = 4096 + 3;

/// What a PMT entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Video,
    Audio,
    Other,
}

/// Codecs the demuxer knows how to label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    H264,
    H265,
    Av1,
    Mpeg2Video,
    Aac,
    AacLatm,
    MpegAudio,
    Opus,
    Ac3,
    Unknown(u8),
}

impl Codec {
    pub(crate) fn kind(self) -> Kind {
        match self {
            Codec::H264 | Codec::H265 | Codec::Av1 | Codec::Mpeg2Video => Kind::Video,
            Codec::Aac | Codec::AacLatm | Codec::MpegAudio | Codec::Opus | Codec::Ac3 => {
                Kind::Audio
            }
            Codec::Unknown(_) => Kind::Other,
        }
    }

    /// The stream's caps, as GStreamer's tsdemux labels them.
    pub(crate) fn caps(self) -> Structure {
        match self {
            Codec::H264 => Structure::new("video/x-h264")
                .with("stream-format", "byte-stream")
                .with("alignment", "au"),
            Codec::H265 => Structure::new("video/x-h265")
                .with("stream-format", "byte-stream")
                .with("alignment", "au"),
            Codec::Av1 => Structure::new("video/x-av1")
                .with("stream-format", "obu-stream")
                .with("alignment", "tu"),
            Codec::Mpeg2Video => Structure::new("video/mpeg")
                .with("mpegversion", 2)
                .with("systemstream", false),
            Codec::Aac => Structure::new("audio/mpeg")
                .with("mpegversion", 4)
                .with("stream-format", "adts"),
            Codec::AacLatm => Structure::new("audio/mpeg")
                .with("mpegversion", 4)
                .with("stream-format", "loas"),
            Codec::MpegAudio => Structure::new("audio/mpeg").with("mpegversion", 1),
            Codec::Opus => Structure::new("audio/x-opus"),
            Codec::Ac3 => Structure::new("audio/x-ac3"),
            Codec::Unknown(t) => {
                Structure::new("application/x-unknown").with("stream-type", i64::from(t))
            }
        }
    }
}

/// One elementary stream of the PMT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EsInfo {
    pub(crate) pid: u16,
    pub(crate) codec: Codec,
}

/// Reassembles the sections of one PID.
#[derive(Debug, Default)]
pub(crate) struct SectionBuffer {
    data: Vec<u8>,
    active: bool,
}

impl SectionBuffer {
    /// Adds a packet's payload; returns a complete section when one ends in it. Only
    /// the first section of a payload is used (PAT and PMT fit in one).
    pub(crate) fn push(&mut self, unit_start: bool, payload: &[u8]) -> Option<Vec<u8>> {
        let mut bytes = payload;
        if unit_start {
            let pointer = usize::from(*payload.first()?);
            bytes = payload.get(1 + pointer..)?;
            self.data.clear();
            self.active = true;
        }
        if !self.active {
            return None;
        }
        let room = MAX_SECTION.saturating_sub(self.data.len());
        self.data.extend_from_slice(&bytes[..bytes.len().min(room)]);
        if self.data.len() < 3 {
            return None;
        }
        let len = 3 + ((usize::from(self.data[1] & 0x0f) << 8) | usize::from(self.data[2]));
        if self.data.len() < len {
            return None;
        }
        self.active = false;
        let mut section = std::mem::take(&mut self.data);
        section.truncate(len);
        Some(section)
    }
}

/// The body of a long-form section (after the 8-byte header, before the CRC), checking
/// the table id; `None` when malformed.
fn body(section: &[u8], table_id: u8) -> Option<&[u8]> {
    if section.len() < 12 || section[0] != table_id {
        return None;
    }
    section.get(8..section.len() - 4)
}

/// The PMT PID of the first program in a PAT section.
pub(crate) fn parse_pat(section: &[u8]) -> Option<u16> {
    body(section, 0x00)?
        .chunks_exact(4)
        .find(|e| u16::from_be_bytes([e[0], e[1]]) != 0)
        .map(|e| u16::from_be_bytes([e[2] & 0x1f, e[3]]))
}

/// The elementary streams of a PMT section, in order.
pub(crate) fn parse_pmt(section: &[u8]) -> Option<Vec<EsInfo>> {
    let body = body(section, 0x02)?;
    let info_len = (usize::from(*body.get(2)? & 0x0f) << 8) | usize::from(*body.get(3)?);
    let mut rest = body.get(4 + info_len..)?;
    let mut streams = Vec::new();
    while rest.len() >= 5 {
        let stream_type = rest[0];
        let pid = u16::from_be_bytes([rest[1] & 0x1f, rest[2]]);
        let es_len = (usize::from(rest[3] & 0x0f) << 8) | usize::from(rest[4]);
        let descriptors = rest.get(5..5 + es_len)?;
        streams.push(EsInfo {
            pid,
            codec: codec(stream_type, descriptors),
        });
        rest = &rest[5 + es_len..];
    }
    Some(streams)
}

fn codec(stream_type: u8, descriptors: &[u8]) -> Codec {
    match stream_type {
        0x1b => Codec::H264,
        0x24 => Codec::H265,
        0x01 | 0x02 => Codec::Mpeg2Video,
        0x0f => Codec::Aac,
        0x11 => Codec::AacLatm,
        0x03 | 0x04 => Codec::MpegAudio,
        0x81 => Codec::Ac3,
        0x06 => match registration(descriptors) {
            Some(b"AV01") => Codec::Av1,
            Some(b"Opus") => Codec::Opus,
            Some(b"AC-3") => Codec::Ac3,
            _ => Codec::Unknown(stream_type),
        },
        other => Codec::Unknown(other),
    }
}

/// The format identifier of a registration descriptor (tag 5), if any.
fn registration(mut d: &[u8]) -> Option<&[u8; 4]> {
    while d.len() >= 2 {
        let (tag, len) = (d[0], usize::from(d[1]));
        let body = d.get(2..2 + len)?;
        if tag == 0x05 && len >= 4 {
            return body[..4].try_into().ok();
        }
        d = &d[2 + len..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_descriptor_names_av1() {
        assert_eq!(
            codec(0x06, &[0x05, 0x04, b'A', b'V', b'0', b'1']),
            Codec::Av1
        );
        assert_eq!(codec(0x06, &[0x05, 0x02, b'A']), Codec::Unknown(6));
        assert_eq!(codec(0x1b, &[]), Codec::H264);
    }

    #[test]
    fn sections_split_over_packets_reassemble() {
        let mut section = vec![0x00, 0xb0, 13, 0, 1, 0xc1, 0, 0, 0, 1, 0xe1, 0x00];
        section.extend_from_slice(&[0, 0, 0, 0]);
        let mut sb = SectionBuffer::default();
        let mut first = vec![0u8];
        first.extend_from_slice(&section[..5]);
        assert_eq!(sb.push(true, &first), None);
        let done = sb.push(false, &section[5..]).expect("section");
        assert_eq!(parse_pat(&done), Some(0x100));
    }
}
