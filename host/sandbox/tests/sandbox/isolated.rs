//! One proxy driven directly, as the executor would.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parallax_core::memory::CpuArena;
use parallax_core::{Buffer, ContextState, ElementImpl, Notice, ProcessContext, Transform, Value};
use parallax_sandbox::{RestartPolicy, SandboxConfig, SandboxProxy, WorkerCommand};

use crate::{TestResult, check};

pub(crate) fn config(max_restarts: u32) -> SandboxConfig {
    SandboxConfig {
        worker: WorkerCommand::new(std::env::current_exe().unwrap_or_default()),
        restart: RestartPolicy { max_restarts },
        call_timeout: Duration::from_secs(5),
        ..SandboxConfig::default()
    }
}

fn proxy(
    factory: &str,
    props: &[(&str, Value)],
    config: SandboxConfig,
) -> Result<SandboxProxy, String> {
    let registry = crate::elements::registry().map_err(|e| e.to_string())?;
    let factory = registry.get(factory).ok_or("no factory")?.clone();
    let mut proxy = SandboxProxy::new(factory, "under-test", Arc::new(config));
    for (name, value) in props {
        proxy.set_property(name, value).map_err(|e| e.to_string())?;
    }
    proxy
        .configure_pads(&["sink".into()], &["src".into()])
        .map_err(|e| e.to_string())?;
    proxy.start().map_err(|e| e.to_string())?;
    Ok(proxy)
}

fn input(arena: &CpuArena, byte: u8, len: usize) -> Result<Buffer, String> {
    let mut buf = arena.try_acquire().ok_or("arena exhausted")?;
    buf.set_len(len);
    buf.data_mut().fill(byte);
    Ok(buf.freeze())
}

struct Run {
    outputs: Vec<Buffer>,
    notices: Vec<Notice>,
    error: Option<String>,
    results: Vec<bool>,
    /// First byte of every output already released.
    seen: Vec<Option<u8>>,
}

impl Run {
    fn first_bytes(&self) -> Vec<u8> {
        self.seen
            .iter()
            .copied()
            .chain(self.outputs.iter().map(|b| b.data().first().copied()))
            .flatten()
            .collect()
    }
}

fn push_all(proxy: &mut SandboxProxy, arena: &CpuArena, count: u8) -> Result<Run, String> {
    let mut state = ContextState::new("test");
    let cancel = AtomicBool::new(false);
    let mut run = Run {
        outputs: Vec::new(),
        notices: Vec::new(),
        error: None,
        results: Vec::new(),
        seen: Vec::new(),
    };
    for i in 0..count {
        let buffer = input(arena, i, 4096)?;
        let result = proxy.process(0, buffer, &mut ProcessContext::new(&mut state, &cancel));
        run.results.push(result.is_ok());
        run.outputs
            .extend(state.take_outputs().into_iter().map(|(_, b)| b));
        // Keep only the latest outputs, as a downstream element would release them.
        if run.outputs.len() > 3 {
            let old = run.outputs.remove(0);
            run.seen.push(old.data().first().copied());
        }
        run.notices.extend(state.take_notices());
        if let Some(e) = state.take_error() {
            run.error = Some(format!("{e} {:?}", e.debug));
            break;
        }
    }
    Ok(run)
}

fn crash_field(notices: &[Notice], field: &str) -> Option<String> {
    notices.iter().find_map(|n| match n {
        Notice::Message(s) if s.name() == "sandbox-crash" => s.get(field).map(|v| v.to_string()),
        _ => None,
    })
}

pub(crate) fn passthrough_is_zero_copy() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy("sbxpass", &[], config(0))?;
    let run = push_all(&mut proxy, &arena, 10)?;
    check!(run.error.is_none(), "{:?}", run.error);
    check!(
        run.first_bytes() == (0..10).collect::<Vec<u8>>(),
        "{:?}",
        run.first_bytes()
    );
    for out in &run.outputs {
        check!(
            out.memory().arena_id() == arena.stats().id,
            "the host's own slot (no copy)"
        );
        check!(
            out.data().iter().all(|&b| b == out.data()[0]),
            "bytes intact"
        );
    }
    drop(run);
    proxy.stop().map_err(|e| e.to_string())?;
    check!(
        arena.stats().in_use == 0,
        "every lease came back: {:?}",
        arena.stats()
    );
    Ok(())
}

