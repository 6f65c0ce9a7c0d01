//! Containers: qtdemux, tsdemux and mp4mux against files made by ffmpeg (with ffprobe's
//! packet lists stored beside them), round trips and bad input.

use crate::containers_support::{
    assert_matches_ffprobe, fixture, packets, run_sinks, run_to_end, scratch, time_base, to_time,
};

fn demux_desc(file: &str, demuxer: &str) -> String {
    format!(
        "filesrc location={} ! {demuxer} name=d \
         d.video_0 ! appsink name=v \
         d.audio_0 ! appsink name=a",
        fixture(file).display()
    )
}

#[tokio::test]
async fn qtdemux_av1_opus_matches_ffprobe() {
    let out = run_sinks(&demux_desc("av1_opus.mp4", "qtdemux"), &["v", "a"])
        .await
        .expect("demux");
    assert_matches_ffprobe("av1_opus.mp4", 0, &out[0].buffers, true);
    assert_matches_ffprobe("av1_opus.mp4", 1, &out[1].buffers, true);
    let video = out[0]
        .caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .expect("video caps");
    assert_eq!(video.name(), "video/x-av1");
    assert_eq!(video.get_int("width"), Some(160));
    assert_eq!(video.get_int("height"), Some(120));
    // av1C starts with the marker/version byte 0x81.
    assert!(
        video
            .get_str("codec_data")
            .is_some_and(|c| c.starts_with("81"))
    );
    let audio = out[1]
        .caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .expect("audio caps");
    assert_eq!(audio.name(), "audio/x-opus");
    assert_eq!(audio.get_int("rate"), Some(48000));
    assert_eq!(audio.get_int("channels"), Some(1));
}

#[tokio::test]
async fn qtdemux_h264_aac_matches_ffprobe() {
    let out = run_sinks(&demux_desc("h264_aac.mp4", "qtdemux"), &["v", "a"])
        .await
        .expect("demux");
    assert_matches_ffprobe("h264_aac.mp4", 0, &out[0].buffers, true);
    assert_matches_ffprobe("h264_aac.mp4", 1, &out[1].buffers, true);
    let video = out[0]
        .caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .expect("video caps");
    assert_eq!(video.name(), "video/x-h264");
    assert_eq!(video.get_str("stream-format"), Some("avc"));
    let audio = out[1]
        .caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .expect("audio caps");
    assert_eq!(audio.name(), "audio/mpeg");
    assert_eq!(audio.get_int("mpegversion"), Some(4));
    assert_eq!(audio.get_int("rate"), Some(44100));
    assert!(audio.get_str("codec_data").is_some());
}

#[tokio::test]
async fn qtdemux_links_one_stream_and_drops_the_other() {
    let desc = format!(
        "filesrc location={} ! qtdemux name=d d.audio_0 ! appsink name=a",
        fixture("h264_aac.mp4").display()
    );
    let out = run_sinks(&desc, &["a"]).await.expect("demux");
    assert_matches_ffprobe("h264_aac.mp4", 1, &out[0].buffers, true);
}

#[tokio::test]
async fn qtdemux_pad_must_be_named() {
    let desc = format!(
        "filesrc location={} ! qtdemux ! fakesink",
        fixture("h264_aac.mp4").display()
    );
    let err = run_to_end(&desc).await.expect_err("an unnamed demuxer pad");
    assert!(err.contains("qtdemux"), "{err}");
}

/// Variants of a good file that must fail cleanly (or, for a flip inside sample data,
/// may succeed), never panic or hang; a failure names the element and a byte offset.
fn damaged(original: &[u8]) -> Vec<(&'static str, Vec<u8>, bool)> {
    let mut flipped = original.to_vec();
    // Inside the moov of a faststart file: a table or size field changes.
    for i in (40..flipped.len().min(2000)).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    let mut state = 0x1234_5678_u32;
    let random = (0..original.len())
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    vec![
        (
            "truncated",
            original[..original.len() * 2 / 3].to_vec(),
            true,
        ),
        ("truncated-header", original[..100].to_vec(), true),
        ("bit-flipped", flipped, false),
        ("zero-filled", vec![0; original.len()], true),
        ("random", random, true),
    ]
}

async fn check_damaged(file: &str, demuxer: &str) {
    let original = std::fs::read(fixture(file)).expect("fixture");
    for (what, bytes, must_fail) in damaged(&original) {
        let path = scratch(&format!("{demuxer}-{what}"));
        std::fs::write(&path, bytes).expect("write");
        let desc = format!(
            "filesrc location={} ! {demuxer} name=d d.video_0 ! fakesink d.audio_0 ! fakesink",
            path.display()
        );
        let result = run_to_end(&desc).await;
        let _ = std::fs::remove_file(&path);
        match result {
            Ok(()) => assert!(!must_fail, "{demuxer} accepted a {what} file"),
            Err(e) => {
                // The demuxer is named `d` in the pipeline text.
                assert!(
                    e.contains("element 'd'"),
                    "{what}: error does not name the demuxer: {e}"
                );
                assert!(e.contains("byte"), "{what}: error has no byte offset: {e}");
                assert!(!e.contains("panic"), "{what}: {e}");
            }
        }
    }
}

