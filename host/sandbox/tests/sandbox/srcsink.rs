//! Sources and sinks in sandboxed workers: whole pipelines isolated element by element,
//! crashes of a source and of a sink, and what a restart leaves behind.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use parallax_core::memory::CpuArena;
use parallax_core::{
    Buffer, ContextState, ElementImpl, Notice, ProcessContext, ProduceContext, ProduceResult, Sink,
    Source, Structure, Value,
};
use parallax_engine::{Message, Pipeline, RunSummary};
use parallax_sandbox::{Isolation, SandboxProxy};

use crate::elements::SRC_BYTES;
use crate::{TestResult, check};

/// What one run gave: its outcome, the elements it isolated, and its bus messages.
struct Outcome {
    result: Result<RunSummary, String>,
    isolated: Vec<String>,
    messages: Vec<Message>,
}

impl Outcome {
    /// Element messages named `name`, with the element that posted them.
    fn structures(&self, name: &str) -> Vec<(String, Structure)> {
        self.messages
            .iter()
            .filter_map(|m| match m {
                Message::Element { element, structure } if structure.name() == name => {
                    Some((element.clone(), structure.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// `(element, signal name, action)` of every crash report.
    fn crashes(&self) -> Vec<(String, String, String)> {
        self.structures("sandbox-crash")
            .into_iter()
            .map(|(_, s)| {
                let field = |f: &str| s.get_str(f).unwrap_or_default().to_owned();
                (field("element"), field("signal-name"), field("action"))
            })
            .collect()
    }

    fn warnings(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter_map(|m| match m {
                Message::Warning { element, message } => Some(format!("{element}: {message}")),
                _ => None,
            })
            .collect()
    }
}

fn run(text: &str, mode: Isolation, max_restarts: u32) -> Result<Outcome, String> {
    let registry = Arc::new(crate::elements::registry().map_err(|e| e.to_string())?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut pipeline =
            Pipeline::parse_with(registry, text, "test").map_err(|e| e.to_string())?;
        pipeline
            .set_sandbox_config(crate::isolated::config(max_restarts))
            .map_err(|e| e.to_string())?;
        pipeline.set_isolation(mode).map_err(|e| e.to_string())?;
        let mut bus = pipeline.bus();
        pipeline.prepare().map_err(|e| e.to_string())?;
        let isolated = pipeline.isolated_elements().to_vec();
        let result = pipeline.run().await.map_err(|e| e.to_string());
        let mut messages = Vec::new();
        while let Some(m) = bus.try_recv() {
            messages.push(m);
        }
        Ok(Outcome {
            result,
            isolated,
            messages,
        })
    })
}

/// `videotestsrc ! fakesink` and `videotestsrc ! sbxsink` with every element in a worker
/// of its own give the in-process counts, buffer sizes, timestamps and bytes.
pub(crate) fn every_element_isolated_gives_the_in_process_stream() -> TestResult {
    // `--isolate '*' --isolate-each`: every element in a worker of its own.
    let each = Isolation::All;
    let timing = "videotestsrc name=src num-buffers=25 pattern=ball \
                  ! video/x-raw,format=RGBA,width=64,height=48 ! fakesink name=sink silent=false";
    let plain = run(timing, Isolation::InProcess, 0)?;
    let isolated = run(timing, each.clone(), 0)?;
    check!(plain.isolated.is_empty(), "{:?}", plain.isolated);
    for name in ["src", "sink"] {
        check!(
            isolated.isolated.iter().any(|e| e == name),
            "{name} runs in a worker: {:?}",
            isolated.isolated
        );
    }
    let (a, b) = (plain.result.clone()?, isolated.result.clone()?);
    check!(
        a.buffers("sink") == Some(25) && b.buffers("sink") == Some(25),
        "{:?} {:?}",
        a.buffers("sink"),
        b.buffers("sink")
    );
    // fakesink's per-buffer messages come out of its worker: size and timestamp of each.
    let per_buffer = |o: &Outcome| {
        o.structures("fakesink/buffer")
            .into_iter()
            .map(|(_, s)| s.to_string())
            .collect::<Vec<_>>()
    };
    check!(
        per_buffer(&plain).len() == 25 && per_buffer(&plain) == per_buffer(&isolated),
        "in-process {:?}\nisolated {:?}",
        per_buffer(&plain),
        per_buffer(&isolated)
    );
    let bytes = "videotestsrc name=src num-buffers=25 pattern=ball \
                 ! video/x-raw,format=RGBA,width=64,height=48 ! sbxsink name=sink";
    let summary = |o: &Outcome| {
        o.structures("sbxsink-summary")
            .into_iter()
            .map(|(_, s)| s.to_string())
            .collect::<Vec<_>>()
    };
    let plain = run(bytes, Isolation::InProcess, 0)?;
    let isolated = run(bytes, each, 0)?;
    plain.result.clone()?;
    isolated.result.clone()?;
    check!(
        isolated.isolated.iter().any(|e| e == "src") && isolated.isolated.len() == 3,
        "{:?}",
        isolated.isolated
    );
    let in_process = plain.structures("sbxsink-summary");
    check!(
        in_process.len() == 1 && in_process[0].1.get_int("buffers") == Some(25),
        "{in_process:?}"
    );
    check!(
        summary(&plain) == summary(&isolated),
        "the bytes differ: in-process {:?}, isolated {:?}",
        summary(&plain),
        summary(&isolated)
    );
    Ok(())
}

/// A source that dies at its fourth buffer is reported with its name and signal and
/// restarted, from its own start (a restarted `sbxsrc` counts from 0 again and dies
/// again), until the policy is used up; then the pipeline fails naming it.
pub(crate) fn crashing_source_is_reported_and_restarted_per_policy() -> TestResult {
    let outcome = run(
        "sbxsrc name=src num-buffers=10 attack=segv at=3 ! fakesink name=sink",
        Isolation::Auto,
        2,
    )?;
    check!(outcome.isolated == ["src"], "{:?}", outcome.isolated);
    let crashes = outcome.crashes();
    let expect = |action: &str| ("src".to_owned(), "SIGSEGV".to_owned(), action.to_owned());
    check!(
        crashes == [expect("restart"), expect("restart"), expect("fail")],
        "{crashes:?}"
    );
    let error = match &outcome.result {
        Ok(_) => return Err("the pipeline should fail once the policy is used up".into()),
        Err(e) => e.clone(),
    };
    check!(
        error.contains("src") && error.contains("SIGSEGV"),
        "the error names the element and the signal: {error}"
    );
    // Three workers each produced buffers 0, 1 and 2 before dying.
    let warnings = outcome.warnings();
    check!(
        warnings
            .iter()
            .filter(|w| w.starts_with("src: sandboxed worker"))
            .count()
            == 3,
        "{warnings:?}"
    );
    Ok(())
}

/// A sink that dies at its sixth buffer is reported and restarted: the stream goes on
/// to its end, each crash losing the buffer it died on; with no restarts allowed the
/// pipeline fails naming it.
pub(crate) fn crashing_sink_is_reported_and_restarted_per_policy() -> TestResult {
    let text = "sbxsrc num-buffers=20 ! sbxsink name=sink attack=segv at=5";
    let outcome = run(text, Isolation::Auto, 3)?;
    let summary = outcome.result.clone()?;
    check!(
        summary.buffers("sink") == Some(20),
        "every buffer reached the sink's proxy: {:?}",
        summary.buffers("sink")
    );
    let crashes = outcome.crashes();
    let restart = (
        "sink".to_owned(),
        "SIGSEGV".to_owned(),
        "restart".to_owned(),
    );
    check!(
        crashes == [restart.clone(), restart.clone(), restart],
        "three workers died on their sixth buffer: {crashes:?}"
    );
    // The fourth worker took the last two buffers (18 went to the three dead ones), and
    // its end-of-stream message crossed back.
    let summaries = outcome.structures("sbxsink-summary");
    check!(
        summaries.len() == 1 && summaries[0].1.get_int("buffers") == Some(2),
        "{summaries:?}"
    );
    let failed = run(text, Isolation::Auto, 0)?;
    let error = match &failed.result {
        Ok(_) => return Err("no restart allowed: the pipeline must fail".into()),
        Err(e) => e.clone(),
    };
    check!(
        error.contains("sink") && error.contains("SIGSEGV"),
        "the error names the element and the signal: {error}"
    );
    check!(
        failed.crashes() == [("sink".into(), "SIGSEGV".into(), "fail".into())],
        "{:?}",
        failed.crashes()
    );
    Ok(())
}

fn proxy(
    factory: &str,
    props: &[(&str, Value)],
    pads: (bool, bool),
) -> Result<SandboxProxy, String> {
    let registry = crate::elements::registry().map_err(|e| e.to_string())?;
    let factory = registry.get(factory).ok_or("no factory")?.clone();
    let mut proxy = SandboxProxy::new(factory, "under-test", Arc::new(crate::isolated::config(3)));
    for (name, value) in props {
        proxy.set_property(name, value).map_err(|e| e.to_string())?;
    }
    let pad = |yes: bool, name: &str| {
        if yes {
            vec![name.to_owned()]
        } else {
            Vec::new()
        }
    };
    proxy
        .configure_pads(&pad(pads.0, "sink"), &pad(pads.1, "src"))
        .map_err(|e| e.to_string())?;
    proxy.start().map_err(|e| e.to_string())?;
    Ok(proxy)
}

fn crash_signals(notices: &[Notice]) -> Vec<String> {
    notices
        .iter()
        .filter_map(|n| match n {
            Notice::Message(s) if s.name() == "sandbox-crash" => {
                s.get_str("signal-name").map(str::to_owned)
            }
            _ => None,
        })
        .collect()
}

/// A source driven as the executor drives it: after a crash the next `produce` starts a
/// new worker, which produces from the source's start again (here with the attack taken
/// out), and the slots the dead worker held are free: nothing stays in use once the
/// outputs are dropped, across more buffers than an output arena has slots.
pub(crate) fn source_restart_leaks_no_slot() -> TestResult {
    let mut proxy = proxy(
        "sbxsrc",
        &[
            ("attack", Value::Str("segv".into())),
            ("at", Value::UInt(2)),
            ("num-buffers", Value::UInt(40)),
        ],
        (false, true),
    )?;
    // The engine's pool for the source; the proxy never takes from it.
    let pool = CpuArena::new("src-pool", SRC_BYTES, 4).map_err(|e| e.to_string())?;
    let mut state = ContextState::new("src");
    let cancel = AtomicBool::new(false);
    let mut slot = None;
    let mut first_bytes = Vec::new();
    let mut held: Vec<Buffer> = Vec::new();
    let mut notices = Vec::new();
    let mut blocked = 0;
    loop {
        let result = {
            let mut ctx = ProduceContext::new(&mut state, &cancel, &pool, &mut slot);
            proxy.produce(&mut ctx)
        };
        notices.extend(state.take_notices());
        match result {
            Ok(ProduceResult::OwnBuffer(buffer)) => {
                check!(buffer.len() == SRC_BYTES, "{}", buffer.len());
                first_bytes.push(buffer.data()[0]);
                held.push(buffer);
                // Downstream keeps a few buffers alive at a time.
                if held.len() > 3 {
                    held.remove(0);
                }
            }
            Ok(ProduceResult::WouldBlock) => {
                // The crash: take the attack out; the restarted worker gets the change.
                blocked += 1;
                check!(blocked == 1, "one crash only");
                proxy
                    .set_property("attack", &Value::Str("none".into()))
                    .map_err(|e| e.to_string())?;
            }
            Ok(ProduceResult::Eos) => break,
            Ok(other) => return Err(format!("unexpected {other:?}")),
            Err(e) => return Err(format!("{e:?}: {:?}", state.take_error())),
        }
    }
    check!(
        crash_signals(&notices) == ["SIGSEGV"],
        "the crash is reported: {notices:?}"
    );
    let expected: Vec<u8> = (0..2).chain(0..40).collect();
    check!(
        first_bytes == expected,
        "two buffers, the crash, then the source from its start: {first_bytes:?}"
    );
    check!(proxy.restarts() == 1, "{}", proxy.restarts());
    check!(proxy.adopted_outputs() == 3, "{}", proxy.adopted_outputs());
    held.clear();
    check!(
        proxy.adopted_outputs() == 0,
        "every output slot is free once the outputs are dropped: {}",
        proxy.adopted_outputs()
    );
    check!(pool.stats().in_use == 0, "{:?}", pool.stats());
    proxy.stop().map_err(|e| e.to_string())?;
    Ok(())
}

/// A sink's crashes free every input lease the dead worker held: the upstream pool has
/// nothing in use afterwards.
pub(crate) fn sink_crash_leaks_no_lease() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxsink",
        &[
            ("attack", Value::Str("abort".into())),
            ("at", Value::UInt(3)),
        ],
        (true, false),
    )?;
    let mut state = ContextState::new("sink");
    let cancel = AtomicBool::new(false);
    let mut notices = Vec::new();
    for i in 0..12u8 {
        let mut buffer = arena
            .try_acquire()
            .ok_or("upstream pool exhausted: a leak")?;
        buffer.set_len(4096);
        buffer.data_mut().fill(i);
        let result = proxy.consume(
            buffer.freeze(),
            &mut ProcessContext::new(&mut state, &cancel),
        );
        notices.extend(state.take_notices());
        check!(result.is_ok(), "{i}: {result:?} {:?}", state.take_error());
    }
    let result = proxy.eos(&mut ProcessContext::new(&mut state, &cancel));
    notices.extend(state.take_notices());
    check!(result.is_ok(), "{result:?}");
    check!(
        crash_signals(&notices) == ["SIGABRT", "SIGABRT", "SIGABRT"],
        "a crash at every fourth buffer: {notices:?}"
    );
    check!(proxy.held_inputs() == 0, "{}", proxy.held_inputs());
    check!(
        arena.stats().in_use == 0,
        "no lease outlived its worker: {:?}",
        arena.stats()
    );
    proxy.stop().map_err(|e| e.to_string())?;
    Ok(())
}

/// Under `Isolation::All`, elements that cannot run in a worker stay in-process and the
/// bus says why: appsrc and appsink talk to the application through their handles, and
/// fdsrc reads a host fd (stdin) that a worker does not have.
pub(crate) fn elements_that_cannot_run_in_a_worker_stay_and_say_why() -> TestResult {
    let registry = Arc::new(crate::elements::registry().map_err(|e| e.to_string())?);
    let mut pipeline = Pipeline::parse_with(
        registry,
        "appsrc name=in ! sbxpass name=mid ! appsink name=out \
         fdsrc name=file ! fakesink name=sink",
        "test",
    )
    .map_err(|e| e.to_string())?;
    pipeline
        .set_sandbox_config(crate::isolated::config(0))
        .map_err(|e| e.to_string())?;
    pipeline
        .set_isolation(Isolation::All)
        .map_err(|e| e.to_string())?;
    let mut bus = pipeline.bus();
    pipeline.prepare().map_err(|e| e.to_string())?;
    let mut isolated = pipeline.isolated_elements().to_vec();
    isolated.sort();
    check!(isolated == ["mid", "sink"], "{isolated:?}");
    let mut warnings = Vec::new();
    while let Some(m) = bus.try_recv() {
        if let Message::Warning { element, message } = m {
            warnings.push(format!("{element}: {message}"));
        }
    }
    for (element, why) in [
        ("in", "talks to the application"),
        ("out", "talks to the application"),
        ("file", "host files, fds"),
    ] {
        check!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("{element}: runs in-process")) && w.contains(why)),
            "{element}: {warnings:?}"
        );
    }
    Ok(())
}

