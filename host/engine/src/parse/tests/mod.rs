//! Unit tests of the `.px` parser, split by what they exercise.
//!
//! Design decision: most tests compare a compact textual "shape" of the tree
//! (see [`shape`]) so a whole pipeline fits on a line; a few compare complete
//! structs to pin spans down exactly.

mod accept;
mod errors;
mod random;

use super::*;

/// Parses `source`, failing the test with a rendered diagnostic on error.
fn ok(source: &str) -> PipelineAst {
    parse(source).unwrap_or_else(|error| panic!("{}", error.render("test.px", source)))
}

/// Parses `source`, which must be refused.
fn err(source: &str) -> ParseError {
    match parse(source) {
        Ok(ast) => panic!("{source:?} should be refused, parsed as {ast:?}"),
        Err(error) => error,
    }
}

/// One string per node: `factory k=<v> q="<v>"`, `caps<text>` or `ref<t.pad>`.
fn shape(ast: &PipelineAst) -> Vec<Vec<String>> {
    ast.chains
        .iter()
        .map(|chain| chain.nodes.iter().map(node_shape).collect())
        .collect()
}

fn node_shape(node: &Node) -> String {
    match node {
        Node::Element(element) => {
            let mut out = element.factory.clone();
            for p in &element.properties {
                let quote = if p.quoted { "\"" } else { "" };
                out.push_str(&format!(" {}={quote}<{}>{quote}", p.name, p.value));
            }
            out
        }
        Node::Caps(caps) => format!("caps<{}>", caps.text),
        Node::Ref(reference) => format!("ref<{reference}>"),
    }
}

/// `shape(parse(source))`, as `&str`s for terse assertions.
#[track_caller]
fn assert_shape(source: &str, expected: &[&[&str]]) {
    let expected: Vec<Vec<String>> = expected
        .iter()
        .map(|chain| chain.iter().map(|n| (*n).to_owned()).collect())
        .collect();
    assert_eq!(shape(&ok(source)), expected, "source: {source:?}");
}
