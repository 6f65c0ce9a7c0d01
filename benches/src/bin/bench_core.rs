//! Core-engine benchmarks, side by side with GStreamer on the same machine.
//!
//! Runs every row twice per round — the `parallax` CLI (release build) and the matching
//! GStreamer script from `../shared/bench/gst/bench/` — as separate processes timed by
//! wall clock (the GStreamer scripts time `gst-launch-1.0` the same way), and prints the
//! medians and the Parallax/GStreamer ratio as a Markdown table.
//!
//! Usage: `benches/run.sh` (builds first), or
//! `bench_core PARALLAX_BIN GST_BENCH_DIR [RUNS] [ROW_FILTER]`.

use parallax_benches::{launch_secs, median, peer_value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a row measures.
#[derive(Clone, Copy)]
enum Kind {
    /// Buffers (or frames) per second over `n` buffers; higher is better.
    Rate { n: u64 },
    /// Peak resident set size in MiB; lower is better.
    PeakRss,
    /// Mean wall time of one launch in ms over 20 launches; lower is better.
    Startup,
}

struct Row {
    name: &'static str,
    gst_script: &'static str,
    pipeline: String,
    kind: Kind,
}

fn rows() -> Vec<Row> {
    let src = |size: u32, n: u64| {
        format!(
            "fakesrc num-buffers={n} sizetype=fixed sizemax={size} filltype=nothing silent=true"
        )
    };
    let identities = "identity ! ".repeat(10);
    let queues = "queue ! ".repeat(10);
    vec![
        Row { name: "fakesrc ! fakesink, 0 B", gst_script: "a01_fakesrc_0B.sh", pipeline: format!("{} ! fakesink", src(0, 5_000_000)), kind: Kind::Rate { n: 5_000_000 } },
        Row { name: "fakesrc ! fakesink, 4 KiB", gst_script: "a02_fakesrc_4KiB.sh", pipeline: format!("{} ! fakesink", src(4096, 5_000_000)), kind: Kind::Rate { n: 5_000_000 } },
        Row { name: "fakesrc ! fakesink, 1 MiB", gst_script: "a03_fakesrc_1MiB.sh", pipeline: format!("{} ! fakesink", src(1 << 20, 5_000_000)), kind: Kind::Rate { n: 5_000_000 } },
        Row { name: "fakesrc ! 10x identity ! fakesink, 4 KiB", gst_script: "a04_identity10_4KiB.sh", pipeline: format!("{} ! {identities}fakesink", src(4096, 1_000_000)), kind: Kind::Rate { n: 1_000_000 } },
        Row { name: "fakesrc ! queue ! fakesink, 4 KiB", gst_script: "a05_queue1_4KiB.sh", pipeline: format!("{} ! queue ! fakesink", src(4096, 2_000_000)), kind: Kind::Rate { n: 2_000_000 } },
        Row { name: "fakesrc ! 10x queue ! fakesink, 4 KiB", gst_script: "a06_queue10_4KiB.sh", pipeline: format!("{} ! {queues}fakesink", src(4096, 1_000_000)), kind: Kind::Rate { n: 1_000_000 } },
        Row { name: "tee to 4 fakesinks, 4 KiB", gst_script: "b01_tee4_4KiB.sh", pipeline: format!("{} ! tee name=t t. ! fakesink t. ! fakesink t. ! fakesink t. ! fakesink", src(4096, 2_000_000)), kind: Kind::Rate { n: 2_000_000 } },
        Row { name: "tee to 4 x (queue ! fakesink), 4 KiB", gst_script: "b02_tee4q_4KiB.sh", pipeline: format!("{} ! tee name=t t. ! queue ! fakesink t. ! queue ! fakesink t. ! queue ! fakesink t. ! queue ! fakesink", src(4096, 500_000)), kind: Kind::Rate { n: 500_000 } },
        Row { name: "videotestsrc 1080p I420 ! fakesink (frames/s)", gst_script: "c01_vts_1080p_i420.sh", pipeline: "videotestsrc num-buffers=300 ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! fakesink".into(), kind: Kind::Rate { n: 300 } },
        Row { name: "videotestsrc 1080p RGBA ! fakesink (frames/s; gst: I420 ! videoconvert ! RGBA)", gst_script: "c02_vts_1080p_to_rgba.sh", pipeline: "videotestsrc num-buffers=300 ! video/x-raw,format=RGBA,width=1920,height=1080,framerate=30/1 ! fakesink".into(), kind: Kind::Rate { n: 300 } },
        Row { name: "peak RSS, fakesrc 100k x 4 KiB ! fakesink (MiB)", gst_script: "g01_rss_fakesrc_fakesink.sh", pipeline: format!("{} ! fakesink", src(4096, 100_000)), kind: Kind::PeakRss },
        Row { name: "start to EOS, fakesrc num-buffers=1 ! fakesink (ms)", gst_script: "s01_gst_startup.sh", pipeline: "fakesrc num-buffers=1 ! fakesink".into(), kind: Kind::Startup },
    ]
}

fn peak_rss_mib(bin: &Path, pipeline: &str) -> Result<f64, String> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .args(["launch", "--quiet", pipeline])
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kib: f64 = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("no RSS figure in: {text}"))?;
    Ok(kib / 1024.0)
}

fn parallax_value(bin: &Path, row: &Row) -> Result<f64, String> {
    match row.kind {
        Kind::Rate { n } => Ok(n as f64 / launch_secs(bin, &row.pipeline)?),
        Kind::PeakRss => peak_rss_mib(bin, &row.pipeline),
        Kind::Startup => {
            let mut total = 0.0;
            for _ in 0..20 {
                total += launch_secs(bin, &row.pipeline)?;
            }
            Ok(total / 20.0 * 1000.0)
        }
    }
}

fn human(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.0} k", v / 1e3)
    } else {
        format!("{v:.1}")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!(
            "usage: {} PARALLAX_BIN GST_BENCH_DIR [RUNS] [ROW_FILTER]",
            args[0]
        );
        std::process::exit(2);
    }
    let bin = PathBuf::from(&args[1]);
    let gst_dir = PathBuf::from(&args[2]);
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let filter = args.get(4).cloned().unwrap_or_default();

    println!("| row | Parallax | GStreamer | Parallax/GStreamer |");
    println!("|---|---:|---:|---:|");
    let mut failed = false;
    for row in rows().into_iter().filter(|r| r.name.contains(&filter)) {
        let mut ours = Vec::with_capacity(runs);
        let mut theirs = Vec::with_capacity(runs);
        // Interleave the two sides so background load hits both alike.
        for _ in 0..runs {
            match (
                parallax_value(&bin, &row),
                peer_value(&gst_dir, row.gst_script),
            ) {
                (Ok(a), Ok(b)) => {
                    ours.push(a);
                    theirs.push(b);
                }
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("{}: {e}", row.name);
                    failed = true;
                    break;
                }
            }
        }
        if ours.is_empty() {
            continue;
        }
        let (a, b) = (median(ours), median(theirs));
        // For rates higher is better; for RSS and start-up lower is better. The ratio is
        // always "how many times better Parallax is" (> 1 = Parallax wins).
        let ratio = match row.kind {
            Kind::Rate { .. } => a / b,
            Kind::PeakRss | Kind::Startup => b / a,
        };
        println!(
            "| {} | {} | {} | {:.2}x |",
            row.name,
            human(a),
            human(b),
            ratio
        );
    }
    if failed {
        std::process::exit(1);
    }
}
