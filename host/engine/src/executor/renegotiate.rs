//! Caps changes mid-stream (in-band, like GStreamer's CAPS event): what a streaming
//! thread knows about each element's pads, and the new src caps of an element whose
//! input caps changed.
//!
//! A key design decision: the initial negotiation stays whole-graph (`negotiate.rs`);
//! a later change travels with the data, in order, and each element renegotiates when it
//! reaches it, with the same element calls (`transform_caps`, `fixate_caps`, `set_caps`)
//! and against what the initial negotiation found downstream accepts on each src pad
//! (its backward pass, kept on the links: a capsfilter's format after a converter
//! constrains the converter's new output). Elements in other threads cannot be asked
//! again; a peer that still cannot take the result refuses it in its own `set_caps`,
//! which fails the pipeline with a not-negotiated error naming it.

use parallax_core::{Caps, ElementImpl, PadDirection};

use crate::graph::{Graph, NodeId};
use crate::negotiate::template_caps;

/// The caps of one element's pads as its streaming thread sees them.
#[derive(Debug, Default)]
pub(crate) struct NodeCaps {
    /// Current caps per sink pad.
    pub(crate) sink: Vec<Caps>,
    /// Current caps per src pad.
    pub(crate) src: Vec<Caps>,
    /// Pad template caps per sink pad.
    sink_templates: Vec<Caps>,
    /// Pad template caps per src pad.
    src_templates: Vec<Caps>,
    /// Per src pad: what downstream accepts (template ∩ everything after it).
    downstream: Vec<Caps>,
}

impl NodeCaps {
    /// What negotiation left on the links of `id`.
    pub(crate) fn from_graph(graph: &Graph, id: NodeId) -> NodeCaps {
        let node = graph.node(id);
        let n_sink = node.sink_pads.len();
        let n_src = node.src_pads.len();
        let link_caps = |caps: Option<&Caps>| caps.cloned().unwrap_or_else(Caps::any);
        NodeCaps {
            sink: (0..n_sink)
                .map(|p| link_caps(graph.link_into(id, p).and_then(|(_, l)| l.caps.as_ref())))
                .collect(),
            src: (0..n_src)
                .map(|p| link_caps(graph.link_from(id, p).and_then(|(_, l)| l.caps.as_ref())))
                .collect(),
            sink_templates: (0..n_sink)
                .map(|p| template_caps(graph, id, PadDirection::Sink, p))
                .collect(),
            src_templates: (0..n_src)
                .map(|p| template_caps(graph, id, PadDirection::Src, p))
                .collect(),
            downstream: (0..n_src)
                .map(|p| match graph.link_from(id, p) {
                    Some((_, link)) if link.accepts.is_some() => {
                        link.accepts.clone().unwrap_or_else(Caps::any)
                    }
                    Some((child, link)) => {
                        template_caps(graph, child, PadDirection::Sink, link.sink_pad)
                    }
                    None => Caps::any(),
                })
                .collect(),
        }
    }

    /// Checks `caps` for sink pad `pad` and computes every src pad's new caps. Returns
    /// `(sink caps, src caps)` to hand to `set_caps`, or why the change is impossible.
    pub(crate) fn renegotiate(
        &self,
        element: &dyn ElementImpl,
        pad: usize,
        caps: &Caps,
    ) -> Result<(Vec<Caps>, Vec<Caps>), String> {
        let template = self
            .sink_templates
            .get(pad)
            .cloned()
            .unwrap_or_else(Caps::any);
        if !template.can_intersect(caps) {
            return Err(format!(
                "its sink pad {pad} does not accept {caps} (template: {template})"
            ));
        }
        let mut sink = self.sink.clone();
        match sink.get_mut(pad) {
            Some(slot) => *slot = caps.clone(),
            None => return Err(format!("it has no sink pad {pad}")),
        }
        let combined = sink.iter().fold(Caps::any(), |acc, c| acc.intersect(c));
        let mut src = Vec::with_capacity(self.src.len());
        for (p, template) in self.src_templates.iter().enumerate() {
            let offered = element
                .transform_caps(PadDirection::Sink, &combined)
                .intersect(template);
            let peer = self.downstream.get(p).cloned().unwrap_or_else(Caps::any);
            let candidates = offered.intersect(&peer);
            if candidates.is_empty() {
                return Err(format!(
                    "from {caps} it can only produce {offered} on src pad {p}, which downstream \
                     does not accept ({peer})"
                ));
            }
            src.push(element.fixate_caps(p, candidates));
        }
        Ok((sink, src))
    }
}
