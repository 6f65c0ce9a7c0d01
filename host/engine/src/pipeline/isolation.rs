//! Execution modes: which elements of a built pipeline run in sandboxed worker processes.
//!
//! A key design decision: isolation is decided when the pipeline is prepared, by
//! swapping an element's in-process instance for a [`SandboxProxy`] built from the same
//! factory and the properties recorded on its node. The pipeline text, its names, pads
//! and links do not change, and the same pipeline can run in any mode.
//!
//! `Isolation::Auto` (the default) isolates elements whose hints say native code or
//! untrusted. When no worker executable is known (the process did not go through
//! `parallax_sandbox::worker_entry` and `$PARALLAX_WORKER` is unset) such an element
//! stays in-process with a warning on the bus, because spawning an executable that does
//! not answer the internal subcommand would run that program again instead. An explicit
//! mode (`All`, `Patterns`) without a worker is an error instead.

use std::sync::Arc;

use parallax_core::{AnyElement, ChildFactory, ElementFactory, ElementImpl, Structure};
use parallax_sandbox::isolate::{Groups, placement, why_in_process};
use parallax_sandbox::{Isolation, SandboxConfig, SandboxProxy, WorkerGroup, worker_available};

use super::{Pipeline, RunSummary};
use crate::bus::Message;
use crate::error::PipelineError;

/// The isolation choices of one pipeline.
#[derive(Debug, Default)]
pub(super) struct IsolationSettings {
    pub(super) mode: Isolation,
    pub(super) config: Option<Arc<SandboxConfig>>,
    /// Set once proxies are in place, so preparing again does not wrap twice.
    pub(super) applied: bool,
    /// The elements now behind proxies.
    pub(super) isolated: Vec<String>,
    /// Their worker processes, each once, in the order of first use.
    pub(super) groups: Vec<Arc<WorkerGroup>>,
    /// How elements that build elements inside themselves (`decodebin`) create them:
    /// isolated by the same rules. `None` when nothing is isolated.
    pub(super) children: Option<Arc<ChildIsolation>>,
}

/// The isolation decision for elements created at runtime inside other elements.
#[derive(Debug)]
pub(crate) struct ChildIsolation {
    mode: Isolation,
    config: Arc<SandboxConfig>,
    /// Shared with the pipeline's own elements: a child matching `*dec*` joins the
    /// `*dec*` worker.
    groups: Arc<Groups>,
}

impl ChildIsolation {
    /// The factory the elements inside node `parent` use.
    pub(crate) fn for_node(self: &Arc<Self>, parent: &str) -> Arc<dyn ChildFactory> {
        Arc::new(NodeChildren {
            parent: parent.to_owned(),
            shared: Arc::clone(self),
        })
    }
}

#[derive(Debug)]
struct NodeChildren {
    parent: String,
    shared: Arc<ChildIsolation>,
}

impl ChildFactory for NodeChildren {
    fn create(&self, factory: &ElementFactory, name: &str) -> (AnyElement, Option<Structure>) {
        let element = factory.create();
        let Some(place) = placement(factory.info(), &self.shared.mode) else {
            return (element, None);
        };
        if let Some(why) = why_in_process(factory.info(), &element) {
            let note = Structure::new("in-process")
                .with("element", format!("{}/{name}", self.parent).as_str())
                .with("reason", why);
            return (element, Some(note));
        }
        let name = format!("{}/{name}", self.parent);
        let group = self.shared.groups.group(&place, &name, &self.shared.config);
        let note = Structure::new("isolated")
            .with("element", name.as_str())
            .with("worker", group.label());
        let proxy = SandboxProxy::in_group(factory.clone(), name, group);
        (proxy.into_element(), Some(note))
    }
}

impl Pipeline {
    /// Chooses which elements run in sandboxed worker processes (before the pipeline is
    /// prepared; default [`Isolation::Auto`]).
    ///
    /// # Errors
    ///
    /// [`PipelineError::State`] once the pipeline has been prepared.
    pub fn set_isolation(&mut self, mode: Isolation) -> Result<(), PipelineError> {
        self.check_not_isolated("set isolation")?;
        self.isolation.mode = mode;
        Ok(())
    }

    /// How workers are started and limited (default: `SandboxConfig::default()`).
    ///
    /// # Errors
    ///
    /// [`PipelineError::State`] once the pipeline has been prepared.
    pub fn set_sandbox_config(&mut self, config: SandboxConfig) -> Result<(), PipelineError> {
        self.check_not_isolated("configure the sandbox")?;
        self.isolation.config = Some(Arc::new(config));
        Ok(())
    }

    /// The isolation mode in effect.
    pub fn isolation(&self) -> &Isolation {
        &self.isolation.mode
    }

