//! The one-line progress display on stderr (buffers, bytes, rate, elapsed).

use std::io::Write;
use std::time::Instant;

use parallax::ElementStats;

pub(crate) struct Progress {
    enabled: bool,
    started: Instant,
    shown: bool,
}

impl Progress {
    pub(crate) fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            started: Instant::now(),
            shown: false,
        }
    }

    /// Shows the busiest element's counters: for a linear pipeline, the sink's.
    pub(crate) fn update(&mut self, elements: &[ElementStats]) {
        if !self.enabled {
            return;
        }
        let Some(top) = elements.iter().max_by_key(|e| e.bytes.max(e.buffers)) else {
            return;
        };
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let line = format!(
            "\r{:>8.1} s  {} buffers  {}  {:.0} buffers/s  {}/s ",
            elapsed,
            top.buffers,
            human_bytes(top.bytes as f64),
            top.buffers as f64 / elapsed,
            human_bytes(top.bytes as f64 / elapsed),
        );
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(line.as_bytes());
        let _ = stderr.flush();
        self.shown = true;
    }

    pub(crate) fn clear(&mut self) {
        if self.shown {
            eprint!("\r{:80}\r", "");
            self.shown = false;
        }
    }
}

fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
