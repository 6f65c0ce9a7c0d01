//! `grayscale`: converts RGBA video to GRAY8 with the BT.601 luma (see [`luma`]), 16
//! pixels at a time with wasm `simd128`.
//!
//! Frame layout follows GStreamer: RGBA rows are `4 * width` bytes, GRAY8 rows are
//! `width` rounded up to 4 (the padding bytes are written as 0).

mod luma;

use parallax_guest::prelude::*;

const SINK_CAPS: &str = "video/x-raw, format=RGBA, width=[ 1, 32767 ], height=[ 1, 32767 ], framerate=[ 0/1, 2147483647/1 ]";
const SRC_CAPS: &str = "video/x-raw, format=GRAY8, width=[ 1, 32767 ], height=[ 1, 32767 ], framerate=[ 0/1, 2147483647/1 ]";

/// Negotiated frame geometry.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: usize,
    height: usize,
    /// GRAY8 bytes per row (`width` rounded up to 4).
    out_stride: usize,
    /// Bytes of one RGBA frame.
    in_size: usize,
}

/// The element: geometry is known once caps are set.
struct Grayscale {
    geometry: Option<Geometry>,
}

/// `caps` restricted to `format=from`, then rewritten to `format=to`; fields that only
/// make sense for one side (colorimetry, chroma siting) are dropped.
fn rewrite_format(caps: &Caps, from: &str, to: &str) -> Caps {
    let filter = Caps::builder("video/x-raw").field("format", from).build();
    let mut out = caps.intersect(&filter);
    for s in out.structures_mut() {
        s.set("format", to);
        s.remove("colorimetry");
        s.remove("chroma-site");
    }
    out
}

impl Element for Grayscale {
    fn info() -> Info {
        Info::new(
            "grayscale",
            "Filter/Converter/Video",
            "Converts RGBA video to GRAY8 (BT.601 luma, full range)",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink(SINK_CAPS))
        .pad(PadTemplate::src(SRC_CAPS))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(Grayscale { geometry: None })
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => rewrite_format(caps, "RGBA", "GRAY8"),
            PadDirection::Src => rewrite_format(caps, "GRAY8", "RGBA"),
        }
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<u32, Error> {
        let s = sink
            .first()
            .and_then(|c| c.structure(0))
            .ok_or_else(|| Error::new("no sink caps"))?;
        let dim = |f: &str| -> Result<usize, Error> {
            s.get_int(f)
                .and_then(|v| usize::try_from(v).ok())
                .filter(|v| *v > 0)
                .ok_or_else(|| Error::new(format!("sink caps have no fixed positive {f}")))
        };
        let (width, height) = (dim("width")?, dim("height")?);
        let out_stride = width
            .checked_next_multiple_of(4)
            .ok_or_else(|| Error::new("width too large"))?;
        let size = out_stride
            .checked_mul(height)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| Error::new("frame too large"))?;
        let in_size = width
            .checked_mul(4)
            .and_then(|v| v.checked_mul(height))
            .ok_or_else(|| Error::new("frame too large"))?;
        self.geometry = Some(Geometry {
            width,
            height,
            out_stride,
            in_size,
        });
        Ok(size)
    }

    fn process(
        &mut self,
        input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let g = self.geometry.ok_or(FlowError::NotNegotiated)?;
        let in_stride = g.width * 4;
        let src = input.data();
        if src.len() < g.in_size {
            return Err(FlowError::error(format!(
                "RGBA frame of {} bytes, expected {} for {}x{}",
                src.len(),
                g.in_size,
                g.width,
                g.height
            )));
        }
        let out_size = g.out_stride * g.height;
        let mut short = false;
        outputs.write(0, *input.meta(), |dst| {
            let Some(dst) = dst.get_mut(..out_size) else {
                short = true;
                return 0;
            };
            for (s, d) in src
                .chunks_exact(in_stride)
                .zip(dst.chunks_exact_mut(g.out_stride))
            {
                let (pixels, pad) = d.split_at_mut(g.width);
                luma::row(s, pixels);
                pad.fill(0);
            }
            out_size
        })?;
        if short {
            return Err(FlowError::error("output slot smaller than a GRAY8 frame"));
        }
        Ok(())
    }
}

parallax_guest::export_element!(Grayscale);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_rewrite_both_ways() {
        let el = Grayscale { geometry: None };
        let rgba: Caps =
            "video/x-raw, format={ RGBA, I420 }, width=64, height=48, colorimetry=sRGB"
                .parse()
                .unwrap();
        let gray = el.transform_caps(PadDirection::Sink, &rgba);
        assert_eq!(
            gray.to_string(),
            "video/x-raw, format=GRAY8, width=64, height=48"
        );
        let back = el.transform_caps(PadDirection::Src, &gray);
        assert_eq!(
            back.to_string(),
            "video/x-raw, format=RGBA, width=64, height=48"
        );
        let i420: Caps = "video/x-raw, format=I420".parse().unwrap();
        assert!(el.transform_caps(PadDirection::Sink, &i420).is_empty());
    }

    #[test]
    fn converts_a_frame_with_padded_rows() {
        let mut el = Grayscale::new(&Props::default()).unwrap();
        let caps: Caps = "video/x-raw, format=RGBA, width=3, height=2"
            .parse()
            .unwrap();
        assert_eq!(el.set_caps(&[caps], &[]), Ok(8));
        let frame: Vec<u8> = [[255u8, 255, 255, 255], [255, 0, 0, 255], [0, 0, 0, 0]]
            .iter()
            .cycle()
            .take(6)
            .flatten()
            .copied()
            .collect();
        let mut slot = [0xAAu8; 16];
        let mut out = Outputs::new(vec![&mut slot], Meta::default());
        el.process(InputBuffer::new(0, &frame, Meta::default()), &mut out)
            .unwrap();
        assert_eq!(out.produced().len(), 1);
        assert_eq!(&slot[..8], &[255, 77, 0, 0, 255, 77, 0, 0]);
    }
}
