//! The executor: runs a prepared graph on streaming threads.
//!
//! A key design decision: data moves on dedicated streaming threads (one per segment,
//! see [`plan`]), as in GStreamer, while everything that waits — the application's
//! `run().await`, the bus, async I/O elements — lives on tokio. Per-buffer work never
//! hops through the async scheduler: a task wake-up costs microseconds, a direct call
//! nanoseconds, and that difference is the whole throughput budget at millions of
//! buffers per second. Async elements are driven from their streaming thread with
//! `Handle::block_on` on the pipeline's tokio runtime.

mod clock;
pub(crate) mod control;
mod link;
mod node;
mod parker;
mod plan;
mod renegotiate;
mod segment;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;

use parallax_core::ClockTime;

pub(crate) use control::{Control, PropertyCommand};
pub(crate) use node::NodeStats;

use crate::bus::{Bus, ElementStats};
use crate::error::PipelineError;
use crate::graph::Graph;
use crate::pipeline::ChildIsolation;
use node::NodeRt;

/// Streaming threads of one prepared pipeline.
pub(crate) struct Executor {
    pub(crate) control: Arc<Control>,
    threads: Vec<JoinHandle<Vec<NodeRt>>>,
    stats: Vec<(String, Arc<NodeStats>)>,
    /// A runtime of our own for async elements when the caller has none.
    own_runtime: Option<tokio::runtime::Runtime>,
}

impl Executor {
    /// Takes the elements out of `graph` and starts their threads, paused.
    pub(crate) fn start(
        graph: &mut Graph,
        bus: Bus,
        children: Option<Arc<ChildIsolation>>,
    ) -> Result<Self, PipelineError> {
        let needs_async = graph.node_ids().any(|id| {
            matches!(
                graph.node(id).element,
                Some(
                    parallax_core::AnyElement::AsyncSource(_)
                        | parallax_core::AnyElement::AsyncSink(_)
                )
            )
        });
        let (handle, own_runtime) = match tokio::runtime::Handle::try_current() {
            Ok(handle) => (Some(handle), None),
            Err(_) if needs_async => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name("px-async")
                    .enable_all()
                    .build()
                    .map_err(|e| {
                        PipelineError::Engine(format!("cannot start an async runtime: {e}"))
                    })?;
                (Some(runtime.handle().clone()), Some(runtime))
            }
            Err(_) => (None, None),
        };
        let control = Arc::new(Control::new(bus, 0));
        let plan = plan::plan(graph, &control, handle, children.as_ref())?;
        control.sinks_remaining.store(plan.sinks, Ordering::Release);
        let mut threads = Vec::with_capacity(plan.segments.len());
        let mut failure = None;
        let mut leftovers = Vec::new();
        for segment in plan.segments {
            if failure.is_some() {
                leftovers.push(segment);
                continue;
            }
            let parker = Arc::clone(&segment.parker);
            let name = segment.name().to_owned();
            match std::thread::Builder::new()
                .name(name.chars().take(15).collect())
                .spawn(move || segment.run())
            {
                Ok(handle) => {
                    parker.bind(handle.thread().clone());
                    threads.push(handle);
                }
                Err(e) => failure = Some(format!("cannot start streaming thread {name}: {e}")),
            }
        }
        let executor = Executor {
            control,
            threads,
            stats: plan.stats,
            own_runtime,
        };
        if let Some(message) = failure {
            for segment in leftovers {
                for node in segment.nodes {
                    graph.node_mut(node.id).element = Some(node.element);
                }
            }
            executor.stop(graph);
            return Err(PipelineError::Engine(message));
        }
        Ok(executor)
    }

    /// Current counters of every element.
    pub(crate) fn stats(&self) -> Vec<ElementStats> {
        self.stats
            .iter()
            .map(|(name, s)| ElementStats {
                element: name.clone(),
                buffers: s.buffers.load(Ordering::Relaxed),
                bytes: s.bytes.load(Ordering::Relaxed),
            })
            .collect()
    }

    pub(crate) fn running_time(&self) -> ClockTime {
        self.control.clock.running_time()
    }

    /// Whether every streaming thread has finished on its own (end of stream).
    pub(crate) fn is_finished(&self) -> bool {
        self.threads.iter().all(JoinHandle::is_finished)
    }

    /// Stops every thread (if still running), waits for them and puts the elements back
    /// into `graph`.
    pub(crate) fn stop(self, graph: &mut Graph) {
        self.control.stop();
        self.join(graph);
    }

    /// Waits for every thread and puts the elements back.
    fn join(self, graph: &mut Graph) {
        for thread in self.threads {
            // A streaming thread only panics on an engine bug (element panics are caught);
            // its elements are then lost and the next prepare reports that.
            if let Ok(nodes) = thread.join() {
                for node in nodes {
                    graph.node_mut(node.id).element = Some(node.element);
                }
            }
        }
        // Dropping a runtime blocks, which tokio forbids inside async code (`run().await`
        // may end here); its threads are idle by now, so let them go in the background.
        if let Some(runtime) = self.own_runtime {
            runtime.shutdown_background();
        }
    }
}
