//! ivfparse and dav1ddec (feature `av1dec`) in-process: the committed AV1 fixtures
//! (made with rav1e from ffmpeg's testsrc2) decode bit for bit as libdav1d's own CLI
//! decodes them, 8-bit and 10-bit, with caps announced in-band and pts from the IVF
//! timestamps. The isolated runs of the same files are in host/cli/tests/isolate.rs
//! (they need the `parallax` binary as the worker).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use parallax::core::Buffer;
use parallax::elements::AppSinkHandle;
use parallax::{Isolation, Message, Pipeline};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/av1")
        .join(name)
}

/// What `dav1d -i FILE --muxer yuv` writes (dav1d is installed by ci/test.sh).
fn dav1d_cli(file: &Path) -> Vec<u8> {
    let out = std::env::temp_dir().join(format!(
        "parallax-dav1d-{}-{}.yuv",
        std::process::id(),
        file.file_name().unwrap().to_string_lossy()
    ));
    let status = Command::new("dav1d")
        .arg("-q")
        .arg("-i")
        .arg(file)
        .arg("-o")
        .arg(&out)
        .args(["--muxer", "yuv"])
        .status()
        .expect("the dav1d CLI must be installed (ci/test.sh installs it)");
    assert!(status.success(), "dav1d failed on {}", file.display());
    let bytes = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    bytes
}

struct Decoded {
    frames: Vec<Buffer>,
    caps: parallax::core::Caps,
    warnings: Vec<String>,
}

async fn decode(text: &str) -> Result<Decoded, String> {
    let mut p = Pipeline::parse(text).map_err(|e| e.to_string())?;
    // dav1ddec is isolated by default; this binary is no worker, so say in-process.
    p.set_isolation(Isolation::InProcess).unwrap();
    let sink = p.handle::<AppSinkHandle>("out").ok_or("no appsink")?;
    let mut bus = p.bus();
    p.run().await.map_err(|e| e.to_string())?;
    let mut frames = Vec::new();
    while let Some(b) = sink.pull_sample(Duration::from_millis(10)) {
        frames.push(b);
    }
    let mut warnings = Vec::new();
    while let Some(m) = bus.try_recv() {
        if let Message::Warning { message, .. } = m {
            warnings.push(message);
        }
    }
    let caps = sink.caps().ok_or("no caps reached the sink")?;
    Ok(Decoded {
        frames,
        caps,
        warnings,
    })
}

fn concat(frames: &[Buffer]) -> Vec<u8> {
    frames.iter().flat_map(|b| b.data().to_vec()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dav1ddec_matches_the_dav1d_cli_bit_for_bit() {
    for (name, format, (w, h), n, rate) in [
        ("testsrc2_96x64_8bit.ivf", "I420", (96, 64), 12, 30),
        ("testsrc2_80x48_10bit.ivf", "I420_10LE", (80, 48), 6, 25),
    ] {
        let file = fixture(name);
        let text = format!(
            "filesrc location={} ! ivfparse ! dav1ddec ! appsink name=out",
            file.display()
        );
        let out = decode(&text).await.unwrap();
        assert_eq!(out.frames.len(), n, "{name}");
        assert!(
            concat(&out.frames) == dav1d_cli(&file),
            "{name}: differs from dav1d's output"
        );
        let s = out.caps.structure(0).unwrap();
        assert_eq!(s.get_str("format"), Some(format), "{name}");
        assert_eq!(
            (s.get_int("width"), s.get_int("height")),
            (Some(w), Some(h))
        );
        assert_eq!(
            s.get_fraction("framerate"),
            Some(parallax::core::Fraction::new(rate, 1))
        );
        // IVF timestamps count frames at the header's rate.
        let pts: Vec<u64> = out.frames.iter().map(|b| b.meta().pts.unwrap().0).collect();
        let expected: Vec<u64> = (0..n as u64)
            .map(|i| i * 1_000_000_000 / rate as u64)
            .collect();
        assert_eq!(pts, expected, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ivfparse_gathers_frames_split_across_small_reads() {
    let file = fixture("testsrc2_96x64_8bit.ivf");
    let whole = decode(&format!(
        "filesrc location={} ! ivfparse ! appsink name=out",
        file.display()
    ))
    .await
    .unwrap();
    // 7-byte reads split every header and frame.
    let split = decode(&format!(
        "filesrc location={} blocksize=7 ! ivfparse ! appsink name=out",
        file.display()
    ))
    .await
    .unwrap();
    assert_eq!(whole.frames.len(), 12);
    assert_eq!(split.frames.len(), 12);
    for (a, b) in whole.frames.iter().zip(&split.frames) {
        assert_eq!(a.data(), b.data());
        assert_eq!(a.meta().pts, b.meta().pts);
        assert_eq!(a.meta().offset, b.meta().offset);
    }
    // Frames plus 12-byte headers plus the 32-byte file header make up the file.
    let bytes: usize = whole.frames.iter().map(Buffer::len).sum();
    let len = std::fs::metadata(&file).unwrap().len() as usize;
    assert_eq!(bytes + 12 * 12 + 32, len);
    let s = whole.caps.structure(0).unwrap();
    assert_eq!(s.name(), "video/x-av1");
    assert_eq!(
        (s.get_int("width"), s.get_int("height")),
        (Some(96), Some(64))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ivfparse_refuses_garbage_and_warns_on_truncation() {
    let dir = std::env::temp_dir().join(format!("parallax-ivf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ivf");
    std::fs::write(
        &bad,
        b"RIFF\0\0\0\0WAVEfmt and so on, long enough for a header",
    )
    .unwrap();
    let err = decode(&format!(
        "filesrc location={} ! ivfparse ! appsink name=out",
        bad.display()
    ))
    .await
    .err()
    .unwrap();
    assert!(err.contains("not an IVF file"), "{err}");

    let mut bytes = std::fs::read(fixture("testsrc2_96x64_8bit.ivf")).unwrap();
    bytes.truncate(bytes.len() - 5);
    let cut = dir.join("cut.ivf");
    std::fs::write(&cut, &bytes).unwrap();
    let out = decode(&format!(
        "filesrc location={} ! ivfparse ! dav1ddec ! appsink name=out",
        cut.display()
    ))
    .await
    .unwrap();
    assert_eq!(out.frames.len(), 11);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("truncated IVF frame")),
        "{:?}",
        out.warnings
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dav1ddec_refuses_a_corrupt_stream_with_an_error() {
    let mut bytes = std::fs::read(fixture("testsrc2_96x64_8bit.ivf")).unwrap();
    // Scramble the first temporal unit (after the file and frame headers).
    for b in bytes.iter_mut().skip(32 + 12).take(64) {
        *b = 0xff;
    }
    let dir = std::env::temp_dir().join(format!("parallax-ivfbad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scrambled.ivf");
    std::fs::write(&file, &bytes).unwrap();
    let result = decode(&format!(
        "filesrc location={} ! ivfparse ! dav1ddec ! appsink name=out",
        file.display()
    ))
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let err = result
        .err()
        .expect("a scrambled sequence header must not decode");
    assert!(err.contains("dav1d"), "{err}");
}

#[test]
fn dav1ddec_hints_ask_for_a_sandbox() {
    let registry = parallax::default_registry();
    let info = registry.get("dav1ddec").unwrap().info();
    assert!(info.hints.uses_native_code);
    assert!(parallax::sandbox::isolate::wants_isolation(info));
}