    /// Names of the elements that run in worker processes (after `prepare`).
    pub fn isolated_elements(&self) -> &[String] {
        &self.isolation.isolated
    }

    /// The worker processes of the isolated elements (after `prepare`): which elements
    /// share one (`WorkerGroup::members`) and, while playing, its pid.
    pub fn worker_groups(&self) -> &[Arc<WorkerGroup>] {
        &self.isolation.groups
    }

    /// Runs to end of stream with the elements whose factory name matches one of
    /// `patterns` (`*dec*`) isolated, plus those whose hints ask for it. The elements
    /// one pattern matches share one worker process.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::run`], or [`PipelineError::Engine`] when no worker executable is
    /// known.
    pub async fn run_isolating<S: AsRef<str>>(
        &mut self,
        patterns: &[S],
    ) -> Result<RunSummary, PipelineError> {
        let patterns = patterns.iter().map(|p| p.as_ref().to_owned()).collect();
        self.set_isolation(Isolation::Patterns(patterns))?;
        self.run().await
    }

    /// Runs to end of stream with every element that can run in a worker isolated, each
    /// in a process of its own.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::run_isolating`].
    pub async fn run_isolated(&mut self) -> Result<RunSummary, PipelineError> {
        self.set_isolation(Isolation::All)?;
        self.run().await
    }

    fn check_not_isolated(&self, action: &'static str) -> Result<(), PipelineError> {
        if self.isolation.applied || self.executor.is_some() {
            return Err(PipelineError::State {
                action,
                state: self.state(),
            });
        }
        Ok(())
    }

    /// Puts proxies in place of the elements the mode isolates (once, before the first
    /// negotiation).
    pub(super) fn apply_isolation(&mut self) -> Result<(), PipelineError> {
        if self.isolation.applied {
            return Ok(());
        }
        let mode = self.isolation.mode.clone();
        let mut chosen = Vec::new();
        for id in self.graph.node_ids() {
            let node = self.graph.node(id);
            let Some(place) = placement(node.factory.info(), &mode) else {
                continue;
            };
            let Some(element) = &node.element else {
                continue;
            };
            match why_in_process(node.factory.info(), element) {
                None => chosen.push((id, place)),
                // Asked for but impossible: say so rather than run it in-process silently.
                Some(why) => self.shared.bus.post(Message::Warning {
                    element: node.name.clone(),
                    message: format!("runs in-process although isolation was asked for: {why}"),
                }),
            }
        }
        // A config given explicitly names its worker; otherwise one must be known.
        let have_worker = self.isolation.config.is_some() || worker_available();
        // Children of elements like decodebin follow the same rules, when a worker exists
        // (without one, Auto keeps them in-process as it does the pipeline's own).
        let groups = Arc::new(Groups::default());
        if have_worker && mode != Isolation::InProcess {
            let config = Arc::clone(
                self.isolation
                    .config
                    .get_or_insert_with(|| Arc::new(SandboxConfig::default())),
            );
            self.isolation.children = Some(Arc::new(ChildIsolation {
                mode: mode.clone(),
                config,
                groups: Arc::clone(&groups),
            }));
        }
        if !chosen.is_empty() && !have_worker {
            if mode != Isolation::Auto {
                return Err(PipelineError::Engine(
                    "isolation needs a sandbox worker: call parallax_sandbox::worker_entry \
                     first in main, or set PARALLAX_WORKER"
                        .into(),
                ));
            }
            for (id, _) in chosen {
                self.shared.bus.post(Message::Warning {
                    element: self.graph.node(id).name.clone(),
                    message: "runs in-process: its hints ask for a sandbox but this \
                              program has no sandbox worker (PARALLAX_WORKER)"
                        .into(),
                });
            }
            self.isolation.applied = true;
            return Ok(());
        }
        let config = Arc::clone(
            self.isolation
                .config
                .get_or_insert_with(|| Arc::new(SandboxConfig::default())),
        );
        for (id, place) in chosen {
            let node = self.graph.node_mut(id);
            let group = groups.group(&place, &node.name, &config);
            if !self.isolation.groups.iter().any(|g| Arc::ptr_eq(g, &group)) {
                self.isolation.groups.push(Arc::clone(&group));
            }
            let mut proxy = SandboxProxy::in_group(node.factory.clone(), node.name.clone(), group);
            for (name, value) in &node.properties {
                proxy
                    .set_property(name, value)
                    .map_err(|error| PipelineError::Property {
                        element: node.name.clone(),
                        error,
                    })?;
            }
            node.element = Some(proxy.into_element());
            self.isolation.isolated.push(node.name.clone());
        }
        self.isolation.applied = true;
        Ok(())
    }
}
