//! Grouped isolation: several elements in one worker process.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use parallax_core::memory::CpuArena;
use parallax_core::{Buffer, ContextState, ElementImpl, Notice, ProcessContext, Transform, Value};
use parallax_engine::{Message, Pipeline};
use parallax_sandbox::{Isolation, SandboxProxy, WorkerGroup};

use crate::{TestResult, check};

fn member(
    group: &Arc<WorkerGroup>,
    factory: &str,
    name: &str,
    props: &[(&str, Value)],
) -> Result<SandboxProxy, String> {
    let registry = crate::elements::registry().map_err(|e| e.to_string())?;
    let factory = registry.get(factory).ok_or("no factory")?.clone();
    let mut proxy = SandboxProxy::in_group(factory, name, Arc::clone(group));
    for (prop, value) in props {
        proxy.set_property(prop, value).map_err(|e| e.to_string())?;
    }
    proxy
        .configure_pads(&["sink".into()], &["src".into()])
        .map_err(|e| e.to_string())?;
    proxy.start().map_err(|e| e.to_string())?;
    Ok(proxy)
}

/// One buffer through `proxy`: its outputs, or the error text.
fn step(
    proxy: &mut SandboxProxy,
    state: &mut ContextState,
    buffer: Buffer,
    notices: &mut Vec<Notice>,
) -> Result<Vec<Buffer>, String> {
    let cancel = AtomicBool::new(false);
    let result = proxy.process(0, buffer, &mut ProcessContext::new(state, &cancel));
    notices.extend(state.take_notices());
    let outputs = state.take_outputs().into_iter().map(|(_, b)| b).collect();
    match result {
        Ok(()) => Ok(outputs),
        Err(flow) => Err(format!("{flow:?}: {:?}", state.take_error())),
    }
}

fn input(arena: &CpuArena, byte: u8) -> Result<Buffer, String> {
    let mut buf = arena.try_acquire().ok_or("arena exhausted")?;
    buf.set_len(4096);
    buf.data_mut().fill(byte);
    Ok(buf.freeze())
}

fn crashes(notices: &[Notice]) -> Vec<(String, Option<String>)> {
    notices
        .iter()
        .filter_map(|n| match n {
            Notice::Message(s) if s.name() == "sandbox-crash" => Some((
                s.get_str("element").unwrap_or_default().to_owned(),
                s.get_str("culprit").map(str::to_owned),
            )),
            _ => None,
        })
        .collect()
}

pub(crate) fn two_elements_share_one_worker() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let group = WorkerGroup::shared("sbx*", Arc::new(crate::isolated::config(0)));
    let mut pass = member(&group, "sbxpass", "pass", &[])?;
    let mut invert = member(&group, "sbxinvert", "invert", &[])?;
    let pid = pass.worker_pid();
    check!(pid.is_some(), "the group's worker runs");
    check!(
        invert.worker_pid() == pid && group.pid() == pid,
        "one process for both: {pid:?} {:?} {:?}",
        invert.worker_pid(),
        group.pid()
    );
    check!(
        group.members() == ["pass", "invert"],
        "{:?}",
        group.members()
    );
    let protections = pass.protections().ok_or("no worker")?;
    check!(
        protections.seccomp && protections.no_new_privs,
        "{protections:?}"
    );
    let (mut s1, mut s2, mut notices) = (
        ContextState::new("pass"),
        ContextState::new("invert"),
        Vec::new(),
    );
    for i in 0..20u8 {
        for mid in step(&mut pass, &mut s1, input(&arena, i)?, &mut notices)? {
            let out = step(&mut invert, &mut s2, mid, &mut notices)?;
            check!(
                out.len() == 1 && out[0].data().iter().all(|&b| b == !i),
                "buffer {i} inverted once"
            );
        }
    }
    check!(crashes(&notices).is_empty(), "{notices:?}");
    pass.stop().map_err(|e| e.to_string())?;
    check!(
        invert.worker_pid() == pid,
        "the process outlives one element's stop"
    );
    drop(pass);
    check!(
        group.members() == ["invert"],
        "a dropped element leaves the group: {:?}",
        group.members()
    );
    invert.stop().map_err(|e| e.to_string())?;
    check!(
        arena.stats().in_use == 0,
        "every lease came back: {:?}",
        arena.stats()
    );
    Ok(())
}

