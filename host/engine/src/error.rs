//! Engine errors. Every message names the element (and pad) it is about.

use parallax_core::{ElementError, PadDirection, PropertyError};

use crate::negotiate::NegotiationError;

/// A problem with the shape of the graph.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// Two elements share a name.
    #[error("two elements are named '{0}'")]
    DuplicateName(String),
    /// The link would make data flow in a circle.
    #[error("linking '{from}' to '{to}' would make a cycle")]
    Cycle {
        /// Upstream element.
        from: String,
        /// Downstream element.
        to: String,
    },
    /// The pad is linked already.
    #[error("pad '{element}.{pad}' is already linked")]
    PadTaken {
        /// Element.
        element: String,
        /// Pad.
        pad: String,
    },
    /// The element has no pad of that name.
    #[error("'{element}' has no {direction} pad '{pad}' (its {direction} pads: {})", if available.is_empty() { "none".to_owned() } else { available.join(", ") })]
    NoSuchPad {
        /// Element.
        element: String,
        /// The pad asked for.
        pad: String,
        /// Direction.
        direction: PadDirection,
        /// Pad templates of that direction.
        available: Vec<String>,
    },
    /// Every pad of that direction is taken and none can be requested.
    #[error("'{element}' has no free {direction} pad")]
    NoFreePad {
        /// Element.
        element: String,
        /// Direction.
        direction: PadDirection,
    },
    /// A pad that must be linked is not.
    #[error("pad '{element}.{pad}' is not linked ({})", if *direction == PadDirection::Src { "nothing consumes its output" } else { "nothing feeds it" })]
    Unlinked {
        /// Element.
        element: String,
        /// Pad.
        pad: String,
        /// Direction.
        direction: PadDirection,
    },
    /// No factory of that name.
    #[error("no element '{name}'{}", suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    UnknownElement {
        /// The factory name asked for.
        name: String,
        /// The closest registered name.
        suggestion: Option<String>,
    },
}

/// Any failure of a pipeline.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum PipelineError {
    /// The `.px` text is wrong; the message is rendered with file:line:column and a caret.
    #[error("{0}")]
    Syntax(String),
    /// The graph cannot be built.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// Caps negotiation failed (boxed: the explanation carries both sides' caps).
    #[error(transparent)]
    Negotiation(Box<NegotiationError>),
    /// A property could not be set.
    #[error("element '{element}': {error}")]
    Property {
        /// Element.
        element: String,
        /// Cause.
        error: PropertyError,
    },
    /// An element failed (to start, or while processing).
    #[error("element '{element}': {error}")]
    Element {
        /// Element.
        element: String,
        /// Cause.
        error: ElementError,
    },
    /// There is no element of that name in the pipeline.
    #[error("no element named '{0}' in the pipeline")]
    NoSuchElement(String),
    /// The operation is not possible in the current state.
    #[error("cannot {action} while the pipeline is {state}")]
    State {
        /// What was attempted.
        action: &'static str,
        /// The current state.
        state: crate::State,
    },
    /// The engine itself failed (a thread could not be started).
    #[error("engine failure: {0}")]
    Engine(String),
    /// A component could not replace a running element's; the element keeps running
    /// the one it had.
    #[error("element '{element}': {reason}")]
    Reload {
        /// Element.
        element: String,
        /// Why (the new component's load or compatibility error).
        reason: String,
    },
}

impl From<NegotiationError> for PipelineError {
    fn from(error: NegotiationError) -> Self {
        PipelineError::Negotiation(Box::new(error))
    }
}

/// The engine's result type.
pub type Result<T, E = PipelineError> = std::result::Result<T, E>;
