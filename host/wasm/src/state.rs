//! [`HostState`]: what each guest instance's `Store` carries.
//!
//! One `Store` per element instance: its own WASI context (no preopens, no environment,
//! no arguments, no network, stdin closed, stdout/stderr captured into a bounded pipe),
//! its own resource limits, and the notices the guest posted during the current call,
//! which the element drains into its `ProcessContext` after the call returns.

use std::time::Instant;

use parallax_core::Notice;
use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::imports::Grants;

/// Bytes of guest stdout + stderr kept (enough for a panic message and a backtrace).
pub(crate) const OUTPUT_CAPACITY: usize = 16 * 1024;

/// Core instances, tables and memories one element's store may create. These bound
/// bookkeeping, not memory (`memory_limit` does that). A Rust or C component needs a
/// handful; a componentize-py one (CPython, its libraries and one stub instance per WASI
/// interface) needs more than 16 instances, so the ceilings leave room for it.
const MAX_CORE_INSTANCES: usize = 64;
const MAX_TABLES: usize = 64;
const MAX_MEMORIES: usize = 4;

/// The data of one guest instance's `Store`.
pub(crate) struct HostState {
    /// The element's factory name (log lines are tagged with it).
    pub(crate) element: String,
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limits: StoreLimits,
    /// Guest stdout and stderr, interleaved, bounded.
    pub(crate) output: MemoryOutputPipe,
    /// Messages and warnings posted during the current call.
    pub(crate) notices: Vec<Notice>,
    /// Notices refused because too many were posted.
    pub(crate) dropped_notices: u64,
    /// The pipeline clock `clock.running-time` reads (set on the first call made with a
    /// context; before that, and outside a pipeline, time counts from `started`).
    pub(crate) pipeline_clock: Option<std::sync::Arc<dyn parallax_core::PipelineClock>>,
    /// Zero of `clock.running-time` without a pipeline clock.
    pub(crate) started: Instant,
}

impl HostState {
    /// State for an instance of `element` whose linear memory may grow to
    /// `memory_limit` bytes.
    pub(crate) fn new(element: &str, memory_limit: usize, grants: Grants) -> Self {
        let output = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let mut wasi = WasiCtx::builder();
        wasi.stdout(output.clone())
            .stderr(output.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        if !grants.random {
            // `insecure-seed` stays importable (Rust's HashMap asks for it) but is
            // deterministic unless randomness was granted.
            wasi.insecure_random_seed(0);
        }
        HostState {
            element: element.to_owned(),
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_limit)
                .instances(MAX_CORE_INSTANCES)
                .tables(MAX_TABLES)
                .memories(MAX_MEMORIES)
                .trap_on_grow_failure(true)
                .build(),
            output,
            notices: Vec::new(),
            dropped_notices: 0,
            pipeline_clock: None,
            started: Instant::now(),
        }
    }

    /// What the guest wrote to stdout/stderr, lossily decoded, trimmed.
    pub(crate) fn captured_output(&self) -> String {
        String::from_utf8_lossy(&self.output.contents())
            .trim()
            .to_owned()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
