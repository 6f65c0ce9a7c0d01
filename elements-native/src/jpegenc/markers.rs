//! The marker segments of a baseline JFIF file (T.81 B.2, JFIF 1.02).

use super::tables::{AC_CHROMA, AC_LUMA, Class, DC_CHROMA, DC_LUMA, HuffSpec, ZIGZAG};

pub(super) const SOI: u8 = 0xD8;
pub(super) const EOI: u8 = 0xD9;
pub(super) const RST0: u8 = 0xD0;
const APP0: u8 = 0xE0;
const DQT: u8 = 0xDB;
const SOF0: u8 = 0xC0;
const DHT: u8 = 0xC4;
const DRI: u8 = 0xDD;
const SOS: u8 = 0xDA;

/// One component of the frame: sampling factors and the tables it uses.
#[derive(Debug, Clone, Copy)]
pub(super) struct Component {
    pub(super) h: u8,
    pub(super) v: u8,
    pub(super) class: Class,
}

/// What the headers describe.
pub(super) struct Header<'a> {
    pub(super) width: u16,
    pub(super) height: u16,
    pub(super) components: &'a [Component],
    /// Quantisation tables (natural order) by [`Class`].
    pub(super) tables: [&'a [u8; 64]; 2],
    /// MCUs between restart markers, if any.
    pub(super) restart: Option<u16>,
}

fn segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    // Segments here are at most a few hundred bytes.
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
}

/// Appends everything from SOI up to and including SOS.
pub(super) fn write_headers(out: &mut Vec<u8>, h: &Header<'_>) {
    out.extend_from_slice(&[0xFF, SOI]);
    // JFIF 1.01, no units, 1:1 pixel aspect ratio, no thumbnail.
    segment(out, APP0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    let classes: &[Class] = if h.components.len() == 1 {
        &[Class::Luma]
    } else {
        &[Class::Luma, Class::Chroma]
    };
    let mut body = Vec::with_capacity(2 * 65);
    for &class in classes {
        // 8-bit precision, table id.
        body.push(class as u8);
        body.extend(
            ZIGZAG
                .iter()
                .map(|&n| h.tables[class as usize][usize::from(n)]),
        );
    }
    segment(out, DQT, &body);

    body.clear();
    body.push(8);
    body.extend_from_slice(&h.height.to_be_bytes());
    body.extend_from_slice(&h.width.to_be_bytes());
    body.push(h.components.len() as u8);
    for (id, c) in (1u8..).zip(h.components) {
        body.extend_from_slice(&[id, (c.h << 4) | c.v, c.class as u8]);
    }
    segment(out, SOF0, &body);

    body.clear();
    for &class in classes {
        let (dc, ac): (&HuffSpec, &HuffSpec) = match class {
            Class::Luma => (&DC_LUMA, &AC_LUMA),
            Class::Chroma => (&DC_CHROMA, &AC_CHROMA),
        };
        for (kind, spec) in [(0u8, dc), (1, ac)] {
            body.push((kind << 4) | class as u8);
            body.extend_from_slice(&spec.bits);
            body.extend_from_slice(spec.values);
        }
    }
    segment(out, DHT, &body);

    if let Some(interval) = h.restart {
        segment(out, DRI, &interval.to_be_bytes());
    }

    body.clear();
    body.push(h.components.len() as u8);
    for (id, c) in (1u8..).zip(h.components) {
        let t = c.class as u8;
        body.extend_from_slice(&[id, (t << 4) | t]);
    }
    // Spectral selection 0..63, no successive approximation.
    body.extend_from_slice(&[0, 63, 0]);
    segment(out, SOS, &body);
}
