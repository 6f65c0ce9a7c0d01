//! Counters that prove the data path: bytes copied between host and guest, restarts.
//!
//! The zero-copy path never increments `bytes_copied`; the copying path counts every
//! byte that crosses (both ways). Tests and benchmarks read them.

use std::sync::atomic::{AtomicU64, Ordering};

static BYTES_COPIED: AtomicU64 = AtomicU64::new(0);

/// Bytes copied between host and guests by every WASM element of this process so far.
pub fn bytes_copied() -> u64 {
    BYTES_COPIED.load(Ordering::Relaxed)
}

/// Counters of one WASM element; get them with `Pipeline::handle::<WasmStats>(name)`.
#[derive(Debug, Default)]
pub struct WasmStats {
    buffers_in: AtomicU64,
    buffers_out: AtomicU64,
    bytes_copied: AtomicU64,
    restarts: AtomicU64,
    dropped: AtomicU64,
    instances: AtomicU64,
}

impl WasmStats {
    /// Buffers handed to the guest.
    pub fn buffers_in(&self) -> u64 {
        self.buffers_in.load(Ordering::Relaxed)
    }
    /// Buffers the guest produced (forwarded or written).
    pub fn buffers_out(&self) -> u64 {
        self.buffers_out.load(Ordering::Relaxed)
    }
    /// Bytes copied between host and guest.
    pub fn bytes_copied(&self) -> u64 {
        self.bytes_copied.load(Ordering::Relaxed)
    }
    /// Times the guest instance was thrown away and created again after a failure.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }
    /// Buffers dropped by the `restart` and `skip` policies.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
    /// Guest instances created so far.
    pub fn instances(&self) -> u64 {
        self.instances.load(Ordering::Relaxed)
    }

    pub(crate) fn add_in(&self) {
        self.buffers_in.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add_out(&self, n: u64) {
        self.buffers_out.fetch_add(n, Ordering::Relaxed);
    }
    pub(crate) fn add_copied(&self, n: usize) {
        let n = n as u64;
        self.bytes_copied.fetch_add(n, Ordering::Relaxed);
        BYTES_COPIED.fetch_add(n, Ordering::Relaxed);
    }
    pub(crate) fn add_restart(&self) -> u64 {
        self.restarts.fetch_add(1, Ordering::Relaxed) + 1
    }
    pub(crate) fn add_dropped(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add_instance(&self) {
        self.instances.fetch_add(1, Ordering::Relaxed);
    }
}
