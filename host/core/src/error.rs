//! Error types shared by every element.
//!
//! The data path returns [`FlowError`], which is `Copy` and carries no detail, so that a
//! failed push costs nothing. Detail travels separately: an element records an
//! [`ElementError`] on its context before returning [`FlowError::Error`], and the engine
//! posts it on the bus with the element's name (the gstreamer-rs split).

use std::fmt;

/// Why a buffer could not flow. `Eos` and `Flushing` are normal control flow, not failures.
#[must_use]
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowError {
    /// The pad has no peer.
    NotLinked,
    /// The pipeline is flushing or stopping; the buffer was dropped on purpose.
    Flushing,
    /// The element has finished its stream and takes no more data.
    Eos,
    /// Caps were not negotiated, or a buffer does not match the negotiated caps.
    NotNegotiated,
    /// The element failed; the detail was recorded as an [`ElementError`].
    Error,
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlowError::NotLinked => "not linked",
            FlowError::Flushing => "flushing",
            FlowError::Eos => "end of stream",
            FlowError::NotNegotiated => "not negotiated",
            FlowError::Error => "element error",
        })
    }
}

impl std::error::Error for FlowError {}

/// The family an [`ElementError`] belongs to (GStreamer's error domains).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A bug or misuse inside the engine or an element.
    Core,
    /// An outside resource failed: a file could not be opened, read or written.
    Resource,
    /// The data itself is bad: a corrupt or unsupported stream.
    Stream,
    /// A configuration problem: a property value or caps that cannot work.
    Settings,
    /// The element panicked; it is poisoned and will not be called again.
    Panic,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Core => "internal error",
            ErrorKind::Resource => "resource error",
            ErrorKind::Stream => "stream error",
            ErrorKind::Settings => "settings error",
            ErrorKind::Panic => "panic",
        })
    }
}

/// A rich error an element reports; the engine adds the element's name when posting it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ElementError {
    /// The family of the failure.
    pub kind: ErrorKind,
    /// One plain sentence for users, e.g. "could not open /tmp/x for reading".
    pub message: String,
    /// Extra detail for developers (an OS error, a byte offset).
    pub debug: Option<String>,
}

impl ElementError {
    /// An error of `kind` with a user-facing `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ElementError {
            kind,
            message: message.into(),
            debug: None,
        }
    }

    /// A [`ErrorKind::Resource`] error.
    pub fn resource(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Resource, message)
    }

    /// A [`ErrorKind::Stream`] error.
    pub fn stream(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Stream, message)
    }

    /// A [`ErrorKind::Settings`] error.
    pub fn settings(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Settings, message)
    }

    /// Attaches developer detail.
    pub fn with_debug(mut self, debug: impl Into<String>) -> Self {
        self.debug = Some(debug.into());
        self
    }
}

/// A property could not be set or read. Properties come from untrusted `.px` files, so
/// every failure is an error value, never a panic.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PropertyError {
    /// The element has no property of that name.
    #[error("no property '{name}'{}", suggestion_suffix(.suggestion))]
    Unknown {
        /// The name that was asked for.
        name: String,
        /// The closest existing property name, if one is close.
        suggestion: Option<String>,
    },
    /// The text could not be read as the property's type.
    #[error("property '{name}' expects {expected}, got '{got}'")]
    BadValue {
        /// The property.
        name: String,
        /// The expected type in words, e.g. "an integer".
        expected: String,
        /// What was given.
        got: String,
    },
    /// The value is of the right type but outside the allowed range.
    #[error("property '{name}' must be within {range}, got {got}")]
    OutOfRange {
        /// The property.
        name: String,
        /// The allowed range in words, e.g. "[-1, 2147483647]".
        range: String,
        /// What was given.
        got: String,
    },
    /// The property cannot be changed in the current state.
    #[error("property '{name}' cannot be changed while the pipeline is {state}")]
    NotMutable {
        /// The property.
        name: String,
        /// The state, in words.
        state: String,
    },
    /// The property reports state and cannot be set.
    #[error("property '{name}' is read-only")]
    ReadOnly {
        /// The property.
        name: String,
    },
    /// The property is write-only.
    #[error("property '{name}' cannot be read")]
    NotReadable {
        /// The property.
        name: String,
    },
}

impl PropertyError {
    /// [`PropertyError::Unknown`] without a suggestion (the engine adds one when it
    /// checks names against the element's specs).
    pub fn unknown(name: &str) -> Self {
        PropertyError::Unknown {
            name: name.to_owned(),
            suggestion: None,
        }
    }
}

fn suggestion_suffix(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean '{s}'?)"),
        None => String::new(),
    }
}
