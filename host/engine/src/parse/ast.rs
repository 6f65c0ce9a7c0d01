//! The syntax tree produced by [`parse`](super::parse).
//!
//! Design decision: the tree is purely syntactic. It does not know which
//! element factories or properties exist; every node carries byte [`Span`]s
//! into the source so that later, semantic passes (unknown element, bad
//! property value, failed link) can point at the exact text with a
//! [`Diagnostic`](super::Diagnostic).

use std::fmt;

/// A half-open byte range `start..end` into the `.px` source text.
///
/// Offsets produced by the parser always lie on `char` boundaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte covered.
    pub start: usize,
    /// Byte offset one past the last byte covered.
    pub end: usize,
}

impl Span {
    /// Creates the span `start..end`.
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Length of the span in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes (a position, e.g. "end of input").
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest span covering both `self` and `other`.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A whole `.px` file: one or more independent chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineAst {
    /// The chains in source order; never empty for a successfully parsed file.
    pub chains: Vec<Chain>,
}

/// A run of nodes joined by `!`; node `i` links to node `i + 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The nodes in link order; never empty.
    ///
    /// The parser guarantees that a chain starts and ends with an element or
    /// a reference (never a caps filter) and is not a lone reference.
    pub nodes: Vec<Node>,
}

/// One link endpoint (or filter) in a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An element instance such as `fakesrc num-buffers=10`.
    Element(ElementNode),
    /// A caps filter such as `video/x-raw,width=640` between two `!`.
    Caps(CapsNode),
    /// A reference to a named element, such as `t.` or `mux.video_0`.
    Ref(RefNode),
}

impl Node {
    /// The source text this node was parsed from.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Node::Element(element) => element.span,
            Node::Caps(caps) => caps.span,
            Node::Ref(reference) => reference.span,
        }
    }
}

/// An element: factory name plus `name=value` property assignments.
///
/// `name=foo` is an ordinary assignment here; giving it meaning (the
/// element's name, the target of references) is the engine's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementNode {
    /// Factory name, e.g. `fakesrc`.
    pub factory: String,
    /// Where the factory name is written.
    pub factory_span: Span,
    /// Property assignments in source order (duplicates are kept).
    pub properties: Vec<PropertyAssignment>,
    /// From the factory name to the end of the last property value.
    pub span: Span,
}

/// One `name=value` assignment on an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyAssignment {
    /// Property name, e.g. `num-buffers` (`GstChildProxy` paths such as
    /// `src::num-buffers` are kept verbatim).
    pub name: String,
    /// The value with quotes removed and escapes resolved; still a string,
    /// converted to the property's type by the engine.
    pub value: String,
    /// Where the property name is written.
    pub name_span: Span,
    /// Where the value is written, including its quotes if it was quoted.
    pub value_span: Span,
    /// Whether the value was written in quotes (`'…'` or `"…"`).
    pub quoted: bool,
}

/// A caps filter, kept as text for `parallax_core::caps` to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapsNode {
    /// The caps string: verbatim for unquoted caps (inner spaces included),
    /// unquoted with escapes resolved for quoted caps.
    pub text: String,
    /// Where the caps are written, including quotes if they were quoted.
    pub span: Span,
}

/// A reference to an element named elsewhere with `name=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefNode {
    /// The referenced element's name (`t` in `t.src_1`).
    pub element: String,
    /// The requested pad (`src_1` in `t.src_1`); `None` for `t.`, which lets
    /// the engine pick a compatible pad.
    pub pad: Option<String>,
    /// The whole reference, `t.src_1`.
    pub span: Span,
}

// Printing produces canonical `.px` text that parses back to the same tree
// (modulo spans and the `quoted` flag); the engine can use it to describe a
// running pipeline, and the round-trip keeps parser and printer honest.

impl fmt::Display for PipelineAst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chain) in self.chains.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{chain}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, node) in self.nodes.iter().enumerate() {
            if i > 0 {
                f.write_str(" ! ")?;
            }
            write!(f, "{node}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Element(element) => write!(f, "{element}"),
            Node::Caps(caps) => write!(f, "{caps}"),
            Node::Ref(reference) => write!(f, "{reference}"),
        }
    }
}

impl fmt::Display for ElementNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A component given by path is quoted, as it was written.
        if super::grammar::is_component_path(&self.factory) {
            write_quoted(f, &self.factory)?;
        } else {
            f.write_str(&self.factory)?;
        }
        for property in &self.properties {
            write!(f, " {property}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PropertyAssignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.name)?;
        if is_plain_value(&self.value) {
            f.write_str(&self.value)
        } else {
            write_quoted(f, &self.value)
        }
    }
}

impl fmt::Display for CapsNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Always quoted: unquoted caps text may hold spaces that only parse
        // in their original context.
        write_quoted(f, &self.text)
    }
}

impl fmt::Display for RefNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.", self.element)?;
        match &self.pad {
            Some(pad) => f.write_str(pad),
            None => Ok(()),
        }
    }
}

/// Whether `value` reads back unchanged without quotes; deliberately
/// conservative (no brackets, quotes, `#` or whitespace).
fn is_plain_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:+,=@%*^~".contains(c))
}

/// Writes `text` in double quotes, escaping exactly what the lexer unescapes.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}
