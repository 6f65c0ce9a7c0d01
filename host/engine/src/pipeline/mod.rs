//! The embedding API: build, run and control pipelines.
//!
//! # Examples
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), parallax_engine::PipelineError> {
//! use parallax_engine::{Message, Pipeline};
//!
//! let mut pipeline = Pipeline::builder()
//!     .element("fakesrc", "src", &[("num-buffers", "10")])
//!     .element("fakesink", "sink", &[])
//!     .link("src", "sink")
//!     .build()?;
//! let mut bus = pipeline.bus();
//! pipeline.run().await?;
//! let mut saw_eos = false;
//! while let Some(message) = bus.try_recv() {
//!     saw_eos |= message == Message::Eos;
//! }
//! assert!(saw_eos);
//! # Ok(())
//! # }
//! ```

mod builder;
mod controller;
mod isolation;
pub(crate) use isolation::ChildIsolation;
#[cfg(feature = "wasm")]
mod reload;
#[cfg(feature = "wasm")]
mod watch;

use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parallax_core::{Caps, PadDirection, Registry, Value};

pub use builder::PipelineBuilder;
pub use controller::PipelineController;
use controller::Shared;
#[cfg(feature = "wasm")]
pub use watch::ComponentWatcher;

use crate::bus::{Bus, BusReceiver, ElementStats, Message};
use crate::error::{GraphError, PipelineError};
use crate::executor::Executor;
use crate::graph::{ComponentResolver, Graph, build_from_ast};
use crate::state::State;

/// How often `run()` posts throughput counters on the bus.
const STATS_INTERVAL: Duration = Duration::from_secs(1);

/// A negotiated link, as `-v` and `graph` show it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkInfo {
    /// Upstream element.
    pub src_element: String,
    /// Its src pad.
    pub src_pad: String,
    /// Downstream element.
    pub sink_element: String,
    /// Its sink pad.
    pub sink_pad: String,
    /// Negotiated caps (`None` before negotiation).
    pub caps: Option<Caps>,
}

/// What a completed run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Wall time from start to end of stream.
    pub elapsed: Duration,
    /// Counters of every element.
    pub elements: Vec<ElementStats>,
}

impl RunSummary {
    /// Buffers that entered (or, for a source, left) `element`.
    pub fn buffers(&self, element: &str) -> Option<u64> {
        self.elements
            .iter()
            .find(|e| e.element == element)
            .map(|e| e.buffers)
    }

    /// Bytes that entered (or left) `element`.
    pub fn bytes(&self, element: &str) -> Option<u64> {
        self.elements
            .iter()
            .find(|e| e.element == element)
            .map(|e| e.bytes)
    }
}

/// A pipeline: a graph of elements plus its state, bus and threads.
pub struct Pipeline {
    graph: Graph,
    shared: Arc<Shared>,
    executor: Option<Executor>,
    isolation: isolation::IsolationSettings,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("elements", &self.graph.len())
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Parses gst-launch text with the built-in elements.
    ///
    /// # Errors
    ///
    /// [`PipelineError::Syntax`] with file:line:column, or a graph error.
    pub fn parse(text: &str) -> Result<Self, PipelineError> {
        Self::parse_with(crate::default_registry(), text, "<pipeline>")
    }

