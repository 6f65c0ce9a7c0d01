//! decodebin: typefinding by content and decoding through whatever decoders are
//! registered, for files made by ffmpeg (made at test time; ci/test.sh installs ffmpeg).

use std::path::PathBuf;
use std::process::Command;

use crate::containers_support::{fixture, run_sinks, run_to_end, scratch};

/// Makes `name` with `ffmpeg -f lavfi <input> <args>` (once per test process).
fn make(name: &str, input: &str, args: &[&str]) -> PathBuf {
    let path = scratch(name);
    if !path.exists() {
        let status = Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                input,
            ])
            .args(args)
            .arg(&path)
            .status()
            .expect("ffmpeg runs (ci/test.sh installs it)");
        assert!(status.success(), "ffmpeg made {name}");
    }
    path
}

const TONE: &str = "sine=frequency=440:sample_rate=44100:duration=0.5";

/// Decodes `path` with `decodebin` (extra properties in `props`); returns the buffers
/// and the caps the appsink ended with.
async fn decode(
    path: &std::path::Path,
    props: &str,
) -> Result<(usize, parallax::core::Caps), String> {
    let desc = format!(
        "filesrc location={} ! decodebin {props} ! appsink name=out",
        path.display()
    );
    let out = run_sinks(&desc, &["out"]).await?;
    let bytes = out[0].buffers.iter().map(|b| b.len()).sum();
    Ok((bytes, out[0].caps.clone().ok_or("no caps")?))
}

fn raw_audio(caps: &parallax::core::Caps) -> (i64, i64, String) {
    let s = caps.structure(0).expect("caps");
    assert_eq!(s.name(), "audio/x-raw", "{caps}");
    (
        s.get_int("rate").unwrap_or(0),
        s.get_int("channels").unwrap_or(0),
        s.get_str("format").unwrap_or("").to_owned(),
    )
}

fn bytes_per_sample(format: &str) -> usize {
    match format {
        "S16LE" => 2,
        "S32LE" | "F32LE" => 4,
        other => panic!("unexpected format {other}"),
    }
}

#[cfg(feature = "audiodec")]
#[tokio::test]
async fn lossless_audio_decodes_to_every_sample() {
    for (name, args) in [
        ("tone.wav", &["-c:a", "pcm_s16le"][..]),
        ("tone.flac", &["-c:a", "flac"][..]),
    ] {
        let path = make(name, TONE, args);
        let (bytes, caps) = decode(&path, "")
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (rate, channels, format) = raw_audio(&caps);
        assert_eq!((rate, channels), (44100, 1), "{name}");
        assert_eq!(bytes / bytes_per_sample(&format), 22050, "{name}: samples");
    }
}

#[cfg(feature = "imagedec")]
#[tokio::test]
async fn images_decode_to_raw_video() {
    let png = make("pic.png", "testsrc2=size=64x48", &["-frames:v", "1"]);
    let jpg = make(
        "pic.jpg",
        "testsrc2=size=64x48",
        &["-frames:v", "1", "-pix_fmt", "yuvj420p"],
    );
    for path in [png, jpg] {
        let (bytes, caps) = decode(&path, "")
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let s = caps.structure(0).expect("caps");
        assert_eq!(s.name(), "video/x-raw", "{caps}");
        assert_eq!(
            (s.get_int("width"), s.get_int("height")),
            (Some(64), Some(48))
        );
        assert!(bytes >= 64 * 48, "{}: {bytes} bytes", path.display());
    }
}

#[tokio::test]
async fn unknown_bytes_fail_with_a_clear_error() {
    let path = scratch("garbage.bin");
    std::fs::write(
        &path,
        b"this is not a media file, just some words".repeat(200),
    )
    .expect("write");
    let err = run_to_end(&format!(
        "filesrc location={} ! decodebin ! fakesink",
        path.display()
    ))
    .await
    .expect_err("garbage");
    assert!(
        err.contains("decodebin") && err.contains("could not determine the type"),
        "{err}"
    );
    assert!(err.contains("byte 0"), "{err}");
}

