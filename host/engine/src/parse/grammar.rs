//! The `.px` grammar proper: pipelines, chains and nodes, built from the
//! pieces in [`lexer`](super::lexer).
//!
//! Design decision: chains are split exactly as gst-launch splits them, by
//! adjacency: a node that is not preceded by `!` starts a new chain. All
//! structure is parsed with loops, never recursion, so no input can exhaust
//! the stack; every node parser consumes exactly its own text, which keeps
//! spans tight.

use winnow::Parser;
use winnow::ascii::multispace0;
use winnow::combinator::{opt, peek, terminated};
use winnow::stream::Stream;
use winnow::token::{one_of, take_while};

use super::ast::{
    CapsNode, Chain, ElementNode, Node, PipelineAst, PropertyAssignment, RefNode, Span,
};
use super::lexer::{
    BareText, Input, PResult, bare_text, cut, describe, end_of_quoted, is_media_subtype_char,
    is_media_type_char, is_name_start, name, next_char_span, offset, pad_name, peek_char,
    property_name, quoted, trivia,
};

/// A whole source file: trivia, then chains until the end of input.
pub(super) fn pipeline(input: &mut Input<'_>) -> PResult<PipelineAst> {
    trivia(input)?;
    if peek_char(input).is_none() {
        return cut(Span::new(0, 0), "the pipeline is empty");
    }
    let mut chains = Vec::new();
    while peek_char(input).is_some() {
        let before = offset(input);
        chains.push(chain(input)?);
        trivia(input)?;
        // Every chain consumes at least one character; this guard turns a
        // future grammar bug into an error instead of an endless loop.
        if offset(input) == before {
            return cut(next_char_span(input), "internal parser error: no progress");
        }
    }
    Ok(PipelineAst { chains })
}

/// `node ( '!' node )*`, starting at a non-trivia character.
fn chain(input: &mut Input<'_>) -> PResult<Chain> {
    if peek_char(input) == Some('!') {
        return cut(next_char_span(input), "'!' must come after an element");
    }
    let first = node(input)?;
    if let Node::Caps(caps) = &first {
        return cut(
            caps.span,
            "a caps filter must come between two elements, as in \
             'videotestsrc ! video/x-raw ! fakesink'",
        );
    }
    let mut nodes = vec![first];
    loop {
        trivia(input)?;
        let bang = next_char_span(input);
        if opt('!').parse_next(input)?.is_none() {
            break;
        }
        trivia(input)?;
        match peek_char(input) {
            None => return cut(bang, "'!' must be followed by an element"),
            Some('!') => {
                return cut(
                    next_char_span(input),
                    "'!' must be followed by an element, not another '!'",
                );
            }
            Some(_) => nodes.push(node(input)?),
        }
    }
    match nodes.as_slice() {
        [.., Node::Caps(caps)] => {
            let hint = if peek_char(input).is_some() {
                " (caps with spaces outside brackets must be quoted)"
            } else {
                ""
            };
            cut(
                caps.span,
                format!("a caps filter must be followed by '!' and an element{hint}"),
            )
        }
        [Node::Ref(reference)] => cut(
            reference.span,
            format!(
                "reference '{reference}' is not linked to anything; \
                 write '{reference} ! …' or '… ! {reference}'"
            ),
        ),
        _ => Ok(Chain { nodes }),
    }
}

/// One element, caps filter or reference (the caller has handled `!`).
fn node(input: &mut Input<'_>) -> PResult<Node> {
    let here = next_char_span(input);
    let Some(c) = peek_char(input) else {
        return cut(here, "unexpected end of input");
    };
    match c {
        '"' | '\'' => quoted_caps(input),
        '(' | ')' => cut(here, "bins '(...)' are not supported"),
        '=' => cut(
            here,
            "'=' without a property name (write 'name=value', with no spaces around '=')",
        ),
        '.' => {
            let start = offset(input);
            let pad = ('.', pad_name).take().parse_next(input)?;
            cut(
                Span::new(start, offset(input)),
                format!("reference '{pad}' has no element name; write 'name{pad}'"),
            )
        }
        _ if starts_media_type(input)? => bare_caps(input),
        _ if is_name_start(c) => element_or_ref(input),
        _ => cut(here, format!("unexpected character {}", describe(c))),
    }
}

/// Whether the input starts with `type/`, the sign of a caps filter.
fn starts_media_type(input: &mut Input<'_>) -> PResult<bool> {
    Ok(opt(peek((take_while(1.., is_media_type_char), '/')))
        .parse_next(input)?
        .is_some())
}

/// `"video/x-raw, width=640"`: a non-empty quoted string in node position is a caps
/// filter, unless it names a WebAssembly component (`"plugins/grayscale.wasm"`), which is
/// an element given by path and may be followed by properties.
fn quoted_caps(input: &mut Input<'_>) -> PResult<Node> {
    let (text, span) = quoted(input)?;
    if is_component_path(&text) {
        let properties = properties(input)?;
        let end = properties.last().map_or(span.end, |p| p.value_span.end);
        return Ok(Node::Element(ElementNode {
            factory: text,
            factory_span: span,
            properties,
            span: Span::new(span.start, end),
        }));
    }
    end_of_quoted(input, "caps")?;
    if text.trim().is_empty() {
        return cut(span, "empty caps filter");
    }
    Ok(Node::Caps(CapsNode { text, span }))
}

