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