#[tokio::test]
async fn a_stream_without_decoder_names_what_is_missing() {
    // No AV1 or Opus decoder may be registered in this build; when one is, the file
    // decodes instead, which the assertion also accepts.
    let result = decode(&fixture("av1_opus.mp4"), "").await;
    match result {
        Ok((bytes, caps)) => assert!(bytes > 0, "{caps}"),
        Err(e) => assert!(e.contains("no element can decode"), "{e}"),
    }
}

/// Runs `desc` (one appsink named `out`) and returns the bytes it got and its caps.
async fn run_chain(desc: &str) -> Result<(Vec<u8>, parallax::core::Caps), String> {
    let out = run_sinks(desc, &["out"]).await?;
    let bytes = out[0]
        .buffers
        .iter()
        .flat_map(|b| b.data().to_vec())
        .collect();
    Ok((bytes, out[0].caps.clone().ok_or("no caps")?))
}

/// decodebin's output for `path` and that of the explicit `chain` (which ends in the
/// decoder decodebin should pick) must be the same bytes and caps; returns
/// (rate, channels, frames).
async fn same_as_explicit_chain(
    path: &std::path::Path,
    props: &str,
    chain: &str,
) -> (i64, i64, usize) {
    let name = path.display();
    let (ours, caps) = run_chain(&format!(
        "filesrc location=\"{name}\" ! decodebin {props} ! appsink name=out"
    ))
    .await
    .unwrap_or_else(|e| panic!("{name} via decodebin: {e}"));
    let (theirs, their_caps) = run_chain(&format!(
        "filesrc location=\"{name}\" ! {chain} ! appsink name=out"
    ))
    .await
    .unwrap_or_else(|e| panic!("{name} via {chain}: {e}"));
    assert_eq!(caps, their_caps, "{name}: caps");
    assert!(
        ours == theirs,
        "{name}: decodebin's {} bytes differ from {chain}'s {}",
        ours.len(),
        theirs.len()
    );
    let (rate, channels, format) = raw_audio(&caps);
    let frames = ours.len() / bytes_per_sample(&format) / channels.max(1) as usize;
    (rate, channels, frames)
}

// Lossy decoders allocate one slot of their own 16-slot pool per decoded frame; these
// streams have more frames than that, which is what used to hang decodebin.
#[cfg(feature = "audiodec")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lossy_audio_files_decode_like_their_decoders() {
    // TONE is 22,050 mono samples at 44.1 kHz; the lossy encoders add their delay and
    // padding (MP3 frames are 1152 samples, AAC 1024, Vorbis blocks up to 2048).
    for (name, args, chain) in [
        (
            "tone.mp3",
            &["-c:a", "libmp3lame", "-b:a", "128k"][..],
            "mpg123audiodec",
        ),
        (
            "tone.ogg",
            &["-c:a", "libvorbis", "-q:a", "4"][..],
            "oggdemux ! vorbisdec",
        ),
        (
            "tone.aac",
            &["-c:a", "aac", "-b:a", "128k", "-f", "adts"][..],
            "aacdec",
        ),
    ] {
        let path = make(name, TONE, args);
        let (rate, channels, frames) = same_as_explicit_chain(&path, "", chain).await;
        assert_eq!((rate, channels), (44100, 1), "{name}");
        assert!(frames.abs_diff(22050) <= 2048, "{name}: {frames} frames");
    }
}

// The audio of the MP4 and TS fixtures: 45 AAC packets of 1024 mono frames at 44.1 kHz
// (h264_aac.*.packets.csv), the first one encoder priming.
#[cfg(feature = "audiodec")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_audio_decodes_like_demuxer_and_decoder() {
    for (file, chain) in [
        ("h264_aac.mp4", "qtdemux name=d d.audio_0 ! aacdec"),
        ("h264_aac.ts", "tsdemux name=d d.audio_0 ! aacdec"),
    ] {
        let (rate, channels, frames) =
            same_as_explicit_chain(&fixture(file), "stream=audio", chain).await;
        assert_eq!((rate, channels), (44100, 1), "{file}");
        assert!(
            frames == 45 * 1024 || frames == 44 * 1024,
            "{file}: {frames} frames"
        );
    }
}
