//! Round trip and throughput of an isolated passthrough vs the same element in-process,
//! and of an isolated 1 MiB source (`videotestsrc`) and sink (`fakesink`) vs in-process.
//! Its own worker: started with `__sandbox-worker` it serves the built-in elements.
//!
//! `cargo run --release -p parallax-sandbox --example bench_isolated [-- --pin]`
//!
//! `--pin` puts the host thread on CPU 0 and the worker on CPU 1, the placement an idle
//! machine's scheduler picks by itself; on a loaded machine the woken worker usually
//! lands on the host's CPU instead (see docs/benchmarks.md).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parallax_core::memory::CpuArena;
use parallax_core::{
    AnyElement, Caps, ContextState, ElementImpl, ProcessContext, ProduceContext, ProduceResult,
    Registry, Sink, Source, Transform, Value,
};
use parallax_sandbox::{SandboxConfig, SandboxProxy, WorkerCommand};

fn registry() -> Registry {
    let mut registry = Registry::new();
    parallax_elements::register_all(&mut registry).expect("built-in elements register");
    registry
}

fn isolated(registry: &Registry) -> SandboxProxy {
    isolated_element(registry, "identity", &[], (true, true), None)
}

/// A started proxy for `factory` with `properties`, sink and src pads as `pads` says,
/// and `caps` on its src pad.
fn isolated_element(
    registry: &Registry,
    factory: &str,
    properties: &[(&str, Value)],
    pads: (bool, bool),
    caps: Option<&Caps>,
) -> SandboxProxy {
    let factory = registry.get(factory).expect("factory").clone();
    let config = SandboxConfig {
        worker: WorkerCommand::new(std::env::current_exe().expect("own path")),
        ..SandboxConfig::default()
    };
    let name = factory.info().name.clone();
    let mut proxy = SandboxProxy::new(factory, name, Arc::new(config));
    for (name, value) in properties {
        proxy.set_property(name, value).expect("property");
    }
    let pad = |yes: bool, name: &str| {
        if yes {
            vec![name.to_owned()]
        } else {
            Vec::new()
        }
    };
    proxy
        .configure_pads(&pad(pads.0, "sink"), &pad(pads.1, "src"))
        .expect("pads");
    if let Some(caps) = caps {
        proxy
            .set_caps(&[], std::slice::from_ref(caps))
            .expect("caps");
    }
    proxy.start().expect("worker starts");
    proxy
}