/// `filesrc ! sbxinvert ! filesink` with every element in a worker of its own (the files
/// opened by the host and passed in) writes the bytes it writes in-process.
pub(crate) fn file_to_file_every_element_isolated() -> TestResult {
    let dir = std::env::temp_dir().join(format!("parallax-srcsink-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let input = dir.join("in.bin");
    // 300 KiB and a bit: many 4 KiB blocks and a short last one.
    let data: Vec<u8> = (0..300 * 1024 + 77u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&input, &data).map_err(|e| e.to_string())?;
    let text = |out: &str| {
        format!(
            "filesrc name=src location={} ! sbxinvert name=mid ! filesink name=sink location={}",
            input.display(),
            dir.join(out).display()
        )
    };
    let plain = run(&text("plain.bin"), Isolation::InProcess, 0)?;
    plain.result.clone()?;
    let isolated = run(&text("isolated.bin"), Isolation::All, 0)?;
    isolated.result.clone()?;
    let mut names = isolated.isolated.clone();
    names.sort();
    check!(names == ["mid", "sink", "src"], "{names:?}");
    check!(isolated.warnings().is_empty(), "{:?}", isolated.warnings());
    let a = std::fs::read(dir.join("plain.bin")).map_err(|e| e.to_string())?;
    let b = std::fs::read(dir.join("isolated.bin")).map_err(|e| e.to_string())?;
    check!(
        a.len() == data.len() && a.iter().zip(&data).all(|(x, y)| *x == !y),
        "the in-process run inverts every byte"
    );
    check!(
        a == b,
        "isolated output differs from in-process ({} vs {} bytes)",
        a.len(),
        b.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
