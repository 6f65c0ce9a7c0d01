//! Codec and converter benchmarks, side by side with GStreamer (and the rav1e CLI, the
//! peer for AV1 encoding: Debian's GStreamer has no `rav1enc`).
//!
//! Every row runs the same work twice per round — the `parallax` CLI (release build with
//! the `image` and `av1enc` features) and the matching peer script of
//! `../shared/bench/gst/bench/` — as separate processes timed by wall clock from start to
//! exit (the peer scripts time their command the same way), and prints the medians and
//! the Parallax/peer ratio as a Markdown table.
//!
//! Usage: `benches/run-codecs.sh` (builds first and makes the media), or
//! `bench_codecs PARALLAX_BIN PEER_BENCH_DIR MEDIA_DIR [RUNS] [ROW_FILTER]`.

use parallax_benches::{PeerBenchArgs, launch_secs, median, peer_value};
use std::path::Path;

/// One row: a Parallax pipeline and the peer script that does the same work.
struct Row {
    name: &'static str,
    peer_script: &'static str,
    pipeline: String,
    /// Frames per run; both sides report frames per second.
    frames: u64,
}

fn rows(media: &Path) -> Vec<Row> {
    let raw = |format: &str, w: u32, h: u32| {
        format!("video/x-raw,format={format},width={w},height={h},framerate=30/1")
    };
    // The rav1e CLI reads the first 150 (30) frames of the peer's y4m file with
    // `--limit`; run-codecs.sh cuts the same frames into files of their own, because a
    // y4m parser has no frame limit.
    let y4m = |name: &str| media.join(name).display().to_string();
    vec![
        Row {
            name: "PNG encode 1280x720 RGB (compression-level 6)",
            peer_script: "d01_pngenc_720p.sh",
            pipeline: format!(
                "videotestsrc num-buffers=200 ! {} ! pngenc ! fakesink",
                raw("RGB", 1280, 720)
            ),
            frames: 200,
        },
        Row {
            name: "JPEG encode 1280x720 I420 (quality 85)",
            peer_script: "d03_jpegenc_720p.sh",
            pipeline: format!(
                "videotestsrc num-buffers=1000 ! {} ! jpegenc ! fakesink",
                raw("I420", 1280, 720)
            ),
            frames: 1000,
        },
        Row {
            name: "videoconvert 1920x1080 I420 -> RGBA",
            peer_script: "c02_vts_1080p_to_rgba.sh",
            pipeline: format!(
                "videotestsrc num-buffers=300 ! {} ! videoconvert ! video/x-raw,format=RGBA ! fakesink",
                raw("I420", 1920, 1080)
            ),
            frames: 300,
        },
        Row {
            name: "AV1 encode 320x240, rav1e speed 10, 300 kbit/s (peer: rav1e CLI)",
            peer_script: "e30_av1enc_rav1e_cli_240p.sh",
            pipeline: format!(
                "filesrc location={} ! y4mdec ! rav1enc speed-preset=10 bitrate=300000 ! fakesink",
                y4m("src_320x240_150f.y4m")
            ),
            frames: 150,
        },
        Row {
            name: "AV1 encode 1280x720, rav1e speed 10, 2 Mbit/s (peer: rav1e CLI)",
            peer_script: "e31_av1enc_rav1e_cli_720p.sh",
            pipeline: format!(
                "filesrc location={} ! y4mdec ! rav1enc speed-preset=10 bitrate=2000000 ! fakesink",
                y4m("src_1280x720_30f.y4m")
            ),
            frames: 30,
        },
    ]
}

fn main() {
    let PeerBenchArgs {
        bin,
        peer_dir,
        media,
        runs,
        filter,
    } = PeerBenchArgs::from_env();

    println!("| row | Parallax fps | peer fps | Parallax/peer | peer script |");
    println!("|---|---:|---:|---:|---|");
    let mut failed = false;
    for row in rows(&media)
        .into_iter()
        .filter(|r| r.name.contains(&filter))
    {
        let mut ours = Vec::with_capacity(runs);
        let mut theirs = Vec::with_capacity(runs);
        // Interleave the two sides so background load hits both alike.
        for _ in 0..runs {
            match (
                launch_secs(&bin, &row.pipeline),
                peer_value(&peer_dir, row.peer_script),
            ) {
                (Ok(secs), Ok(fps)) => {
                    ours.push(row.frames as f64 / secs);
                    theirs.push(fps);
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
        println!(
            "| {} | {a:.1} | {b:.1} | {:.2}x | `{}` |",
            row.name,
            a / b,
            row.peer_script
        );
    }
    if failed {
        std::process::exit(1);
    }
}
