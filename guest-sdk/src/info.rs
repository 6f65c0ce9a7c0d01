//! What an element tells the host before any instance exists: [`Info`], built with
//! small builder helpers and turned into the WIT `element-info` by the SDK.

/// Which way data flows through a pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadDirection {
    /// Data flows in.
    Sink,
    /// Data flows out.
    Src,
}

/// When pads of a template exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadPresence {
    /// Always there.
    Always,
    /// Appear while running.
    Sometimes,
    /// Made on request.
    Request,
}

/// Which of `process` / `process-copy` the element implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataPath {
    /// Buffers are slots in linear memory: [`Element::process`](crate::Element::process).
    #[default]
    ZeroCopy,
    /// Buffers are byte lists: [`Element::process_copy`](crate::Element::process_copy).
    Copy,
}

/// How the element should be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// Bottleneck: true for computation, false for waiting.
    pub cpu_bound: bool,
    /// Whether processing never blocks or allocates (could run on an RT thread).
    pub rt_safe: bool,
}

impl Default for Hints {
    /// CPU-bound, not RT-safe.
    fn default() -> Self {
        Hints {
            cpu_bound: true,
            rt_safe: false,
        }
    }
}

/// A kind of pad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PadTemplate {
    /// Name, or a pattern with `%u` (`src_%u`).
    pub name: String,
    /// Direction.
    pub direction: PadDirection,
    /// Presence.
    pub presence: PadPresence,
    /// Caps in GStreamer's string form.
    pub caps: String,
}

impl PadTemplate {
    /// The always-present sink pad `sink` with these caps.
    pub fn sink(caps: impl Into<String>) -> Self {
        PadTemplate::new("sink", PadDirection::Sink, PadPresence::Always, caps)
    }

    /// The always-present src pad `src` with these caps.
    pub fn src(caps: impl Into<String>) -> Self {
        PadTemplate::new("src", PadDirection::Src, PadPresence::Always, caps)
    }

    /// Any template.
    pub fn new(
        name: impl Into<String>,
        direction: PadDirection,
        presence: PadPresence,
        caps: impl Into<String>,
    ) -> Self {
        PadTemplate {
            name: name.into(),
            direction,
            presence,
            caps: caps.into(),
        }
    }
}

/// Type and range of a property.
#[derive(Debug, Clone, PartialEq)]
pub enum PropKind {
    /// `true` / `false`.
    Boolean,
    /// A signed integer in `[min, max]`.
    Integer(i64, i64),
    /// A float in `[min, max]`.
    Double(f64, f64),
    /// Any text.
    Text,
    /// One of these values: `(nick, value, doc)`.
    Enumeration(Vec<(String, i64, String)>),
}

/// A property; build one with [`PropSpec::bool`], [`PropSpec::int`], [`PropSpec::double`],
/// [`PropSpec::text`] or [`PropSpec::enumeration`], then [`mutable`](PropSpec::mutable) if
/// it may change while data flows.
#[derive(Debug, Clone, PartialEq)]
pub struct PropSpec {
    /// Kebab-case name.
    pub name: String,
    /// Type and range.
    pub kind: PropKind,
    /// Default, as canonical text.
    pub default: String,
    /// One line of documentation.
    pub doc: String,
    /// Whether it may change while data flows.
    pub mutable_while_running: bool,
}

impl PropSpec {
    fn new(name: &str, kind: PropKind, default: String, doc: &str) -> Self {
        PropSpec {
            name: name.to_owned(),
            kind,
            default,
            doc: doc.to_owned(),
            mutable_while_running: false,
        }
    }

    /// A boolean property.
    pub fn bool(name: &str, default: bool, doc: &str) -> Self {
        PropSpec::new(name, PropKind::Boolean, default.to_string(), doc)
    }

    /// An integer property in `[min, max]`.
    pub fn int(name: &str, min: i64, max: i64, default: i64, doc: &str) -> Self {
        PropSpec::new(name, PropKind::Integer(min, max), default.to_string(), doc)
    }

    /// A float property in `[min, max]`.
    pub fn double(name: &str, min: f64, max: f64, default: f64, doc: &str) -> Self {
        PropSpec::new(
            name,
            PropKind::Double(min, max),
            format!("{default:?}"),
            doc,
        )
    }

    /// A text property.
    pub fn text(name: &str, default: &str, doc: &str) -> Self {
        PropSpec::new(name, PropKind::Text, default.to_owned(), doc)
    }

    /// An enumeration: `values` are `(nick, value, doc)`; `default` is a nick.
    pub fn enumeration(name: &str, values: &[(&str, i64, &str)], default: &str, doc: &str) -> Self {
        let values = values
            .iter()
            .map(|(n, v, d)| ((*n).to_owned(), *v, (*d).to_owned()))
            .collect();
        PropSpec::new(name, PropKind::Enumeration(values), default.to_owned(), doc)
    }

    /// Marks the property as changeable while data flows.
    pub fn mutable(mut self) -> Self {
        self.mutable_while_running = true;
        self
    }
}

/// Everything the host needs to know about the element before creating one.
///
/// ```ignore
/// Info::new("volume", "Filter/Effect/Audio", "Scales audio samples", env!("CARGO_PKG_VERSION"))
///     .pad(PadTemplate::sink(CAPS))
///     .pad(PadTemplate::src(CAPS))
///     .property(PropSpec::double("volume", 0.0, 10.0, 1.0, "Gain factor").mutable())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// Factory name: lowercase letters and digits.
    pub name: String,
    /// Slash-separated classification (`Filter/Effect/Video`).
    pub classification: String,
    /// One sentence.
    pub description: String,
    /// The element's version (shown by `inspect`).
    pub version: String,
    /// Pad templates.
    pub pads: Vec<PadTemplate>,
    /// Properties.
    pub properties: Vec<PropSpec>,
    /// Execution hints.
    pub hints: Hints,
    /// Which data path the element implements.
    pub data_path: DataPath,
}

impl Info {
    /// Info with no pads, no properties, default hints and the zero-copy path.
    pub fn new(name: &str, classification: &str, description: &str, version: &str) -> Self {
        Info {
            name: name.to_owned(),
            classification: classification.to_owned(),
            description: description.to_owned(),
            version: version.to_owned(),
            pads: Vec::new(),
            properties: Vec::new(),
            hints: Hints::default(),
            data_path: DataPath::ZeroCopy,
        }
    }

    /// Adds a pad template.
    pub fn pad(mut self, pad: PadTemplate) -> Self {
        self.pads.push(pad);
        self
    }

    /// Adds a property.
    pub fn property(mut self, spec: PropSpec) -> Self {
        self.properties.push(spec);
        self
    }

    /// Sets the execution hints.
    pub fn hints(mut self, hints: Hints) -> Self {
        self.hints = hints;
        self
    }

    /// Sets the data path.
    pub fn data_path(mut self, path: DataPath) -> Self {
        self.data_path = path;
        self
    }
}
