//! The `parallax` command as users run it: every example in `examples/`, the embedding
//! examples, exit codes, error output, Ctrl-C, inspect, validate and graph.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_parallax");

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// A fresh empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parallax-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn parallax(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Examples named `*-wasm-*.px` use WebAssembly elements from the guests the test
/// command builds; they need the `wasm` feature (which the test command turns on).
fn is_wasm_example(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains("-wasm-"))
}

#[test]
fn every_px_example_runs() {
    let mut ran = 0;
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "px") {
            continue;
        }
        let dir = scratch(path.file_stem().unwrap().to_str().unwrap());
        let mut args = vec!["run", path.to_str().unwrap()];
        if is_wasm_example(&path) {
            if !cfg!(feature = "wasm") {
                continue;
            }
            args.splice(
                0..0,
                ["--plugin-dir", parallax_test_artifacts::plugin_dir()],
            );
        }
        let out = parallax(&args, &dir);
        assert!(out.status.success(), "{}: {}", path.display(), stderr(&out));
        ran += 1;
    }
    let expected = if cfg!(feature = "wasm") { 5 } else { 4 };
    assert!(ran >= expected, "ran only {ran} examples");
}

#[cfg(feature = "wasm")]
#[test]
fn wasm_example_writes_gray_frames_and_inspect_lists_plugins() {
    let dir = scratch("wasm-example");
    let example = examples_dir().join("05-wasm-grayscale.px");
    let plugins = parallax_test_artifacts::plugin_dir();
    let out = parallax(
        &["--plugin-dir", plugins, "run", example.to_str().unwrap()],
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let gray = std::fs::read(dir.join("gray.raw")).unwrap();
    assert_eq!(gray.len(), 30 * 320 * 240);
    // SMPTE's first bar is white: luma 255 at full range.
    assert_eq!(gray[0], 255);

    let out = parallax(
        &["inspect", "--plugin-dir", plugins, "--json", "grayscale"],
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["world"], "wasm");
    assert_eq!(json["hints"]["trust"], "Untrusted");
    assert_eq!(json["origin"]["sha256"].as_str().map(str::len), Some(64));
    let names: Vec<&str> = json["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for host_property in ["deadline-ms", "fuel", "memory-limit", "on-error", "grant"] {
        assert!(
            names.contains(&host_property),
            "{host_property} missing: {names:?}"
        );
    }

    // A directory with a broken file: listed as rejected, never fatal.
    let bad = scratch("bad-plugins");
    std::fs::write(bad.join("broken.wasm"), b"not a component").unwrap();
    let out = parallax(&["--plugin-dir", bad.to_str().unwrap(), "inspect"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rejected") && text.contains("broken.wasm"),
        "{text}"
    );
}

#[test]
fn main_job_writes_sixty_rgba_frames() {
    let dir = scratch("main-job");
    let example = examples_dir().join("01-videotestsrc-to-file.px");
    let out = parallax(&["run", example.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let data = std::fs::read(dir.join("testsrc.rgba")).unwrap();
    assert_eq!(data.len(), 60 * 320 * 240 * 4);
    // Top-left pixel of SMPTE bars, as GStreamer 1.22 draws it in RGBA: white.
    assert_eq!(&data[..4], &[255, 255, 255, 255]);
}

#[test]
fn audio_and_tee_examples_write_expected_sizes() {
    let dir = scratch("sizes");
    let audio = examples_dir().join("03-audio-to-file.px");
    assert!(
        parallax(&["run", audio.to_str().unwrap()], &dir)
            .status
            .success()
    );
    assert_eq!(
        std::fs::metadata(dir.join("sine.s16le")).unwrap().len(),
        100 * 960 * 2 * 2
    );
    let tee = examples_dir().join("02-tee-and-queues.px");
    assert!(
        parallax(&["run", tee.to_str().unwrap()], &dir)
            .status
            .success()
    );
    assert_eq!(
        std::fs::metadata(dir.join("ball.i420")).unwrap().len(),
        90 * 160 * 120 * 3 / 2
    );
}

#[test]
fn embedding_examples_run() {
    // Examples are built by `cargo test` next to the test binaries.
    let deps = std::env::current_exe().unwrap();
    let examples = deps.parent().unwrap().parent().unwrap().join("examples");
    for name in [
        "embed_01_run",
        "embed_02_builder_and_bus",
        "embed_03_appsrc_appsink",
        "embed_04_pause_resume",
    ] {
        let out = Command::new(examples.join(name))
            .output()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
    }
}

#[test]
fn errors_exit_non_zero_with_the_message_on_stderr() {
    let dir = scratch("errors");
    let out = parallax(
        &["launch", "fakesrc", "num-bufers=3", "!", "fakesink"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("<command line>:1:9: error: fakesrc: no property 'num-bufers' (did you mean 'num-buffers'?)"), "{err}");
    assert!(err.contains("^^^^^^^^^^"), "{err}");

    let out = parallax(
        &[
            "launch",
            "fakesrc num-buffers=10 ! identity error-after=2 ! fakesink",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "ERROR: element 'identity0': stream error: test error: error-after=2 reached"
        )
    );

    let out = parallax(&["run", "missing.px"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read missing.px"));
}

#[test]
fn success_exits_zero_and_verbose_shows_caps() {
    let dir = scratch("verbose");
    let out = parallax(
        &[
            "launch",
            "-v",
            "videotestsrc num-buffers=2 ! video/x-raw,width=8,height=8 ! fakesink",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("videotestsrc0.src -> capsfilter0.sink: video/x-raw"),
        "{err}"
    );
    assert!(err.contains("width=8"), "{err}");
}

#[test]
fn warnings_are_printed_without_verbose_and_exit_zero() {
    let dir = scratch("warning");
    // An IVF file cut inside its only frame: ivfparse drops it with a warning.
    let mut ivf = b"DKIF".to_vec();
    ivf.extend_from_slice(&0u16.to_le_bytes());
    ivf.extend_from_slice(&32u16.to_le_bytes());
    ivf.extend_from_slice(b"AV01");
    for v in [16u16, 16] {
        ivf.extend_from_slice(&v.to_le_bytes());
    }
    for v in [30u32, 1, 1, 0] {
        ivf.extend_from_slice(&v.to_le_bytes());
    }
    ivf.extend_from_slice(&100u32.to_le_bytes());
    ivf.extend_from_slice(&0u64.to_le_bytes());
    ivf.extend_from_slice(&[0; 40]);
    std::fs::write(dir.join("cut.ivf"), &ivf).unwrap();
    let pipeline = "filesrc location=cut.ivf ! ivfparse ! fakesink";
    std::fs::write(dir.join("cut.px"), pipeline).unwrap();
    let expected = "WARNING: ivfparse0: truncated IVF frame at byte offset 32: 52 bytes dropped";
    for args in [
        &["launch", pipeline][..],
        &["launch", "-q", pipeline],
        &["run", "cut.px"],
    ] {
        let out = parallax(args, &dir);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("WARNING: "))
                .collect::<Vec<_>>(),
            [expected],
            "{args:?}"
        );
    }
}

#[test]
fn ctrl_c_sends_eos_drains_and_exits_cleanly() {
    let dir = scratch("sigint");
    let mut child = Command::new(BIN)
        .args([
            "launch",
            "fakesrc sizetype=fixed sizemax=64 ! queue ! fakesink",
        ])
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not exit after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn inspect_lists_describes_and_emits_json() {
    let dir = scratch("inspect");
    let out = parallax(&["inspect"], &dir);
    assert!(out.status.success());
    let list = String::from_utf8_lossy(&out.stdout);
    for name in [
        "fakesrc",
        "queue",
        "tee",
        "videotestsrc",
        "filesrc",
        "appsink",
    ] {
        assert!(list.contains(name), "{name} missing from inspect");
    }
    let out = parallax(&["inspect", "queue"], &dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("max-size-buffers") && text.contains("Default: 200"),
        "{text}"
    );
    assert!(text.contains("Execution hints"), "{text}");

    let out = parallax(&["inspect", "--json", "fakesrc"], &dir);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["name"], "fakesrc");
    let props = json["properties"].as_array().unwrap();
    let num = props.iter().find(|p| p["name"] == "num-buffers").unwrap();
    assert_eq!(num["default"], "-1");
    assert_eq!(num["kind"]["min"], -1);
    assert!(json["hints"]["rt_safe"].is_boolean());

    let out = parallax(&["inspect", "fakesnk"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did you mean 'fakesink'"));
}

#[test]
fn validate_and_graph_negotiate_without_running() {
    let dir = scratch("validate");
    let file = dir.join("p.px");
    // Would write a file if it ran; validate must not create it.
    std::fs::write(
        &file,
        "videotestsrc ! video/x-raw,format=RGB ! filesink location=never.raw\n",
    )
    .unwrap();
    let out = parallax(&["validate", file.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK (3 elements, 2 links)"));
    assert!(!dir.join("never.raw").exists());

    let out = parallax(&["graph", file.to_str().unwrap()], &dir);
    let dot = String::from_utf8_lossy(&out.stdout);
    assert!(dot.starts_with("digraph pipeline {"), "{dot}");
    assert!(
        dot.contains("\"videotestsrc0\" -> \"capsfilter0\""),
        "{dot}"
    );
    assert!(dot.contains("format=RGB"), "{dot}");

    std::fs::write(&file, "videotestsrc ! audio/x-raw ! fakesink\n").unwrap();
    let out = parallax(&["validate", file.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("videotestsrc0.src") && err.contains("capsfilter0.sink"),
        "{err}"
    );
}

/// Writes `bytes` to `path` the way deploy tools do: a temporary file renamed over it.
#[cfg(feature = "wasm")]
fn replace_file(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[cfg(feature = "wasm")]
#[test]
fn the_user_plugin_dir_is_searched_and_inspect_shows_version_hash_and_rejects() {
    let dir = scratch("user-plugins");
    let plugins = dir.join("data/parallax/plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(
        parallax_test_artifacts::ALL
            .iter()
            .find(|(n, _)| *n == "passthrough")
            .unwrap()
            .1,
        plugins.join("passthrough.wasm"),
    )
    .unwrap();
    std::fs::write(plugins.join("broken.wasm"), b"\0asm garbage").unwrap();
    let out = Command::new(BIN)
        .arg("inspect")
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("PARALLAX_PLUGIN_PATH")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let loaded = text
        .lines()
        .find(|l| l.contains("loaded") && l.contains("passthrough"))
        .unwrap_or_else(|| panic!("passthrough not listed:\n{text}"));
    assert!(
        loaded.contains("0.1.0") && loaded.contains("sha256:"),
        "{loaded}"
    );
    assert!(loaded.contains("passthrough.wasm"), "{loaded}");
    assert!(
        text.lines()
            .any(|l| l.contains("rejected") && l.contains("broken.wasm")),
        "{text}"
    );
    assert!(text.contains("1 wasm"), "{text}");
}

#[cfg(feature = "wasm")]
#[test]
fn run_watch_swaps_a_changed_component_and_refuses_a_broken_one() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;

    let dir = scratch("watch");
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let counter = Path::new(
        parallax_test_artifacts::ALL
            .iter()
            .find(|(n, _)| *n == "counter")
            .unwrap()
            .1,
    );
    let installed = plugins.join("counter.wasm");
    std::fs::copy(counter, &installed).unwrap();
    std::fs::write(dir.join("count.px"), "counter num-buffers=-1 ! fakesink\n").unwrap();
    let mut child = Command::new(BIN)
        .args(["--plugin-dir", "plugins", "run", "--watch", "count.px"])
        .env("XDG_DATA_HOME", dir.join("no-data"))
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel();
    let reader = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no '{needle}' on stderr; saw: {seen:#?}"),
            }
        }
    };
    wait_for("Watching");
    replace_file(
        &installed,
        &parallax_test_artifacts::component_variant(counter, "v2"),
    );
    wait_for("Replaced counter");
    replace_file(&installed, b"\0asm not a component any more");
    wait_for("kept the running component");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not exit after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
}
