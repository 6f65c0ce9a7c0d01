//! Execution modes: which elements run in a sandbox, and the registry that makes it so.
//!
//! A key design decision: isolation is applied by swapping factories, not by changing
//! the pipeline. [`isolating_registry`] returns a registry with the same names, infos and
//! pads in which every element to isolate is constructed as a [`SandboxProxy`]; parse the
//! unchanged pipeline text with it and the IPC boundary is in place.

use std::sync::Arc;
use std::time::Duration;

use parallax_core::element::{ProcessingKind, TrustLevel};
use parallax_core::registry::{ElementInfo, ElementOrigin, RegisterError};
use parallax_core::{AnyElement, Registry};

use crate::group::WorkerGroup;
use crate::proxy::SandboxProxy;
use crate::spawn::WorkerCommand;
use crate::supervise::RestartPolicy;

/// Which elements run isolated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Only elements whose hints ask for it (native code or untrusted): the default.
    #[default]
    Auto,
    /// Nothing, even elements whose hints ask for isolation (an explicit override).
    InProcess,
    /// Every element that can run in a worker, each in a process of its own.
    All,
    /// Elements whose factory name matches one of these globs (`*dec*`), plus `Auto`'s.
    /// Grouped: the elements a pattern matches share one worker process (an element
    /// matching several patterns goes with the first); `Auto`'s elements that match no
    /// pattern get a process each.
    Patterns(Vec<String>),
    /// As `Patterns`, but every matching element gets a process of its own.
    PatternsEach(Vec<String>),
}

/// Which worker process an isolated element runs in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Placement {
    /// A process of its own.
    Own,
    /// The process shared by the elements of this pattern.
    Shared(String),
}

/// Where `info` runs under `mode`: `None` in-process.
pub fn placement(info: &ElementInfo, mode: &Isolation) -> Option<Placement> {
    if !is_isolated(info, mode) {
        return None;
    }
    match mode {
        Isolation::Patterns(patterns) => Some(
            patterns
                .iter()
                .find(|p| glob(p, &info.name))
                .map_or(Placement::Own, |p| Placement::Shared(p.clone())),
        ),
        _ => Some(Placement::Own),
    }
}

/// The groups of one pipeline: one per pattern, made on first use.
#[derive(Debug, Default)]
pub struct Groups {
    shared: std::sync::Mutex<std::collections::BTreeMap<String, Arc<WorkerGroup>>>,
}

impl Groups {
    /// The group for an element placed at `placement` and named `name`.
    pub fn group(
        &self,
        placement: &Placement,
        name: &str,
        config: &Arc<SandboxConfig>,
    ) -> Arc<WorkerGroup> {
        match placement {
            Placement::Own => WorkerGroup::solo(name, Arc::clone(config)),
            Placement::Shared(pattern) => {
                let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
                Arc::clone(
                    shared
                        .entry(pattern.clone())
                        .or_insert_with(|| WorkerGroup::shared(pattern, Arc::clone(config))),
                )
            }
        }
    }
}

/// How workers are started and limited.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The worker executable.
    pub worker: WorkerCommand,
    /// Longest a worker may take for one buffer before it is killed.
    pub call_timeout: Duration,
    /// Longest a worker may take to start and lock down.
    pub startup_timeout: Duration,
    /// What to do when a worker dies.
    pub restart: RestartPolicy,
    /// `RLIMIT_AS` (0: unchanged).
    pub address_space: u64,
    /// `RLIMIT_CPU` in seconds (0: unchanged).
    pub cpu_seconds: u64,
    /// Whether to enter namespaces.
    pub namespaces: bool,
    /// Allow threads for every element (they are allowed anyway for native-code ones).
    pub threads: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            worker: WorkerCommand::from_env(),
            call_timeout: Duration::from_secs(10),
            startup_timeout: Duration::from_secs(10),
            restart: RestartPolicy::default(),
            address_space: 4 << 30,
            cpu_seconds: 0,
            namespaces: true,
            threads: false,
        }
    }
}

