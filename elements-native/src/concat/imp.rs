use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ClockTime, ElementError, ElementImpl, ErrorKind, ExecutionHints,
    FlowError, PadDirection, PadPresence, PadTemplate, ProcessContext, PropSpec, PropertyError,
    Transform, Value,
};

const DEFAULT_ADJUST_BASE: bool = true;

/// Property values.
#[derive(Debug, Clone)]
struct Settings {
    adjust_base: bool,
}

/// Where playback stands.
#[derive(Debug, Default)]
struct State {
    /// Index of the sink pad playing now; equal to the pad count once all have ended.
    current: usize,
    /// Which sink pads have reached end of stream.
    eos: Vec<bool>,
    /// Added to the timestamps of the current input: where the earlier ones ended.
    base: ClockTime,
    /// The current input's end time so far (largest timestamp + duration).
    stream_end: Option<ClockTime>,
}

/// The element: its settings, its pads and where playback stands.
#[derive(Debug)]
struct Concat {
    settings: Settings,
    /// Sink pad names in index order, for `active-pad`.
    pads: Vec<String>,
    state: State,
}

/// Everything known about `concat` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "concat",
        "Generic",
        "Concatenate multiple streams, one after another",
    )
    .pad(PadTemplate::new(
        "sink_%u",
        PadDirection::Sink,
        PadPresence::Request,
        Caps::any(),
    ))
    .pad(PadTemplate::src(Caps::any()))
    .property(
        PropSpec::string("active-pad", "")
            .doc("Currently active sink pad")
            .read_only(),
    )
    .property(
        PropSpec::bool("adjust-base", DEFAULT_ADJUST_BASE)
            .doc("Offset each input's timestamps by where the inputs before it ended"),
    )
    .hints(ExecutionHints::RT_SAFE)
}

/// A new `concat` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Concat {
        settings: Settings {
            adjust_base: DEFAULT_ADJUST_BASE,
        },
        pads: Vec::new(),
        state: State::default(),
    }))
}

impl Concat {
    /// Moves to the next input that has not ended, banking the finished one's end time.
    fn advance(&mut self) {
        let state = &mut self.state;
        if let Some(end) = state.stream_end.take() {
            state.base = state.base.saturating_add(end);
        }
        state.current += 1;
        while state.eos.get(state.current).copied().unwrap_or(false) {
            state.current += 1;
        }
    }
}

impl ElementImpl for Concat {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "active-pad" => Err(PropertyError::ReadOnly {
                name: name.to_owned(),
            }),
            "adjust-base" => {
                self.settings.adjust_base = value.bool_for(name)?;
                Ok(())
            }
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "active-pad" => {
                // After the last input ended it stays the active one, as in GStreamer.
                let index = self.state.current.min(self.pads.len().saturating_sub(1));
                Ok(Value::Str(
                    self.pads.get(index).cloned().unwrap_or_default(),
                ))
            }
            "adjust-base" => Ok(Value::Bool(self.settings.adjust_base)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn configure_pads(
        &mut self,
        sink_pads: &[String],
        _src_pads: &[String],
    ) -> Result<(), ElementError> {
        self.pads = sink_pads.to_vec();
        self.state = State {
            eos: vec![false; sink_pads.len()],
            ..State::default()
        };
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.state = State {
            eos: vec![false; self.pads.len()],
            ..State::default()
        };
        Ok(())
    }
}

impl Transform for Concat {
    fn process(
        &mut self,
        pad: usize,
        mut buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let state = &mut self.state;
        if pad != state.current {
            // `accepts_input` keeps other inputs waiting, so this is an engine bug; say
            // so rather than reorder the stream.
            return Err(ctx.error(ElementError::new(
                ErrorKind::Core,
                format!(
                    "received data on sink pad {pad} while sink pad {} is playing",
                    state.current
                ),
            )));
        }
        let meta = buffer.meta_mut();
        if let Some(time) = meta.pts.or(meta.dts) {
            let end = time.saturating_add(meta.duration.unwrap_or(ClockTime::ZERO));
            state.stream_end = Some(state.stream_end.map_or(end, |e| e.max(end)));
        }
        if self.settings.adjust_base && state.base > ClockTime::ZERO {
            meta.pts = meta.pts.map(|t| t.saturating_add(state.base));
            meta.dts = meta.dts.map(|t| t.saturating_add(state.base));
        }
        ctx.push(buffer);
        Ok(())
    }

    fn sink_eos(
        &mut self,
        pad: usize,
        all_eos: bool,
        _ctx: &mut ProcessContext<'_>,
    ) -> Result<bool, FlowError> {
        if let Some(flag) = self.state.eos.get_mut(pad) {
            *flag = true;
        }
        if pad == self.state.current {
            self.advance();
        }
        Ok(all_eos)
    }

    fn accepts_input(&self, pad: usize) -> bool {
        pad == self.state.current
    }
}
