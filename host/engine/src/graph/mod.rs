//! The pipeline graph: element instances as nodes, pad-to-pad links as edges.
//!
//! Built on daggy, so a link that would close a cycle is refused when it is added, with
//! both elements named. Pads are created here: always-pads when an element is added,
//! request pads (`tee`'s `src_%u`) when a link asks for one.

mod from_ast;
mod pads;

pub use from_ast::{ComponentResolver, build_from_ast};
pub(crate) use pads::PadSet;

use daggy::EdgeIndex;
use daggy::petgraph::Direction;
use daggy::petgraph::visit::EdgeRef;
use daggy::{Dag, NodeIndex};

use parallax_core::{AnyElement, Caps, ElementFactory, PadDirection, Value};

use crate::error::GraphError;

/// One element in the graph.
pub struct Node {
    /// Unique name (`fakesrc0`, or the `name=` given).
    pub name: String,
    /// The factory that made it.
    pub factory: ElementFactory,
    /// The instance; `None` while a running executor holds it.
    pub element: Option<AnyElement>,
    /// Sink pads, in index order.
    pub(crate) sink_pads: PadSet,
    /// Src pads, in index order.
    pub(crate) src_pads: PadSet,
    /// Properties set explicitly, for `graph` output and `-v`.
    pub properties: Vec<(String, Value)>,
}

impl Node {
    /// Names of the pads of one direction, in index order.
    pub fn pad_names(&self, direction: PadDirection) -> Vec<String> {
        match direction {
            PadDirection::Sink => self.sink_pads.names(),
            PadDirection::Src => self.src_pads.names(),
        }
    }
}

/// One link between a src pad and a sink pad.
#[derive(Debug, Clone)]
pub struct Link {
    /// Index of the src pad on the upstream node.
    pub src_pad: usize,
    /// Index of the sink pad on the downstream node.
    pub sink_pad: usize,
    /// Caps fixed by negotiation, once prepared.
    pub caps: Option<Caps>,
    /// What the downstream pad accepts, considering every element after it (negotiation's
    /// backward pass): what a caps change mid-stream must stay within.
    pub accepts: Option<Caps>,
}

/// A node's position in the graph.
pub type NodeId = NodeIndex<u32>;

/// The graph of a pipeline.
#[derive(Default)]
pub struct Graph {
    dag: Dag<Node, Link, u32>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an element under a unique `name`.
    ///
    /// # Errors
    ///
    /// [`GraphError::DuplicateName`] when the name is taken.
    pub fn add(
        &mut self,
        name: String,
        factory: ElementFactory,
        element: AnyElement,
        properties: Vec<(String, Value)>,
    ) -> Result<NodeId, GraphError> {
        if self.find(&name).is_some() {
            return Err(GraphError::DuplicateName(name));
        }
        let info = factory.info();
        let sink_pads = PadSet::new(info, PadDirection::Sink);
        let src_pads = PadSet::new(info, PadDirection::Src);
        Ok(self.dag.add_node(Node {
            name,
            factory,
            element: Some(element),
            sink_pads,
            src_pads,
            properties,
        }))
    }

    /// A name not used yet, `<factory><n>` as GStreamer names elements.
    pub fn unique_name(&self, factory: &str) -> String {
        (0..)
            .map(|n| format!("{factory}{n}"))
            .find(|candidate| self.find(candidate).is_none())
            .unwrap_or_else(|| factory.to_owned())
    }

