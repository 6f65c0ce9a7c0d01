//! WASM sources (`generate`) and sinks (`process` producing nothing, `drain` at EOS).

use parallax::Message;
use parallax_wasm::WasmHandle;

use crate::wasm_support::{load, pipeline};

/// The `stats/summary` messages on the bus after a run, as `(element, buffers, bytes,
/// monotonic)`.
fn summaries(bus: &mut parallax::BusReceiver) -> Vec<(String, i64, i64, bool)> {
    let mut out = Vec::new();
    while let Some(message) = bus.try_recv() {
        if let Message::Element { element, structure } = message
            && structure.name() == "stats/summary"
        {
            out.push((
                element,
                structure.get_int("buffers").unwrap(),
                structure.get_int("bytes").unwrap(),
                structure.get_bool("monotonic").unwrap(),
            ));
        }
    }
    out
}

#[test]
fn sources_and_sinks_register_as_such() {
    let mut registry = parallax::core::Registry::new();
    load("counter").register(&mut registry).unwrap();
    load("stats").register(&mut registry).unwrap();
    assert!(registry.get("counter").unwrap().create().is_source());
    assert!(registry.get("stats").unwrap().create().is_sink());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_into_stats_counts_every_buffer_and_posts_a_summary() {
    let mut p = pipeline(
        &["counter", "stats"],
        "counter name=c num-buffers=25 ! stats name=s",
    );
    let mut bus = p.bus();
    let c = p.handle::<WasmHandle>("c").unwrap();
    let s = p.handle::<WasmHandle>("s").unwrap();
    p.run().await.unwrap();
    assert_eq!(c.buffers_out(), 25);
    assert_eq!(s.buffers_in(), 25);
    assert_eq!(
        c.bytes_copied() + s.bytes_copied(),
        0,
        "zero copy both ways"
    );
    assert_eq!(
        summaries(&mut bus),
        vec![("s".to_owned(), 25, 25 * 8, true)],
        "one summary from the sink's drain at end of stream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_runs_into_a_native_sink() {
    let mut p = pipeline(&["counter"], "counter num-buffers=40 ! fakesink");
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(40));
    assert_eq!(summary.bytes("fakesink0"), Some(40 * 8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_native_source_runs_into_stats() {
    let mut p = pipeline(
        &["stats"],
        "fakesrc num-buffers=30 sizetype=fixed sizemax=1000 ! stats name=s",
    );
    let mut bus = p.bus();
    p.run().await.unwrap();
    let got = summaries(&mut bus);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].1, got[0].2), (30, 30_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_values_and_timestamps_reach_an_appsink() {
    let mut p =
        crate::wasm_support::pipeline(&["counter"], "counter num-buffers=25 ! appsink name=out");
    let sink = p
        .handle::<parallax::elements::AppSinkHandle>("out")
        .unwrap();
    // Pull while the pipeline runs: the source's output arena is bounded, so an appsink
    // that nobody drains holds it full and the source waits (backpressure by design).
    let consumer = std::thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(buffer) = sink.pull_sample(std::time::Duration::from_secs(10)) {
            let value = u64::from_le_bytes(buffer.data().try_into().unwrap());
            got.push((value, buffer.meta().pts.map(|t| t.nanos())));
        }
        got
    });
    p.run().await.unwrap();
    let got = consumer.join().unwrap();
    let expected: Vec<(u64, Option<u64>)> = (0..25).map(|n| (n, Some(n * 1_000_000))).collect();
    assert_eq!(got, expected);
}
