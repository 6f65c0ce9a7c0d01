//! The elements `decodebin` builds from the registry and drives inline: demuxer, parser,
//! decoder, in a line, each fed the previous one's outputs on the pad it follows.
//!
//! A key design decision: the graph cannot change at runtime, so the chain lives inside
//! one element. Stages are created through the context (`ProcessContext::create_child`),
//! so the engine's isolation applies to them as to the pipeline's own elements. Each
//! stage is a normal element with its own [`ContextState`]; the chain calls
//! `process`/`sink_eos` the way a streaming thread would, applies caps
//! announcements in order (renegotiating the next stage or rebuilding from there) and
//! hands the last stage's outputs and caps to `decodebin`'s own context.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use parallax_core::registry::{ElementFactory, Registry};
use parallax_core::{
    AnyElement, Buffer, Caps, ContextState, ElementError, FlowError, Notice, PadDirection,
    PadPresence, ProcessContext, Transform,
};

/// A chain longer than this is a loop between elements, not a decoder path.
const MAX_STAGES: usize = 8;
/// Src pads a demuxer stage gets: the first video and the first audio stream.
const DEMUX_PADS: [&str; 2] = ["video_0", "audio_0"];

/// Which stream of a multi-stream file to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    /// Video when there is a decodable video stream, else audio.
    Auto,
    Video,
    Audio,
}

struct Stage {
    factory: String,
    element: Box<dyn Transform>,
    state: ContextState,
    demuxer: bool,
    /// The src pad whose outputs go to the next stage; `None` until a demuxer says
    /// which streams it has.
    follow: Option<usize>,
}