/// Whether an element's hints ask for a sandbox: native (non-Rust) code or untrusted
/// code that is not already sandboxed by the WASM runtime.
pub fn wants_isolation(info: &ElementInfo) -> bool {
    info.origin == ElementOrigin::Native
        && (info.hints.uses_native_code || info.hints.trust == TrustLevel::Untrusted)
}

/// Whether `info` is a bin (class `.../Bin/...`, e.g. `decodebin`): an element that builds
/// and drives other elements inside itself.
pub fn is_bin(info: &ElementInfo) -> bool {
    info.klass.split('/').any(|k| k == "Bin")
}

/// Whether `info` runs isolated under `mode`. A bin never does: the elements it builds
/// are isolated one by one instead, by the same rules (the engine's `ChildFactory`), and
/// a bin inside a worker could not make its children's memory there.
pub fn is_isolated(info: &ElementInfo, mode: &Isolation) -> bool {
    if info.origin != ElementOrigin::Native || is_bin(info) {
        return false;
    }
    match mode {
        Isolation::InProcess => false,
        Isolation::Auto => wants_isolation(info),
        Isolation::All => true,
        Isolation::Patterns(patterns) | Isolation::PatternsEach(patterns) => {
            wants_isolation(info) || patterns.iter().any(|p| glob(p, &info.name))
        }
    }
}

/// Why `element` (of `info`) cannot run in a sandbox worker, or `None` when it can. Such
/// an element stays in-process, and the engine says why on the bus when a mode asked to
/// isolate it.
pub fn why_in_process(info: &ElementInfo, element: &AnyElement) -> Option<&'static str> {
    match element {
        AnyElement::AsyncSource(_) | AnyElement::AsyncSink(_) => Some(
            "an async element waits on network or device I/O, which a worker cannot do \
             (its seccomp filter forbids sockets and opening files)",
        ),
        _ if element.base().app_handle().is_some() => {
            Some("it talks to the application in-process through its app handle (appsrc, appsink)")
        }
        // fdsrc, fdsink (the host's fd numbers), and filesrc or filesink before a location
        // is set: a worker can use host files only through the fds the host opens for what
        // the element declares (`ElementImpl::sandbox_files`).
        AnyElement::Source(_) | AnyElement::Sink(_)
            if info.hints.processing == ProcessingKind::Io
                && element.base().sandbox_files().is_empty() =>
        {
            Some(
                "it reads or writes host files, fds or devices that it does not declare \
                 (sandbox_files), and a worker can open nothing",
            )
        }
        _ => None,
    }
}

/// `*` matches any run of characters, `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A registry with the same elements as `base`, where the elements `mode` isolates are
/// built as sandbox proxies (grouped as [`placement`] says: every element a pattern of
/// `Isolation::Patterns` matches joins that pattern's process). Elements that cannot run
/// in a worker ([`why_in_process`]) stay in-process. The choice is made per factory,
/// before properties are set: a `filesrc` declares no file yet and stays in-process here
/// (`Pipeline::set_isolation` decides with the properties known).
///
/// # Errors
///
/// [`RegisterError`] only if `base` itself held an invalid name.
pub fn isolating_registry(
    base: &Registry,
    mode: &Isolation,
    config: Arc<SandboxConfig>,
) -> Result<Registry, RegisterError> {
    let mut registry = Registry::new();
    let groups = Arc::new(Groups::default());
    for factory in base.iter() {
        let info = factory.info().clone();
        let factory = factory.clone();
        let placement =
            placement(&info, mode).filter(|_| why_in_process(&info, &factory.create()).is_none());
        if let Some(placement) = placement {
            let config = Arc::clone(&config);
            let groups = Arc::clone(&groups);
            let name = info.name.clone();
            registry.register(info, move || {
                let group = groups.group(&placement, &name, &config);
                SandboxProxy::in_group(factory.clone(), name.clone(), group).into_element()
            })?;
        } else {
            registry.register(info, move || factory.create())?;
        }
    }
    Ok(registry)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("*dec*", "dav1ddec"));
        assert!(glob("*dec", "dav1ddec"));
        assert!(!glob("*enc*", "dav1ddec"));
        assert!(glob("ident?ty", "identity"));
        assert!(glob("*", ""));
        assert!(!glob("a*b", "acbd"));
    }
}
