//! Files the host opens for sandboxed elements (`sandbox_files` and `files::open`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use parallax_core::memory::CpuArena;
use parallax_core::{ContextState, ElementImpl, Notice, ProcessContext, Transform, Value};
use parallax_engine::{Message, Pipeline};
use parallax_sandbox::{Isolation, SandboxProxy, WorkerGroup, isolating_registry};

use crate::{TestResult, check};

/// A fresh directory for one test.
fn scratch(test: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("px-sbxfiles-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The host's open fds, as what they point to (sorted).
fn open_fds() -> Result<Vec<String>, String> {
    let mut fds: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|entry| {
            let target = std::fs::read_link(entry.path()).unwrap_or_default();
            format!("{:?} -> {}", entry.file_name(), target.display())
        })
        .collect();
    fds.sort();
    Ok(fds)
}

fn text(path: &Path) -> Value {
    Value::Str(path.display().to_string())
}

fn file_proxy(props: &[(&str, Value)], max_restarts: u32) -> Result<SandboxProxy, String> {
    let config = Arc::new(crate::isolated::config(max_restarts));
    grouped(&WorkerGroup::solo("files", config), "files", props)
}

/// An `sbxfile` named `name` in `group`, not started.
fn grouped(
    group: &Arc<WorkerGroup>,
    name: &str,
    props: &[(&str, Value)],
) -> Result<SandboxProxy, String> {
    let registry = crate::elements::registry().map_err(|e| e.to_string())?;
    let factory = registry.get("sbxfile").ok_or("no sbxfile")?.clone();
    let mut proxy = SandboxProxy::in_group(factory, name, Arc::clone(group));
    for (name, value) in props {
        proxy.set_property(name, value).map_err(|e| e.to_string())?;
    }
    proxy
        .configure_pads(&["sink".into()], &["src".into()])
        .map_err(|e| e.to_string())?;
    Ok(proxy)
}

/// What `count` buffers (buffer i: 16 bytes of value `first + i`) produced.
struct Pushed {
    outputs: Vec<Vec<u8>>,
    notices: Vec<Notice>,
    error: Option<String>,
}

fn push(proxy: &mut SandboxProxy, first: u8, count: u8) -> Result<Pushed, String> {
    let arena = CpuArena::new("upstream", 64, 4).map_err(|e| e.to_string())?;
    let mut state = ContextState::new("test");
    let cancel = AtomicBool::new(false);
    let mut pushed = Pushed {
        outputs: Vec::new(),
        notices: Vec::new(),
        error: None,
    };
    for i in 0..count {
        let mut buf = arena.try_acquire().ok_or("arena exhausted")?;
        buf.set_len(16);
        buf.data_mut().fill(first + i);
        let _ = proxy.process(
            0,
            buf.freeze(),
            &mut ProcessContext::new(&mut state, &cancel),
        );
        pushed.outputs.extend(
            state
                .take_outputs()
                .into_iter()
                .map(|(_, b)| b.data().to_vec()),
        );
        pushed.notices.extend(state.take_notices());
        if let Some(e) = state.take_error() {
            pushed.error = Some(e.to_string());
            break;
        }
    }
    Ok(pushed)
}

/// The worker reads a file and writes one it cannot open itself; a second start opens
/// them afresh (truncating the output again); the host keeps no fd.
pub(crate) fn declared_files_are_opened_by_the_host() -> TestResult {
    let dir = scratch("declared")?;
    let (input, output) = (dir.join("in.bin"), dir.join("out.bin"));
    let content = b"bytes only the host could open".to_vec();
    std::fs::write(&input, &content).map_err(|e| e.to_string())?;
    let before = open_fds()?;
    {
        let mut proxy = file_proxy(&[("input", text(&input)), ("output", text(&output))], 0)?;
        for (round, first) in [(1, 10u8), (2, 50u8)] {
            proxy.start().map_err(|e| format!("start {round}: {e}"))?;
            check!(
                proxy.protections().is_some_and(|p| p.seccomp),
                "the element runs under the filter"
            );
            let pushed = push(&mut proxy, first, 3)?;
            check!(pushed.error.is_none(), "round {round}: {:?}", pushed.error);
            check!(
                pushed.outputs == vec![content.clone(); 3],
                "round {round}: the worker read the file: {:?}",
                pushed.outputs
            );
            proxy.stop().map_err(|e| e.to_string())?;
            let written = std::fs::read(&output).map_err(|e| e.to_string())?;
            let expected: Vec<u8> = (first..first + 3).flat_map(|b| [b; 16]).collect();
            check!(
                written == expected,
                "round {round}: the output holds this run's buffers only: {written:?}"
            );
        }
    }
    check!(
        open_fds()? == before,
        "the host leaked fds: {before:?} before, {:?} after",
        open_fds()?
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A path the element did not declare is refused with an error that names it and says
/// what to do, at start (the start fails) and mid-stream (an error, no crash).
pub(crate) fn undeclared_path_is_a_clear_error() -> TestResult {
    let dir = scratch("undeclared")?;
    let secret = dir.join("secret");
    std::fs::write(&secret, b"x").map_err(|e| e.to_string())?;
    let mut proxy = file_proxy(&[("undeclared", text(&secret))], 0)?;
    let error = match proxy.start() {
        Ok(()) => return Err("an undeclared file opened in the worker".into()),
        Err(e) => e.to_string(),
    };
    let wanted = format!(
        "{} was not granted to the sandbox (declare it in sandbox_files)",
        secret.display()
    );
    check!(error.contains(&wanted), "{error}");
    drop(proxy);
    // Mid-stream, in a pipeline: the error reaches the bus under the element's name.
    let base = crate::elements::registry().map_err(|e| e.to_string())?;
    let registry = isolating_registry(
        &base,
        &Isolation::Auto,
        Arc::new(crate::isolated::config(0)),
    )
    .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let text = format!(
        "fakesrc num-buffers=3 ! sbxfile name=nosy late={} ! fakesink",
        secret.display()
    );
    let (result, messages) = runtime.block_on(async {
        let mut pipeline =
            Pipeline::parse_with(Arc::new(registry), &text, "test").map_err(|e| e.to_string())?;
        let mut bus = pipeline.bus();
        let result = pipeline.run().await.map_err(|e| e.to_string());
        let mut messages = Vec::new();
        while let Some(m) = bus.try_recv() {
            messages.push(m);
        }
        Ok::<_, String>((result, messages))
    })?;
    check!(result.is_err(), "the pipeline failed");
    let on_bus = messages.iter().any(|m| {
        matches!(m, Message::Error { element, error }
            if element == "nosy" && error.message.contains(&wanted))
    });
    check!(on_bus, "error on the bus naming nosy: {messages:?}");
    let crashed = messages.iter().any(
        |m| matches!(m, Message::Element { structure, .. } if structure.name() == "sandbox-crash"),
    );
    check!(
        !crashed,
        "a refused open is no crash (no SIGSYS): {messages:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// After a crash the new worker gets the files again: the input from the start, the
/// output appended to (what the dead worker wrote stays, nothing is overwritten).
pub(crate) fn crash_restart_reopens_files() -> TestResult {
    let dir = scratch("restart")?;
    let (input, output) = (dir.join("in.bin"), dir.join("out.bin"));
    let content = b"read again after the crash".to_vec();
    std::fs::write(&input, &content).map_err(|e| e.to_string())?;
    let before = open_fds()?;
    {
        // Each worker crashes at its second buffer: buffer 0 is written, 1 dies with the
        // first worker, 2 goes to the second worker.
        let mut proxy = file_proxy(
            &[
                ("input", text(&input)),
                ("output", text(&output)),
                ("crash-at", Value::UInt(1)),
            ],
            1,
        )?;
        proxy.start().map_err(|e| e.to_string())?;
        let pushed = push(&mut proxy, 0, 3)?;
        check!(pushed.error.is_none(), "{:?}", pushed.error);
        check!(
            proxy.restarts() == 1,
            "one restart, got {}",
            proxy.restarts()
        );
        let crash = pushed.notices.iter().any(|n| {
            matches!(n, Notice::Message(s) if s.name() == "sandbox-crash"
                && s.get_str("signal-name") == Some("SIGSEGV"))
        });
        check!(crash, "the crash was reported: {:?}", pushed.notices);
        check!(
            pushed.outputs == vec![content.clone(); 2],
            "both workers read the file: {:?}",
            pushed.outputs
        );
        proxy.stop().map_err(|e| e.to_string())?;
    }
    let written = std::fs::read(&output).map_err(|e| e.to_string())?;
    let expected: Vec<u8> = [[0u8; 16], [2u8; 16]].concat();
    check!(
        written == expected,
        "buffer 0 kept, buffer 2 after it: {written:?}"
    );
    check!(
        open_fds()? == before,
        "the host leaked fds: {before:?} before, {:?} after",
        open_fds()?
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Two elements in one worker process: each reads its own file, and neither can take the
/// other's (the grants are kept per member).
pub(crate) fn group_members_keep_their_files_apart() -> TestResult {
    let dir = scratch("group")?;
    let (a, b) = (dir.join("a.bin"), dir.join("b.bin"));
    std::fs::write(&a, b"for a only").map_err(|e| e.to_string())?;
    std::fs::write(&b, b"for b only").map_err(|e| e.to_string())?;
    let group = WorkerGroup::shared("sbxfile", Arc::new(crate::isolated::config(0)));
    let mut first = grouped(&group, "first", &[("input", text(&a))])?;
    let mut second = grouped(&group, "second", &[("input", text(&b)), ("late", text(&a))])?;
    first.start().map_err(|e| e.to_string())?;
    second.start().map_err(|e| e.to_string())?;
    check!(
        first.worker_pid().is_some() && first.worker_pid() == second.worker_pid(),
        "one process for both"
    );
    let pushed = push(&mut first, 0, 2)?;
    check!(pushed.error.is_none(), "{:?}", pushed.error);
    check!(
        pushed.outputs == vec![b"for a only".to_vec(); 2],
        "{:?}",
        pushed.outputs
    );
    let pushed = push(&mut second, 0, 1)?;
    let wanted = format!("{} was not granted to the sandbox", a.display());
    check!(
        pushed.error.as_deref().is_some_and(|e| e.contains(&wanted)),
        "the second element cannot open the first one's file: {:?}",
        pushed.error
    );
    check!(
        first.restarts() == 0 && second.restarts() == 0,
        "a refusal is no crash"
    );
    first.stop().map_err(|e| e.to_string())?;
    second.stop().map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The real `filesink` in a worker, driven through its proxy: what it writes (and, with
/// `append`, what it appends) is what went in, though the worker can open nothing.
pub(crate) fn filesink_writes_through_granted_files() -> TestResult {
    let dir = scratch("filesink")?;
    let output = dir.join("out.bin");
    let before = open_fds()?;
    for append in [false, true] {
        let registry = crate::elements::registry().map_err(|e| e.to_string())?;
        let factory = registry.get("filesink").ok_or("no filesink")?.clone();
        let config = Arc::new(crate::isolated::config(0));
        let mut sink = SandboxProxy::new(factory, "sink", config);
        sink.set_property("location", &text(&output))
            .map_err(|e| e.to_string())?;
        sink.set_property("append", &Value::Bool(append))
            .map_err(|e| e.to_string())?;
        sink.configure_pads(&["sink".into()], &[])
            .map_err(|e| e.to_string())?;
        sink.start().map_err(|e| e.to_string())?;
        let first = if append { 7 } else { 1 };
        let pushed = push(&mut sink, first, 3)?;
        check!(
            pushed.error.is_none(),
            "append={append}: {:?}",
            pushed.error
        );
        let mut state = ContextState::new("test");
        let cancel = AtomicBool::new(false);
        sink.sink_eos(0, true, &mut ProcessContext::new(&mut state, &cancel))
            .map_err(|e| format!("eos: {e:?} {:?}", state.take_error()))?;
        sink.stop().map_err(|e| e.to_string())?;
    }
    let written = std::fs::read(&output).map_err(|e| e.to_string())?;
    let expected: Vec<u8> = (1..4u8).chain(7..10).flat_map(|b| [b; 16]).collect();
    check!(
        written == expected,
        "the first run's buffers, then the appended run's: {written:?}"
    );
    check!(
        open_fds()? == before,
        "the host leaked fds: {before:?} before, {:?} after",
        open_fds()?
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A grant is for one access and one open per start: opening a declared file a second
/// time, or for another access, is refused naming the path, and is no crash.
pub(crate) fn a_grant_is_one_open_with_its_access() -> TestResult {
    let dir = scratch("once")?;
    let (input, output) = (dir.join("in.bin"), dir.join("out.bin"));
    std::fs::write(&input, b"once").map_err(|e| e.to_string())?;
    let cases = [
        (&input, "already opened since the element started"),
        (
            &output,
            "granted to the sandbox for writing, not for reading",
        ),
    ];
    for (late, wanted) in cases {
        let mut proxy = file_proxy(
            &[
                ("input", text(&input)),
                ("output", text(&output)),
                ("late", text(late)),
            ],
            0,
        )?;
        proxy.start().map_err(|e| e.to_string())?;
        let pushed = push(&mut proxy, 0, 1)?;
        let wanted = format!("{} was {wanted}", late.display());
        check!(
            pushed.error.as_deref().is_some_and(|e| e.contains(&wanted)),
            "{wanted}: {:?}",
            pushed.error
        );
        check!(proxy.restarts() == 0, "a refusal is no crash");
        proxy.stop().map_err(|e| e.to_string())?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
