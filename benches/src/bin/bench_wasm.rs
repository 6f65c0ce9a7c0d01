//! WASM element benchmarks: what a sandboxed component costs next to native code.
//!
//! - Per-buffer cost of the `passthrough` component against the native `identity`, at
//!   0 B, 4 KiB and 1 MiB, through the `parallax` CLI (release) as separate processes.
//! - Bytes copied per buffer on the zero-copy path (from the runtime's counter, in process).
//! - Cold compile, cached load and instantiate times of a component.
//! - `grayscale` on 1080p RGBA frames.
//! - With LANG_DIR (the Python, JavaScript and C guests): each language's passthrough
//!   next to the Rust one (`bench_wasm/langs.rs`).
//!
//! Usage: `benches/run-wasm.sh`, or `bench_wasm PARALLAX_BIN PLUGIN_DIR [RUNS] [LANG_DIR]`;
//! with `BENCH_WASM_LANGS_ONLY=1` only the per-language table runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use parallax_benches::median;
use parallax_wasm::{WasmConfig, WasmRuntime};

#[path = "bench_wasm/langs.rs"]
mod langs;

/// The grayscale element's own kernel source, compiled natively here for the "same code
/// native" comparison (on x86-64 it takes the scalar path; the component uses simd128).
#[path = "../../../elements-wasm/grayscale/src/luma.rs"]
mod luma;

/// Milliseconds per 1080p RGBA → GRAY8 frame of the grayscale kernel, native.
fn native_grayscale_ms(frames: usize) -> f64 {
    let (width, height) = (1920usize, 1080usize);
    let src: Vec<u8> = (0..width * height * 4)
        .map(|i| (i * 97 % 251) as u8)
        .collect();
    let stride = width.next_multiple_of(4);
    let mut dst = vec![0u8; stride * height];
    let start = Instant::now();
    for _ in 0..frames {
        for (row_in, row_out) in src
            .chunks_exact(width * 4)
            .zip(dst.chunks_exact_mut(stride))
        {
            luma::row(std::hint::black_box(row_in), row_out);
        }
        std::hint::black_box(&mut dst);
    }
    start.elapsed().as_secs_f64() * 1e3 / frames as f64
}

fn wall(bin: &Path, plugin_dir: &Path, pipeline: &str) -> Result<f64, String> {
    let start = Instant::now();
    let status = Command::new(bin)
        .arg("--plugin-dir")
        .arg(plugin_dir)
        .args(["launch", "--quiet", pipeline])
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    if !status.success() {
        return Err(format!("failed: {pipeline}"));
    }
    Ok(start.elapsed().as_secs_f64())
}

fn median_wall(bin: &Path, dir: &Path, pipeline: &str, runs: usize) -> Result<f64, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(wall(bin, dir, pipeline)?);
    }
    Ok(median(times))
}