/// Buffers per second `source` produces, `count` of them, each dropped at once (as a
/// sink that does nothing would).
fn source_rate(source: &mut dyn Source, count: usize) -> f64 {
    let pool = CpuArena::new("bench-src", source.buffer_size(), 8).expect("pool");
    let mut state = ContextState::new("bench");
    let cancel = AtomicBool::new(false);
    let mut slot = None;
    let start = Instant::now();
    for _ in 0..count {
        let mut ctx = ProduceContext::new(&mut state, &cancel, &pool, &mut slot);
        match source.produce(&mut ctx).expect("produce") {
            ProduceResult::Produced(n) => {
                let mut buffer = slot.take().expect("the produced slot");
                buffer.set_len(n);
                drop(buffer.freeze());
            }
            ProduceResult::OwnBuffer(buffer) => drop(buffer),
            other => panic!("unexpected {other:?}"),
        }
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// Buffers per second `sink` takes, `count` buffers of `size` bytes filled by the caller.
fn sink_rate(sink: &mut dyn Sink, size: usize, count: usize) -> f64 {
    let arena = CpuArena::new("bench", size, 8).expect("arena");
    let mut state = ContextState::new("bench");
    let cancel = AtomicBool::new(false);
    let start = Instant::now();
    for i in 0..count {
        let mut buf = arena.try_acquire().expect("slot");
        buf.data_mut().fill(i as u8);
        let mut ctx = ProcessContext::new(&mut state, &cancel);
        sink.consume(buf.freeze(), &mut ctx).expect("consume");
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// The source and sink rows: 1 MiB frames (`videotestsrc pattern=black`, RGBA 512x512,
/// rendered per frame) and 1 MiB buffers into `fakesink`, in-process vs isolated.
fn sources_and_sinks(registry: &Registry) -> (Vec<f64>, Vec<f64>) {
    let caps: Caps = "video/x-raw, format=(string)RGBA, width=(int)512, height=(int)512, \
                      framerate=(fraction)30/1"
        .parse()
        .expect("caps");
    let black = [("pattern", Value::Enum("black".into()))];
    let mut proxy_src =
        isolated_element(registry, "videotestsrc", &black, (false, true), Some(&caps));
    let AnyElement::Source(mut local_src) = registry.get("videotestsrc").expect("src").create()
    else {
        panic!("videotestsrc is a source");
    };
    local_src
        .set_property(black[0].0, &black[0].1)
        .expect("pattern");
    local_src
        .set_caps(&[], std::slice::from_ref(&caps))
        .expect("caps");
    local_src.start().expect("start");
    let mut proxy_sink = isolated_element(registry, "fakesink", &[], (true, false), None);
    let AnyElement::Sink(mut local_sink) = registry.get("fakesink").expect("sink").create() else {
        panic!("fakesink is a sink");
    };
    local_sink.start().expect("start");
    let _ = source_rate(&mut proxy_src, 500);
    let _ = sink_rate(&mut proxy_sink, 1 << 20, 500);
    let (mut src_ratios, mut sink_ratios) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let count = 20_000;
        let local = source_rate(&mut *local_src, count);
        let iso = source_rate(&mut proxy_src, count);
        println!(
            "1 MiB source (videotestsrc): in-process {local:.0} buf/s, isolated {iso:.0} buf/s, \
             ratio {:.2}; per buffer {:.2} / {:.2} us",
            iso / local,
            1e6 / local,
            1e6 / iso
        );
        src_ratios.push(iso / local);
        let local = sink_rate(&mut *local_sink, 1 << 20, count);
        let iso = sink_rate(&mut proxy_sink, 1 << 20, count);
        println!(
            "1 MiB sink (fakesink, filled by the caller): in-process {local:.0} buf/s, isolated \
             {iso:.0} buf/s, ratio {:.2}; per buffer {:.2} / {:.2} us",
            iso / local,
            1e6 / local,
            1e6 / iso
        );
        sink_ratios.push(iso / local);
        std::thread::sleep(Duration::from_millis(100));
    }
    proxy_src.stop().expect("stop");
    proxy_sink.stop().expect("stop");
    src_ratios.sort_by(f64::total_cmp);
    sink_ratios.sort_by(f64::total_cmp);
    (src_ratios, sink_ratios)
}

/// Per-buffer times of `element` on `count` buffers of `size` bytes, each filled first
/// (the work a real source does), in ns.
fn measure(element: &mut dyn Transform, size: usize, count: usize, fill: bool) -> Vec<u64> {
    let arena = CpuArena::new("bench", size, 8).expect("arena");
    let mut state = ContextState::new("bench");
    let cancel = AtomicBool::new(false);
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let start = Instant::now();
        let mut buf = arena.try_acquire().expect("slot");
        if fill {
            buf.data_mut().fill(i as u8);
        }
        let filled = start.elapsed().as_nanos() as u64;
        FILL_NS.fetch_add(filled, Ordering::Relaxed);
        let mut ctx = ProcessContext::new(&mut state, &cancel);
        element.process(0, buf.freeze(), &mut ctx).expect("process");
        drop(state.take_outputs());
        times.push(start.elapsed().as_nanos() as u64);
    }
    times
}

/// Time spent filling buffers, summed by `measure`, so the rows can show it apart.
static FILL_NS: AtomicU64 = AtomicU64::new(0);

fn pct(times: &mut [u64], p: f64) -> f64 {
    times.sort_unstable();
    times[((times.len() - 1) as f64 * p) as usize] as f64 / 1000.0
}

/// Pins the calling thread to CPU 0 and the worker process to CPU 1. With a PID
/// namespace the host's child is the keeper and the element runs in the keeper's child
/// (`lockdown/keeper.rs`): both are pinned.
fn pin(proxy: &SandboxProxy) {
    use rustix::thread::{CpuSet, sched_setaffinity};
    let on = |cpu: usize| {
        let mut set = CpuSet::new();
        set.set(cpu);
        set
    };
    sched_setaffinity(None, &on(0)).expect("pin the host");
    let pid = proxy.worker_pid().expect("a running worker");
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    let pids = children
        .split_whitespace()
        .filter_map(|p| p.parse::<i32>().ok())
        .chain([pid as i32]);
    for pid in pids {
        let pid = rustix::process::Pid::from_raw(pid).expect("a pid");
        sched_setaffinity(Some(pid), &on(1)).expect("pin the worker");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(parallax_sandbox::WORKER_SUBCOMMAND) {
        std::process::exit(parallax_sandbox::worker_main(&registry()));
    }
    let registry = registry();
    let mut proxy = isolated(&registry);
    if args.iter().any(|a| a == "--pin") {
        pin(&proxy);
        println!("pinned: host on CPU 0, worker on CPU 1");
    }
    let AnyElement::Transform(mut local) = registry.get("identity").expect("identity").create()
    else {
        panic!("identity is a transform");
    };
    let _ = measure(&mut proxy, 4096, 2000, false);
    let mut rt = measure(&mut proxy, 4096, 20_000, false);
    let mut rt_local = measure(&mut *local, 4096, 20_000, false);
    println!(
        "4 KiB round trip, isolated: p50 {:.2} us, p99 {:.2} us; in-process p50 {:.2} us",
        pct(&mut rt, 0.5),
        pct(&mut rt, 0.99),
        pct(&mut rt_local, 0.5)
    );
    let mut ratios = Vec::new();
    for _ in 0..3 {
        // 20 000 buffers (~0.15 s per row): with 2000 a row lasted ~15 ms, too short for a
        // stable rate on a shared machine.
        let count = 20_000;
        FILL_NS.store(0, Ordering::Relaxed);
        let t = Instant::now();
        let n = measure(&mut *local, 1 << 20, count, true).len();
        let local_rate = n as f64 / t.elapsed().as_secs_f64();
        let lf = FILL_NS.swap(0, Ordering::Relaxed) as f64 / n as f64 / 1000.0;
        let t = Instant::now();
        let n = measure(&mut proxy, 1 << 20, count, true).len();
        let iso_rate = n as f64 / t.elapsed().as_secs_f64();
        let isf = FILL_NS.swap(0, Ordering::Relaxed) as f64 / n as f64 / 1000.0;
        // The fill is the same work on both sides: what differs is the crossing.
        println!(
            "  per buffer: fill {lf:.2} us in-process, {isf:.2} us isolated; total {:.2} / {:.2} us",
            1e6 / local_rate,
            1e6 / iso_rate
        );
        println!(
            "1 MiB (filled per buffer): in-process {local_rate:.0} buf/s, isolated {iso_rate:.0} buf/s, ratio {:.2}",
            iso_rate / local_rate
        );
        ratios.push(iso_rate / local_rate);
        std::thread::sleep(Duration::from_millis(100));
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "summary: 4 KiB p50 {:.2} us (target <= 3), 1 MiB ratio median {:.2} (target >= 0.8)",
        pct(&mut rt, 0.5),
        ratios[1]
    );
    proxy.stop().expect("stop");
    let (src, sink) = sources_and_sinks(&registry);
    println!(
        "summary: 1 MiB source ratio median {:.2}, 1 MiB sink ratio median {:.2}",
        src[1], sink[1]
    );
}
