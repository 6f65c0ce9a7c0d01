//! Caps negotiation over the whole graph, at prepare time.
//!
//! Two passes, like constraint propagation. Backwards (sinks first), each element learns
//! what its downstream accepts and turns that, through its `transform_caps`, into what
//! its sink pads accept. Forwards (sources first), each element fixates its output from
//! its fixed input, its templates and what downstream accepts. Because every constraint is
//! known before anything is fixated, a source never picks a format some element further
//! down cannot take. A failure names both elements, both pads and the fields that could
//! not agree.

use std::fmt;

use parallax_core::caps::CapsConflict;
use parallax_core::{Caps, PadDirection, PadPresence, PadTemplate};

use crate::error::PipelineError;
use crate::graph::{Graph, NodeId};

/// Negotiation failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NegotiationError {
    /// The two ends of a link have no caps in common.
    #[error("{}", describe_link(.upstream, .upstream_pad, .downstream, .downstream_pad, .offered, .accepted, .conflicts))]
    Link {
        /// Upstream element.
        upstream: String,
        /// Its src pad.
        upstream_pad: String,
        /// Downstream element.
        downstream: String,
        /// Its sink pad.
        downstream_pad: String,
        /// What the upstream side can produce.
        offered: Caps,
        /// What the downstream side accepts.
        accepted: Caps,
        /// The fields that could not agree.
        conflicts: Vec<CapsConflict>,
    },
    /// Two branches after one element accept nothing in common.
    #[error("the branches after '{element}' cannot agree: '{first}' accepts {first_caps} but '{second}' accepts {second_caps}{}", join_conflicts(.conflicts))]
    Branches {
        /// The element whose outputs disagree (a tee).
        element: String,
        /// One downstream element.
        first: String,
        /// What it accepts.
        first_caps: Caps,
        /// Another downstream element.
        second: String,
        /// What it accepts.
        second_caps: Caps,
        /// The fields that could not agree.
        conflicts: Vec<CapsConflict>,
    },
    /// The inputs of a multi-input element carry incompatible caps.
    #[error("the inputs of '{element}' cannot agree: '{first}' sends {first_caps} but '{second}' sends {second_caps}{}", join_conflicts(.conflicts))]
    Inputs {
        /// The element with several inputs.
        element: String,
        /// One upstream element.
        first: String,
        /// What it sends.
        first_caps: Caps,
        /// Another upstream element.
        second: String,
        /// What it sends.
        second_caps: Caps,
        /// The fields that could not agree.
        conflicts: Vec<CapsConflict>,
    },
}

fn describe_link(
    upstream: &str,
    upstream_pad: &str,
    downstream: &str,
    downstream_pad: &str,
    offered: &Caps,
    accepted: &Caps,
    conflicts: &[CapsConflict],
) -> String {
    format!(
        "could not negotiate caps between '{upstream}.{upstream_pad}' and '{downstream}.{downstream_pad}': \
         '{upstream}' can produce {offered} but '{downstream}' accepts {accepted}{}",
        join_conflicts(conflicts)
    )
}

fn join_conflicts(conflicts: &[CapsConflict]) -> String {
    if conflicts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = conflicts.iter().map(ToString::to_string).collect();
    format!(" ({})", parts.join("; "))
}

/// The template caps of pad `index` of `node` in `direction` (ANY when unknown).
pub(crate) fn template_caps(
    graph: &Graph,
    node: NodeId,
    direction: PadDirection,
    index: usize,
) -> Caps {
    let n = graph.node(node);
    let names = n.pad_names(direction);
    let Some(pad) = names.get(index) else {
        return Caps::any();
    };
    n.factory
        .info()
        .templates(direction)
        .find(|t: &&PadTemplate| t.matches(pad).is_some())
        .map_or_else(Caps::any, |t| t.caps.clone())
}

/// The presence of the template that pad `index` of `node` in `direction` comes from.
fn template_presence(
    graph: &Graph,
    node: NodeId,
    direction: PadDirection,
    index: usize,
) -> Option<PadPresence> {
    let n = graph.node(node);
    let pad = n.pad_names(direction).into_iter().nth(index)?;
    n.factory
        .info()
        .templates(direction)
        .find(|t| t.matches(&pad).is_some())
        .map(|t| t.presence)
}

