//! The element registry: one place that maps factory names to constructors and metadata.
//!
//! Element crates register every element through one function
//! (`parallax_elements::register_all`), so adding an element touches one line, and
//! `parallax inspect` and the tests iterate the same list.
//!
//! # Examples
//!
//! ```
//! use parallax_core::registry::{ElementInfo, Registry};
//! # use parallax_core::{AnyElement, ElementImpl, PropertyError, Sink, ProcessContext, FlowError, Buffer, Value};
//! # struct Null;
//! # impl ElementImpl for Null {
//! #     fn set_property(&mut self, name: &str, _: &Value) -> Result<(), PropertyError> {
//! #         Err(PropertyError::Unknown { name: name.into(), suggestion: None })
//! #     }
//! #     fn property(&self, name: &str) -> Result<Value, PropertyError> {
//! #         Err(PropertyError::Unknown { name: name.into(), suggestion: None })
//! #     }
//! # }
//! # impl Sink for Null {
//! #     fn consume(&mut self, _: Buffer, _: &mut ProcessContext<'_>) -> Result<(), FlowError> { Ok(()) }
//! # }
//! let mut registry = Registry::new();
//! registry
//!     .register(ElementInfo::new("nullsink", "Sink", "Drops everything"), || {
//!         AnyElement::Sink(Box::new(Null))
//!     })
//!     .unwrap();
//! assert!(registry.get("nullsink").is_some());
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::element::{AnyElement, ExecutionHints, PadDirection, PadTemplate};
use crate::error::PropertyError;
use crate::property::{PropSpec, Value, suggest};

/// How strongly a factory is preferred when several could do a job (autoplugging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    /// Never chosen automatically.
    None,
    /// Chosen when nothing better exists.
    Marginal,
    /// A good choice.
    Secondary,
    /// The best choice.
    Primary,
}

/// Everything known about an element without creating one.
#[derive(Debug, Clone)]
pub struct ElementInfo {
    /// Factory name (`filesrc`): lowercase, no separators.
    pub name: String,
    /// Slash-separated classification (`Source/File`).
    pub klass: String,
    /// One sentence.
    pub description: String,
    /// Pad templates.
    pub pad_templates: Vec<PadTemplate>,
    /// Properties, in the order `inspect` shows them.
    pub properties: Vec<PropSpec>,
    /// Execution hints.
    pub hints: ExecutionHints,
    /// Autoplugging rank.
    pub rank: Rank,
    /// Where the element comes from, for `inspect`.
    pub origin: ElementOrigin,
}

/// Where an element's code comes from.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ElementOrigin {
    /// Built into Parallax (trusted, in-process).
    #[default]
    Native,
    /// A WebAssembly component (untrusted, sandboxed).
    Component {
        /// The `.wasm` file.
        path: std::path::PathBuf,
        /// The version the component reports.
        version: String,
        /// Hex digest of the component's bytes.
        hash: String,
    },
}

impl ElementOrigin {
    /// A short word for the world the element runs in: `native` or `wasm`.
    pub fn world(&self) -> &'static str {
        match self {
            ElementOrigin::Native => "native",
            ElementOrigin::Component { .. } => "wasm",
        }
    }
}

impl ElementInfo {
    /// Info with no pads or properties yet, default hints and [`Rank::None`].
    pub fn new(name: &str, klass: &str, description: &str) -> Self {
        ElementInfo {
            name: name.to_owned(),
            klass: klass.to_owned(),
            description: description.to_owned(),
            pad_templates: Vec::new(),
            properties: Vec::new(),
            hints: ExecutionHints::DEFAULT,
            rank: Rank::None,
            origin: ElementOrigin::Native,
        }
    }

    /// Sets where the element comes from.
    pub fn origin(mut self, origin: ElementOrigin) -> Self {
        self.origin = origin;
        self
    }

    /// Adds a pad template.
    pub fn pad(mut self, template: PadTemplate) -> Self {
        self.pad_templates.push(template);
        self
    }

    /// Adds a property.
    pub fn property(mut self, spec: PropSpec) -> Self {
        self.properties.push(spec);
        self
    }

