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
    let (all, log) = run_mode(&dir, &["--isolate", "*"], pipeline);
    assert!(log.contains("videoconvert0: isolated"), "{log}");
    assert!(
        all == in_process,
        "--isolate '*' output differs from in-process"
    );
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
