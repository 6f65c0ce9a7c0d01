//! What the benchmark binaries share: running the `parallax` CLI and a peer script of
//! `../shared/bench/gst/bench/` as separate processes, and the median of repeated runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Wall-clock seconds `parallax launch --quiet <pipeline>` takes from start to exit.
///
/// # Errors
///
/// When the binary cannot start or the pipeline fails (with its stderr).
pub fn launch_secs(bin: &Path, pipeline: &str) -> Result<f64, String> {
    let start = Instant::now();
    let out = Command::new(bin)
        .args(["launch", "--quiet", pipeline])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "parallax failed on: {pipeline}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(start.elapsed().as_secs_f64())
}

/// The one number peer script `script` (in `dir`) prints.
///
/// # Errors
///
/// When the script cannot run, fails, or prints no number.
pub fn peer_value(dir: &Path, script: &str) -> Result<f64, String> {
    let out = Command::new("sh")
        .arg(dir.join(script))
        .output()
        .map_err(|e| format!("cannot run {script}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{script} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| format!("{script} printed no number"))
}

/// The median of `values` (the upper one of an even count).
///
/// # Panics
///
/// When `values` is empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The command line of the side-by-side codec benches (`bench_codecs`, `bench_decode`):
/// `PARALLAX_BIN PEER_BENCH_DIR MEDIA_DIR [RUNS] [ROW_FILTER]`.
pub struct PeerBenchArgs {
    pub bin: PathBuf,
    pub peer_dir: PathBuf,
    pub media: PathBuf,
    /// Runs per row and side (at least 1; 3 when not given).
    pub runs: usize,
    /// Only rows whose name contains this (all when empty).
    pub filter: String,
}

impl PeerBenchArgs {
    /// Reads the process's arguments; prints the usage and exits with 2 when some are
    /// missing.
    #[must_use]
    pub fn from_env() -> Self {
        let args: Vec<String> = std::env::args().collect();
        if args.len() < 4 {
            eprintln!(
                "usage: {} PARALLAX_BIN PEER_BENCH_DIR MEDIA_DIR [RUNS] [ROW_FILTER]",
                args[0]
            );
            std::process::exit(2);
        }
        PeerBenchArgs {
            bin: PathBuf::from(&args[1]),
            peer_dir: PathBuf::from(&args[2]),
            media: PathBuf::from(&args[3]),
            runs: args.get(4).and_then(|r| r.parse().ok()).unwrap_or(3).max(1),
            filter: args.get(5).cloned().unwrap_or_default(),
        }
    }
}
