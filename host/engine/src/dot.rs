//! Graphviz output of a pipeline graph, with negotiated caps on the links.

use std::fmt::Write;

use crate::graph::Graph;

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The graph in DOT: one box per element (name, factory, properties), one edge per link
/// labelled with its pads and caps.
pub fn to_dot(graph: &Graph) -> String {
    let mut out = String::from(
        "digraph pipeline {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
    );
    for id in graph.node_ids() {
        let node = graph.node(id);
        let mut label = format!("{}\n({})", node.name, node.factory.info().name);
        for (name, value) in &node.properties {
            let _ = write!(label, "\n{name}={value}");
        }
        let _ = writeln!(out, "  {} [label={}];", quote(&node.name), quote(&label));
    }
    for (from, to, link) in graph.links() {
        let src = graph.node(from);
        let sink = graph.node(to);
        let src_pad = src
            .src_pads
            .names()
            .get(link.src_pad)
            .cloned()
            .unwrap_or_default();
        let sink_pad = sink
            .sink_pads
            .names()
            .get(link.sink_pad)
            .cloned()
            .unwrap_or_default();
        let label = format!("{src_pad} -> {sink_pad}\n{link}");
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(&src.name),
            quote(&sink.name),
            quote(&label)
        );
    }
    out.push_str("}\n");
    out
}
