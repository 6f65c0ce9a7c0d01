//! One element as a streaming thread holds it: the instance, its scratch state, where
//! each of its src pads leads, and its counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parallax_core::memory::CpuArena;
use parallax_core::{AnyElement, BufferMut, ContextState};

use super::link::Link;
use super::renegotiate::NodeCaps;
use crate::graph::NodeId;

/// Where a src pad's buffers go.
#[derive(Debug)]
pub(crate) enum Route {
    /// A direct call into another element of the same streaming thread.
    Local { node: usize, pad: usize },
    /// Across a bounded link to another streaming thread.
    Link(Arc<Link>),
}

/// Counters one streaming thread writes and anyone may read.
#[derive(Debug, Default)]
pub(crate) struct NodeStats {
    pub(crate) buffers: AtomicU64,
    pub(crate) bytes: AtomicU64,
}

pub(crate) struct NodeRt {
    pub(crate) id: NodeId,
    pub(crate) name: Arc<str>,
    pub(crate) element: AnyElement,
    pub(crate) state: ContextState,
    pub(crate) routes: Vec<Route>,
    pub(crate) eos_in: Vec<bool>,
    pub(crate) eos_sent: bool,
    /// The element returned `Eos` from processing: it wants no more data.
    pub(crate) done: bool,
    /// The element panicked; it is never called again.
    pub(crate) poisoned: bool,
    pub(crate) sync: bool,
    pub(crate) pool: Option<CpuArena>,
    pub(crate) slot: Option<BufferMut>,
    pub(crate) stats: Arc<NodeStats>,
    /// Current and template caps of the pads, for mid-stream caps changes.
    pub(crate) caps: NodeCaps,
    buffers: u64,
    bytes: u64,
}

impl NodeRt {
    pub(crate) fn new(
        id: NodeId,
        name: Arc<str>,
        element: AnyElement,
        routes: Vec<Route>,
        sink_pads: usize,
        stats: Arc<NodeStats>,
    ) -> Self {
        let sync = match &element {
            AnyElement::Sink(s) => s.sync(),
            _ => false,
        };
        let state = ContextState::new(&name);
        NodeRt {
            id,
            name,
            element,
            state,
            routes,
            eos_in: vec![false; sink_pads],
            eos_sent: false,
            done: false,
            poisoned: false,
            sync,
            pool: None,
            slot: None,
            stats,
            caps: NodeCaps::default(),
            buffers: 0,
            bytes: 0,
        }
    }

    /// Counts one buffer. Only this thread writes the counters, so a plain store (no
    /// read-modify-write) publishes them.
    pub(crate) fn count(&mut self, bytes: usize) {
        self.buffers += 1;
        self.bytes += bytes as u64;
        self.stats.buffers.store(self.buffers, Ordering::Relaxed);
        self.stats.bytes.store(self.bytes, Ordering::Relaxed);
    }
}
