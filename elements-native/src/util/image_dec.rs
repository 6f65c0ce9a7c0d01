//! The element shared by the image decoders (`pngdec`, `jpegdec`): frames whole image
//! files out of whatever chunks arrive (one file per buffer from an encoder or demuxer, or
//! a byte stream from `filesrc`), decodes each into an output buffer and announces its
//! caps in-band before pushing it. Only framing and decoding differ per format
//! ([`ImageCodec`]).
//!
//! A key design decision: a buffer that holds exactly one file is decoded where it is, so
//! the common case copies nothing; only split or merged files go through the queue.

use parallax_core::{
    Buffer, BufferFlags, BufferMeta, BufferMut, Caps, ElementError, ElementImpl, FlowError,
    PadDirection, ProcessContext, PropertyError, Transform, Value,
};

use super::byte_queue::ByteQueue;
use super::image_out::{self, ImageCaps, Picture};
use super::video_caps;

/// What one image format brings: its framing and its decoder.
pub(crate) trait ImageCodec: Send + 'static {
    /// The format's name, for messages ("PNG").
    const NAME: &'static str;
    /// The format's files, for messages ("PNG file").
    const FILE: &'static str;
    /// What a truncated file lacks, for messages ("an IEND chunk").
    const END: &'static str;

    /// The length of the first whole file in `bytes` (which starts at stream byte
    /// `offset`), or `None` while it is incomplete; state carries over until `reset`.
    ///
    /// # Errors
    ///
    /// A stream error naming the byte offset.
    fn frame(&mut self, bytes: &[u8], offset: u64) -> Result<Option<usize>, ElementError>;

    /// Forgets the file being framed.
    fn reset(&mut self);

    /// Decodes the file just framed into a new buffer from `ctx`.
    ///
    /// # Errors
    ///
    /// A stream error for corrupt data; what allocation returns.
    fn decode(
        &mut self,
        file: &[u8],
        offset: u64,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(Picture, BufferMut), FlowError>;
}

/// An image decoder element around codec `C`.
pub(crate) struct ImageDecoder<C> {
    codec: C,
    queue: ByteQueue,
    caps: ImageCaps,
    /// Metadata of the buffer the current file started in.
    meta: Option<BufferMeta>,
    sink_caps: Caps,
    src_caps: Caps,
}

impl<C: ImageCodec> ImageDecoder<C> {
    /// A decoder refusing files over `max_file` bytes, with these pad template caps.
    pub(crate) fn new(codec: C, max_file: usize, sink_caps: Caps, src_caps: Caps) -> Self {
        ImageDecoder {
            codec,
            queue: ByteQueue::new(max_file),
            caps: ImageCaps::default(),
            meta: None,
            sink_caps,
            src_caps,
        }
    }

    /// Decodes the framed `file` (at stream offset `offset`) and pushes the picture.
    fn decode(
        &mut self,
        file: &[u8],
        offset: u64,
        meta: Option<&BufferMeta>,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let decoded = self.codec.decode(file, offset, ctx);
        self.codec.reset();
        let (picture, mut out) = decoded?;
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
                .codec
                .frame(self.queue.bytes(), offset)
                .map_err(|e| ctx.error(e))?;
            let Some(len) = found else { return Ok(()) };
            // Decoding borrows the queue, so take the metadata and bytes out first.
            let meta = self.meta.take();
            let file = self.queue.bytes()[..len].to_vec();
            self.queue.consume(len);
            self.decode(&file, offset, meta.as_ref(), ctx)?;
        }
    }
}

impl<C: ImageCodec> ElementImpl for ImageDecoder<C> {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        image_out::decoder_transform_caps(direction, caps, &self.sink_caps, &self.src_caps)
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
        self.codec.reset();
        self.meta = None;
    }
}

impl<C: ImageCodec> Transform for ImageDecoder<C> {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self.queue.is_empty() {
            // Fast path: one whole file per buffer needs no copy.
            let offset = self.queue.offset();
            let data = buffer.data();
            if let Some(len) = self.codec.frame(data, offset).map_err(|e| ctx.error(e))?
                && len == data.len()
            {
                self.queue.consume_external(len);
                return self.decode(data, offset, Some(buffer.meta()), ctx);
            }
            self.codec.reset();
        }
        if self.meta.is_none() {
            self.meta = Some(buffer.meta().clone());
        }
        self.queue
            .push(buffer.data(), C::FILE)
            .map_err(|e| ctx.error(e))?;
        self.frame_queued(ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.queue.is_empty() {
            return Ok(());
        }
        Err(ctx.error(ElementError::stream(format!(
            "truncated {} at byte offset {}: {} bytes without {} at end of stream",
            C::NAME,
            self.queue.offset(),
            self.queue.len(),
            C::END
        ))))
    }
}
