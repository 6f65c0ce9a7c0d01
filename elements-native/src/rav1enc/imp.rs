//! The `rav1enc` element: caps, per-frame encode and drain at end of stream.
//!
//! A key design decision: rav1e may hold frames back (lookahead, reordering), so the
//! timestamps of every frame sent in are kept by frame number and put back on the
//! packet that shows that frame; the encoder is flushed in `drain`, never dropped with
//! frames inside it.

use std::collections::BTreeMap;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, BufferMeta, Caps, CapsValue, ElementError, ElementImpl,
    ExecutionHints, FlowError, Fraction, PadDirection, PadTemplate, ProcessContext, PropertyError,
    Transform, Value,
};
use rav1e::prelude::{Context, EncoderStatus, FrameType};

use super::settings::{Settings, specs};
use crate::util::video_caps::{self, MAX_DIMENSION};
use crate::util::video_format::FrameLayout;

struct Encoder {
    ctx: Context<u8>,
    layout: FrameLayout,
    /// Frame number -> the input's timing, until its packet comes out.
    pending: BTreeMap<u64, BufferMeta>,
    next_frame: u64,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("layout", &self.layout)
            .field("pending", &self.pending.len())
            .finish()
    }
}

#[derive(Debug, Default)]
struct Rav1Enc {
    settings: Settings,
    encoder: Option<Encoder>,
}

pub(super) fn info() -> ElementInfo {
    let src = Caps::builder("video/x-av1")
        .field("stream-format", "obu-stream")
        .field("alignment", "tu")
        .field("profile", "main")
        .field("width", CapsValue::int_range(16, MAX_DIMENSION))
        .field("height", CapsValue::int_range(16, MAX_DIMENSION))
        .build();
    let mut info = ElementInfo::new("rav1enc", "Encoder/Video", "rav1e AV1 encoder")
        .pad(PadTemplate::sink(video_caps::raw_template(&["I420"])))
        .pad(PadTemplate::src(src))
        .hints(ExecutionHints::DEFAULT);
    for spec in specs() {
        info = info.property(spec);
    }
    info
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<Rav1Enc>::default())
}

fn status_error(status: &EncoderStatus) -> ElementError {
    ElementError::stream(format!("rav1e: {status}"))
}

impl Encoder {
    /// Pushes every packet rav1e has ready; `Ok(true)` once it has nothing more to give
    /// after a flush.
    fn push_ready(&mut self, ctx: &mut ProcessContext<'_>) -> Result<bool, FlowError> {
        loop {
            match self.ctx.receive_packet() {
                Ok(packet) => {
                    let mut out = ctx.allocate(packet.data.len())?;
                    out.set_len(packet.data.len());
                    out.data_mut().copy_from_slice(&packet.data);
                    let meta = out.meta_mut();
                    if let Some(input) = self.pending.remove(&packet.input_frameno) {
                        meta.pts = input.pts;
                        meta.duration = input.duration;
                    }
                    meta.offset = Some(packet.input_frameno);
                    if packet.frame_type == FrameType::KEY {
                        meta.flags.insert(BufferFlags::KEYFRAME);
                    }
                    ctx.push(out.freeze());
                }
                Err(EncoderStatus::Encoded) => {}
                Err(EncoderStatus::NeedMoreData) => return Ok(false),
                Err(EncoderStatus::LimitReached) => return Ok(true),
                Err(e) => return Err(ctx.error(status_error(&e))),
            }
        }
    }
}

impl ElementImpl for Rav1Enc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        self.settings.set(name, value)
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        self.settings.get(name)
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        video_caps::encoder_transform_caps(direction, caps, "video/x-av1", &["I420"])
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let info = video_caps::parse_raw(sink.first())?;
        let layout = info.layout;
        if layout.width < 16 || layout.height < 16 {
            return Err(ElementError::settings(format!(
                "rav1enc needs frames of at least 16x16, got {}x{}",
                layout.width, layout.height
            )));
        }
        let framerate = info.framerate.unwrap_or(Fraction::new(30, 1));
        let config = self.settings.config(layout.width, layout.height, framerate);
        let ctx = config
            .new_context()
            .map_err(|e| ElementError::settings(format!("rav1e refused the settings: {e}")))?;
        self.encoder = Some(Encoder {
            ctx,
            layout,
            pending: BTreeMap::new(),
            next_frame: 0,
        });
        Ok(())
    }
}

impl Transform for Rav1Enc {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(enc) = self.encoder.as_mut() else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let l = &enc.layout;
        video_caps::check_frame_size(buffer.len(), l.size).map_err(|e| ctx.error(e))?;
        let data = buffer.data();
        let mut frame = enc.ctx.new_frame();
        for (i, plane) in frame.planes.iter_mut().enumerate() {
            let p = l.planes[i];
            plane.copy_from_raw_u8(&data[p.offset..l.size], p.stride, 1);
        }
        enc.pending.insert(enc.next_frame, buffer.meta().clone());
        enc.next_frame += 1;
        if let Err(e) = enc.ctx.send_frame(frame) {
            return Err(ctx.error(status_error(&e)));
        }
        enc.push_ready(ctx).map(|_| ())
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let Some(enc) = self.encoder.as_mut() else {
            return Ok(());
        };
        enc.ctx.flush();
        while !enc.push_ready(ctx)? {}
        Ok(())
    }
}