pub(crate) fn grouped_restart_keeps_going_without_leaks() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let group = WorkerGroup::shared("sbx*", Arc::new(crate::isolated::config(3)));
    let mut good = member(&group, "sbxinvert", "good", &[])?;
    let mut bad = member(
        &group,
        "sbxhostile",
        "bad",
        &[
            ("attack", Value::Str("segv".into())),
            ("at", Value::UInt(2)),
        ],
    )?;
    let first = group.pid().ok_or("no worker")?;
    let (mut s1, mut s2, mut notices) = (
        ContextState::new("good"),
        ContextState::new("bad"),
        Vec::new(),
    );
    let mut delivered = Vec::new();
    for i in 0..8u8 {
        for mid in step(&mut good, &mut s1, input(&arena, i)?, &mut notices)? {
            for out in step(&mut bad, &mut s2, mid, &mut notices)? {
                delivered.push(!out.data()[0]);
            }
        }
    }
    // bad's worker dies on its third buffer, twice; good rejoins the new process.
    check!(
        delivered == [0, 1, 3, 4, 6, 7],
        "the stream continues from the next buffer: {delivered:?}"
    );
    let reported = crashes(&notices);
    check!(
        reported.len() == 4,
        "two deaths, each reported for both elements: {reported:?}"
    );
    for element in ["good", "bad"] {
        check!(
            reported
                .iter()
                .filter(|(e, c)| e == element && c.as_deref() == Some("bad"))
                .count()
                == 2,
            "{element} reported twice, naming bad as the culprit: {reported:?}"
        );
    }
    let now = group.pid().ok_or("no worker after the restart")?;
    check!(now != first, "a new process");
    check!(
        good.worker_pid() == Some(now) && bad.worker_pid() == Some(now),
        "both elements in the new process"
    );
    check!(group.restarts() == 2, "restarts {}", group.restarts());
    check!(
        good.held_inputs() == 0 && bad.held_inputs() == 0,
        "no lease held across the crashes"
    );
    good.stop().map_err(|e| e.to_string())?;
    bad.stop().map_err(|e| e.to_string())?;
    check!(
        arena.stats().in_use == 0,
        "no slot leaked across two crashes: {:?}",
        arena.stats()
    );
    Ok(())
}

pub(crate) fn malicious_element_in_a_group_is_named() -> TestResult {
    let registry = Arc::new(crate::elements::registry().map_err(|e| e.to_string())?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (summary, messages, groups) = runtime.block_on(async {
        let mut pipeline = Pipeline::parse_with(
            registry,
            "fakesrc num-buffers=20 ! sbxpass name=good \
             ! sbxhostile name=bad attack=open at=5 ! fakesink name=sink",
            "test",
        )
        .map_err(|e| e.to_string())?;
        pipeline
            .set_sandbox_config(crate::isolated::config(3))
            .map_err(|e| e.to_string())?;
        pipeline
            .set_isolation(Isolation::Patterns(vec!["sbx*".into()]))
            .map_err(|e| e.to_string())?;
        let mut bus = pipeline.bus();
        pipeline.prepare().map_err(|e| e.to_string())?;
        let groups: Vec<(String, Vec<String>)> = pipeline
            .worker_groups()
            .iter()
            .map(|g| (g.label().to_owned(), g.members()))
            .collect();
        let summary = pipeline.run().await.map_err(|e| e.to_string())?;
        let mut messages = Vec::new();
        while let Some(m) = bus.try_recv() {
            messages.push(m);
        }
        Ok::<_, String>((summary, messages, groups))
    })?;
    check!(
        groups == [("sbx*".to_owned(), vec!["good".to_owned(), "bad".to_owned()])],
        "one worker for the pattern: {groups:?}"
    );
    check!(
        summary.buffers("sink") == Some(17),
        "20 buffers, one lost per crash: {:?}",
        summary.buffers("sink")
    );
    let reports: Vec<_> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Element { structure, .. } if structure.name() == "sandbox-crash" => Some((
                structure.get_str("element").unwrap_or_default().to_owned(),
                structure.get_str("culprit").map(str::to_owned),
                structure.get_str("syscall").map(str::to_owned),
            )),
            _ => None,
        })
        .collect();
    check!(
        reports.len() == 6,
        "three deaths reported for both: {reports:?}"
    );
    check!(
        reports
            .iter()
            .all(|(_, culprit, syscall)| culprit.as_deref() == Some("bad")
                && syscall.as_deref().is_some_and(|s| s.contains("open"))),
        "bad is named, with its syscall: {reports:?}"
    );
    Ok(())
}