    /// The node called `name`.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.dag
            .raw_nodes()
            .iter()
            .position(|n| n.weight.name == name)
            .map(NodeIndex::new)
    }

    /// Links `src` to `sink`, choosing or requesting pads. `None` pad names take the
    /// first free always-pad, else a new request pad.
    ///
    /// # Errors
    ///
    /// [`GraphError`] when a pad does not exist, is taken, or the link closes a cycle.
    pub fn link(
        &mut self,
        src: NodeId,
        src_pad: Option<&str>,
        sink: NodeId,
        sink_pad: Option<&str>,
    ) -> Result<(), GraphError> {
        if src == sink {
            let name = self.dag[src].name.clone();
            return Err(GraphError::Cycle {
                from: name.clone(),
                to: name,
            });
        }
        let src_index = {
            let node = &mut self.dag[src];
            let info = node.factory.info_arc();
            node.src_pads.claim(&info, &node.name, src_pad)?
        };
        let sink_index = {
            let node = &mut self.dag[sink];
            let info = node.factory.info_arc();
            match node.sink_pads.claim(&info, &node.name, sink_pad) {
                Ok(i) => i,
                Err(e) => {
                    self.dag[src].src_pads.release(src_index);
                    return Err(e);
                }
            }
        };
        let link = Link {
            src_pad: src_index,
            sink_pad: sink_index,
            caps: None,
            accepts: None,
        };
        if self.dag.add_edge(src, sink, link).is_err() {
            self.dag[src].src_pads.release(src_index);
            self.dag[sink].sink_pads.release(sink_index);
            return Err(GraphError::Cycle {
                from: self.dag[src].name.clone(),
                to: self.dag[sink].name.clone(),
            });
        }
        Ok(())
    }

    /// The node at `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.dag[id]
    }

    /// The node at `id`, mutably.
    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.dag[id]
    }

    /// All node ids, in insertion order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.dag.node_count()).map(NodeIndex::new)
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.dag.node_count()
    }

    /// Whether the graph has no elements.
    pub fn is_empty(&self) -> bool {
        self.dag.node_count() == 0
    }

    /// All links as `(upstream, downstream, link)`.
    pub fn links(&self) -> impl Iterator<Item = (NodeId, NodeId, &Link)> {
        self.dag
            .graph()
            .edge_references()
            .map(|e| (e.source(), e.target(), e.weight()))
    }

    /// Nodes in an order where every upstream node comes before its downstream nodes.
    pub fn topological_order(&self) -> Vec<NodeId> {
        // A daggy `Dag` is acyclic by construction, so the sort cannot fail.
        daggy::petgraph::algo::toposort(self.dag.graph(), None).unwrap_or_default()
    }

    /// The link feeding sink pad `pad` of `node`, as `(upstream node, link)`.
    pub fn link_into(&self, node: NodeId, pad: usize) -> Option<(NodeId, &Link)> {
        self.dag
            .graph()
            .edges_directed(node, Direction::Incoming)
            .map(|e| (e.source(), e.weight()))
            .find(|(_, l)| l.sink_pad == pad)
    }

    /// The link leaving src pad `pad` of `node`, as `(downstream node, link)`.
    pub fn link_from(&self, node: NodeId, pad: usize) -> Option<(NodeId, &Link)> {
        self.dag
            .graph()
            .edges_directed(node, Direction::Outgoing)
            .map(|e| (e.target(), e.weight()))
            .find(|(_, l)| l.src_pad == pad)
    }

    fn edges(&self, node: NodeId, direction: Direction) -> Vec<EdgeIndex<u32>> {
        self.dag
            .graph()
            .edges_directed(node, direction)
            .map(|e| e.id())
            .collect()
    }

    /// Sets the negotiated caps of the link leaving src pad `pad` of `node`.
    /// Records what the pad downstream of `node`'s src pad `pad` accepts.
    pub(crate) fn set_link_accepts(&mut self, node: NodeId, pad: usize, accepts: Caps) {
        let edge = self
            .edges(node, Direction::Outgoing)
            .into_iter()
            .find(|e| self.dag[*e].src_pad == pad);
        if let Some(edge) = edge {
            self.dag[edge].accepts = Some(accepts);
        }
    }

    pub(crate) fn set_link_caps(&mut self, node: NodeId, pad: usize, caps: Caps) {
        let edge = self
            .edges(node, Direction::Outgoing)
            .into_iter()
            .find(|e| self.dag[*e].src_pad == pad);
        if let Some(edge) = edge {
            self.dag[edge].caps = Some(caps);
        }
    }

    /// Renumbers request pads by their number and fixes link indices to match, so that
    /// pad index `i` is the i-th pad in name order (`sink_0`, `sink_1`, ...).
    pub(crate) fn normalise_pads(&mut self) {
        for id in self.node_ids().collect::<Vec<_>>() {
            let sink_map = self.dag[id].sink_pads.sort();
            let src_map = self.dag[id].src_pads.sort();
            for e in self.edges(id, Direction::Incoming) {
                let link = &mut self.dag[e];
                link.sink_pad = sink_map[link.sink_pad];
            }
            for e in self.edges(id, Direction::Outgoing) {
                let link = &mut self.dag[e];
                link.src_pad = src_map[link.src_pad];
            }
        }
    }

    /// Every always-pad must be linked: the first one that is not, as (element, pad).
    pub(crate) fn unlinked_pad(&self) -> Option<(String, String, PadDirection)> {
        for id in self.node_ids() {
            let node = &self.dag[id];
            for (direction, pads) in [
                (PadDirection::Sink, &node.sink_pads),
                (PadDirection::Src, &node.src_pads),
            ] {
                if let Some(pad) = pads.first_unlinked() {
                    return Some((node.name.clone(), pad, direction));
                }
            }
        }
        None
    }
}