#[tokio::test]
async fn qtdemux_bad_input_fails_cleanly() {
    check_damaged("h264_aac.mp4", "qtdemux").await;
    check_damaged("av1_opus.mp4", "qtdemux").await;
}

#[cfg(feature = "ts")]
#[tokio::test]
async fn tsdemux_h264_aac_matches_ffprobe() {
    let out = run_sinks(&demux_desc("h264_aac.ts", "tsdemux"), &["v", "a"])
        .await
        .expect("demux");
    // PES payloads are not stored contiguously in the file, so positions and bytes are
    // not compared here; sizes, timestamps and keyframes are.
    assert_matches_ffprobe("h264_aac.ts", 0, &out[0].buffers, false);
    // ffmpeg packs several ADTS frames into one PES; tsdemux sends whole PES payloads
    // (as GStreamer's does, a parser splits frames), ffprobe lists frames. So: the same
    // bytes in total, and each PES starts at a frame boundary with that frame's time.
    let frames = packets("h264_aac.ts", 1);
    let den = time_base("h264_aac.ts", 1);
    let total: usize = frames.iter().map(|p| p.size).sum();
    let got: usize = out[1].buffers.iter().map(|b| b.len()).sum();
    assert_eq!(got, total, "audio bytes");
    let mut at = 0;
    for (i, b) in out[1].buffers.iter().enumerate() {
        let mut offset = 0;
        let frame = frames
            .iter()
            .find(|p| {
                let hit = offset == at;
                offset += p.size;
                hit
            })
            .unwrap_or_else(|| panic!("PES {i} does not start at a frame boundary"));
        assert_eq!(b.meta().pts, to_time(frame.pts, den), "PES {i} pts");
        assert!(
            b.data().starts_with(&[0xff]),
            "PES {i} starts with an ADTS header"
        );
        at += b.len();
    }
    let video = out[0]
        .caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .expect("video caps");
    assert_eq!(video.name(), "video/x-h264");
    assert_eq!(video.get_str("stream-format"), Some("byte-stream"));
    let audio = out[1]
        .caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .expect("audio caps");
    assert_eq!(audio.get_str("stream-format"), Some("adts"));
    assert_eq!(audio.get_int("rate"), Some(44100));
}

#[cfg(feature = "ts")]
#[tokio::test]
async fn tsdemux_bad_input_fails_cleanly() {
    check_damaged("h264_aac.ts", "tsdemux").await;
}

/// Remuxes `file` through `qtdemux ! mp4mux` (both streams) into a scratch file.
async fn remux(file: &str, props: &str) -> std::path::PathBuf {
    let out = scratch(&format!("remux-{props}-{file}").replace(['=', ' '], "_"));
    let desc = format!(
        "filesrc location={} ! qtdemux name=d \
         mp4mux name=m {props} ! filesink location={} \
         d.video_0 ! queue ! m.video_0  d.audio_0 ! queue ! m.audio_0",
        fixture(file).display(),
        out.display()
    );
    run_to_end(&desc).await.expect("remux");
    out
}

fn ffprobe_codecs(path: &std::path::Path) -> String {
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs (ci/test.sh installs ffmpeg)");
    assert!(
        out.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test]
async fn mp4mux_output_is_read_by_ffmpeg_and_round_trips() {
    for (file, codecs) in [("av1_opus.mp4", "av1,opus"), ("h264_aac.mp4", "h264,aac")] {
        for props in ["", "faststart=false"] {
            let muxed = remux(file, props).await;
            assert_eq!(ffprobe_codecs(&muxed), codecs, "{file} {props}");
            // ffmpeg decodes every frame without an error.
            let status = std::process::Command::new("ffmpeg")
                .args(["-v", "error", "-xerror", "-i"])
                .arg(&muxed)
                .args(["-f", "null", "-"])
                .status()
                .expect("ffmpeg");
            assert!(
                status.success(),
                "ffmpeg could not decode {file} remuxed ({props})"
            );
            // Demuxing the remuxed file gives the same samples as the original.
            let original = run_sinks(&demux_desc(file, "qtdemux"), &["v", "a"])
                .await
                .expect("demux");
            let desc = format!(
                "filesrc location={} ! qtdemux name=d d.video_0 ! appsink name=v d.audio_0 ! appsink name=a",
                muxed.display()
            );
            let again = run_sinks(&desc, &["v", "a"]).await.expect("demux remuxed");
            for (a, b) in original.iter().zip(&again) {
                assert_eq!(a.buffers.len(), b.buffers.len(), "{file}: sample count");
                for (x, y) in a.buffers.iter().zip(&b.buffers) {
                    assert_eq!(x.data(), y.data(), "{file}: sample bytes");
                    assert_eq!(
                        x.meta()
                            .flags
                            .contains(parallax::core::BufferFlags::KEYFRAME),
                        y.meta()
                            .flags
                            .contains(parallax::core::BufferFlags::KEYFRAME),
                        "{file}: keyframe"
                    );
                }
            }
            let _ = std::fs::remove_file(&muxed);
        }
    }
}
