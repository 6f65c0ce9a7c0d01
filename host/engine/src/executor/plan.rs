//! Cutting the graph into segments (streaming threads) and wiring them together.
//!
//! A segment starts at a source, at an element that asks for a thread boundary in
//! front of it (`queue`), or at an element with several inputs (funnel, selectors,
//! concat: each input keeps its own thread, as in GStreamer where such elements sit behind
//! queues). Every other element joins the segment of its single upstream neighbour, so
//! a chain without queues is one thread of direct calls.

use std::sync::Arc;

use parallax_core::memory::CpuArena;
use parallax_core::{AnyElement, QueueLimits};

use super::control::Control;
use super::link::Link;
use super::node::{NodeRt, NodeStats, Route};
use super::parker::Parker;
use super::renegotiate::NodeCaps;
use super::segment::{Entry, Segment};
use crate::error::PipelineError;
use crate::graph::{Graph, NodeId};
use crate::pipeline::ChildIsolation;

/// Bytes each source's pool may span. Small buffers get many slots, so a chain of queues
/// can hold enough of them to keep every thread busy (a pool that is too small leaves the
/// queues nearly empty and every hop sleeping and waking); large frames get few. memfd
/// pages are only backed once written, and slots are reused lowest-first, so a pipeline
/// without queues touches only a handful of them.
const SOURCE_POOL_BYTES: usize = 16 * 1024 * 1024;
/// Fewest and most slots in a source's pool.
const SOURCE_POOL_SLOTS: (usize, usize) = (8, 1024);

/// Slots for a source pool of `slot_size`-byte buffers.
fn source_pool_slots(slot_size: usize) -> usize {
    (SOURCE_POOL_BYTES / slot_size.max(1)).clamp(SOURCE_POOL_SLOTS.0, SOURCE_POOL_SLOTS.1)
}

/// Limits of the implicit link in front of each input of a multi-input element.
const MULTI_INPUT_LIMITS: QueueLimits = QueueLimits {
    max_buffers: 16,
    max_bytes: 0,
    max_time: parallax_core::ClockTime::ZERO,
    leaky: parallax_core::Leaky::No,
};

pub(crate) struct Plan {
    pub(crate) segments: Vec<Segment>,
    pub(crate) stats: Vec<(String, Arc<NodeStats>)>,
    pub(crate) sinks: usize,
}