    /// Reads and parses a `.px` file with the built-in elements.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::parse`], or [`PipelineError::Engine`] when the file cannot be read.
    pub fn parse_file(path: impl AsRef<Path>) -> Result<Self, PipelineError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| PipelineError::Engine(format!("cannot read {}: {e}", path.display())))?;
        Self::parse_with(
            crate::default_registry(),
            &text,
            &path.display().to_string(),
        )
    }

    /// Parses `text` with the elements of `registry`; `file` names the text in errors.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::parse`].
    pub fn parse_with(
        registry: Arc<Registry>,
        text: &str,
        file: &str,
    ) -> Result<Self, PipelineError> {
        Self::parse_with_components(registry, crate::default_components(), text, file)
    }

    /// Parses `text` with the elements of `registry`, loading components given by path
    /// with `components` (`None`: such paths are an error).
    ///
    /// # Errors
    ///
    /// As [`Pipeline::parse`]; a component that cannot be loaded is reported at its path.
    pub fn parse_with_components(
        registry: Arc<Registry>,
        components: Option<&dyn ComponentResolver>,
        text: &str,
        file: &str,
    ) -> Result<Self, PipelineError> {
        let ast =
            crate::parse::parse(text).map_err(|e| PipelineError::Syntax(e.render(file, text)))?;
        let graph = build_from_ast(&registry, components, &ast, file, text)?;
        Ok(Self::from_graph(graph))
    }

    /// A builder for pipelines made in code, with the built-in elements.
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder::new(crate::default_registry())
    }

    /// A pipeline over an existing graph.
    pub fn from_graph(graph: Graph) -> Self {
        let shared = Arc::new(Shared::new(Bus::new()));
        {
            let mut handles = shared.handles.lock().unwrap_or_else(|p| p.into_inner());
            let mut infos = shared.infos.lock().unwrap_or_else(|p| p.into_inner());
            for id in graph.node_ids() {
                let node = graph.node(id);
                infos.insert(node.name.clone(), node.factory.info_arc());
                if let Some(handle) = node.element.as_ref().and_then(|e| e.base().app_handle()) {
                    handles.insert(node.name.clone(), handle);
                }
            }
        }
        Pipeline {
            graph,
            shared,
            executor: None,
            isolation: isolation::IsolationSettings::default(),
        }
    }

    /// The graph (elements, links, negotiated caps).
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.shared.state()
    }

    /// A receiver of every bus message from now on.
    pub fn bus(&self) -> BusReceiver {
        self.shared.bus.subscribe()
    }

    /// A cloneable handle to pause, resume, flush, end or reconfigure the pipeline while
    /// it runs.
    pub fn controller(&self) -> PipelineController {
        PipelineController {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The application handle of element `name` (an appsrc's or appsink's), if it has one
    /// of type `T`.
    pub fn handle<T: Any + Send + Sync>(&self, name: &str) -> Option<Arc<T>> {
        self.shared
            .handle(name)
            .and_then(|h| h.downcast::<T>().ok())
    }

    /// Checks the graph and negotiates caps without starting anything (`parallax validate`).
    ///
    /// # Errors
    ///
    /// [`PipelineError::Graph`] for unlinked pads, [`PipelineError::Negotiation`] when caps
    /// cannot agree, [`PipelineError::State`] unless suspended.
    pub fn validate(&mut self) -> Result<(), PipelineError> {
        let state = self.state();
        if state != State::Suspended {
            return Err(PipelineError::State {
                action: "negotiate",
                state,
            });
        }
        if self.graph.is_empty() {
            return Err(PipelineError::Engine("the pipeline has no elements".into()));
        }
        self.graph.normalise_pads();
        if let Some((element, pad, direction)) = self.graph.unlinked_pad() {
            return Err(GraphError::Unlinked {
                element,
                pad,
                direction,
            }
            .into());
        }
        for id in self.graph.node_ids().collect::<Vec<_>>() {
            let node = self.graph.node_mut(id);
            let sink = node.pad_names(PadDirection::Sink);
            let src = node.pad_names(PadDirection::Src);
            let name = node.name.clone();
            if let Some(element) = node.element.as_mut() {
                element
                    .base_mut()
                    .configure_pads(&sink, &src)
                    .map_err(|error| PipelineError::Element {
                        element: name,
                        error,
                    })?;
            }
        }
        crate::negotiate::negotiate(&mut self.graph)
    }

    /// Suspended → Idle: negotiates caps, starts every element and its streaming thread,
    /// paused.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::validate`], or [`PipelineError::Element`] when an element cannot
    /// start (elements started before it are stopped again).
    pub fn prepare(&mut self) -> Result<(), PipelineError> {
        if self.state() == State::Suspended {
            self.apply_isolation()?;
        }
        self.validate()?;
        let ids: Vec<_> = self.graph.node_ids().collect();
        for (i, &id) in ids.iter().enumerate() {
            let node = self.graph.node_mut(id);
            let name = node.name.clone();
            let Some(element) = node.element.as_mut() else {
                continue;
            };
            if let Err(error) = element.base_mut().start() {
                for &started in &ids[..i] {
                    if let Some(e) = self.graph.node_mut(started).element.as_mut() {
                        let _ = e.base_mut().stop();
                    }
                }
                return Err(PipelineError::Element {
                    element: name,
                    error,
                });
            }
        }
        let children = self.isolation.children.clone();
        let executor = match Executor::start(&mut self.graph, self.shared.bus.clone(), children) {
            Ok(executor) => executor,
            Err(e) => {
                self.stop_elements();
                return Err(e);
            }
        };
        if self.shared.pending_eos.load(Ordering::Acquire) {
            executor
                .control
                .eos_requested
                .store(true, Ordering::Release);
        }
        *self
            .shared
            .control
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&executor.control));
        self.executor = Some(executor);
        self.shared.set_state(State::Idle);
        Ok(())
    }

    /// Idle → Running: data starts to flow.
    ///
    /// # Errors
    ///
    /// [`PipelineError::State`] unless the pipeline is prepared and idle.
    pub fn activate(&mut self) -> Result<(), PipelineError> {
        self.controller().resume()
    }

    /// Starts data flow from any state but Error: prepares first when suspended, then
    /// activates (what `gst_element_set_state(PLAYING)` does).
    ///
    /// # Errors
    ///
    /// As [`Pipeline::prepare`]; [`PipelineError::State`] in the error state.
    pub fn play(&mut self) -> Result<(), PipelineError> {
        match self.state() {
            State::Suspended => self.prepare()?,
            State::Error => {
                return Err(PipelineError::State {
                    action: "play",
                    state: State::Error,
                });
            }
            State::Running => return Ok(()),
            State::Idle => {}
        }
        self.activate()
    }

    /// Running → Idle. See [`PipelineController::pause`].
    ///
    /// # Errors
    ///
    /// [`PipelineError::State`] unless running.
    pub fn pause(&mut self) -> Result<(), PipelineError> {
        self.controller().pause()
    }

    /// Any state → Suspended: stops the threads, stops every element, frees pools.
    pub fn suspend(&mut self) {
        if let Some(executor) = self.executor.take() {
            executor.stop(&mut self.graph);
        }
        *self
            .shared
            .control
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
        self.stop_elements();
        self.shared.pending_eos.store(false, Ordering::Release);
        self.shared.set_state(State::Suspended);
    }

    fn stop_elements(&mut self) {
        for id in self.graph.node_ids().collect::<Vec<_>>() {
            let node = self.graph.node_mut(id);
            let name = node.name.clone();
            if let Some(element) = node.element.as_mut()
                && let Err(error) = element.base_mut().stop()
            {
                self.shared.bus.post(Message::Warning {
                    element: name,
                    message: format!("failed to stop cleanly: {error}"),
                });
            }
        }
    }

    /// Sets a property from text while the pipeline is suspended or idle (for running
    /// pipelines use [`PipelineController::set_property`]).
    ///
    /// # Errors
    ///
    /// [`PipelineError::NoSuchElement`] or [`PipelineError::Property`].
    pub fn set_property(
        &mut self,
        element: &str,
        name: &str,
        text: &str,
    ) -> Result<(), PipelineError> {
        if self.executor.is_some() {
            return self.controller().set_property(element, name, text);
        }
        let id = self
            .graph
            .find(element)
            .ok_or_else(|| PipelineError::NoSuchElement(element.to_owned()))?;
        let node = self.graph.node_mut(id);
        let factory = node.factory.clone();
        let Some(instance) = node.element.as_mut() else {
            return Err(PipelineError::NoSuchElement(element.to_owned()));
        };
        let value = factory
            .set_property_from_str(instance, name, text)
            .map_err(|error| PipelineError::Property {
                element: element.to_owned(),
                error,
            })?;
        node.properties.retain(|(n, _)| n != name);
        node.properties.push((name.to_owned(), value));
        Ok(())
    }

    /// Reads a property of an element that is not running.
    ///
    /// # Errors
    ///
    /// [`PipelineError::NoSuchElement`] or [`PipelineError::Property`].
    pub fn property(&self, element: &str, name: &str) -> Result<Value, PipelineError> {
        let node = self
            .graph
            .find(element)
            .map(|id| self.graph.node(id))
            .ok_or_else(|| PipelineError::NoSuchElement(element.to_owned()))?;
        let instance = node.element.as_ref().ok_or_else(|| PipelineError::State {
            action: "read a property of a running element",
            state: self.state(),
        })?;
        instance
            .base()
            .property(name)
            .map_err(|error| PipelineError::Property {
                element: element.to_owned(),
                error,
            })
    }

    /// Every link with its negotiated caps.
    pub fn links(&self) -> Vec<LinkInfo> {
        self.graph
            .links()
            .map(|(from, to, link)| {
                let src = self.graph.node(from);
                let sink = self.graph.node(to);
                LinkInfo {
                    src_element: src.name.clone(),
                    src_pad: src
                        .pad_names(PadDirection::Src)
                        .get(link.src_pad)
                        .cloned()
                        .unwrap_or_default(),
                    sink_element: sink.name.clone(),
                    sink_pad: sink
                        .pad_names(PadDirection::Sink)
                        .get(link.sink_pad)
                        .cloned()
                        .unwrap_or_default(),
                    caps: link.caps.clone(),
                }
            })
            .collect()
    }

    /// The graph in Graphviz DOT.
    pub fn to_dot(&self) -> String {
        crate::dot::to_dot(&self.graph)
    }

    /// Current throughput counters (empty unless prepared).
    pub fn stats(&self) -> Vec<ElementStats> {
        self.executor
            .as_ref()
            .map(Executor::stats)
            .unwrap_or_default()
    }

    /// Runs to end of stream: prepares and plays if needed, waits for end of stream or an
    /// error, then suspends. Posts throughput counters on the bus every second.
    ///
    /// # Errors
    ///
    /// Any error of [`Pipeline::play`], or [`PipelineError::Element`] for the first element
    /// that failed while running.
    pub async fn run(&mut self) -> Result<RunSummary, PipelineError> {
        let mut bus = self.bus();
        let started = Instant::now();
        self.play()?;
        let mut ticker = tokio::time::interval(STATS_INTERVAL);
        ticker.tick().await;
        let outcome = loop {
            // The bus only carries what was posted after `bus` subscribed; a run that was
            // started earlier (play, then run) may already have ended.
            if let Some(ending) = self.executor.as_ref().and_then(|e| e.control.ending()) {
                break ending.map_err(|(element, error)| {
                    self.shared.set_state(State::Error);
                    PipelineError::Element { element, error }
                });
            }
            tokio::select! {
                message = bus.recv() => match message {
                    Some(Message::Eos | Message::Error { .. }) => continue,
                    Some(_) => {}
                    None => break Err(PipelineError::Engine("the bus closed".into())),
                },
                _ = ticker.tick() => {
                    let Some(executor) = &self.executor else {
                        break Err(PipelineError::Engine("the pipeline was suspended while running".into()));
                    };
                    self.shared.bus.post(Message::Stats {
                        running_time: executor.running_time(),
                        elements: executor.stats(),
                    });
                    if executor.is_finished() && executor.control.ending().is_none() {
                        break Err(PipelineError::Engine(
                            "every streaming thread stopped before end of stream".into(),
                        ));
                    }
                }
            }
        };
        let elements = self.stats();
        // Once every sink has end of stream nothing downstream wants more data, so threads
        // still running (an input a selector never read to its end) are stopped too.
        if let Some(executor) = self.executor.take() {
            executor.stop(&mut self.graph);
        }
        self.suspend();
        outcome.map(|()| RunSummary {
            elapsed: started.elapsed(),
            elements,
        })
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        if let Some(executor) = self.executor.take() {
            executor.stop(&mut self.graph);
            self.stop_elements();
        }
    }
}