fn pad_name(graph: &Graph, node: NodeId, direction: PadDirection, index: usize) -> String {
    graph
        .node(node)
        .pad_names(direction)
        .get(index)
        .cloned()
        .unwrap_or_else(|| format!("{direction}{index}"))
}

struct Accepts {
    /// Per node, per sink pad: what that pad accepts.
    sink: Vec<Vec<Caps>>,
    /// Per node, per src pad: what may leave that pad (template ∩ downstream).
    src: Vec<Vec<Caps>>,
}

/// Negotiates every link of `graph`, stores the fixed caps on the links and tells each
/// element its caps through `set_caps`.
///
/// # Errors
///
/// [`PipelineError::Negotiation`] when two elements cannot agree;
/// [`PipelineError::Element`] when an element refuses the caps it was given.
pub fn negotiate(graph: &mut Graph) -> Result<(), PipelineError> {
    let order = graph.topological_order();
    let accepts = backward(graph, &order)?;
    // Kept on the links for caps changes mid-stream (`executor/renegotiate.rs`).
    for &id in &order {
        for (p, allowed) in accepts.src[id.index()].iter().enumerate() {
            graph.set_link_accepts(id, p, allowed.clone());
        }
    }
    forward(graph, &order, &accepts)
}

fn backward(graph: &Graph, order: &[NodeId]) -> Result<Accepts, PipelineError> {
    let count = graph.len();
    let mut accepts = Accepts {
        sink: vec![Vec::new(); count],
        src: vec![Vec::new(); count],
    };
    for &id in order.iter().rev() {
        let node = graph.node(id);
        let Some(element) = node.element.as_ref() else {
            continue;
        };
        let element = element.base();
        let n_src = node.src_pads.len();
        let mut src_allowed = Vec::with_capacity(n_src);
        let mut combined = Caps::any();
        let mut combined_from: Option<(NodeId, Caps)> = None;
        for p in 0..n_src {
            let template = template_caps(graph, id, PadDirection::Src, p);
            let (child, link) = match graph.link_from(id, p) {
                Some(found) => found,
                None => {
                    src_allowed.push(template);
                    continue;
                }
            };
            let down = accepts.sink[child.index()]
                .get(link.sink_pad)
                .cloned()
                .unwrap_or_else(Caps::any);
            let allowed = template.intersect(&down);
            if allowed.is_empty() {
                return Err(link_error(
                    graph,
                    id,
                    p,
                    child,
                    link.sink_pad,
                    &template,
                    &down,
                ));
            }
            // Each sometimes pad carries its own stream (a demuxer's video and audio), so
            // its branch need not agree with the others; only same-stream outputs (tee)
            // constrain the input together.
            if template_presence(graph, id, PadDirection::Src, p) == Some(PadPresence::Sometimes) {
                src_allowed.push(allowed);
                continue;
            }
            let next = combined.intersect(&allowed);
            if next.is_empty()
                && let Some((first, first_caps)) = &combined_from
            {
                return Err(NegotiationError::Branches {
                    element: node.name.clone(),
                    first: graph.node(*first).name.clone(),
                    first_caps: first_caps.clone(),
                    second: graph.node(child).name.clone(),
                    second_caps: allowed.clone(),
                    conflicts: first_caps.explain_mismatch(&allowed),
                }
                .into());
            }
            if combined_from.is_none() {
                combined_from = Some((child, allowed.clone()));
            }
            combined = next;
            src_allowed.push(allowed);
        }
        let n_sink = node.sink_pads.len();
        let mut sink_accepts = Vec::with_capacity(n_sink);
        for s in 0..n_sink {
            let template = template_caps(graph, id, PadDirection::Sink, s);
            let wanted = if n_src == 0 {
                Caps::any()
            } else {
                element.transform_caps(PadDirection::Src, &combined)
            };
            let accepted = template.intersect(&wanted);
            if accepted.is_empty() {
                // What this element could produce at best, against what downstream takes.
                let offered = element.transform_caps(PadDirection::Sink, &template);
                if let Some((child, link)) = graph.link_from(id, 0) {
                    return Err(link_error(
                        graph,
                        id,
                        0,
                        child,
                        link.sink_pad,
                        &offered,
                        &combined,
                    ));
                }
            }
            sink_accepts.push(accepted);
        }
        accepts.sink[id.index()] = sink_accepts;
        accepts.src[id.index()] = src_allowed;
    }
    Ok(accepts)
}

