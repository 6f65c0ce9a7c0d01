//! Decoder benchmarks, side by side with GStreamer: PNG and JPEG decode of a 720p
//! picture, FLAC and MP3 decode of 600 s of audio.
//!
//! Every row runs the same work per round: the `parallax` CLI (release build with the
//! `imagedec` and `audiodec` features) and the matching peer script of
//! `../shared/bench/gst/bench/`, as separate processes timed by wall clock from start to
//! exit (as the peer scripts time theirs), then prints the medians and the ratio. The
//! peers loop one picture with `multifilesrc`; Parallax has no such source, so it reads a
//! file of the same picture concatenated N times (its decoders frame concatenated images).
//!
//! Usage: `benches/run-decode.sh` (builds first and makes the media), or
//! `bench_decode PARALLAX_BIN PEER_BENCH_DIR MEDIA_DIR [RUNS] [ROW_FILTER]`.

use parallax_benches::{launch_secs, median, peer_value};
use std::path::{Path, PathBuf};

/// One row: a Parallax pipeline and the peer script that does the same work.
struct Row {
    name: &'static str,
    peer_script: &'static str,
    pipeline: String,
    /// Units of work per run (pictures, or seconds of audio); both sides report units/s.
    units: f64,
    unit: &'static str,
}

fn rows(media: &Path) -> Vec<Row> {
    let file = |name: &str| media.join(name).display().to_string();
    vec![
        Row {
            name: "PNG decode 1280x720 RGB (300 pictures)",
            peer_script: "d07_pngdec_720p.sh",
            pipeline: format!(
                "filesrc location={} blocksize=1048576 ! pngdec ! fakesink",
                file("image_720p_x300.png")
            ),
            units: 300.0,
            unit: "fps",
        },
        Row {
            name: "JPEG decode 1280x720 4:2:0 (1000 pictures)",
            peer_script: "d05_jpegdec_720p.sh",
            pipeline: format!(
                "filesrc location={} blocksize=1048576 ! jpegdec ! fakesink",
                file("image_720p_x1000.jpg")
            ),
            units: 1000.0,
            unit: "fps",
        },
        Row {
            name: "FLAC decode 600 s stereo 44.1 kHz",
            peer_script: "e02_flacdec_600s.sh",
            pipeline: format!(
                "filesrc location={} blocksize=65536 ! flacdec ! fakesink",
                file("audio_600s.flac")
            ),
            units: 600.0,
            unit: "x realtime",
        },
        Row {
            name: "MP3 decode 600 s stereo 44.1 kHz 192 kbit/s",
            peer_script: "e04_mp3dec_600s.sh",
            pipeline: format!(
                "filesrc location={} blocksize=65536 ! mpg123audiodec ! fakesink",
                file("audio_600s.mp3")
            ),
            units: 600.0,
            unit: "x realtime",
        },
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!(
            "usage: {} PARALLAX_BIN PEER_BENCH_DIR MEDIA_DIR [RUNS] [ROW_FILTER]",
            args[0]
        );
        std::process::exit(2);
    }
    let bin = PathBuf::from(&args[1]);
    let peer_dir = PathBuf::from(&args[2]);
    let media = PathBuf::from(&args[3]);
    let runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let filter = args.get(5).cloned().unwrap_or_default();

    println!("| row | unit | Parallax | GStreamer | Parallax/GStreamer | peer script |");
    println!("|---|---|---:|---:|---:|---|");
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
                (Ok(secs), Ok(rate)) => {
                    ours.push(row.units / secs);
                    theirs.push(rate);
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
            "| {} | {} | {a:.1} | {b:.1} | {:.2}x | `{}` |",
            row.name,
            row.unit,
            a / b,
            row.peer_script
        );
    }
    if failed {
        std::process::exit(1);
    }
}