/// Takes the elements out of `graph` and distributes them over segments.
pub(crate) fn plan(
    graph: &mut Graph,
    control: &Arc<Control>,
    runtime: Option<tokio::runtime::Handle>,
    children: Option<&Arc<ChildIsolation>>,
) -> Result<Plan, PipelineError> {
    let order = graph.topological_order();
    let count = graph.len();
    // Which segment each node belongs to, and its index inside it.
    let mut segment_of: Vec<usize> = vec![usize::MAX; count];
    let mut local_of: Vec<usize> = vec![usize::MAX; count];
    let mut members: Vec<Vec<NodeId>> = Vec::new();
    let mut is_entry = vec![false; count];

    for &id in &order {
        let node = graph.node(id);
        let Some(element) = node.element.as_ref() else {
            return Err(PipelineError::Engine(format!(
                "element '{}' was lost by an earlier run",
                node.name
            )));
        };
        let inputs = node.sink_pads.len();
        let entry = element.is_source() || inputs != 1 || element.base().queue_limits().is_some();
        let segment = if entry {
            members.push(Vec::new());
            members.len() - 1
        } else {
            let parent = graph.link_into(id, 0).map(|(p, _)| p);
            match parent {
                Some(p) => segment_of[p.index()],
                None => {
                    members.push(Vec::new());
                    members.len() - 1
                }
            }
        };
        is_entry[id.index()] = entry;
        segment_of[id.index()] = segment;
        local_of[id.index()] = members[segment].len();
        members[segment].push(id);
    }

    let parkers: Vec<Arc<Parker>> = members.iter().map(|_| Arc::new(Parker::new())).collect();
    let mut entry_links: Vec<Vec<Option<Arc<Link>>>> = (0..count).map(|_| Vec::new()).collect();
    let mut routes: Vec<Vec<Option<Route>>> = (0..count).map(|_| Vec::new()).collect();
    for &id in &order {
        let node = graph.node(id);
        routes[id.index()] = (0..node.src_pads.len()).map(|_| None).collect();
        entry_links[id.index()] = (0..node.sink_pads.len()).map(|_| None).collect();
    }
    let links: Vec<_> = graph
        .links()
        .map(|(from, to, l)| (from, to, l.src_pad, l.sink_pad))
        .collect();
    for (from, to, src_pad, sink_pad) in links {
        let target = graph.node(to);
        let crosses = is_entry[to.index()];
        let route = if crosses {
            let limits = target
                .element
                .as_ref()
                .and_then(|e| e.base().queue_limits())
                .unwrap_or(MULTI_INPUT_LIMITS);
            let link = Arc::new(Link::new(
                limits,
                Arc::clone(&parkers[segment_of[from.index()]]),
                Arc::clone(&parkers[segment_of[to.index()]]),
            ));
            entry_links[to.index()][sink_pad] = Some(Arc::clone(&link));
            Route::Link(link)
        } else {
            Route::Local {
                node: local_of[to.index()],
                pad: sink_pad,
            }
        };
        routes[from.index()][src_pad] = Some(route);
    }

    let mut stats = Vec::with_capacity(count);
    let mut sinks = 0;
    let mut segments = Vec::with_capacity(members.len());
    for (index, ids) in members.iter().enumerate() {
        let mut nodes = Vec::with_capacity(ids.len());
        for &id in ids {
            let caps = NodeCaps::from_graph(graph, id);
            let node = graph.node_mut(id);
            let name: Arc<str> = Arc::from(node.name.as_str());
            let Some(element) = node.element.take() else {
                continue;
            };
            if element.is_sink() {
                sinks += 1;
            }
            let node_routes: Vec<Route> = std::mem::take(&mut routes[id.index()])
                .into_iter()
                .enumerate()
                .map(|(pad, r)| {
                    r.ok_or_else(|| {
                        PipelineError::Engine(format!("src pad {pad} of '{name}' has no route"))
                    })
                })
                .collect::<Result<_, _>>()?;
            let node_stats = Arc::new(NodeStats::default());
            stats.push((node.name.clone(), Arc::clone(&node_stats)));
            let sink_pads = node.sink_pads.len();
            let mut rt = NodeRt::new(id, name, element, node_routes, sink_pads, node_stats);
            rt.caps = caps;
            rt.state
                .set_clock(Arc::clone(control) as Arc<dyn parallax_core::PipelineClock>);
            if let Some(children) = children {
                rt.state.set_child_factory(children.for_node(&rt.name));
            }
            let buffer_size = match &rt.element {
                AnyElement::Source(s) => Some(s.buffer_size()),
                AnyElement::AsyncSource(s) => Some(s.buffer_size()),
                _ => None,
            };
            if let Some(size) = buffer_size {
                let pool = CpuArena::new(&rt.name, size, source_pool_slots(size)).map_err(|e| {
                    PipelineError::Engine(format!(
                        "cannot allocate the buffer pool of '{}': {e}",
                        rt.name
                    ))
                })?;
                rt.pool = Some(pool);
            }
            nodes.push(rt);
        }
        let first = ids[0];
        let entry = if nodes.first().is_some_and(|n| n.element.is_source()) {
            Entry::Source(0)
        } else {
            let links = std::mem::take(&mut entry_links[first.index()])
                .into_iter()
                .map(|l| {
                    l.ok_or_else(|| {
                        PipelineError::Engine("an input of a segment has no link".into())
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Entry::Inputs { node: 0, links }
        };
        let name = format!("px-{}", nodes.first().map_or("segment", |n| &n.name));
        segments.push(Segment::new(
            name,
            nodes,
            entry,
            Arc::clone(control),
            Arc::clone(&parkers[index]),
            runtime.clone(),
        ));
    }
    control
        .parkers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend(parkers);
    Ok(Plan {
        segments,
        stats,
        sinks,
    })
}
