//! The `jpegdec` element: frames JPEG images out of whatever chunks arrive (one image
//! per buffer from an encoder or demuxer, or a byte stream from `filesrc`), decodes each
//! into an output slot and announces its caps before pushing it.
//!
//! A key design decision: a buffer that holds exactly one image is decoded in place, so
//! the common case copies nothing; only split or merged images go through the queue.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, BufferMeta, Caps, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropertyError, Structure, Transform,
    Value,
};

use super::decode;
use super::framer::JpegFramer;
use crate::util::byte_queue::ByteQueue;
use crate::util::image_out::{self, ImageCaps};
use crate::util::video_caps;

/// Largest JPEG file accepted; a stream without `EOI` within this many bytes is refused
/// instead of buffered forever.
const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

const FORMATS: [&str; 2] = ["RGB", "GRAY8"];

struct JpegDec {
    queue: ByteQueue,
    framer: JpegFramer,
    caps: ImageCaps,
    /// Metadata of the buffer the current image started in.
    meta: Option<BufferMeta>,
    scratch: Vec<u8>,
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
        "Decode a JPEG image (baseline or progressive) to RGB or GRAY8",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(image_out::src_template(&FORMATS)))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(JpegDec {
        queue: ByteQueue::new(MAX_FILE_SIZE),
        framer: JpegFramer::default(),
        caps: ImageCaps::default(),
        meta: None,
        scratch: Vec::new(),
    }))
}

impl JpegDec {
    fn decode(
        &mut self,
        file: &[u8],
        components: u8,
        offset: u64,
        meta: Option<&BufferMeta>,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let (picture, mut out) = decode::decode(file, components, offset, &mut self.scratch, ctx)?;
        if let Some(meta) = meta {
            out.meta_mut().clone_from(meta);
        }
        out.meta_mut().flags.insert(BufferFlags::KEYFRAME);
        self.caps.announce(&picture, ctx);
        ctx.push(out.freeze());
        Ok(())
    }

    /// The component count of the image just framed (an image without a frame header
    /// fails in the decoder, which reports it).
    fn components(&self) -> u8 {
        self.framer.frame.map_or(3, |(_, _, c)| c)
    }

    fn frame_queued(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let found = self
                .framer
                .next(self.queue.bytes(), offset)
                .map_err(|e| ctx.error(e))?;
            let Some(len) = found else { return Ok(()) };
            let components = self.components();
            self.framer.reset();
            let meta = self.meta.take();
            let file = self.queue.bytes()[..len].to_vec();
            self.queue.consume(len);
            self.decode(&file, components, offset, meta.as_ref(), ctx)?;
        }
    }
}

impl ElementImpl for JpegDec {
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
        // known from the first image and go out in-band then.
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

impl Transform for JpegDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self.queue.is_empty() {
            // Fast path: one whole JPEG per buffer needs no copy.
            let offset = self.queue.offset();
            let data = buffer.data();
            if let Some(len) = self.framer.next(data, offset).map_err(|e| ctx.error(e))?
                && len == data.len()
            {
                let components = self.components();
                self.framer.reset();
                self.queue.consume_external(len);
                return self.decode(data, components, offset, Some(buffer.meta()), ctx);
            }
            self.framer.reset();
        }
        if self.meta.is_none() {
            self.meta = Some(buffer.meta().clone());
        }
        self.queue
            .push(buffer.data(), "JPEG image")
            .map_err(|e| ctx.error(e))?;
        self.frame_queued(ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.queue.is_empty() {
            return Ok(());
        }
        Err(ctx.error(ElementError::stream(format!(
            "truncated JPEG at byte offset {}: {} bytes without an end-of-image marker at end of stream",
            self.queue.offset(),
            self.queue.len()
        ))))
    }
}
