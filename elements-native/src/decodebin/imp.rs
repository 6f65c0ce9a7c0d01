//! The `decodebin` element: holds the first bytes until typefinding decides, builds the
//! [`Chain`] for that type and then feeds everything through it; one `src` pad carries
//! the decoded stream chosen by the `stream` property.

use std::sync::Arc;

use parallax_core::registry::{ElementInfo, Rank, Registry};
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Structure, Transform, Value,
};

use super::chain::{self, Chain, Pick};
use super::lead_tag::LeadTag;
use super::typefind::{WANTED, typefind};
use crate::util::batch::Batch;
use crate::util::codec_data::to_hex;

const DEFAULT_STREAM: &str = "auto";
/// Outputs of one call pushed as they are; later ones are copied into one batch so the
/// decoders' own pools never wait on outputs this call still holds.
const DIRECT_OUTPUTS: usize = 4;

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "decodebin",
        "Generic/Bin/Decoder",
        "Autoplug and decode to raw media (typefind by content, then demux, parse, decode)",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .pad(PadTemplate::src(Caps::any()))
    .property(PropSpec::string("stream", DEFAULT_STREAM).doc(
        "Which stream of a multi-stream file to decode: auto (video, else audio), video or audio",
    ))
    .hints(ExecutionHints::DEFAULT)
    .rank(Rank::None)
}

pub(super) fn create(registry: Arc<Registry>) -> AnyElement {
    AnyElement::Transform(Box::new(DecodeBin {
        registry,
        pick: Pick::Auto,
        lead: LeadTag::Looking,
        held: Vec::new(),
        chain: None,
        out: Output::default(),
    }))
}

/// Where the chain's results go: decodebin's context, with late outputs batched.
#[derive(Default)]
struct Output {
    direct: usize,
    batch: Batch,
}

impl chain::Sink for Output {
    fn caps(&mut self, caps: Caps, ctx: &mut ProcessContext<'_>) {
        // Buffers staged so far belong to the old caps.
        if self.batch.flush(ctx).is_ok() {
            ctx.set_src_caps(0, caps);
        }
    }

    fn buffer(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.direct < DIRECT_OUTPUTS {
            self.direct += 1;
            ctx.push(buffer);
        } else {
            let mut data = self.batch.vec();
            data.extend_from_slice(buffer.data());
            self.batch.add(0, buffer.meta().clone(), data);
        }
        Ok(())
    }
}

struct DecodeBin {
    registry: Arc<Registry>,
    pick: Pick,
    /// Leading ID3v2 tags, dropped before typefinding.
    lead: LeadTag,
    /// Input held until typefinding has enough bytes (after any leading tag).
    held: Vec<Buffer>,
    chain: Option<Chain>,
    out: Output,
}

impl DecodeBin {
    /// Typefinds the held bytes and builds the chain.
    fn start_chain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let mut head = Vec::with_capacity(WANTED);
        for b in &self.held {
            let n = (WANTED - head.len()).min(b.len());
            head.extend_from_slice(&b.data()[..n]);
        }
        let Some(found) = typefind(&head) else {
            let shown = &head[..head.len().min(16)];
            return Err(ctx.error(ElementError::stream(format!(
                "could not determine the type of the stream from its first {} bytes (starting at byte 0: {})",
                head.len(),
                if shown.is_empty() { "empty".to_owned() } else { to_hex(shown) }
            ))));
        };
        ctx.post_message(
            Structure::new("typefind").with("caps", Caps::new(found.clone()).to_string().as_str()),
        );
        let chain = Chain::new(
            Arc::clone(&self.registry),
            self.pick,
            Caps::new(found),
            &mut self.out,
            ctx,
        )
        .map_err(|e| ctx.error(e))?;
        let chain = self.chain.insert(chain);
        for b in std::mem::take(&mut self.held) {
            chain.push(b, &mut self.out, ctx)?;
        }
        Ok(())
    }

    fn finish_call(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.out.direct = 0;
        self.out.batch.flush(ctx)
    }
}

impl ElementImpl for DecodeBin {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "stream" => {
                self.pick = match value.str_for(name)? {
                    "auto" => Pick::Auto,
                    "video" => Pick::Video,
                    "audio" => Pick::Audio,
                    other => {
                        return Err(PropertyError::BadValue {
                            name: name.to_owned(),
                            expected: "auto, video or audio".to_owned(),
                            got: other.to_owned(),
                        });
                    }
                }
            }
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "stream" => Ok(Value::Str(
                match self.pick {
                    Pick::Auto => "auto",
                    Pick::Video => "video",
                    Pick::Audio => "audio",
                }
                .to_owned(),
            )),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, _direction: parallax_core::PadDirection, _caps: &Caps) -> Caps {
        Caps::any()
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.lead = LeadTag::Looking;
        self.held.clear();
        self.chain = None;
        Ok(())
    }
}

impl Transform for DecodeBin {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        match &mut self.chain {
            Some(chain) => chain.push(buffer, &mut self.out, ctx)?,
            None => {
                self.lead.push(buffer, &mut self.held);
                if self.lead.done() && self.held.iter().map(Buffer::len).sum::<usize>() >= WANTED {
                    self.start_chain(ctx)?;
                }
            }
        }
        self.finish_call(ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.chain.is_none() {
            self.start_chain(ctx)?;
        }
        if let Some(chain) = &mut self.chain {
            chain.eos(&mut self.out, ctx)?;
        }
        self.finish_call(ctx)
    }
}
