//! `videoinvert`: inverts video colours, `v -> 255 - v`. RGBA: R, G and B, alpha kept.
//! I420: every byte of the Y, U and V planes (padding included), as RGBA's colour channels.

use parallax_guest::prelude::*;

const CAPS: &str = "video/x-raw, format={ RGBA, I420 }, width=[ 1, 32767 ], height=[ 1, 32767 ], framerate=[ 0/1, 2147483647/1 ]";

/// The negotiated format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rgba,
    I420,
}

/// The element: the format is known once caps are set.
struct VideoInvert {
    format: Option<Format>,
}

/// Writes the inverse of `src` into `dst` (as many bytes as both hold).
fn invert(format: Format, src: &[u8], dst: &mut [u8]) {
    match format {
        Format::Rgba => {
            for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
                let px = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) ^ 0x00ff_ffff;
                d.copy_from_slice(&px.to_le_bytes());
            }
        }
        Format::I420 => {
            for (s, d) in src.iter().zip(dst.iter_mut()) {
                *d = !*s;
            }
        }
    }
}

impl Element for VideoInvert {
    fn info() -> Info {
        Info::new(
            "videoinvert",
            "Filter/Effect/Video",
            "Inverts the colours of RGBA and I420 video",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink(CAPS))
        .pad(PadTemplate::src(CAPS))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(VideoInvert { format: None })
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<u32, Error> {
        let format = sink
            .first()
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get_str("format"));
        self.format = Some(match format {
            Some("RGBA") => Format::Rgba,
            Some("I420") => Format::I420,
            other => return Err(Error::new(format!("unsupported format {other:?}"))),
        });
        Ok(0)
    }

    fn process(
        &mut self,
        input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let format = self.format.ok_or(FlowError::NotNegotiated)?;
        let src = input.data();
        if format == Format::Rgba && src.len() % 4 != 0 {
            return Err(FlowError::error(
                "RGBA buffer length is not a multiple of 4",
            ));
        }
        let len = outputs.write(0, *input.meta(), |dst| {
            let n = src.len().min(dst.len());
            invert(format, &src[..n], &mut dst[..n]);
            n
        })?;
        if len < src.len() {
            return Err(FlowError::error("output slot smaller than the input"));
        }
        Ok(())
    }
}

parallax_guest::export_element!(VideoInvert);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_keeps_alpha_i420_inverts_all() {
        let src = [0u8, 100, 255, 7, 10, 20, 30, 40];
        let mut dst = [0u8; 8];
        invert(Format::Rgba, &src, &mut dst);
        assert_eq!(dst, [255, 155, 0, 7, 245, 235, 225, 40]);
        invert(Format::I420, &src, &mut dst);
        assert_eq!(dst, [255, 155, 0, 248, 245, 235, 225, 215]);
    }
}