    /// Sets the execution hints.
    pub fn hints(mut self, hints: ExecutionHints) -> Self {
        self.hints = hints;
        self
    }

    /// Sets the rank.
    pub fn rank(mut self, rank: Rank) -> Self {
        self.rank = rank;
        self
    }

    /// The spec of property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError::Unknown`], with the closest name as a suggestion.
    pub fn property_spec(&self, name: &str) -> Result<&PropSpec, PropertyError> {
        self.properties
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| PropertyError::Unknown {
                name: name.to_owned(),
                suggestion: suggest(name, self.properties.iter().map(|p| p.name)),
            })
    }

    /// Templates of one direction.
    pub fn templates(&self, direction: PadDirection) -> impl Iterator<Item = &PadTemplate> {
        self.pad_templates
            .iter()
            .filter(move |t| t.direction == direction)
    }
}

type Constructor = dyn Fn() -> AnyElement + Send + Sync;

/// A registered element: its info and how to make one.
#[derive(Clone)]
pub struct ElementFactory {
    info: Arc<ElementInfo>,
    constructor: Arc<Constructor>,
}

impl ElementFactory {
    /// The element's info.
    pub fn info(&self) -> &ElementInfo {
        &self.info
    }

    /// The element's info, shared.
    pub fn info_arc(&self) -> Arc<ElementInfo> {
        Arc::clone(&self.info)
    }

    /// A new element with default properties.
    pub fn create(&self) -> AnyElement {
        (self.constructor)()
    }

    /// Sets property `name` on `element` from text, checked against the spec.
    ///
    /// # Errors
    ///
    /// [`PropertyError`] for an unknown name or a bad value.
    pub fn set_property_from_str(
        &self,
        element: &mut AnyElement,
        name: &str,
        text: &str,
    ) -> Result<Value, PropertyError> {
        let value = self.info.property_spec(name)?.parse(text)?;
        element.base_mut().set_property(name, &value)?;
        Ok(value)
    }

    /// Sets property `name` on `element` to a typed value, checked against the spec.
    ///
    /// # Errors
    ///
    /// [`PropertyError`] for an unknown name, a wrong type or a value out of range.
    pub fn set_property(
        &self,
        element: &mut AnyElement,
        name: &str,
        value: &Value,
    ) -> Result<(), PropertyError> {
        self.info.property_spec(name)?.check(value)?;
        element.base_mut().set_property(name, value)
    }
}

impl fmt::Debug for ElementFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElementFactory")
            .field("name", &self.info.name)
            .finish_non_exhaustive()
    }
}

/// Registration failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// A factory of that name exists already.
    #[error("an element named '{0}' is already registered")]
    Duplicate(String),
    /// The name is not lowercase letters and digits.
    #[error(
        "'{0}' is not a valid element name (lowercase letters and digits, starting with a letter)"
    )]
    InvalidName(String),
}

/// All known element factories, by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    factories: BTreeMap<String, ElementFactory>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory.
    ///
    /// # Errors
    ///
    /// [`RegisterError`] for a duplicate or malformed name.
    pub fn register(
        &mut self,
        info: ElementInfo,
        constructor: impl Fn() -> AnyElement + Send + Sync + 'static,
    ) -> Result<(), RegisterError> {
        let name = info.name.clone();
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            return Err(RegisterError::InvalidName(name));
        }
        if self.factories.contains_key(&name) {
            return Err(RegisterError::Duplicate(name));
        }
        self.factories.insert(
            name,
            ElementFactory {
                info: Arc::new(info),
                constructor: Arc::new(constructor),
            },
        );
        Ok(())
    }

    /// The factory called `name`.
    pub fn get(&self, name: &str) -> Option<&ElementFactory> {
        self.factories.get(name)
    }

    /// The registered name closest to `name`, for "did you mean" hints.
    pub fn suggest(&self, name: &str) -> Option<String> {
        suggest(name, self.factories.keys().map(String::as_str))
    }

    /// All factories, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &ElementFactory> {
        self.factories.values()
    }

    /// Number of factories.
    pub fn len(&self) -> usize {
        self.factories.len()
    }

    /// Whether no factory is registered.
    pub fn is_empty(&self) -> bool {
        self.factories.is_empty()
    }
}