/// Many round trips with irregular gaps, so that both sides take both the spinning and
/// the sleeping path of the mailbox wait: a lost wake-up would stall a call until the
/// timeout, kill the worker and show as a restart.
pub(crate) fn many_round_trips_lose_no_wake_up() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 8).map_err(|e| e.to_string())?;
    let mut proxy = proxy("sbxpass", &[], config(0))?;
    let mut state = ContextState::new("test");
    let cancel = AtomicBool::new(false);
    for i in 0..20_000u32 {
        let buffer = input(&arena, i as u8, 64)?;
        let result = proxy.process(0, buffer, &mut ProcessContext::new(&mut state, &cancel));
        check!(
            result.is_ok(),
            "buffer {i}: {result:?} {:?}",
            state.take_error()
        );
        let outputs = state.take_outputs();
        check!(outputs.len() == 1, "buffer {i}: {} outputs", outputs.len());
        check!(
            outputs[0].1.data().first() == Some(&(i as u8)),
            "buffer {i} came back changed"
        );
        if i % 101 == 0 {
            std::thread::sleep(Duration::from_micros(u64::from(i % 400)));
        }
    }
    check!(proxy.restarts() == 0, "{} restarts", proxy.restarts());
    proxy.stop().map_err(|e| e.to_string())?;
    check!(
        arena.stats().in_use == 0,
        "leases leaked: {:?}",
        arena.stats()
    );
    Ok(())
}

pub(crate) fn outputs_come_from_shared_slots() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy("sbxinvert", &[], config(0))?;
    let run = push_all(&mut proxy, &arena, 40)?;
    check!(run.error.is_none(), "{:?}", run.error);
    let expected: Vec<u8> = (0..40u8).map(|i| !i).collect();
    check!(run.first_bytes() == expected, "{:?}", run.first_bytes());
    for out in &run.outputs {
        check!(out.memory().is_cross_process(), "output in a shared slot");
        check!(
            out.data().iter().all(|&b| b == out.data()[0]),
            "whole buffer inverted"
        );
    }
    drop(run);
    proxy.stop().map_err(|e| e.to_string())?;
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}

/// Extensible metadata crosses both ways: the worker's element sees what the host's
/// buffer carries and what it adds comes back; too much is refused, naming the cause.
pub(crate) fn extra_metadata_crosses_both_ways() -> TestResult {
    use parallax_core::buffer::{ExtraMeta, MetaValue};
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut meta = proxy("sbxmeta", &[], config(0))?;
    let mut state = ContextState::new("test");
    let cancel = AtomicBool::new(false);
    let mut sent = ExtraMeta::default();
    sent.set("count", MetaValue::Int(41));
    sent.set("name", MetaValue::Str("camera 2".into()));
    sent.set("gain", MetaValue::Double(0.5));
    sent.set("sei", MetaValue::Bytes(vec![1, 2, 3]));
    let mut buffer = input(&arena, 9, 64)?;
    buffer.meta_mut().extra = Some(Box::new(sent.clone()));
    let plain = input(&arena, 10, 64)?;
    for (buffer, count) in [(buffer, 42), (plain, 1)] {
        let result = meta.process(0, buffer, &mut ProcessContext::new(&mut state, &cancel));
        check!(result.is_ok(), "{result:?} {:?}", state.take_error());
        let outputs = state.take_outputs();
        check!(outputs.len() == 1, "{} outputs", outputs.len());
        let extra = outputs[0]
            .1
            .meta()
            .extra
            .as_deref()
            .ok_or("no extra meta")?;
        check!(
            extra.get("count") == Some(&MetaValue::Int(count)),
            "{extra:?}"
        );
        if count == 42 {
            for (key, value) in sent.iter().skip(1) {
                check!(extra.get(key) == Some(value), "{key}: {extra:?}");
            }
        } else {
            check!(extra.iter().count() == 1, "{extra:?}");
        }
    }
    // Too much from the host: refused before the call, naming the bound.
    let mut big = ExtraMeta::default();
    big.set("blob", MetaValue::Bytes(vec![0; 5000]));
    let mut buffer = input(&arena, 11, 64)?;
    buffer.meta_mut().extra = Some(Box::new(big));
    let result = meta.process(0, buffer, &mut ProcessContext::new(&mut state, &cancel));
    check!(result.is_err(), "oversized metadata accepted");
    let error = state.take_error().ok_or("no error")?.to_string();
    check!(error.contains("at most 4096"), "{error}");
    meta.stop().map_err(|e| e.to_string())?;
    // Too much from the worker: the call fails with the worker's reason.
    let mut blob = proxy("sbxmeta", &[("blob", Value::UInt(5000))], config(0))?;
    let buffer = input(&arena, 12, 64)?;
    let result = blob.process(0, buffer, &mut ProcessContext::new(&mut state, &cancel));
    check!(result.is_err(), "oversized metadata accepted");
    let error = state.take_error().ok_or("no error")?.to_string();
    check!(error.contains("at most 4096"), "{error}");
    check!(blob.restarts() == 0, "an honest refusal is no crash");
    drop(state.take_outputs());
    blob.stop().map_err(|e| e.to_string())?;
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}

