//! flacdec against FFmpeg: files made at test time by FFmpeg's FLAC encoder at every
//! compression level, with mono/stereo/5.1, 16 and 24 bits, each stereo coding, odd
//! block sizes and rates, decoded by flacdec and by FFmpeg, sample for sample.

use std::path::PathBuf;
use std::process::Command;

use crate::codecs_decode_support::{assert_clean_error, decode_bytes};

/// A signal FLAC cannot predict exactly: tones, a sweep and noise per channel.
fn source(channels: usize, seconds: f64, rate: u32) -> String {
    let exprs: Vec<String> = (0..channels)
        .map(|c| {
            format!(
                "0.3*sin(2*PI*{}*t)+0.2*sin(2*PI*(100+400*t)*t)+0.08*(random({c})-0.5)",
                220 + 110 * c
            )
        })
        .collect();
    format!("aevalsrc={}:s={rate}:d={seconds}", exprs.join("|"))
}

fn ffmpeg(args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg runs (ci/test.sh installs it)");
    assert!(status.success(), "ffmpeg {args:?}");
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("parallax-flac-{}-{name}", std::process::id()))
}

/// Encodes `source` to FLAC with `args` (`bits` 16 or 24) and returns the file's bytes
/// and FFmpeg's decode of it as samples scaled to 32 bits.
fn encode(name: &str, source: &str, bits: u32, args: &[&str]) -> (Vec<u8>, Vec<i32>) {
    let flac = scratch(&format!("{name}.flac"));
    let raw = scratch(&format!("{name}.raw"));
    let fmt = if bits == 16 { "s16" } else { "s32" };
    let mut all = vec![
        "-f",
        "lavfi",
        "-i",
        source,
        "-sample_fmt",
        fmt,
        "-c:a",
        "flac",
    ];
    all.extend_from_slice(args);
    let path = flac.display().to_string();
    all.push(&path);
    ffmpeg(&all);
    let raw_path = raw.display().to_string();
    ffmpeg(&["-i", &path, "-f", "s32le", "-c:a", "pcm_s32le", &raw_path]);
    let bytes = std::fs::read(&flac).expect("flac file");
    let pcm = std::fs::read(&raw).expect("raw file");
    let _ = std::fs::remove_file(&flac);
    let _ = std::fs::remove_file(&raw);
    let samples = pcm
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (bytes, samples)
}

/// flacdec's output scaled to 32 bits like FFmpeg's S32 (exact: S16 shifted, F32 from
/// 24-bit samples).
fn as_s32(format: &str, bytes: &[u8]) -> Vec<i32> {
    match format {
        "S16LE" => bytes
            .chunks_exact(2)
            .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])) << 16)
            .collect(),
        "F32LE" => bytes
            .chunks_exact(4)
            .map(|b| {
                (f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])) * 2_147_483_648.0) as i32
            })
            .collect(),
        other => panic!("unexpected format {other}"),
    }
}

