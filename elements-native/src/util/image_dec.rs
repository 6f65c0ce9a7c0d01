//! The element shared by the image decoders (`pngdec`, `jpegdec`): frames whole image
//! files out of whatever chunks arrive (one file per buffer from an encoder or demuxer, or
//! a byte stream from `filesrc`), decodes each into an output buffer and announces its
//! caps in-band before pushing it. Only framing and decoding differ per format
//! ([`ImageCodec`]).
//!
//! A key design decision: whole files are decoded where they lie in the incoming buffer
//! (one file per buffer, or many back to back in a `filesrc` block), so they cost no
//! copy; only a file split across buffers goes through the queue, and the buffer that
//! completes it is fed to the queue in steps only up to the file's end, after which the
//! walk goes on in the buffer itself.

use parallax_core::{
    Buffer, BufferFlags, BufferMeta, BufferMut, Caps, ElementError, ElementImpl, FlowError,
    PadDirection, ProcessContext, PropertyError, Transform, Value,
};

use super::byte_queue::ByteQueue;
use super::image_out::{self, ImageCaps, Picture};
use super::video_caps;

/// How much of a buffer is appended to the queue at a time while a split file waits for
/// its end: the bytes after that end are framed in the buffer itself, so at most this
/// many of them are copied needlessly.
const QUEUE_STEP: usize = 64 * 1024;

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

    /// Told the src caps fixated at negotiation (placeholders for size, but they say
    /// which formats downstream accepts); a codec with a choice of formats picks here.
    fn negotiated(&mut self, _src: Option<&Caps>) {}

    /// Sets the codec's property `name`; codecs without properties refuse every name.
    ///
    /// # Errors
    ///
    /// [`PropertyError`] for an unknown name or a bad value.
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    /// The codec's property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError`] for an unknown name.
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }
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

    /// Decodes `file` (starting at stream byte `offset`), announces caps when they
    /// change and pushes the picture. Takes the fields it needs, not `self`, so that
    /// `file` may borrow the queue.
    fn decode(
        codec: &mut C,
        caps: &mut ImageCaps,
        file: &[u8],
        offset: u64,
        meta: Option<&BufferMeta>,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let decoded = codec.decode(file, offset, ctx);
        codec.reset();
        let (picture, mut out) = decoded?;
        if let Some(meta) = meta {
            out.meta_mut().clone_from(meta);
        }
        out.meta_mut().flags.insert(BufferFlags::KEYFRAME);
        caps.announce(&picture, ctx);
        ctx.push(out.freeze());
        Ok(())
    }

    /// Appends `data` to the queued start of a file, step by step, until the file is
    /// complete, and decodes it. Returns how many bytes of `data` the file took (all of
    /// them, queued, when it is still incomplete).
    fn finish_queued(
        &mut self,
        data: &[u8],
        ctx: &mut ProcessContext<'_>,
    ) -> Result<usize, FlowError> {
        let queued = self.queue.len();
        let mut pushed = 0;
        while pushed < data.len() {
            let end = data.len().min(pushed + QUEUE_STEP);
            self.queue
                .push(&data[pushed..end], C::FILE)
                .map_err(|e| ctx.error(e))?;
            pushed = end;
            let offset = self.queue.offset();
            let found = self
                .codec
                .frame(self.queue.bytes(), offset)
                .map_err(|e| ctx.error(e))?;
            if let Some(len) = found {
                let meta = self.meta.take();
                let file = &self.queue.bytes()[..len];
                Self::decode(
                    &mut self.codec,
                    &mut self.caps,
                    file,
                    offset,
                    meta.as_ref(),
                    ctx,
                )?;
                self.queue.consume(len);
                // The rest of this step is framed again from `data`.
                self.queue.forget();
                return Ok(len.saturating_sub(queued));
            }
        }
        Ok(data.len())
    }
}

impl<C: ImageCodec> ElementImpl for ImageDecoder<C> {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        self.codec.set_property(name, value)
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        self.codec.property(name)
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        image_out::decoder_transform_caps(direction, caps, &self.sink_caps, &self.src_caps)
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        // The src caps fixated at negotiation are placeholders: the real ones are only
        // known from the first picture and go out in-band then.
        self.caps.framerate = sink
            .first()
            .and_then(|c| c.structure(0))
            .and_then(video_caps::framerate);
        self.caps.reset();
        self.codec.negotiated(src.first());
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
        let data = buffer.data();
        // A buffer's timestamps belong to the first file that starts in it.
        let mut meta = Some(buffer.meta());
        let mut at = 0;
        if !self.queue.is_empty() {
            at = self.finish_queued(data, ctx)?;
            if !self.queue.is_empty() {
                return Ok(());
            }
        }
        while at < data.len() {
            let offset = self.queue.offset();
            let found = self
                .codec
                .frame(&data[at..], offset)
                .map_err(|e| ctx.error(e))?;
            let Some(len) = found else { break };
            self.queue.consume_external(len);
            let file = &data[at..at + len];
            Self::decode(
                &mut self.codec,
                &mut self.caps,
                file,
                offset,
                meta.take(),
                ctx,
            )?;
            at += len;
        }
        if at < data.len() {
            // The framer's progress stays valid: the queue starts with the same bytes.
            self.meta = meta.cloned();
            self.queue
                .push(&data[at..], C::FILE)
                .map_err(|e| ctx.error(e))?;
        }
        Ok(())
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
