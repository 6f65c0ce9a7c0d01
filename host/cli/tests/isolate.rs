//! Execution modes from the command line: `--isolate PATTERN` runs matching elements in
//! sandboxed worker processes (the `parallax` binary re-entered, no `PARALLAX_WORKER`
//! needed) and gives the same bytes as in-process; `inspect --sandbox` reports what the
//! worker locked down.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_parallax");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parallax-isolate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn parallax(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        // The binary must find its worker by itself.
        .env_remove("PARALLAX_WORKER")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `pipeline` (ending in `filesink location=out.raw`) with `mode` and returns the
/// file and stderr.
fn run_mode(dir: &Path, mode: &[&str], pipeline: &str) -> (Vec<u8>, String) {
    let mut args = vec!["launch", "-v", "-q"];
    args.extend_from_slice(mode);
    args.push(pipeline);
    let out = parallax(&args, dir);
    assert!(out.status.success(), "{mode:?}: {}", stderr(&out));
    (std::fs::read(dir.join("out.raw")).unwrap(), stderr(&out))
}

#[test]
fn isolating_by_pattern_gives_the_in_process_bytes() {
    let dir = scratch("pattern");
    // videoconvert writes new buffers (shared output slots); identity hands its input
    // back (a lease), so both directions of the boundary are covered.
    let pipeline = "videotestsrc num-buffers=12 pattern=ball ! \
                    video/x-raw,format=RGBA,width=96,height=64 ! videoconvert ! \
                    video/x-raw,format=I420 ! identity ! filesink location=out.raw";
    let (in_process, log) = run_mode(&dir, &["--no-isolate"], pipeline);
    assert!(!log.contains("isolated"), "{log}");
    assert_eq!(in_process.len(), 12 * 96 * 64 * 3 / 2);
    let (isolated, log) = run_mode(
        &dir,
        &["--isolate", "*convert*", "--isolate", "ident*"],
        pipeline,
    );
    assert!(log.contains("videoconvert0: isolated"), "{log}");
    assert!(log.contains("identity0: isolated"), "{log}");
    assert!(
        isolated == in_process,
        "isolated output differs from in-process"
    );
    assert!(
        log.contains("worker for '*convert*': videoconvert0\n"),
        "{log}"
    );
    assert!(log.contains("worker for 'ident*': identity0\n"), "{log}");
    // One pattern matching both: they share one worker process.
    let (all, log) = run_mode(&dir, &["--isolate", "*"], pipeline);
    assert!(log.contains("videoconvert0: isolated"), "{log}");
    let shared = log
        .lines()
        .find(|l| l.starts_with("worker for '*': "))
        .unwrap_or_default();
    assert!(
        shared.contains("videoconvert0") && shared.contains("identity0"),
        "{log}"
    );
    assert!(
        all == in_process,
        "--isolate '*' output differs from in-process"
    );
    // `--isolate-each`: a process per element.
    let (each, log) = run_mode(&dir, &["--isolate", "*", "--isolate-each"], pipeline);
    assert!(log.contains("identity0: isolated"), "{log}");
    assert!(!log.contains("worker for"), "{log}");
    assert!(
        each == in_process,
        "--isolate-each output differs from in-process"
    );
}