/// Encodes, decodes through `appsrc ! flacdec` in `chunk`-byte pieces and compares.
async fn check(name: &str, channels: usize, rate: u32, bits: u32, args: &[&str], chunk: usize) {
    let (flac, reference) = encode(name, &source(channels, 1.3, rate), bits, args);
    let out = decode_bytes("audio/x-flac", "flacdec", &flac, chunk)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let format = out.str("format");
    assert_eq!(format, if bits == 16 { "S16LE" } else { "F32LE" }, "{name}");
    assert_eq!(
        (out.int("rate"), out.int("channels")),
        (i64::from(rate), channels as i64),
        "{name}"
    );
    let ours = as_s32(&format, &out.bytes());
    assert_eq!(ours.len(), reference.len(), "{name}: sample count");
    if let Some(i) = ours.iter().zip(&reference).position(|(a, b)| a != b) {
        panic!(
            "{name}: sample {i} (frame {}) is {} instead of {}",
            i / channels,
            ours[i],
            reference[i]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_compression_level_decodes_bit_exact() {
    for level in 0..=12 {
        let l = level.to_string();
        check(
            &format!("level{l}"),
            2,
            44100,
            16,
            &["-compression_level", &l],
            65536,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_sizes_and_stereo_codings_decode_bit_exact() {
    let cases: [(&str, usize, u32, u32, &[&str]); 12] = [
        ("mono16", 1, 44100, 16, &[]),
        ("mono24", 1, 48000, 24, &["-compression_level", "8"]),
        ("surround16", 6, 48000, 16, &[]),
        ("surround24", 6, 96000, 24, &["-compression_level", "12"]),
        ("stereo24", 2, 44100, 24, &[]),
        ("indep", 2, 44100, 16, &["-ch_mode", "indep"]),
        ("left_side", 2, 44100, 16, &["-ch_mode", "left_side"]),
        ("right_side", 2, 44100, 24, &["-ch_mode", "right_side"]),
        ("mid_side", 2, 44100, 24, &["-ch_mode", "mid_side"]),
        ("odd_block", 2, 11025, 16, &["-frame_size", "4609"]),
        (
            "tiny_block",
            2,
            22050,
            16,
            &["-frame_size", "17", "-compression_level", "2"],
        ),
        (
            "exact_rice_lpc32",
            2,
            44100,
            24,
            &[
                "-exact_rice_parameters",
                "1",
                "-max_prediction_order",
                "32",
                "-lpc_type",
                "cholesky",
            ],
        ),
    ];
    for (name, channels, rate, bits, args) in cases {
        check(name, channels, rate, bits, args, 65536).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_split_at_any_byte_decode_the_same() {
    for chunk in [1, 7, 1000, 4097] {
        check(
            &format!("chunk{chunk}"),
            2,
            44100,
            16,
            &["-frame_size", "1152"],
            chunk,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_frames_fail_naming_the_element_and_offset() {
    let (flac, _) = encode("damage", &source(2, 1.0, 44100), 16, &[]);
    // The first frame starts after the header; damage inside the audio data.
    let first = (4..flac.len() - 1)
        .find(|&i| flac[i] == 0xff && flac[i + 1] == 0xf8)
        .expect("a frame");
    let mut cases = Vec::new();
    for at in [first + 1, first + 40, flac.len() / 2, flac.len() - 3] {
        let mut bad = flac.clone();
        bad[at] ^= 0x10;
        cases.push((format!("flip at {at}"), bad));
    }
    for cut in [first + 3, flac.len() / 3, flac.len() - 1] {
        cases.push((format!("cut at {cut}"), flac[..cut].to_vec()));
    }
    let mut zeroed = flac.clone();
    zeroed[flac.len() / 2..].fill(0);
    cases.push(("zero tail".into(), zeroed));
    for (what, data) in cases {
        let err = match decode_bytes("audio/x-flac", "flacdec", &data, 4096).await {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => e,
        };
        assert_clean_error(&err, "flacdec", &what);
        assert!(err.contains("FLAC"), "{what}: {err}");
    }
}

#[cfg(feature = "mp4")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flac_in_mp4_decodes_bit_exact() {
    let mp4 = scratch("flac.mp4");
    let path = mp4.display().to_string();
    let src = source(2, 1.0, 48000);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &src,
        "-sample_fmt",
        "s16",
        "-c:a",
        "flac",
        "-strict",
        "-2",
        &path,
    ]);
    let raw = scratch("flac_mp4.raw");
    let raw_path = raw.display().to_string();
    ffmpeg(&["-i", &path, "-f", "s32le", "-c:a", "pcm_s32le", &raw_path]);
    let reference: Vec<i32> = std::fs::read(&raw)
        .expect("raw")
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let desc =
        format!("filesrc location={path} ! qtdemux name=d d.audio_0 ! flacdec ! appsink name=out");
    let out = crate::containers_support::run_sinks(&desc, &["out"])
        .await
        .expect("qtdemux ! flacdec");
    let _ = std::fs::remove_file(&mp4);
    let _ = std::fs::remove_file(&raw);
    let bytes: Vec<u8> = out[0]
        .buffers
        .iter()
        .flat_map(|b| b.data().to_vec())
        .collect();
    assert!(
        as_s32("S16LE", &bytes) == reference,
        "FLAC in MP4 differs from FFmpeg's decode"
    );
}
