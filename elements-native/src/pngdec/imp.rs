//! The `pngdec` element: PNG framing and decoding for the shared image decoder
//! (`util::image_dec`), which frames files out of whatever chunks arrive, decodes each into
//! an output slot and announces its caps before pushing it.
//!
//! Input is accepted both as one PNG per buffer (from `pngenc` or a demuxer) and as an
//! arbitrary byte stream (`filesrc`), by always framing on the PNG chunk structure.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, BufferMut, Caps, ElementError, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, Structure,
};

use super::decode;
use super::framer::PngFramer;
use crate::util::image_dec::{ImageCodec, ImageDecoder};
use crate::util::image_out::{self, Picture};

/// Largest PNG file accepted (compressed); a stream without `IEND` within this many
/// bytes is refused instead of buffered forever.
const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

const FORMATS: [&str; 5] = ["RGBA", "RGB", "GRAY8", "GRAY16_BE", "RGBA64_BE"];

#[derive(Default)]
struct Png {
    framer: PngFramer,
    scratch: Vec<u8>,
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("image/png"),
        Structure::new("application/octet-stream"),
    ])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "pngdec",
        "Codec/Decoder/Image",
        "Decode a PNG image to raw video (8/16-bit gray, RGB, RGBA, palette)",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(image_out::src_template(&FORMATS)))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(ImageDecoder::new(
        Png::default(),
        MAX_FILE_SIZE,
        sink_caps(),
        image_out::src_template(&FORMATS),
    )))
}

impl ImageCodec for Png {
    const NAME: &'static str = "PNG";
    const FILE: &'static str = "PNG file";
    const END: &'static str = "an IEND chunk";

    fn frame(&mut self, bytes: &[u8], offset: u64) -> Result<Option<usize>, ElementError> {
        self.framer.next(bytes, offset)
    }

    fn reset(&mut self) {
        self.framer.reset();
    }

    fn decode(
        &mut self,
        file: &[u8],
        offset: u64,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(Picture, BufferMut), FlowError> {
        let opened = decode::open(file, offset).map_err(|e| ctx.error(e))?;
        let picture = opened.picture;
        let mut out = ctx.allocate(picture.size)?;
        out.set_len(picture.size);
        opened
            .decode(out.data_mut(), &mut self.scratch)
            .map_err(|e| ctx.error(e))?;
        Ok((picture, out))
    }
}