fn load_times(plugin: &Path) -> Result<(Duration, Duration, Duration), String> {
    let cache = std::env::temp_dir().join(format!("parallax-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let config = WasmConfig {
        cache_dir: Some(cache.clone()),
        ..WasmConfig::default()
    };
    let runtime = WasmRuntime::new(config).map_err(|e| e.to_string())?;
    let cold = runtime.load(plugin).map_err(|e| e.to_string())?;
    let compile = cold.load_report().load_time;
    let warm = runtime.load(plugin).map_err(|e| e.to_string())?;
    if !warm.load_report().cache_hit {
        return Err("the second load missed the cache".into());
    }
    let cached = warm.load_report().load_time;
    // Instantiation happens when an element starts; time a pipeline-free start.
    let mut registry = parallax_core::Registry::new();
    warm.register(&mut registry).map_err(|e| e.to_string())?;
    let factory = registry
        .get(&warm.info().name)
        .ok_or("plugin not registered")?;
    let mut element = factory.create();
    let start = Instant::now();
    element.base_mut().start().map_err(|e| e.to_string())?;
    let instantiate = start.elapsed();
    let _ = element.base_mut().stop();
    let _ = std::fs::remove_dir_all(&cache);
    Ok((compile, cached, instantiate))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!(
            "usage: {} PARALLAX_BIN PLUGIN_DIR [RUNS] [LANG_DIR]",
            args[0]
        );
        std::process::exit(2);
    }
    let bin = PathBuf::from(&args[1]);
    let dir = PathBuf::from(&args[2]);
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let lang = args.get(4).map(PathBuf::from);
    let langs_only = std::env::var_os("BENCH_WASM_LANGS_ONLY").is_some();
    let rust = if langs_only && lang.is_some() {
        Ok(())
    } else {
        run(&bin, &dir, runs)
    };
    let result = rust.and_then(|()| match &lang {
        Some(lang) => langs::run(&bin, &dir, lang, runs),
        None => Ok(()),
    });
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn run(bin: &Path, dir: &Path, runs: usize) -> Result<(), String> {
    println!(
        "| buffer size | buffers | native identity | WASM passthrough | added per buffer | WASM/native throughput |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for (size, n) in [
        (0usize, 2_000_000u64),
        (4096, 2_000_000),
        (1 << 20, 2_000_000),
    ] {
        let src = format!("fakesrc num-buffers={n} sizetype=fixed sizemax={size} filltype=nothing");
        let native = median_wall(bin, dir, &format!("{src} ! identity ! fakesink"), runs)?;
        let wasm = median_wall(bin, dir, &format!("{src} ! passthrough ! fakesink"), runs)?;
        let added_us = (wasm - native) / n as f64 * 1e6;
        println!(
            "| {size} B | {n} | {:.2} M/s | {:.2} M/s | {added_us:.3} µs | {:.2}x |",
            n as f64 / native / 1e6,
            n as f64 / wasm / 1e6,
            native / wasm
        );
    }

    // Bytes copied on the zero-copy path, counted by the runtime itself.
    let before = parallax_wasm::bytes_copied();
    let registry = {
        let (registry, _) = parallax_engine::components::registry_with_plugins(&[dir.to_owned()]);
        registry
    };
    let n = 1000u64;
    let mut pipeline = parallax_engine::Pipeline::parse_with(
        registry,
        &format!("fakesrc num-buffers={n} sizetype=fixed sizemax=1048576 ! passthrough ! fakesink"),
        "bench",
    )
    .map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(pipeline.run()).map_err(|e| e.to_string())?;
    let copied = parallax_wasm::bytes_copied() - before;
    println!(
        "\nBytes copied per 1 MiB buffer through `passthrough`: {}",
        copied / n
    );

    let (compile, cached, instantiate) = load_times(&dir.join("grayscale.wasm"))?;
    println!(
        "\n`grayscale.wasm`: cold compile {:.1} ms, cached load {:.2} ms, instantiate {:.2} ms",
        compile.as_secs_f64() * 1e3,
        cached.as_secs_f64() * 1e3,
        instantiate.as_secs_f64() * 1e3
    );

    let frames = 300u64;
    let src = format!(
        "videotestsrc num-buffers={frames} ! video/x-raw,format=RGBA,width=1920,height=1080,framerate=30/1"
    );
    let base = median_wall(bin, dir, &format!("{src} ! fakesink"), runs)?;
    let gray = median_wall(bin, dir, &format!("{src} ! grayscale ! fakesink"), runs)?;
    let wasm_ms = (gray - base) / frames as f64 * 1e3;
    println!(
        "\n`grayscale` (WASM, simd128) on 1080p RGBA: {wasm_ms:.2} ms per frame ({:.0} fps including the source; source alone {:.0} fps)",
        frames as f64 / gray,
        frames as f64 / base
    );
    let native_ms = native_grayscale_ms(frames as usize);
    println!(
        "The same kernel source compiled natively (scalar path, x86-64): {native_ms:.2} ms per frame; WASM/native time {:.2}x",
        wasm_ms / native_ms
    );
    Ok(())
}
