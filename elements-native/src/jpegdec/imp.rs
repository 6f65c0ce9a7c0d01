//! The `jpegdec` element: JPEG framing and decoding for the shared image decoder
//! (`util::image_dec`), which frames images out of whatever chunks arrive (one image per
//! buffer from an encoder or demuxer, or a byte stream from `filesrc`), decodes each into
//! an output slot and announces its caps before pushing it.

use parallax_core::property::EnumValue;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, BufferMut, Caps, ElementError, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Structure, Value,
};

use super::decode;
use super::framer::JpegFramer;
use super::planar::IdctMethod;
use crate::util::image_dec::{ImageCodec, ImageDecoder};
use crate::util::image_out::{self, Picture};

/// Largest JPEG file accepted; a stream without `EOI` within this many bytes is refused
/// instead of buffered forever.
const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

/// I420 first: what GStreamer's `jpegdec` gives for 4:2:0 images when downstream takes
/// anything.
const FORMATS: [&str; 3] = ["I420", "RGB", "GRAY8"];

/// GStreamer's default `idct-method`.
const DEFAULT_IDCT: &str = "ifast";

/// GStreamer's nicks and numbers for the IDCT methods implemented (its `float`, 2, is
/// not: libjpeg-turbo's float IDCT gives different pixels on different CPUs).
const IDCT_METHODS: &[EnumValue] = &[
    EnumValue {
        nick: "islow",
        value: 0,
        doc: "Slow but accurate integer DCT",
    },
    EnumValue {
        nick: "ifast",
        value: 1,
        doc: "Faster, less accurate integer DCT",
    },
];

struct Jpeg {
    framer: JpegFramer,
    scratch: Vec<u8>,
    /// Downstream takes I420 (the format fixated at negotiation is I420, or none was).
    i420: bool,
    /// The inverse DCT of our own decoder (zune-jpeg has only its own).
    idct: IdctMethod,
}

impl Default for Jpeg {
    fn default() -> Self {
        Jpeg {
            framer: JpegFramer::default(),
            scratch: Vec::new(),
            i420: true,
            idct: IdctMethod::Ifast,
        }
    }
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("image/jpeg"),
        Structure::new("application/octet-stream"),
    ])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "jpegdec",
        "Codec/Decoder/Image",
        "Decode a JPEG image (baseline or progressive) to I420, RGB or GRAY8",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(image_out::src_template(&FORMATS)))
    .property(
        PropSpec::enumeration("idct-method", DEFAULT_IDCT, IDCT_METHODS)
            .doc("The IDCT algorithm to use (gray and 4:2:0 sequential images)"),
    )
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(ImageDecoder::new(
        Jpeg::default(),
        MAX_FILE_SIZE,
        sink_caps(),
        image_out::src_template(&FORMATS),
    )))
}

impl ImageCodec for Jpeg {
    const NAME: &'static str = "JPEG";
    const FILE: &'static str = "JPEG image";
    const END: &'static str = "an end-of-image marker";

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
        // The component count of the image just framed (an image without a frame header
        // fails in the decoder, which reports it).
        let components = self.framer.frame.map_or(3, |(_, _, c)| c);
        decode::decode(
            file,
            components,
            offset,
            self.i420,
            self.idct,
            &mut self.scratch,
            ctx,
        )
    }

    fn negotiated(&mut self, src: Option<&Caps>) {
        // Fixation picks the first format downstream accepts: I420 unless downstream
        // (a capsfilter, an RGB-only element) rules it out.
        self.i420 = src
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get_str("format"))
            .is_none_or(|f| f == "I420");
    }

    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "idct-method" => {
                self.idct = match value.str_for(name)? {
                    "islow" | "0" => IdctMethod::Islow,
                    "ifast" | "1" => IdctMethod::Ifast,
                    other => {
                        return Err(PropertyError::BadValue {
                            name: name.to_owned(),
                            expected: "islow or ifast".to_owned(),
                            got: other.to_owned(),
                        });
                    }
                };
                Ok(())
            }
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "idct-method" => Ok(Value::Enum(
                match self.idct {
                    IdctMethod::Islow => "islow",
                    IdctMethod::Ifast => "ifast",
                }
                .to_owned(),
            )),
            _ => Err(PropertyError::unknown(name)),
        }
    }
}