pub(crate) fn protections_are_active() -> TestResult {
    let proxy = proxy("sbxpass", &[], config(0))?;
    let p = proxy.protections().ok_or("no worker")?.clone();
    check!(p.seccomp && p.no_new_privs, "{p:?}");
    check!(p.env_vars == 0, "empty environment: {p:?}");
    check!(p.open_fds <= 5, "only the worker's own fds: {p:?}");
    check!(p.rlimits.iter().any(|r| r.starts_with("nproc=0")), "{p:?}");
    check!(
        !p.namespaces.is_empty() || p.namespace_warning.is_some(),
        "{p:?}"
    );
    Ok(())
}

fn denied(attack: &str, syscalls: &[&str]) -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxhostile",
        &[
            ("attack", Value::Str(attack.into())),
            ("at", Value::UInt(1)),
        ],
        config(0),
    )?;
    let run = push_all(&mut proxy, &arena, 3)?;
    check!(
        run.results == [true, false],
        "first buffer passes, the attack fails the element: {:?}",
        run.results
    );
    let error = run.error.clone().unwrap_or_default();
    check!(error.contains("SIGSYS"), "error names the signal: {error}");
    let syscall = crash_field(&run.notices, "syscall").unwrap_or_default();
    check!(
        syscalls.iter().any(|s| syscall.contains(s)),
        "syscall {syscall:?} for {attack}"
    );
    check!(
        crash_field(&run.notices, "signal").as_deref() == Some("31"),
        "signal field"
    );
    check!(
        crash_field(&run.notices, "action").as_deref() == Some("fail"),
        "policy 0 fails"
    );
    drop(run);
    check!(
        arena.stats().in_use == 0,
        "no lease leaked: {:?}",
        arena.stats()
    );
    Ok(())
}

pub(crate) fn open_is_denied() -> TestResult {
    denied("open", &["openat", "open"])
}

pub(crate) fn socket_is_denied() -> TestResult {
    denied("socket", &["socket"])
}

pub(crate) fn execve_is_denied() -> TestResult {
    denied("execve", &["execve"])
}

pub(crate) fn truncating_stderr_is_denied() -> TestResult {
    denied("truncate-stderr", &["ftruncate"])
}

pub(crate) fn fork_is_denied() -> TestResult {
    denied("fork", &["clone", "fork", "clone3"])
}

pub(crate) fn abort_is_reported() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxhostile",
        &[
            ("attack", Value::Str("abort".into())),
            ("at", Value::UInt(0)),
        ],
        config(0),
    )?;
    let run = push_all(&mut proxy, &arena, 1)?;
    let name = crash_field(&run.notices, "signal-name").unwrap_or_default();
    check!(
        name == "SIGABRT",
        "abort is reported as SIGABRT, got {name:?} ({:?})",
        run.error
    );
    Ok(())
}

pub(crate) fn file_size_limit_is_reported() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxhostile",
        &[
            ("attack", Value::Str("xfsz".into())),
            ("at", Value::UInt(0)),
        ],
        config(0),
    )?;
    let run = push_all(&mut proxy, &arena, 1)?;
    let name = crash_field(&run.notices, "signal-name").unwrap_or_default();
    check!(
        name == "SIGXFSZ",
        "a memfd past `fsize` is reported as SIGXFSZ, got {name:?} ({:?})",
        run.error
    );
    Ok(())
}

pub(crate) fn spinning_worker_times_out() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut cfg = config(0);
    cfg.call_timeout = Duration::from_millis(300);
    let mut proxy = proxy(
        "sbxhostile",
        &[
            ("attack", Value::Str("spin".into())),
            ("at", Value::UInt(0)),
        ],
        cfg,
    )?;
    let run = push_all(&mut proxy, &arena, 1)?;
    let error = run.error.unwrap_or_default();
    check!(
        error.contains("did not answer"),
        "timeout reported: {error}"
    );
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}

