//! The state model: prepare, play, pause, resume, suspend; end of stream on request.

use std::time::{Duration, Instant};

use parallax::{Message, Pipeline, State};

/// Total buffers seen by the sink so far.
fn sink_count(p: &Pipeline) -> u64 {
    p.stats()
        .iter()
        .find(|s| s.element == "fakesink0")
        .map_or(0, |s| s.buffers)
}

/// Waits (bounded) until `f` holds; returns whether it did.
fn eventually(mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_the_flow_and_resume_continues_it() {
    let mut p =
        Pipeline::parse("fakesrc sizetype=fixed sizemax=64 ! queue ! identity ! fakesink").unwrap();
    let mut bus = p.bus();
    p.prepare().unwrap();
    assert_eq!(p.state(), State::Idle);
    assert_eq!(sink_count(&p), 0, "prepared but idle: nothing flows");

    p.play().unwrap();
    assert!(
        eventually(|| sink_count(&p) > 100),
        "data flows while running"
    );

    p.pause().unwrap();
    assert_eq!(p.state(), State::Idle);
    // Threads stop at the next buffer boundary; once the count is stable it stays so.
    let mut last = sink_count(&p);
    assert!(eventually(|| {
        std::thread::sleep(Duration::from_millis(20));
        let now = sink_count(&p);
        std::mem::replace(&mut last, now) == now
    }));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(sink_count(&p), last, "nothing moves while paused");

    p.controller().resume().unwrap();
    assert!(
        eventually(|| sink_count(&p) > last),
        "resuming continues the flow"
    );

    p.controller().send_eos();
    let summary = p.run().await.unwrap();
    assert!(summary.buffers("fakesink0").unwrap() > last);
    assert_eq!(p.state(), State::Suspended);

    let mut states = Vec::new();
    while let Some(message) = bus.try_recv() {
        if let Message::StateChanged { new, .. } = message {
            states.push(new);
        }
    }
    assert_eq!(
        states,
        [
            State::Idle,
            State::Running,
            State::Idle,
            State::Running,
            State::Suspended
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_runs_again_after_suspend() {
    let mut p = Pipeline::parse("fakesrc num-buffers=50 ! identity ! fakesink").unwrap();
    for _ in 0..3 {
        let summary = p.run().await.unwrap();
        assert_eq!(summary.buffers("fakesink0"), Some(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_transitions_are_refused() {
    let mut p = Pipeline::parse("fakesrc num-buffers=1 ! fakesink").unwrap();
    let err = p.pause().unwrap_err().to_string();
    assert_eq!(err, "cannot pause while the pipeline is suspended");
    assert!(p.controller().resume().is_err());
    p.run().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_while_paused_keeps_the_pipeline_usable() {
    let mut p = Pipeline::parse("fakesrc sizetype=fixed sizemax=8 ! queue ! fakesink").unwrap();
    p.play().unwrap();
    assert!(eventually(|| sink_count(&p) > 10));
    p.pause().unwrap();
    let controller = p.controller();
    controller.flush();
    controller.resume().unwrap();
    controller.send_eos();
    let summary = p.run().await.unwrap();
    assert!(summary.buffers("fakesink0").unwrap() <= summary.buffers("fakesrc0").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_property_changes_apply_between_buffers() {
    let mut p = Pipeline::parse("fakesrc sizetype=fixed sizemax=8 ! identity ! fakesink").unwrap();
    let controller = p.controller();
    p.play().unwrap();
    assert!(eventually(|| sink_count(&p) > 10));
    // drop-probability is changeable while running; sleep-time is not.
    controller
        .set_property("identity0", "drop-probability", "1.0")
        .unwrap();
    let err = controller
        .set_property("identity0", "sleep-time", "5")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot be changed while the pipeline is running"),
        "{err}"
    );
    let err = controller
        .set_property("identity0", "drop-probability", "2")
        .unwrap_err()
        .to_string();
    assert!(err.contains("must be within [0, 1]"), "{err}");
    // Once identity drops everything, the sink stands still while identity keeps counting.
    let count = |name: &str| {
        p.stats()
            .iter()
            .find(|s| s.element == name)
            .map_or(0, |s| s.buffers)
    };
    assert!(eventually(|| {
        let (sink, identity) = (count("fakesink0"), count("identity0"));
        std::thread::sleep(Duration::from_millis(10));
        count("fakesink0") == sink && count("identity0") > identity
    }));
    controller.send_eos();
    let summary = p.run().await.unwrap();
    assert!(summary.buffers("fakesink0").unwrap() < summary.buffers("identity0").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_puts_the_pipeline_in_error_until_suspended() {
    let mut p =
        Pipeline::parse("fakesrc num-buffers=100 ! identity error-after=2 ! fakesink").unwrap();
    let mut bus = p.bus();
    p.prepare().unwrap();
    assert!(p.activate().is_ok());
    assert!(eventually(|| p.state() == State::Error));
    let err = p.play().unwrap_err().to_string();
    assert_eq!(err, "cannot play while the pipeline is in error");
    let mut saw_error = false;
    while let Some(m) = bus.try_recv() {
        saw_error |= matches!(m, Message::Error { ref element, .. } if element == "identity0");
    }
    assert!(saw_error);
    p.suspend();
    assert_eq!(p.state(), State::Suspended);
    p.set_property("identity0", "error-after", "-1").unwrap();
    assert_eq!(p.run().await.unwrap().buffers("fakesink0"), Some(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activate_needs_a_prepared_pipeline() {
    let mut p = Pipeline::parse("fakesrc num-buffers=1 ! fakesink").unwrap();
    assert_eq!(
        p.activate().unwrap_err().to_string(),
        "cannot resume while the pipeline is suspended"
    );
}