/// Whether quoted node text is a path to a `.wasm` component rather than caps.
pub fn is_component_path(text: &str) -> bool {
    // Caps never end in `.wasm`; a structure with fields always has a comma.
    text.ends_with(".wasm") && !text.contains(',')
}

/// Unquoted caps: `type/subtype` then `,field` / `;structure` segments.
fn bare_caps(input: &mut Input<'_>) -> PResult<Node> {
    let start = offset(input);
    let text = scan_bare_caps.take().parse_next(input)?;
    Ok(Node::Caps(CapsNode {
        text: text.to_owned(),
        span: Span::new(start, offset(input)),
    }))
}

fn scan_bare_caps(input: &mut Input<'_>) -> PResult<()> {
    let start = offset(input);
    let (media_type, subtype) = (
        (take_while(1.., is_media_type_char), '/').take(),
        take_while(0.., is_media_subtype_char),
    )
        .parse_next(input)?;
    if subtype.is_empty() {
        return cut(
            Span::new(start, offset(input)),
            format!("caps media type '{media_type}' has no subtype, as in 'video/x-raw'"),
        );
    }
    // The rest of the first field, e.g. the `(memory:DMABuf)` features.
    bare_text(input, BareText::CapsField)?;
    loop {
        // Be as lenient as gst-launch: spaces may surround separators.
        let checkpoint = input.checkpoint();
        multispace0(input)?;
        let separator_span = next_char_span(input);
        let Some(separator) = opt(one_of([',', ';'])).parse_next(input)? else {
            input.reset(&checkpoint);
            return Ok(());
        };
        multispace0(input)?;
        if bare_text(input, BareText::CapsField)?.is_empty() {
            return cut(
                separator_span,
                format!("expected a caps field after '{separator}'"),
            );
        }
    }
}

/// `name.pad` / `name.` (a reference) or `factory prop=value…` (an element).
fn element_or_ref(input: &mut Input<'_>) -> PResult<Node> {
    let start = offset(input);
    if let Some(property) = opt(peek(terminated(property_name, '='))).parse_next(input)? {
        return cut(
            Span::new(start, start + property.len() + 1),
            format!(
                "property '{property}' has no element; \
                 properties follow an element, as in 'fakesrc {property}=…'"
            ),
        );
    }
    let factory = name(input)?;
    let factory_span = Span::new(start, offset(input));

    if opt('.').parse_next(input)?.is_some() {
        let pad = pad_name(input)?;
        return Ok(Node::Ref(RefNode {
            element: factory.to_owned(),
            pad: (!pad.is_empty()).then(|| pad.to_owned()),
            span: Span::new(start, offset(input)),
        }));
    }

    let properties = properties(input)?;
    let end = properties
        .last()
        .map_or(factory_span.end, |p| p.value_span.end);
    Ok(Node::Element(ElementNode {
        factory: factory.to_owned(),
        factory_span,
        properties,
        span: Span::new(start, end),
    }))
}

/// The `name=value` assignments after an element.
fn properties(input: &mut Input<'_>) -> PResult<Vec<PropertyAssignment>> {
    let mut properties = Vec::new();
    loop {
        let checkpoint = input.checkpoint();
        trivia(input)?;
        let Some(property) = opt(property).parse_next(input)? else {
            // Leave the trivia for the chain, so the span ends at the text.
            input.reset(&checkpoint);
            return Ok(properties);
        };
        properties.push(property);
    }
}

/// `name=value`; backtracks (so the element ends) unless `name=` is present.
fn property(input: &mut Input<'_>) -> PResult<PropertyAssignment> {
    let start = offset(input);
    let name = terminated(property_name, '=').parse_next(input)?;
    let name_span = Span::new(start, start + name.len());
    let value_start = offset(input);

    let (value, quoted_value) = match peek_char(input) {
        Some('"' | '\'') => {
            let (value, _) = quoted(input)?;
            end_of_quoted(input, "value")?;
            (value, true)
        }
        next => {
            let value = bare_text(input, BareText::Value)?;
            if value.is_empty() {
                let hint = match next {
                    Some(c) if c.is_ascii_whitespace() => {
                        " (write 'name=value' with no space after '=')"
                    }
                    _ => "",
                };
                return cut(
                    Span::new(start, value_start),
                    format!("property '{name}' has no value{hint}"),
                );
            }
            (value.to_owned(), false)
        }
    };
    Ok(PropertyAssignment {
        name: name.to_owned(),
        value,
        name_span,
        value_span: Span::new(value_start, offset(input)),
        quoted: quoted_value,
    })
}