pub(crate) fn segfault_restarts_and_counts_stay_exact() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxhostile",
        &[
            ("attack", Value::Str("segv".into())),
            ("at", Value::UInt(2)),
        ],
        config(3),
    )?;
    let run = push_all(&mut proxy, &arena, 8)?;
    check!(
        run.error.is_none(),
        "restarted, not failed: {:?}",
        run.error
    );
    // Buffers 2 and 5 die with their worker (each new worker crashes on its third).
    let seen = run.first_bytes();
    check!(
        seen == [0, 1, 3, 4, 6, 7],
        "the stream continues from the next buffer: {seen:?}"
    );
    check!(
        proxy.restarts() == 2,
        "two restarts, got {}",
        proxy.restarts()
    );
    check!(
        crash_field(&run.notices, "signal-name").as_deref() == Some("SIGSEGV"),
        "SIGSEGV reported"
    );
    drop(run);
    proxy.stop().map_err(|e| e.to_string())?;
    check!(
        arena.stats().in_use == 0,
        "no slot leaked across two crashes: {:?}",
        arena.stats()
    );
    Ok(())
}

pub(crate) fn death_during_a_caps_change_is_reported() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxhostile",
        &[("attack", Value::Str("caps-segv".into()))],
        config(3),
    )?;
    let before = push_all(&mut proxy, &arena, 2)?;
    check!(before.error.is_none(), "{:?}", before.error);
    check!(
        crash_field(&before.notices, "signal-name").is_none(),
        "no crash yet"
    );
    drop(before);
    // Upstream announces new caps mid-stream; the worker dies applying them.
    let caps: parallax_core::Caps = "application/x-test, n=(int)2"
        .parse()
        .map_err(|e| format!("{e}"))?;
    proxy
        .set_caps(std::slice::from_ref(&caps), std::slice::from_ref(&caps))
        .map_err(|e| e.to_string())?;
    let after = push_all(&mut proxy, &arena, 3)?;
    check!(after.error.is_none(), "restarted: {:?}", after.error);
    check!(
        crash_field(&after.notices, "signal-name").as_deref() == Some("SIGSEGV"),
        "the death is reported like any other: {:?}",
        after.notices
    );
    check!(
        crash_field(&after.notices, "action").as_deref() == Some("restart"),
        "{:?}",
        after.notices
    );
    check!(
        after.first_bytes() == [0, 1, 2],
        "the new worker, set up with the new caps, takes every later buffer: {:?}",
        after.first_bytes()
    );
    check!(
        proxy.restarts() == 1,
        "one restart, got {}",
        proxy.restarts()
    );
    drop(after);
    proxy.stop().map_err(|e| e.to_string())?;
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}

pub(crate) fn printing_to_stdout_harms_nothing() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy(
        "sbxhostile",
        &[
            ("attack", Value::Str("print".into())),
            ("at", Value::UInt(1)),
        ],
        config(0),
    )?;
    let run = push_all(&mut proxy, &arena, 5)?;
    check!(run.error.is_none(), "{:?}", run.error);
    check!(
        crash_field(&run.notices, "cause").is_none(),
        "{:?}",
        run.notices
    );
    check!(
        run.first_bytes() == [0, 1, 2, 3, 4],
        "{:?}",
        run.first_bytes()
    );
    drop(run);
    proxy.stop().map_err(|e| e.to_string())?;
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}

/// Whether the worker of `proxy` reported its own PID namespace; when it did not, its
/// report must say why (and the caller checks the fallback instead).
fn in_pid_namespace(proxy: &SandboxProxy) -> Result<bool, String> {
    let p = proxy.protections().ok_or("no worker")?;
    let entered = p.namespaces.iter().any(|n| n == "pid");
    if !entered {
        let why = p.namespace_warning.clone().unwrap_or_default();
        check!(
            why.contains("pid namespace") || why.contains("unavailable"),
            "no pid namespace and no reason given: {p:?}"
        );
        eprintln!("    (no pid namespace on this system: {why})");
    }
    Ok(entered)
}

