//! Hot-reload benchmark: how long a running element's data path stops while its WASM
//! component is replaced, and what the buffers flowing through it notice.
//!
//! A paced stream of 4 KiB buffers (one every ~100 µs, stamped with their push time)
//! runs through `appsrc ! passthrough ! appsink` while the `passthrough` component is
//! swapped between two versions (the same code under two content hashes) many times.
//! Reported: the swap pause the streaming thread measures (p50/p99/max), the off-path
//! preparation time of `reload_element` (cached load + instantiate + set-caps), and the
//! push-to-pull latency of the buffers, with and without swaps.
//!
//! Usage: `benches/run-reload.sh`, or `bench_reload PLUGIN_DIR [SWAPS]`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parallax_core::{BufferMeta, ClockTime, Registry};
use parallax_engine::elements::{AppSinkHandle, AppSrcHandle};
use parallax_engine::{Message, Pipeline};
use parallax_wasm::WasmHandle;

const BUFFER: usize = 4096;
const PACE: Duration = Duration::from_micros(100);

/// A copy of `original` under another content hash, written into `dir`.
fn variant(original: &Path, dir: &Path, tag: &str) -> Result<PathBuf, String> {
    let path = dir.join(format!("passthrough-{tag}.wasm"));
    std::fs::write(
        &path,
        parallax_test_artifacts::component_variant(original, tag),
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

struct Run {
    pauses: Vec<Duration>,
    prepare: Vec<Duration>,
    latency: Vec<Duration>,
}

/// Streams for `swaps` swaps (or one second when `swaps` is 0) and measures.
fn stream(v1: &Path, v2: &Path, swaps: usize) -> Result<Run, String> {
    let runtime = parallax_engine::components::runtime()?;
    let plugin = runtime.load(v1).map_err(|e| e.to_string())?;
    let mut registry = Registry::new();
    parallax_engine::elements::register_all(&mut registry).map_err(|e| e.to_string())?;
    plugin.register(&mut registry).map_err(|e| e.to_string())?;
    let mut pipeline = Pipeline::parse_with(
        Arc::new(registry),
        "appsrc name=in caps=\"application/x-bench\" ! passthrough name=pt ! appsink name=out",
        "bench",
    )
    .map_err(|e| e.to_string())?;
    let src = pipeline.handle::<AppSrcHandle>("in").ok_or("no appsrc")?;
    let sink = pipeline
        .handle::<AppSinkHandle>("out")
        .ok_or("no appsink")?;
    let handle = pipeline
        .handle::<WasmHandle>("pt")
        .ok_or("no wasm handle")?;
    let controller = pipeline.controller();
    let mut bus = pipeline.bus();
    let epoch = Instant::now();
    let done = Arc::new(AtomicBool::new(false));

    let producer = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let payload = vec![0x5au8; BUFFER];
            let mut next = Instant::now();
            while !done.load(Ordering::Acquire) {
                let meta = BufferMeta {
                    pts: Some(ClockTime::from(epoch.elapsed())),
                    ..BufferMeta::default()
                };
                if src.push_buffer_with_meta(&payload, meta).is_err() {
                    break;
                }
                next += PACE;
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
            src.end_of_stream();
        })
    };
    let consumer = std::thread::spawn(move || {
        let mut latency = Vec::new();
        while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
            if let Some(pts) = buffer.meta().pts {
                latency.push(epoch.elapsed().saturating_sub(pts.to_duration()));
            }
        }
        latency
    });
    let reloader = {
        let done = Arc::clone(&done);
        let (v1, v2) = (v1.to_owned(), v2.to_owned());
        std::thread::spawn(move || -> Result<Vec<Duration>, String> {
            let mut prepare = Vec::new();
            while handle.buffers_in() == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
            if swaps == 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            for i in 0..swaps {
                std::thread::sleep(Duration::from_millis(5));
                let next = if i % 2 == 0 { &v2 } else { &v1 };
                let start = Instant::now();
                controller
                    .reload_element("pt", next)
                    .map_err(|e| e.to_string())?;
                prepare.push(start.elapsed());
                while handle.swaps() < i as u64 + 1 {
                    std::thread::sleep(Duration::from_micros(100));
                }
            }
            done.store(true, Ordering::Release);
            Ok(prepare)
        })
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = tokio.block_on(pipeline.run());
    done.store(true, Ordering::Release);
    let prepare = reloader.join().map_err(|_| "reloader panicked")??;
    producer.join().map_err(|_| "producer panicked")?;
    let mut latency = consumer.join().map_err(|_| "consumer panicked")?;
    result.map_err(|e| e.to_string())?;
    let mut pauses = Vec::new();
    while let Some(message) = bus.try_recv() {
        if let Message::Replaced { pause, .. } = message {
            pauses.push(pause);
        }
    }
    if pauses.len() != swaps {
        return Err(format!("{} swaps reported, {swaps} expected", pauses.len()));
    }
    pauses.sort();
    latency.sort();
    Ok(Run {
        pauses,
        prepare,
        latency,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: {} PLUGIN_DIR [SWAPS]", args[0]);
        std::process::exit(2);
    }
    let swaps = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    if let Err(e) = run(Path::new(&args[1]), swaps) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn run(plugin_dir: &Path, swaps: usize) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("parallax-bench-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let original = plugin_dir.join("passthrough.wasm");
    let v1 = variant(&original, &dir, "v1")?;
    let v2 = variant(&original, &dir, "v2")?;
    // Compile both once, so the measured swaps load from the cache as a deployed
    // plugin directory would after its first run.
    let runtime = parallax_engine::components::runtime()?;
    for v in [&v1, &v2] {
        runtime.load(v).map_err(|e| e.to_string())?;
    }
    let baseline = stream(&v1, &v2, 0)?;
    let swapped = stream(&v1, &v2, swaps)?;
    let _ = std::fs::remove_dir_all(&dir);

    let mut prepare = swapped.prepare.clone();
    prepare.sort();
    println!(
        "| measurement ({swaps} swaps of `passthrough`, 4 KiB buffers every 100 µs) | p50 | p99 | max |"
    );
    println!("|---|---:|---:|---:|");
    let row = |name: &str, v: &[Duration]| {
        println!(
            "| {name} | {} µs | {} µs | {} µs |",
            us(percentile(v, 0.5)),
            us(percentile(v, 0.99)),
            us(percentile(v, 1.0))
        );
    };
    row(
        "data-path pause per swap (streaming thread)",
        &swapped.pauses,
    );
    row(
        "`reload_element` off the data path (cached load, instantiate, set-caps)",
        &prepare,
    );
    row("buffer latency push→pull, no swaps", &baseline.latency);
    row("buffer latency push→pull, during swaps", &swapped.latency);
    Ok(())
}