pub(crate) fn a_failed_group_fails_every_element_reported_once() -> TestResult {
    let arena = CpuArena::new("upstream", 4096, 4).map_err(|e| e.to_string())?;
    let group = WorkerGroup::shared("sbx*", Arc::new(crate::isolated::config(0)));
    let mut good = member(&group, "sbxpass", "good", &[])?;
    let mut bad = member(
        &group,
        "sbxhostile",
        "bad",
        &[
            ("attack", Value::Str("socket".into())),
            ("at", Value::UInt(1)),
        ],
    )?;
    let (mut s1, mut s2, mut notices) = (
        ContextState::new("good"),
        ContextState::new("bad"),
        Vec::new(),
    );
    let mut failures = Vec::new();
    for i in 0..3u8 {
        match step(&mut good, &mut s1, input(&arena, i)?, &mut notices) {
            Ok(outs) => {
                for mid in outs {
                    if let Err(e) = step(&mut bad, &mut s2, mid, &mut notices) {
                        failures.push(("bad", e));
                    }
                }
            }
            Err(e) => {
                failures.push(("good", e));
                break;
            }
        }
    }
    check!(
        failures.len() == 2 && failures[0].0 == "bad" && failures[1].0 == "good",
        "bad fails on its attack, good at its next call: {failures:?}"
    );
    check!(
        failures[1].1.contains("forbidden syscall socket"),
        "good fails with the same cause: {failures:?}"
    );
    let reported = crashes(&notices);
    check!(
        reported
            == [
                ("good".to_owned(), Some("bad".to_owned())),
                ("bad".to_owned(), Some("bad".to_owned()))
            ],
        "one report per element, naming the culprit: {reported:?}"
    );
    drop(good);
    drop(bad);
    check!(arena.stats().in_use == 0, "{:?}", arena.stats());
    Ok(())
}

pub(crate) fn group_members_on_two_threads_survive_a_crash() -> TestResult {
    // A queue puts the two elements on two streaming threads: both call into the one
    // process at the same time, and whichever notices the death first reports it.
    let registry = Arc::new(crate::elements::registry().map_err(|e| e.to_string())?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (summary, messages) = runtime.block_on(async {
        let mut pipeline = Pipeline::parse_with(
            registry,
            "fakesrc num-buffers=40 ! sbxinvert name=good ! queue \
             ! sbxhostile name=bad attack=segv at=5 ! fakesink name=sink",
            "test",
        )
        .map_err(|e| e.to_string())?;
        pipeline
            .set_sandbox_config(crate::isolated::config(10))
            .map_err(|e| e.to_string())?;
        pipeline
            .set_isolation(Isolation::Patterns(vec!["sbx*".into()]))
            .map_err(|e| e.to_string())?;
        let mut bus = pipeline.bus();
        let summary = pipeline.run().await.map_err(|e| e.to_string())?;
        let mut messages = Vec::new();
        while let Some(m) = bus.try_recv() {
            messages.push(m);
        }
        Ok::<_, String>((summary, messages))
    })?;
    let reports: Vec<_> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Element { structure, .. } if structure.name() == "sandbox-crash" => Some((
                structure.get_str("element").unwrap_or_default().to_owned(),
                structure.get_str("culprit").map(str::to_owned),
            )),
            _ => None,
        })
        .collect();
    let warnings: Vec<_> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Warning { element, message } => Some(format!("{element}: {message}")),
            _ => None,
        })
        .collect();
    let deaths = reports.len() / 2;
    check!(
        reports.len() % 2 == 0 && (1..=7).contains(&deaths),
        "each death reported once for each of the two: {reports:?} {warnings:?}"
    );
    check!(
        reports.iter().all(|(_, c)| c.as_deref() == Some("bad")),
        "{reports:?} {warnings:?}"
    );
    let delivered = summary.buffers("sink").unwrap_or(0);
    check!(
        delivered >= 40 - 2 * deaths as u64 && delivered <= 40 - deaths as u64,
        "at most one buffer per element lost per death: {delivered} with {deaths} deaths"
    );
    Ok(())
}
