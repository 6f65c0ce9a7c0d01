//! Execution hints: what an element tells the executor about how it should run.
//!
//! The executor of this release runs every element in-process; a later scheduler uses
//! these hints to pick isolation (WASM or a seccomp process), real-time threads or tokio
//! tasks per element. They are part of the contract now so that every element states them
//! and `parallax inspect` shows them.

use std::fmt;

/// How far the element's code is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrustLevel {
    /// Built-in, reviewed Rust code.
    Trusted,
    /// Reviewed but wraps complex parsing of outside data.
    SemiTrusted,
    /// Third-party code: runs sandboxed.
    Untrusted,
}

/// What limits the element's speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessingKind {
    /// Computation.
    Cpu,
    /// Waiting on files, sockets or devices.
    Io,
    /// Moving memory.
    Memory,
}

/// How quickly a buffer must get through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LatencyClass {
    /// Sub-millisecond (audio callbacks).
    UltraLow,
    /// A few milliseconds.
    Low,
    /// Frame-rate bound.
    Normal,
    /// Throughput matters, latency does not.
    Relaxed,
}

/// How much memory the element needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemoryProfile {
    /// Kilobytes.
    Small,
    /// A few frames.
    Medium,
    /// Many frames (decoders with reference pictures, queues).
    Large,
}

/// Where the element would like to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Affinity {
    /// On the async runtime.
    Async,
    /// On a dedicated real-time thread.
    RealTime,
    /// Let the executor decide from the other hints.
    Auto,
}

/// Everything an element says about how it should be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExecutionHints {
    /// Trust level.
    pub trust: TrustLevel,
    /// Bottleneck.
    pub processing: ProcessingKind,
    /// Latency class.
    pub latency: LatencyClass,
    /// Whether a crash of the element may be contained and the element restarted.
    pub crash_safe: bool,
    /// Whether the element runs native code other than Rust (a C library).
    pub uses_native_code: bool,
    /// Memory needs.
    pub memory: MemoryProfile,
    /// Preferred placement.
    pub affinity: Affinity,
    /// Whether processing never blocks, allocates or takes locks (safe on an RT thread).
    pub rt_safe: bool,
}

impl ExecutionHints {
    /// Trusted, CPU-bound, normal latency, small memory, automatic placement, not RT-safe.
    pub const DEFAULT: ExecutionHints = ExecutionHints {
        trust: TrustLevel::Trusted,
        processing: ProcessingKind::Cpu,
        latency: LatencyClass::Normal,
        crash_safe: true,
        uses_native_code: false,
        memory: MemoryProfile::Small,
        affinity: Affinity::Auto,
        rt_safe: false,
    };

    /// Hints for a trusted element that waits on I/O.
    pub const IO: ExecutionHints = ExecutionHints {
        processing: ProcessingKind::Io,
        affinity: Affinity::Async,
        ..Self::DEFAULT
    };

    /// Hints for a trusted element that never blocks or allocates while processing.
    pub const RT_SAFE: ExecutionHints = ExecutionHints {
        latency: LatencyClass::Low,
        rt_safe: true,
        ..Self::DEFAULT
    };

    /// Whether the element may run on a real-time thread.
    pub fn is_rt_safe(&self) -> bool {
        self.rt_safe
    }
}

impl Default for ExecutionHints {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for ExecutionHints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "trust={:?} processing={:?} latency={:?} crash-safe={} native-code={} memory={:?} affinity={:?} rt-safe={}",
            self.trust,
            self.processing,
            self.latency,
            self.crash_safe,
            self.uses_native_code,
            self.memory,
            self.affinity,
            self.rt_safe
        )
    }
}