fn forward(graph: &mut Graph, order: &[NodeId], accepts: &Accepts) -> Result<(), PipelineError> {
    for &id in order {
        let n_sink = graph.node(id).sink_pads.len();
        let n_src = graph.node(id).src_pads.len();
        let mut inputs = Vec::with_capacity(n_sink);
        let mut combined = Caps::any();
        let mut first_input: Option<(NodeId, Caps)> = None;
        for s in 0..n_sink {
            let Some((parent, link)) = graph.link_into(id, s) else {
                continue;
            };
            let caps = link.caps.clone().unwrap_or_else(Caps::any);
            // A muxer's inputs come from several templates (`video_%u`, `audio_%u`) and
            // carry different streams; only same-template inputs (funnel) must agree.
            if graph
                .node(id)
                .factory
                .info()
                .templates(PadDirection::Sink)
                .count()
                > 1
            {
                inputs.push(caps);
                continue;
            }
            let next = combined.intersect(&caps);
            if next.is_empty()
                && let Some((first, first_caps)) = &first_input
            {
                return Err(NegotiationError::Inputs {
                    element: graph.node(id).name.clone(),
                    first: graph.node(*first).name.clone(),
                    first_caps: first_caps.clone(),
                    second: graph.node(parent).name.clone(),
                    second_caps: caps.clone(),
                    conflicts: first_caps.explain_mismatch(&caps),
                }
                .into());
            }
            if first_input.is_none() {
                first_input = Some((parent, caps.clone()));
            }
            combined = next;
            inputs.push(caps);
        }
        let mut outputs = Vec::with_capacity(n_src);
        for p in 0..n_src {
            let template = template_caps(graph, id, PadDirection::Src, p);
            let allowed = accepts.src[id.index()]
                .get(p)
                .cloned()
                .unwrap_or_else(Caps::any);
            let node = graph.node(id);
            let Some(element) = node.element.as_ref() else {
                continue;
            };
            let element = element.base();
            let offered = if n_sink == 0 {
                template
            } else {
                element
                    .transform_caps(PadDirection::Sink, &combined)
                    .intersect(&template)
            };
            let candidates = offered.intersect(&allowed);
            if candidates.is_empty()
                && let Some((child, link)) = graph.link_from(id, p)
            {
                return Err(link_error(
                    graph,
                    id,
                    p,
                    child,
                    link.sink_pad,
                    &offered,
                    &allowed,
                ));
            }
            let fixed = element.fixate_caps(p, candidates);
            outputs.push(fixed.clone());
            graph.set_link_caps(id, p, fixed);
        }
        let node = graph.node_mut(id);
        let name = node.name.clone();
        if let Some(element) = node.element.as_mut() {
            element
                .base_mut()
                .set_caps(&inputs, &outputs)
                .map_err(|error| PipelineError::Element {
                    element: name,
                    error,
                })?;
        }
    }
    Ok(())
}

fn link_error(
    graph: &Graph,
    upstream: NodeId,
    upstream_pad: usize,
    downstream: NodeId,
    downstream_pad: usize,
    offered: &Caps,
    accepted: &Caps,
) -> PipelineError {
    NegotiationError::Link {
        upstream: graph.node(upstream).name.clone(),
        upstream_pad: pad_name(graph, upstream, PadDirection::Src, upstream_pad),
        downstream: graph.node(downstream).name.clone(),
        downstream_pad: pad_name(graph, downstream, PadDirection::Sink, downstream_pad),
        offered: offered.clone(),
        accepted: accepted.clone(),
        conflicts: offered.explain_mismatch(accepted),
    }
    .into()
}

impl fmt::Display for crate::graph::Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.caps {
            Some(c) => write!(f, "{c}"),
            None => f.write_str("(not negotiated)"),
        }
    }
}
