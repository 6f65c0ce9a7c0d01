//! The `pngdec` element: frames PNG files out of whatever chunks arrive, decodes each
//! one into an output slot and announces its caps before pushing it.
//!
//! A key design decision: input is accepted both as one PNG per buffer (from `pngenc`
//! or a demuxer) and as an arbitrary byte stream (`filesrc`), by always framing on the
//! PNG chunk structure; a buffer that holds a whole PNG is decoded in place, without a
//! copy into the accumulator.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, BufferMeta, Caps, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropertyError, Structure, Transform,
    Value,
};

use super::decode;
use super::framer::PngFramer;
use crate::util::byte_queue::ByteQueue;
use crate::util::image_out::{self, ImageCaps};
use crate::util::video_caps;

/// Largest PNG file accepted (compressed); a stream without `IEND` within this many
/// bytes is refused instead of buffered forever.
const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

const FORMATS: [&str; 5] = ["RGBA", "RGB", "GRAY8", "GRAY16_BE", "RGBA64_BE"];

struct PngDec {
    queue: ByteQueue,
    framer: PngFramer,
    caps: ImageCaps,
    /// Metadata of the buffer the current picture started in.
    meta: Option<BufferMeta>,
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
    AnyElement::Transform(Box::new(PngDec {
        queue: ByteQueue::new(MAX_FILE_SIZE),
        framer: PngFramer::default(),
        caps: ImageCaps::default(),
        meta: None,
        scratch: Vec::new(),
    }))
}

impl PngDec {
    /// Decodes the PNG in `file` (at stream offset `offset`) and pushes the picture.
    fn decode(
        &mut self,
        file: &[u8],
        offset: u64,
        meta: Option<&BufferMeta>,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let opened = decode::open(file, offset).map_err(|e| ctx.error(e))?;
        let picture = opened.picture;
        let mut out = ctx.allocate(picture.size)?;
        out.set_len(picture.size);
        opened
            .decode(out.data_mut(), &mut self.scratch)
            .map_err(|e| ctx.error(e))?;
        if let Some(meta) = meta {
            out.meta_mut().clone_from(meta);
        }
        out.meta_mut().flags.insert(BufferFlags::KEYFRAME);
        self.caps.announce(&picture, ctx);
        ctx.push(out.freeze());
        Ok(())
    }

    fn frame_queued(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let found = self
                .framer
                .next(self.queue.bytes(), offset)
                .map_err(|e| ctx.error(e))?;
            let Some(len) = found else { return Ok(()) };
            self.framer.reset();
            // Decoding borrows the queue, so take the metadata and bytes out first.
            let meta = self.meta.take();
            let file = self.queue.bytes()[..len].to_vec();
            self.queue.consume(len);
            self.decode(&file, offset, meta.as_ref(), ctx)?;
        }
    }
}

impl ElementImpl for PngDec {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        image_out::decoder_transform_caps(
            direction,
            caps,
            &sink_caps(),
            &image_out::src_template(&FORMATS),
        )
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        // The src caps fixated at negotiation are placeholders: the real ones are only
        // known from the first picture and go out in-band then.
        self.caps.framerate = sink
            .first()
            .and_then(|c| c.structure(0))
            .and_then(video_caps::framerate);
        self.caps.reset();
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        self.queue.clear();
        self.framer.reset();
        self.meta = None;
    }
}

impl Transform for PngDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self.queue.is_empty() {
            // Fast path: one whole PNG per buffer needs no copy.
            let offset = self.queue.offset();
            let data = buffer.data();
            if let Some(len) = self.framer.next(data, offset).map_err(|e| ctx.error(e))?
                && len == data.len()
            {
                self.framer.reset();
                self.queue.consume_external(len);
                return self.decode(data, offset, Some(buffer.meta()), ctx);
            }
            self.framer.reset();
        }
        if self.meta.is_none() {
            self.meta = Some(buffer.meta().clone());
        }
        self.queue
            .push(buffer.data(), "PNG file")
            .map_err(|e| ctx.error(e))?;
        self.frame_queued(ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.queue.is_empty() {
            return Ok(());
        }
        Err(ctx.error(ElementError::stream(format!(
            "truncated PNG at byte offset {}: {} bytes without an IEND chunk at end of stream",
            self.queue.offset(),
            self.queue.len()
        ))))
    }
}