/// What the chain hands to `decodebin`'s own context.
pub(crate) trait Sink {
    fn caps(&mut self, caps: Caps, ctx: &mut ProcessContext<'_>);
    fn buffer(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError>;
}

pub(crate) struct Chain {
    registry: Arc<Registry>,
    pick: Pick,
    stages: Vec<Stage>,
    cancel: AtomicBool,
}

fn is_raw(caps: &Caps) -> bool {
    caps.structure(0)
        .is_some_and(|s| matches!(s.name(), "video/x-raw" | "audio/x-raw"))
}

fn is_demuxer(factory: &ElementFactory) -> bool {
    factory
        .info()
        .templates(PadDirection::Src)
        .any(|t| t.presence == PadPresence::Sometimes)
}

enum Input {
    Buffer(Buffer),
    Eos,
}

impl Chain {
    /// A chain for a stream typefound as `caps`.
    pub(crate) fn new(
        registry: Arc<Registry>,
        pick: Pick,
        caps: Caps,
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<Chain, ElementError> {
        let mut chain = Chain {
            registry,
            pick,
            stages: Vec::new(),
            cancel: AtomicBool::new(false),
        };
        chain.extend(caps, sink, ctx)?;
        Ok(chain)
    }

    /// The factories of the chain, in order (for messages).
    pub(crate) fn describe(&self) -> String {
        let names: Vec<&str> = self.stages.iter().map(|s| s.factory.as_str()).collect();
        names.join(" ! ")
    }

    /// The best element that takes `caps`: a demuxer, decoder or parser (by rank, then
    /// decoders and demuxers before parsers) not already in the chain.
    fn find(&self, caps: &Caps) -> Option<ElementFactory> {
        let mut found: Vec<&ElementFactory> = self
            .registry
            .iter()
            .filter(|f| {
                let info = f.info();
                let role = ["Demuxer", "Decoder", "Parser"]
                    .iter()
                    .any(|k| info.klass.contains(k));
                role && info.name != "decodebin"
                    && !self.stages.iter().any(|s| s.factory == info.name)
                    && info
                        .templates(PadDirection::Sink)
                        .any(|t| t.presence == PadPresence::Always && t.caps.can_intersect(caps))
            })
            .collect();
        found.sort_by_key(|f| {
            let info = f.info();
            (
                std::cmp::Reverse(info.rank),
                info.klass.contains("Parser"),
                info.name.clone(),
            )
        });
        found.first().map(|f| (*f).clone())
    }

    /// Appends stages from a stream of `caps` until raw media comes out (or a demuxer
    /// whose streams are not known yet).
    fn extend(
        &mut self,
        mut caps: Caps,
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), ElementError> {
        loop {
            if is_raw(&caps) {
                sink.caps(caps, ctx);
                return Ok(());
            }
            if self.stages.len() >= MAX_STAGES {
                return Err(ElementError::stream(format!(
                    "no decoder path for {caps} within {MAX_STAGES} elements ({})",
                    self.describe()
                )));
            }
            let Some(factory) = self.find(&caps) else {
                return Err(ElementError::stream(format!(
                    "no element can decode {caps}{}",
                    if self.stages.is_empty() {
                        String::new()
                    } else {
                        format!(" (after {})", self.describe())
                    }
                )));
            };
            let name = factory.info().name.clone();
            // Through the context, so a child is isolated as the same element would be in
            // the pipeline itself (dav1ddec in a sandboxed worker).
            let AnyElement::Transform(mut element) = ctx.create_child(&factory, &name) else {
                return Err(ElementError::stream(format!(
                    "{name} is not a filter element"
                )));
            };
            let demuxer = is_demuxer(&factory);
            let src_names: Vec<String> = if demuxer {
                DEMUX_PADS.iter().map(|s| (*s).to_owned()).collect()
            } else {
                vec!["src".to_owned()]
            };
            let inside = |e: ElementError| ElementError {
                message: format!("{name} (inside decodebin): {}", e.message),
                ..e
            };
            element
                .configure_pads(&["sink".to_owned()], &src_names)
                .map_err(inside)?;
            let offered = element.transform_caps(PadDirection::Sink, &caps);
            let src: Vec<Caps> = src_names
                .iter()
                .map(|pad| {
                    let template = factory
                        .info()
                        .templates(PadDirection::Src)
                        .find(|t| t.matches(pad).is_some())
                        .map_or_else(Caps::any, |t| t.caps.clone());
                    element.fixate_caps(0, offered.intersect(&template))
                })
                .collect();
            element
                .set_caps(std::slice::from_ref(&caps), &src)
                .map_err(inside)?;
            element.start().map_err(inside)?;
            self.stages.push(Stage {
                factory: name.clone(),
                element,
                state: ContextState::new(&format!("decodebin-{name}")),
                demuxer,
                follow: (!demuxer).then_some(0),
            });
            if demuxer {
                return Ok(());
            }
            caps = src.into_iter().next().unwrap_or_else(Caps::empty);
            if caps.is_empty() {
                return Err(ElementError::stream(format!(
                    "{name} cannot produce anything from its input"
                )));
            }
        }
    }

    pub(crate) fn push(
        &mut self,
        buffer: Buffer,
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.run(0, Input::Buffer(buffer), sink, ctx)
    }

    pub(crate) fn eos(
        &mut self,
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.run(0, Input::Eos, sink, ctx)?;
        // A demuxer that ended without announcing the stream decodebin was asked for.
        if let Some(last) = self.stages.len().checked_sub(1)
            && self.stages[last].demuxer
            && self.stages[last].follow.is_none()
        {
            return Err(ctx.error(self.missing_stream(last)));
        }
        Ok(())
    }

    /// Feeds stage `i` (or decodebin's output when `i` is past the end).
    fn run(
        &mut self,
        i: usize,
        input: Input,
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(stage) = self.stages.get_mut(i) else {
            return match input {
                Input::Buffer(b) => sink.buffer(b, ctx),
                Input::Eos => Ok(()),
            };
        };
        let is_eos = matches!(input, Input::Eos);
        let result = {
            let mut inner = ProcessContext::new(&mut stage.state, &self.cancel);
            match input {
                Input::Buffer(b) => stage.element.process(0, b, &mut inner),
                Input::Eos => stage.element.sink_eos(0, true, &mut inner).map(|_| ()),
            }
        };
        for notice in stage.state.take_notices() {
            match notice {
                Notice::Message(m) => ctx.post_message(m),
                Notice::Warning(w) => ctx.warning(format!("{}: {w}", stage.factory)),
            }
        }
        if let Err(flow) = result {
            let error = stage.state.take_error();
            return Err(match (flow, error) {
                (FlowError::Error, Some(e)) => ctx.error(ElementError {
                    message: format!("{} (inside decodebin): {}", stage.factory, e.message),
                    ..e
                }),
                (flow, _) => flow,
            });
        }
        let changes = stage.state.take_caps_changes();
        let outputs = stage.state.take_outputs();
        if stage.follow.is_none() && stage.demuxer {
            self.choose(i, &changes, sink, ctx)?;
        }
        let mut changes = changes.into_iter().peekable();
        for (n, (pad, buffer)) in outputs.into_iter().enumerate() {
            while let Some(change) = changes.next_if(|c| c.position <= n) {
                self.caps_changed(i, change.pad, change.caps, sink, ctx)?;
            }
            if self.stages[i].follow == Some(pad) {
                self.run(i + 1, Input::Buffer(buffer), sink, ctx)?;
            }
        }
        for change in changes {
            self.caps_changed(i, change.pad, change.caps, sink, ctx)?;
        }
        if is_eos {
            self.run(i + 1, Input::Eos, sink, ctx)?;
        }
        Ok(())
    }

    /// A demuxer announced its streams: follow the one `pick` asks for that a decoder
    /// path exists for, and build that path.
    fn choose(
        &mut self,
        i: usize,
        changes: &[parallax_core::CapsChange],
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        // Pad 0 is video_0, pad 1 audio_0 (DEMUX_PADS).
        let order: &[usize] = match self.pick {
            Pick::Auto => &[0, 1],
            Pick::Video => &[0],
            Pick::Audio => &[1],
        };
        let mut last_error = None;
        for &pad in order {
            let Some(change) = changes.iter().find(|c| c.pad == pad) else {
                continue;
            };
            self.stages.truncate(i + 1);
            match self.extend(change.caps.clone(), sink, ctx) {
                Ok(()) => {
                    self.stages[i].follow = Some(pad);
                    return Ok(());
                }
                Err(e) => last_error = Some(e),
            }
        }
        // None of the wanted streams announced yet (a TS demuxer may find the audio PID
        // after the video one): wait for a later call; `eos` reports a stream that never
        // came.
        let Some(error) = last_error else {
            return Ok(());
        };
        self.stages.truncate(i + 1);
        Err(ctx.error(error))
    }

    /// The error for a demuxer (stage `i`) that never showed the wanted stream.
    fn missing_stream(&self, i: usize) -> ElementError {
        ElementError::stream(format!(
            "{} has no {} stream",
            self.stages[i].factory,
            match self.pick {
                Pick::Video => "video",
                Pick::Audio => "audio",
                Pick::Auto => "decodable",
            }
        ))
    }

    /// Stage `i` announced `caps` on src pad `pad`.
    fn caps_changed(
        &mut self,
        i: usize,
        pad: usize,
        caps: Caps,
        sink: &mut dyn Sink,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self.stages[i].follow != Some(pad) {
            return Ok(());
        }
        let Some(next) = self.stages.get_mut(i + 1) else {
            sink.caps(caps, ctx);
            return Ok(());
        };
        // The next stage takes the new caps if it can; otherwise the rest of the chain
        // is rebuilt for them.
        let offered = next.element.transform_caps(PadDirection::Sink, &caps);
        let src = next.element.fixate_caps(0, offered);
        if !src.is_empty()
            && next
                .element
                .set_caps(std::slice::from_ref(&caps), std::slice::from_ref(&src))
                .is_ok()
        {
            return self.caps_changed(i + 1, 0, src, sink, ctx);
        }
        self.stages.truncate(i + 1);
        self.extend(caps, sink, ctx).map_err(|e| ctx.error(e))
    }
}
