//! Proves the hot path allocates nothing per buffer: the number of heap allocations of a
//! whole run does not grow with the number of buffers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_for(pipeline: &str, runtime: &tokio::runtime::Runtime) -> u64 {
    let mut p = parallax::Pipeline::parse(pipeline).unwrap();
    p.prepare().unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let summary = runtime.block_on(p.run()).unwrap();
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    assert!(summary.buffers("fakesink0").unwrap() > 0);
    after - before
}

#[test]
fn fakesrc_identity_fakesink_allocates_nothing_per_buffer() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for chain in [
        "fakesrc sizetype=fixed sizemax=4096 num-buffers={n} ! identity ! fakesink",
        "fakesrc sizetype=fixed sizemax=64 num-buffers={n} ! queue ! identity ! fakesink",
    ] {
        // Warm up once so lazily initialised statics do not count.
        allocations_for(&chain.replace("{n}", "10"), &runtime);
        let small = allocations_for(&chain.replace("{n}", "1000"), &runtime);
        let large = allocations_for(&chain.replace("{n}", "100000"), &runtime);
        // 99,000 more buffers; a per-buffer allocation would add at least that many.
        // A few allocations of slack cover a stats tick if the run crosses a second.
        assert!(
            large <= small + 50,
            "{chain}: {small} allocations for 1,000 buffers but {large} for 100,000"
        );
    }
}
