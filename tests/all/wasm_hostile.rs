//! Hostile guests: every one of them ends in a clean error or a policy action, never in
//! a crash, hang or corruption of the host.

use std::time::{Duration, Instant};

use parallax_wasm::WasmHandle;

use crate::wasm_support::pipeline;

async fn run_err(guest: &str, text: &str) -> String {
    let mut p = pipeline(&[guest], text);
    match p.run().await {
        Ok(summary) => panic!("{text} should fail, ran: {summary:?}"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_infinite_loop_ends_within_twice_its_deadline() {
    let mut p = pipeline(
        &["hostile_spin"],
        "fakesrc num-buffers=3 ! hostilespin deadline-ms=200 ! fakesink",
    );
    p.prepare().unwrap();
    let start = Instant::now();
    let err = p.run().await.unwrap_err().to_string();
    let elapsed = start.elapsed();
    assert!(err.contains("deadline of 200 ms"), "{err}");
    assert!(err.contains("hostilespin"), "{err}");
    assert!(elapsed < Duration::from_millis(400), "took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_bomb_is_a_clean_error() {
    let err = run_err(
        "hostile_membomb",
        "fakesrc num-buffers=3 ! hostilemembomb memory-limit=16777216 ! fakesink",
    )
    .await;
    assert!(err.contains("memory limit of 16777216 bytes"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuel_stops_an_infinite_loop() {
    let err = run_err(
        "hostile_spin",
        "fakesrc num-buffers=3 ! hostilespin fuel=1000000 deadline-ms=60000 ! fakesink",
    )
    .await;
    assert!(err.contains("ran out of fuel"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_fails_by_default_with_the_panic_message() {
    let err = run_err(
        "hostile_panic",
        "fakesrc num-buffers=10 ! hostilepanic ! fakesink",
    )
    .await;
    assert!(err.contains("hostilepanic: buffer 3"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_policy_drops_the_failing_buffer_and_the_stream_continues() {
    let mut p = pipeline(
        &["hostile_panic"],
        "fakesrc num-buffers=10 ! hostilepanic name=hp on-error=restart ! fakesink",
    );
    p.validate().unwrap();
    let stats = p.handle::<WasmHandle>("hp").unwrap();
    let summary = p.run().await.unwrap();
    // Buffer 3 panics; the fresh instance counts from zero again, so buffer 3 of the
    // second instance (overall buffer 6) and of the third (buffer 9) panic too.
    assert_eq!(stats.restarts(), 3);
    assert_eq!(stats.dropped(), 3);
    assert_eq!(summary.buffers("fakesink0"), Some(7));
    assert_eq!(stats.instances(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bogus_output_index_and_length_are_rejected() {
    let err = run_err(
        "hostile_badoutput",
        "fakesrc num-buffers=3 ! hostilebadoutput ! fakesink",
    )
    .await;
    assert!(err.contains("output slot 99 was not handed out"), "{err}");
    // With `skip` every buffer is dropped and the pipeline ends normally.
    let mut p = pipeline(
        &["hostile_badoutput"],
        "fakesrc num-buffers=5 ! hostilebadoutput name=b on-error=skip ! fakesink",
    );
    p.validate().unwrap();
    let stats = p.handle::<WasmHandle>("b").unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(0));
    assert_eq!(stats.dropped(), 5);
    assert_eq!(
        stats.restarts(),
        0,
        "a refused result leaves the instance usable"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_outputs_are_rejected() {
    let err = run_err(
        "hostile_toomany",
        "fakesrc num-buffers=3 ! hostiletoomany ! fakesink",
    )
    .await;
    assert!(err.contains("1000 outputs (at most 16)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_into_a_read_only_input_traps() {
    let err = run_err(
        "hostile_writeinput",
        "fakesrc num-buffers=3 ! hostilewriteinput ! fakesink",
    )
    .await;
    assert!(err.contains("trapped in process"), "{err}");
}