pub(crate) fn element_runs_as_pid_1() -> TestResult {
    use parallax_core::buffer::MetaValue;
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy("sbxwhoami", &[], config(0))?;
    let own_namespace = in_pid_namespace(&proxy)?;
    let keeper = proxy.worker_pid().ok_or("no worker")?;
    let mut state = ContextState::new("test");
    let cancel = AtomicBool::new(false);
    let buffer = input(&arena, 1, 64)?;
    let result = proxy.process(0, buffer, &mut ProcessContext::new(&mut state, &cancel));
    check!(result.is_ok(), "{result:?} {:?}", state.take_error());
    let outputs = state.take_outputs();
    let seen = outputs
        .first()
        .and_then(|(_, b)| b.meta().extra.as_deref())
        .and_then(|extra| extra.get("pid").cloned());
    // In its own namespace the element is PID 1; without one it is the host's child.
    let expected = if own_namespace { 1 } else { i64::from(keeper) };
    check!(
        seen == Some(MetaValue::Int(expected)),
        "the element sees pid {seen:?}, expected {expected} (host's child {keeper})"
    );
    drop(outputs);
    proxy.stop().map_err(|e| e.to_string())?;
    Ok(())
}

/// The processes whose parent is `parent`, from `/proc/*/stat`.
fn children_of(parent: u32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}

pub(crate) fn killing_the_keeper_leaves_no_worker() -> TestResult {
    use rustix::event::{PollFd, PollFlags, poll};
    use rustix::process::{Pid, PidfdFlags, Signal, kill_process, pidfd_open};
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let mut proxy = proxy("sbxpass", &[], config(1))?;
    let first = push_all(&mut proxy, &arena, 1)?;
    check!(first.error.is_none(), "{:?}", first.error);
    drop(first);
    let keeper = proxy.worker_pid().ok_or("no worker")?;
    let in_namespace = in_pid_namespace(&proxy)?;
    // With a pid namespace the element runs in the keeper's one child; without, in the
    // host's child itself.
    let worker = if in_namespace {
        let children = children_of(keeper);
        check!(children.len() == 1, "the keeper has {children:?} children");
        let status = std::fs::read_to_string(format!("/proc/{}/status", children[0]))
            .map_err(|e| e.to_string())?;
        let nspid = status.lines().find(|l| l.starts_with("NSpid:"));
        check!(
            nspid.is_some_and(|l| l.split_whitespace().last() == Some("1")),
            "the keeper's child is PID 1 of its namespace: {nspid:?}"
        );
        // The keeper installs its filter right after the fork; on a loaded machine it may
        // not have run yet, hence the bounded wait.
        let filtered = |status: &str| {
            status.contains("\nNoNewPrivs:\t1\n") && status.contains("\nSeccomp:\t2\n")
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut keeper_status = String::new();
        while !filtered(&keeper_status) && std::time::Instant::now() < deadline {
            keeper_status = std::fs::read_to_string(format!("/proc/{keeper}/status"))
                .map_err(|e| e.to_string())?;
            std::thread::sleep(Duration::from_millis(5));
        }
        check!(
            filtered(&keeper_status),
            "the keeper runs under its own filter: {keeper_status}"
        );
        children[0]
    } else {
        keeper as i32
    };
    let pid = Pid::from_raw(worker).ok_or("pid 0")?;
    let worker_fd = pidfd_open(pid, PidfdFlags::empty()).map_err(|e| e.to_string())?;
    let keeper_pid = Pid::from_raw(keeper as i32).ok_or("pid 0")?;
    kill_process(keeper_pid, Signal::KILL).map_err(|e| e.to_string())?;
    // The worker follows its keeper (parent-death signal); the bound only keeps a
    // broken build from hanging the test.
    let mut fds = [PollFd::new(&worker_fd, PollFlags::IN)];
    let timeout = rustix::time::Timespec {
        tv_sec: 10,
        tv_nsec: 0,
    };
    let ready = poll(&mut fds, Some(&timeout)).map_err(|e| e.to_string())?;
    check!(
        ready == 1,
        "the worker {worker} outlived its keeper {keeper}"
    );
    // The host sees one death by SIGKILL and carries on with a new worker.
    let run = push_all(&mut proxy, &arena, 2)?;
    check!(
        run.error.is_none(),
        "restarted, not failed: {:?}",
        run.error
    );
    check!(
        crash_field(&run.notices, "signal-name").as_deref() == Some("SIGKILL"),
        "SIGKILL reported: {:?}",
        run.notices
    );
    check!(
        proxy.restarts() == 1,
        "one restart, got {}",
        proxy.restarts()
    );
    drop(run);
    proxy.stop().map_err(|e| e.to_string())?;
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}
