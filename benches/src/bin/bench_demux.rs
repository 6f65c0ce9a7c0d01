//! MP4 and MPEG-TS demux side by side with GStreamer and FFmpeg: the same files
//! (`../shared/bench/gst/make_media.sh`), the same work (demux both streams into
//! fakesinks), through the release `parallax` CLI; prints each row's ratio.
//!
//! Usage: `bench_demux <parallax> <gst bench dir> <media dir> [runs]` (`benches/run-demux.sh`).

use parallax_benches::{launch_secs, median, peer_value};
use std::path::{Path, PathBuf};

struct Row {
    name: &'static str,
    peer: &'static str,
    file: &'static str,
    demuxer: &'static str,
    /// Whether the peer prints MB/s (else wall milliseconds).
    rate: bool,
}

const ROWS: &[Row] = &[
    Row {
        name: "MP4 demux 10 s 720p H.264+AAC, wall (ms) vs gst",
        peer: "e06_mp4demux_10s.sh",
        file: "h264_720p_10s.mp4",
        demuxer: "qtdemux",
        rate: false,
    },
    Row {
        name: "MP4 demux 1 h (MB/s) vs gst",
        peer: "e07_mp4demux_1h.sh",
        file: "h264_720p_3600s.mp4",
        demuxer: "qtdemux",
        rate: true,
    },
    Row {
        name: "MP4 demux 1 h (MB/s) vs ffmpeg -c copy -f null",
        peer: "e08_ff_mp4demux_1h.sh",
        file: "h264_720p_3600s.mp4",
        demuxer: "qtdemux",
        rate: true,
    },
    Row {
        name: "TS demux 1 h (MB/s) vs gst",
        peer: "e09_tsdemux_1h.sh",
        file: "h264_720p_3600s.ts",
        demuxer: "tsdemux",
        rate: true,
    },
    Row {
        name: "TS demux 1 h (MB/s) vs ffmpeg -c copy -f null",
        peer: "e10_ff_tsdemux_1h.sh",
        file: "h264_720p_3600s.ts",
        demuxer: "tsdemux",
        rate: true,
    },
];

fn pipeline(media: &Path, row: &Row) -> String {
    format!(
        "filesrc location={} ! {} name=d d.video_0 ! fakesink d.audio_0 ! fakesink",
        media.join(row.file).display(),
        row.demuxer
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: bench_demux <parallax> <gst bench dir> <media dir> [runs]");
        std::process::exit(2);
    }
    let (bin, dir, media) = (
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
        PathBuf::from(&args[3]),
    );
    let runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    println!("| row | parallax | peer | parallax / peer |");
    println!("|---|---|---|---|");
    for row in ROWS {
        let p = pipeline(&media, row);
        let size = std::fs::metadata(media.join(row.file))
            .map(|m| m.len())
            .unwrap_or(0) as f64;
        let ours: Result<Vec<f64>, String> = (0..runs).map(|_| launch_secs(&bin, &p)).collect();
        let peer: Result<Vec<f64>, String> =
            (0..runs).map(|_| peer_value(&dir, row.peer)).collect();
        match (ours, peer) {
            (Ok(ours), Ok(peer)) => {
                let secs = median(ours);
                let peer = median(peer);
                // Ratios are "times as fast": above 1 means Parallax is faster.
                let (value, ratio) = if row.rate {
                    let mbs = size / secs / 1e6;
                    (format!("{mbs:.0} MB/s"), mbs / peer)
                } else {
                    (format!("{:.1} ms", secs * 1000.0), peer / (secs * 1000.0))
                };
                let unit = if row.rate { "MB/s" } else { "ms" };
                println!(
                    "| {} | {value} | {peer:.1} {unit} | {ratio:.2}x |",
                    row.name
                );
            }
            (Err(e), _) | (_, Err(e)) => println!("| {} | error: {e} | | |", row.name),
        }
    }
}
