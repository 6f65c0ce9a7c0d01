//! What the benchmark binaries share: running the `parallax` CLI and a peer script of
//! `../shared/bench/gst/bench/` as separate processes, and the median of repeated runs.

use std::path::Path;
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
