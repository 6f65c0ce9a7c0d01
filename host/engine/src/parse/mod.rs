//! The `.px` pipeline language: gst-launch syntax in, a syntax tree out.
//!
//! ```text
//! # a camera preview, plus a recording branch
//! v4l2src ! video/x-raw, format=(string){ YUY2, NV12 }, width=[ 320, 1920 ] ! tee name=t
//! t. ! queue ! autovideosink
//! t.src_1 ! queue ! x264enc tune=zerolatency ! mux.video_0
//! mp4mux name=mux ! filesink location="/tmp/my recording.mp4"
//! ```
//!
//! Design decision: [`parse`] is purely syntactic. It knows nothing about
//! which elements, properties or pads exist; the engine resolves the
//! [`PipelineAst`] and reports semantic errors through the same
//! [`Diagnostic`] rendering, using the spans kept on every node.
//!
//! # Syntax
//!
//! ```text
//! pipeline  = trivia chain (trivia chain)* trivia
//! chain     = node (trivia '!' trivia node)*
//! node      = element | caps | reference
//! element   = NAME (trivia property)*
//! property  = PROPNAME '=' value              no spaces around '='
//! value     = '"' … '"' | "'" … "'" | bare
//! caps      = '"' … '"' | "'" … "'"          any non-empty quoted string
//!           | TYPE '/' SUBTYPE bare-field ( ws? (',' | ';') ws? bare-field )*
//! reference = NAME '.' PAD?                   t.   t.src_1   mux.video_%u
//! trivia    = ( whitespace | '#' … end of line )*
//! NAME      = [A-Za-z_][A-Za-z0-9_-]*         PROPNAME = NAME ('::' NAME)*
//! ```
//!
//! * Chains are split like gst-launch does: a node that does not follow a
//!   `!` starts a new chain, so `a ! b  c ! d` is two chains. Newlines are
//!   ordinary whitespace.
//! * A chain starts and ends with an element or reference, never with a caps
//!   filter, and a lone reference is refused as it links nothing.
//! * Double-quoted strings resolve `\"` and `\\` and keep any other
//!   backslash; single-quoted strings are literal. Both may span lines.
//! * Bare (unquoted) text ends at whitespace or `!`, except inside `[…]`,
//!   `{…}`, `(…)` and `"…"` groups, which is what allows gst's lenient
//!   `width=[ 1, 4096 ]` in unquoted caps and property values. A caps filter
//!   additionally continues across `,` and `;` with spaces around them.
//! * `#` starts a comment where a token may start; inside a value (`#fff`
//!   after `=`) or a quoted string it is ordinary text.
//! * Not supported: bins `( … )` and references without an element name.

mod ast;
mod error;
mod grammar;
mod lexer;

#[cfg(test)]
mod tests;

use winnow::error::ErrMode;

pub use ast::{CapsNode, Chain, ElementNode, Node, PipelineAst, PropertyAssignment, RefNode, Span};
pub use error::{Diagnostic, ParseError, line_col};
pub use grammar::is_component_path;

/// Parses `.px` source text into a [`PipelineAst`].
///
/// Never panics, whatever the input.
///
/// # Errors
///
/// Returns the first syntax error found, with the exact offending span and a
/// plain-English message; show it to the user with [`ParseError::render`].
///
/// ```
/// # use parallax_engine::parse::{parse, Node};
/// let ast = parse("fakesrc num-buffers=10 ! fakesink").unwrap();
/// let Node::Element(src) = &ast.chains[0].nodes[0] else { unreachable!() };
/// assert_eq!(src.properties[0].value, "10");
/// ```
pub fn parse(source: &str) -> Result<PipelineAst, ParseError> {
    let mut input = lexer::Input::new(source);
    grammar::pipeline(&mut input).map_err(|error| match error {
        ErrMode::Backtrack(error) | ErrMode::Cut(error) => error.into(),
        // Only partial (streaming) inputs report `Incomplete`; ours is whole.
        ErrMode::Incomplete(_) => ParseError::new(
            Span::new(source.len(), source.len()),
            "unexpected end of input",
        ),
    })
}
