//! Decoder benchmarks, side by side with GStreamer: PNG and JPEG decode of a 720p
//! picture, FLAC and MP3 decode of 600 s of audio; JPEG also against FFmpeg.
//!
//! Every row runs the same work per round: the `parallax` CLI (release build with the
//! `imagedec` and `audiodec` features) and the matching peer script of
//! `../shared/bench/gst/bench/`, as separate processes timed by wall clock from start to
//! exit (as the peer scripts time theirs), then prints the medians and the ratio. The
//! peers loop one picture with `multifilesrc`; Parallax has no such source, so it reads a
//! file of the same picture concatenated N times (its decoders frame concatenated images).
//! The GStreamer JPEG row runs our own script, `benches/peers/jpegdec_720p_no_jpegparse.sh`
//! (the peer's `d05` without `jpegparse`, which this machine's GStreamer lacks; see the
//! script for why the work is the same); it needs `PEERBENCH_HOME`, which
//! `run-decode.sh` sets.
//!
//! Usage: `benches/run-decode.sh` (builds first and makes the media), or
//! `bench_decode PARALLAX_BIN PEER_BENCH_DIR MEDIA_DIR [RUNS] [ROW_FILTER]`.

use parallax_benches::{PeerBenchArgs, launch_secs, median, peer_value};
use std::path::Path;

/// Where a row's peer script lives.
#[derive(Clone, Copy)]
enum Peer {
    /// A script of the peer bench folder (`PEER_BENCH_DIR`).
    Shared(&'static str),
    /// One of ours, in `benches/peers/`.
    Own(&'static str),
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Shared(s) | Peer::Own(s) => s,
        }
    }

    fn value(self, shared_dir: &Path) -> Result<f64, String> {
        match self {
            Peer::Shared(s) => peer_value(shared_dir, s),
            Peer::Own(s) => peer_value(&Path::new(env!("CARGO_MANIFEST_DIR")).join("peers"), s),
        }
    }
}

/// One row: a Parallax pipeline and the peer script that does the same work.
struct Row {
    name: &'static str,
    /// What the peer is, for the table ("GStreamer", "FFmpeg").
    peer_name: &'static str,
    peer: Peer,
    pipeline: String,
    /// Units of work per run (pictures, or seconds of audio); both sides report units/s.
    units: f64,
    unit: &'static str,
}

fn rows(media: &Path) -> Vec<Row> {
    let file = |name: &str| media.join(name).display().to_string();
    let jpeg = format!(
        "filesrc location={} blocksize=1048576 ! jpegdec ! fakesink",
        file("image_720p_x1000.jpg")
    );
    vec![
        Row {
            name: "PNG decode 1280x720 RGB (300 pictures)",
            peer_name: "GStreamer",
            peer: Peer::Shared("d07_pngdec_720p.sh"),
            pipeline: format!(
                "filesrc location={} blocksize=1048576 ! pngdec ! fakesink",
                file("image_720p_x300.png")
            ),
            units: 300.0,
            unit: "fps",
        },
        Row {
            name: "JPEG decode 1280x720 4:2:0 (1000 pictures)",
            peer_name: "GStreamer",
            peer: Peer::Own("jpegdec_720p_no_jpegparse.sh"),
            pipeline: jpeg.clone(),
            units: 1000.0,
            unit: "fps",
        },
        Row {
            name: "JPEG decode 1280x720 4:2:0 (1000 pictures)",
            peer_name: "FFmpeg",
            peer: Peer::Shared("d06_ff_jpegdec_720p.sh"),
            pipeline: jpeg,
            units: 1000.0,
            unit: "fps",
        },
        Row {
            name: "FLAC decode 600 s stereo 44.1 kHz",
            peer_name: "GStreamer",
            peer: Peer::Shared("e02_flacdec_600s.sh"),
            pipeline: format!(
                "filesrc location={} blocksize=65536 ! flacdec ! fakesink",
                file("audio_600s.flac")
            ),
            units: 600.0,
            unit: "x realtime",
        },
        Row {
            name: "MP3 decode 600 s stereo 44.1 kHz 192 kbit/s",
            peer_name: "GStreamer",
            peer: Peer::Shared("e04_mp3dec_600s.sh"),
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
    let PeerBenchArgs {
        bin,
        peer_dir,
        media,
        runs,
        filter,
    } = PeerBenchArgs::from_env();

    println!("| row | unit | Parallax | peer | Parallax/peer | peer script |");
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
            match (launch_secs(&bin, &row.pipeline), row.peer.value(&peer_dir)) {
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
            "| {} | {} | {a:.1} | {b:.1} ({}) | {:.2}x | `{}` |",
            row.name,
            row.unit,
            row.peer_name,
            a / b,
            row.peer.name()
        );
    }
    if failed {
        std::process::exit(1);
    }
}
