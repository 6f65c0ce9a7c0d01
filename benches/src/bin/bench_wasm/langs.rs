//! The passthrough of each guest language next to the Rust one: component size, compile
//! and load times, and the time each adds per buffer.
//!
//! A key design decision: "added per buffer" is taken from the difference between a long
//! and a short run (`n` and `n / 10` buffers) of the same pipeline, minus the same
//! difference for the native `identity`, so process start-up and loading a 12–18 MB
//! component (tens of ms, which would be a large share of a short run) cancel out.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// `(language, element, file, data path)` of each passthrough.
const PASSTHROUGHS: &[(&str, &str, &str, &str)] = &[
    ("Rust", "passthrough", "plugins", "zero-copy"),
    ("C", "cpassthrough", "lang", "zero-copy"),
    ("Python", "pypassthrough", "lang", "copy"),
    ("JavaScript", "jspassthrough", "lang", "copy"),
];

/// Memory limit for the measured elements (see `added_per_buffer`).
const LEAK_ROOM: u64 = 3 << 30;

fn wall(bin: &Path, dirs: &[&Path], pipeline: &str) -> Result<f64, String> {
    let mut cmd = Command::new(bin);
    for dir in dirs {
        cmd.arg("--plugin-dir").arg(dir);
    }
    let start = Instant::now();
    let status = cmd
        .args(["launch", "--quiet", pipeline])
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    if !status.success() {
        return Err(format!("failed: {pipeline}"));
    }
    Ok(start.elapsed().as_secs_f64())
}

fn median_wall(bin: &Path, dirs: &[&Path], pipeline: &str, runs: usize) -> Result<f64, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(wall(bin, dirs, pipeline)?);
    }
    Ok(super::median(times))
}

/// Seconds per buffer that `element` adds over `identity`, from `n` and `n / 10` buffers.
fn added_per_buffer(
    bin: &Path,
    dirs: &[&Path],
    element: &str,
    size: usize,
    n: u64,
    runs: usize,
) -> Result<f64, String> {
    let pipeline = |element: &str, n: u64| {
        format!(
            "fakesrc num-buffers={n} sizetype=fixed sizemax={size} filltype=nothing ! {element} ! fakesink"
        )
    };
    let short = n / 10;
    let delta = |element: &str| -> Result<f64, String> {
        Ok(median_wall(bin, dirs, &pipeline(element, n), runs)?
            - median_wall(bin, dirs, &pipeline(element, short), runs)?)
    };
    // A generous deadline: on a loaded machine one call of the 1 MiB copying rows can
    // take longer than the default 100 ms, and this measures cost, not the limit. A
    // generous memory limit: componentize-py 0.25.1 and componentize-js 0.23.0 do not
    // free the bytes a call returns, so the copying passthroughs grow by every output.
    let wasm = delta(&format!(
        "{element} deadline-ms=5000 memory-limit={LEAK_ROOM}"
    ))?;
    let native = delta("identity")?;
    Ok((wasm - native) / (n - short) as f64)
}

pub(super) fn run(bin: &Path, plugins: &Path, lang: &Path, runs: usize) -> Result<(), String> {
    let dirs = [plugins, lang];
    println!("\nPassthrough per language (each added per buffer over native `identity`):\n");
    println!(
        "| language | element | data path | component | cold compile | cached load | instantiate | 0 B | 4 KiB | 1 MiB |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (language, element, dir, path) in PASSTHROUGHS {
        let file = if *dir == "lang" { lang } else { plugins }.join(format!("{element}.wasm"));
        let size = std::fs::metadata(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        let (compile, cached, instantiate) = super::load_times(&file)?;
        // One untimed run, so the CLI's own compilation cache holds the component.
        wall(
            bin,
            &dirs,
            &format!("fakesrc num-buffers=1 ! {element} ! fakesink"),
        )?;
        // Fewer buffers where each costs more, to keep a row under a minute.
        let slow = *path == "copy";
        let mut cells = Vec::new();
        for (bytes, n) in [
            (0usize, if slow { 100_000 } else { 1_000_000 }),
            (4096, if slow { 100_000 } else { 1_000_000 }),
            // 2000 leaked MiB stay under LEAK_ROOM.
            (1 << 20, if slow { 2_000 } else { 200_000 }),
        ] {
            let s = added_per_buffer(bin, &dirs, element, bytes, n, runs)?;
            cells.push(format!("{:.2} µs", s * 1e6));
        }
        println!(
            "| {language} | `{element}` | {path} | {:.1} KB | {:.1} ms | {:.2} ms | {:.2} ms | {} |",
            size as f64 / 1e3,
            compile.as_secs_f64() * 1e3,
            cached.as_secs_f64() * 1e3,
            instantiate.as_secs_f64() * 1e3,
            cells.join(" | ")
        );
    }
    Ok(())
}