#[test]
fn inspect_sandbox_shows_which_elements_share_a_worker() {
    let dir = scratch("groups");
    let pipeline = "videotestsrc num-buffers=1 ! videoconvert ! identity ! videoscale ! fakesink";
    let show = |mode: &[&str]| {
        let mut args = vec!["inspect", "--sandbox", "--pipeline", pipeline];
        args.extend_from_slice(mode);
        let out = parallax(&args, &dir);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // `video*` matches the source too: it runs in the pattern's worker with the others.
    let grouped = show(&["--isolate", "video*", "--isolate", "ident*"]);
    assert!(grouped.contains("Worker processes (2)"), "{grouped}");
    assert!(
        grouped.contains("videotestsrc0, videoconvert0, videoscale0  (shared by pattern 'video*'"),
        "{grouped}"
    );
    assert!(
        grouped.contains("identity0  (shared by pattern 'ident*'"),
        "{grouped}"
    );
    let each = show(&["--isolate", "video*", "--isolate-each"]);
    assert!(each.contains("Worker processes (3)"), "{each}");
    assert!(each.contains("videotestsrc0  (one element)"), "{each}");
    assert!(each.contains("videoconvert0  (one element)"), "{each}");
    assert!(each.contains("videoscale0  (one element)"), "{each}");
    let none = show(&["--no-isolate"]);
    assert!(none.contains("in-process"), "{none}");
    #[cfg(feature = "decodebin")]
    {
        let out = parallax(
            &[
                "inspect",
                "--sandbox",
                "--pipeline",
                "filesrc location=/dev/null ! decodebin ! fakesink",
                "--isolate",
                "*dec*",
            ],
            &dir,
        );
        let bin = String::from_utf8_lossy(&out.stdout);
        assert!(
            bin.contains("Every element runs in-process.")
                && bin
                    .contains("decodebin0: a bin, in-process; the elements it builds are isolated"),
            "{bin}"
        );
    }
}

#[test]
fn isolate_and_no_isolate_conflict() {
    let dir = scratch("conflict");
    let out = parallax(
        &[
            "launch",
            "--isolate",
            "*",
            "--no-isolate",
            "fakesrc",
            "!",
            "fakesink",
        ],
        &dir,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn inspect_sandbox_reports_the_protections_of_a_started_worker() {
    let dir = scratch("inspect");
    let out = parallax(&["inspect", "--sandbox"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Sandbox protections"), "{text}");
    assert!(text.contains("no_new_privs   on"), "{text}");
    assert!(text.contains("seccomp        on"), "{text}");
    assert!(text.contains("environment    0 variables"), "{text}");
    // The worker's own PID namespace is listed ("..., pid"), or said to be missing ("no
    // pid namespace (why)"), or every namespace is off.
    let namespaces = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("namespaces"))
        .map(str::trim)
        .unwrap_or_default();
    assert!(
        namespaces.contains("pid") || namespaces.starts_with("OFF"),
        "namespaces line: {namespaces:?}\n{text}"
    );
}

#[test]
fn the_worker_subcommand_run_by_hand_refuses() {
    let dir = scratch("byhand");
    let out = parallax(&["__sandbox-worker"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("internal"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_isolating_from_the_api_gives_the_in_process_bytes() {
    use parallax::Pipeline;
    use parallax::core::Registry;
    use parallax::sandbox::{SandboxConfig, WorkerCommand};
    use std::sync::Arc;

    let dir = scratch("api");
    let text = |name: &str| {
        format!(
            "videotestsrc num-buffers=6 pattern=snow ! video/x-raw,format=RGB,width=40,height=30 \
             ! videoconvert ! video/x-raw,format=NV12 ! filesink location={}",
            dir.join(name).display()
        )
    };
    let registry: Arc<Registry> = parallax::default_registry();
    let mut plain = Pipeline::parse_with(Arc::clone(&registry), &text("plain.raw"), "t").unwrap();
    plain.run().await.unwrap();
    assert!(plain.isolated_elements().is_empty());

    let mut isolated = Pipeline::parse_with(registry, &text("isolated.raw"), "t").unwrap();
    // The test binary cannot serve as a worker; the `parallax` binary can.
    isolated
        .set_sandbox_config(SandboxConfig {
            worker: WorkerCommand::new(BIN),
            ..SandboxConfig::default()
        })
        .unwrap();
    isolated.run_isolating(&["*convert"]).await.unwrap();
    assert_eq!(isolated.isolated_elements(), ["videoconvert0"]);
    let a = std::fs::read(dir.join("plain.raw")).unwrap();
    let b = std::fs::read(dir.join("isolated.raw")).unwrap();
    assert_eq!(a.len(), 6 * 40 * 30 * 3 / 2);
    assert!(a == b, "isolated output differs from in-process");
    // Once prepared, the mode is fixed.
    assert!(
        isolated
            .set_isolation(parallax::Isolation::InProcess)
            .is_err()
    );
}

/// `dav1ddec` (feature `av1dec`) runs isolated by default, from the `parallax` binary
/// with no set-up, and decodes bit for bit as libdav1d's own CLI does.
#[cfg(feature = "av1dec")]
mod av1 {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name)
    }

    /// What `dav1d -i FILE --muxer yuv` writes (dav1d is installed by ci/test.sh).
    fn dav1d_cli(file: &Path, dir: &Path) -> Vec<u8> {
        let out = dir.join("dav1d-cli.yuv");
        let status = Command::new("dav1d")
            .arg("-q")
            .arg("-i")
            .arg(file)
            .arg("-o")
            .arg(&out)
            .args(["--muxer", "yuv"])
            .status()
            .expect("the dav1d CLI must be installed (ci/test.sh installs it)");
        assert!(status.success());
        std::fs::read(out).unwrap()
    }

    #[test]
    fn dav1ddec_is_isolated_by_default_and_matches_the_dav1d_cli() {
        let dir = scratch("dav1d");
        for name in ["testsrc2_96x64_8bit.ivf", "testsrc2_80x48_10bit.ivf"] {
            let file = fixture("av1").join(name);
            let expected = dav1d_cli(&file, &dir);
            let pipeline = format!(
                "filesrc location={} ! ivfparse ! dav1ddec ! filesink location=out.raw",
                file.display()
            );
            let (isolated, log) = run_mode(&dir, &[], &pipeline);
            assert!(log.contains("dav1ddec0: isolated"), "{log}");
            assert!(
                isolated == expected,
                "{name}: isolated output differs from dav1d's"
            );
            let (in_process, log) = run_mode(&dir, &["--no-isolate"], &pipeline);
            assert!(!log.contains("isolated"), "{log}");
            assert!(
                in_process == expected,
                "{name}: in-process output differs from dav1d's"
            );
        }
    }

    #[test]
    fn inspect_dav1ddec_says_isolated_and_reports_its_protections() {
        let dir = scratch("inspect-dav1d");
        let out = parallax(&["inspect", "dav1ddec"], &dir);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("isolated by default"), "{text}");
        assert!(text.contains("seccomp        on"), "{text}");
        let json = parallax(&["inspect", "dav1ddec", "--json"], &dir);
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(json["isolated-by-default"], true);
    }

    /// The caps the worker announces in-band reach the host: jpegenc needs the real
    /// size (negotiation only fixed a placeholder).
    #[cfg(feature = "image")]
    #[test]
    fn caps_announced_in_the_worker_reach_downstream() {
        let dir = scratch("caps");
        let file = fixture("av1").join("testsrc2_96x64_8bit.ivf");
        let pipeline = format!(
            "filesrc location={} ! ivfparse ! dav1ddec ! jpegenc ! filesink location=out.raw",
            file.display()
        );
        let (jpeg, log) = run_mode(&dir, &[], &pipeline);
        assert!(log.contains("dav1ddec0: isolated"), "{log}");
        let sof = jpeg
            .windows(2)
            .position(|w| w == [0xff, 0xc0])
            .expect("a baseline JPEG frame header");
        let height = u16::from_be_bytes([jpeg[sof + 5], jpeg[sof + 6]]);
        let width = u16::from_be_bytes([jpeg[sof + 7], jpeg[sof + 8]]);
        assert_eq!((width, height), (96, 64));
        let (in_process, _) = run_mode(&dir, &["--no-isolate"], &pipeline);
        assert!(jpeg == in_process);
    }

    /// FNV-1a of what `ffmpeg -c:v libdav1d -i av1_opus.mp4 -f rawvideo` writes (432000
    /// bytes: 15 frames of 160x120 I420), recorded when the fixture was made.
    #[cfg(feature = "mp4")]
    const MP4_REFERENCE_FNV: u64 = 0x1df6_5e9e_5a77_97eb;

    #[cfg(feature = "mp4")]
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[cfg(feature = "mp4")]
    #[test]
    fn av1_in_mp4_decodes_isolated_as_libdav1d_does() {
        let dir = scratch("mp4");
        let file = fixture("containers").join("av1_opus.mp4");
        let pipeline = format!(
            "filesrc location={} ! qtdemux name=d d.video_0 ! dav1ddec ! filesink location=out.raw",
            file.display()
        );
        for mode in [&[][..], &["--no-isolate"][..]] {
            let (frames, _) = run_mode(&dir, mode, &pipeline);
            assert_eq!(frames.len(), 15 * 160 * 120 * 3 / 2, "{mode:?}");
            assert_eq!(fnv1a(&frames), MP4_REFERENCE_FNV, "{mode:?}");
        }
    }

    /// decodebin's own children follow the isolation rules: the dav1ddec it builds runs
    /// in a sandboxed worker by default (announced with an `isolated` message from
    /// decodebin), in-process with `--no-isolate`, and the bytes are libdav1d's either way.
    #[cfg(feature = "decodebin")]
    #[test]
    fn decodebin_isolates_the_dav1ddec_it_builds() {
        let dir = scratch("decodebin");
        let isolated_note = "decodebin0: isolated, element=decodebin0/dav1ddec";
        let file = fixture("av1").join("testsrc2_96x64_8bit.ivf");
        let expected = dav1d_cli(&file, &dir);
        let pipeline = format!(
            "filesrc location={} ! decodebin ! filesink location=out.raw",
            file.display()
        );
        let (isolated, log) = run_mode(&dir, &[], &pipeline);
        assert!(log.contains(isolated_note), "{log}");
        assert!(isolated == expected, "isolated output differs from dav1d's");
        let (in_process, log) = run_mode(&dir, &["--no-isolate"], &pipeline);
        assert!(!log.contains("isolated"), "{log}");
        assert!(
            in_process == expected,
            "in-process output differs from dav1d's"
        );
        // A pattern groups it with the pipeline's own matching elements.
        let (grouped, log) = run_mode(&dir, &["--isolate", "dav1d*"], &pipeline);
        assert!(
            log.lines().any(|l| l.starts_with(isolated_note)
                && l.contains("worker=")
                && l.contains("dav1d*")),
            "{log}"
        );
        assert!(grouped == expected, "grouped output differs from dav1d's");
        // `*dec*` also matches decodebin itself: a bin is never isolated, its stages are
        // (decodebin in a worker could not make its stages' memory there).
        let (decoders, log) = run_mode(&dir, &["--isolate", "*dec*"], &pipeline);
        assert!(!log.contains("decodebin0: isolated in"), "{log}");
        assert!(
            log.lines()
                .any(|l| l.starts_with(isolated_note) && l.contains("*dec*")),
            "{log}"
        );
        assert!(decoders == expected, "*dec* output differs from dav1d's");
    }

    #[cfg(all(feature = "decodebin", feature = "mp4"))]
    #[test]
    fn decodebin_on_av1_in_mp4_decodes_in_a_worker_bit_exact() {
        let dir = scratch("decodebin-mp4");
        let file = fixture("containers").join("av1_opus.mp4");
        let pipeline = format!(
            "filesrc location={} ! decodebin ! filesink location=out.raw",
            file.display()
        );
        let (frames, log) = run_mode(&dir, &[], &pipeline);
        assert!(
            log.contains("decodebin0: isolated, element=decodebin0/dav1ddec"),
            "{log}"
        );
        assert_eq!(frames.len(), 15 * 160 * 120 * 3 / 2);
        assert_eq!(fnv1a(&frames), MP4_REFERENCE_FNV);
    }
}

/// Demuxers (the classic attack surface) run isolated: qtdemux on both MP4 layouts (media
/// data after `moov`, and before it, where qtdemux spools it in a memfd of its own that
/// the worker makes and copies out of), tsdemux and oggdemux, each with its sometimes-pads,
/// give the in-process bytes; a corrupt file is reported naming the element.
#[cfg(all(feature = "mp4", feature = "ts", feature = "audiodec"))]
mod demuxers {
    use super::*;

    fn fixture(name: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name)
            .display()
            .to_string()
    }

    /// Runs `pipeline` with `mode` and returns the bytes of `outputs` and stderr.
    fn run_outputs(dir: &Path, mode: &[&str], pipeline: &str, outputs: &[&str]) -> Vec<Vec<u8>> {
        for name in outputs {
            let _ = std::fs::remove_file(dir.join(name));
        }
        let mut args = vec!["launch", "-v", "-q"];
        args.extend_from_slice(mode);
        args.push(pipeline);
        let out = parallax(&args, dir);
        let log = stderr(&out);
        assert!(out.status.success(), "{mode:?}: {log}");
        if mode.contains(&"--isolate") {
            assert!(log.contains("d: isolated"), "{mode:?}: {log}");
        } else {
            assert!(!log.contains("isolated"), "{log}");
        }
        outputs
            .iter()
            .map(|name| std::fs::read(dir.join(name)).unwrap())
            .collect()
    }

    #[test]
    fn isolated_demuxers_give_the_in_process_bytes() {
        let dir = scratch("demux");
        let cases = [
            // moov after mdat: the spool path.
            (
                format!(
                    "filesrc location={} ! qtdemux name=d d.video_0 ! filesink location=v.raw \
                     d.audio_0 ! filesink location=a.raw",
                    fixture("containers/av1_opus.mp4")
                ),
                &["v.raw", "a.raw"][..],
            ),
            // moov first: samples leave as slices of the leased input.
            (
                format!(
                    "filesrc location={} ! qtdemux name=d d.video_0 ! filesink location=v.raw \
                     d.audio_0 ! filesink location=a.raw",
                    fixture("containers/h264_aac.mp4")
                ),
                &["v.raw", "a.raw"][..],
            ),
            (
                format!(
                    "filesrc location={} ! tsdemux name=d d.video_0 ! filesink location=v.raw \
                     d.audio_0 ! filesink location=a.raw",
                    fixture("containers/h264_aac.ts")
                ),
                &["v.raw", "a.raw"][..],
            ),
            (
                format!(
                    "filesrc location={} ! oggdemux name=d ! filesink location=a.raw",
                    fixture("codecs/tone.ogg")
                ),
                &["a.raw"][..],
            ),
        ];
        for (pipeline, outputs) in &cases {
            let in_process = run_outputs(&dir, &["--no-isolate"], pipeline, outputs);
            assert!(
                in_process.iter().all(|o| o.len() > 1000),
                "{pipeline}: too little output"
            );
            for mode in [
                &["--isolate", "qtdemux", "--isolate", "*demux*"][..],
                &["--isolate", "*demux*", "--isolate-each"][..],
            ] {
                let isolated = run_outputs(&dir, mode, pipeline, outputs);
                assert!(
                    isolated == in_process,
                    "{pipeline} {mode:?}: isolated output differs from in-process"
                );
            }
        }
    }

    #[test]
    fn a_corrupt_file_in_an_isolated_demuxer_is_reported_naming_it() {
        let dir = scratch("demux-corrupt");
        let mut bytes = std::fs::read(fixture("containers/h264_aac.mp4")).unwrap();
        // An absurd sample count in the first stsz box.
        let at = bytes.windows(4).position(|w| w == b"stsz").unwrap();
        bytes[at + 12..at + 16].copy_from_slice(&[0xff; 4]);
        std::fs::write(dir.join("bad.mp4"), &bytes).unwrap();
        let out = parallax(
            &[
                "launch",
                "-v",
                "-q",
                "--isolate",
                "qtdemux",
                "filesrc location=bad.mp4 ! qtdemux name=d d.video_0 ! fakesink",
            ],
            &dir,
        );
        let log = stderr(&out);
        assert!(!out.status.success(), "{log}");
        assert!(log.contains("d: isolated"), "{log}");
        assert!(log.contains("element 'd'"), "{log}");
        assert!(log.contains("invalid stsz sample count"), "{log}");
        assert!(!log.contains("sandbox-crash"), "{log}");
        assert!(!log.contains("SIGSYS"), "{log}");
    }
}

/// Sources and sinks run in workers too: `--isolate videotestsrc --isolate fakesink`
/// isolates both, and `filesrc ! filesink` runs with both in workers (the host opens the
/// files for them). An element that cannot (fdsink writes to the host's fd 1, which a
/// worker does not have) stays in-process, and the bus says why.
#[test]
fn a_pattern_isolates_sources_and_sinks_and_says_why_when_it_cannot() {
    let dir = scratch("source");
    let out = parallax(
        &[
            "launch",
            "-v",
            "--isolate",
            "videotestsrc",
            "--isolate",
            "fakesink",
            "videotestsrc num-buffers=3 ! fakesink",
        ],
        &dir,
    );
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("videotestsrc0: isolated"), "{log}");
    assert!(log.contains("fakesink0: isolated"), "{log}");
    assert!(!log.contains("runs in-process"), "{log}");

    let input: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("in.bin"), &input).unwrap();
    let out = parallax(
        &[
            "launch",
            "-v",
            "--isolate",
            "file*",
            "--isolate-each",
            "filesrc location=in.bin ! filesink location=out.bin",
        ],
        &dir,
    );
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("filesrc0: isolated"), "{log}");
    assert!(log.contains("filesink0: isolated"), "{log}");
    assert!(std::fs::read(dir.join("out.bin")).unwrap() == input);

    let out = parallax(
        &[
            "launch",
            "-v",
            "--isolate",
            "*sink",
            "videotestsrc num-buffers=3 ! fdsink",
        ],
        &dir,
    );
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(
            "fdsink0: runs in-process although isolation was asked for: it reads \
                      or writes host files, fds or devices"
        ),
        "{log}"
    );
    assert!(!log.contains(": isolated"), "{log}");
    assert!(!out.stdout.is_empty());
}
