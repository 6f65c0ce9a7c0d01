//! Flow-control elements end to end: tee, funnel, input-selector, output-selector,
//! concat, valve, ratelimit and delay.
//!
//! Two test-only elements make buffers observable: `flow_timedsrc` produces buffers with
//! offsets and timestamps, and `flow_recordsink` posts one bus message per buffer with
//! its offset, pts and `DISCONT` flag. The only timing assertions are lower bounds that
//! the elements' own sleeping guarantees.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parallax::{BusReceiver, Message, Pipeline, PipelineError, State};
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, ClockTime, ElementError, ElementImpl, FlowError,
    PadTemplate, ProcessContext, ProduceContext, ProduceResult, PropSpec, PropertyError, Registry,
    Sink, Source, Structure, Value,
};

/// Name of the messages `flow_recordsink` posts.
const RECORD: &str = "flow/buffer";

/// A source of `num-buffers` buffers of `size` bytes with offsets counting from `offset`
/// and, when `duration` (ns) is not zero, pts `i * duration` and that duration.
#[derive(Debug, Default)]
struct TimedSrc {
    num_buffers: u64,
    duration: u64,
    size: u64,
    offset: u64,
    produced: u64,
}

impl ElementImpl for TimedSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "num-buffers" => self.num_buffers = value.uint_for(name)?,
            "duration" => self.duration = value.uint_for(name)?,
            "size" => self.size = value.uint_for(name)?,
            "offset" => self.offset = value.uint_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Ok(match name {
            "num-buffers" => Value::UInt(self.num_buffers),
            "duration" => Value::UInt(self.duration),
            "size" => Value::UInt(self.size),
            "offset" => Value::UInt(self.offset),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.produced = 0;
        Ok(())
    }
}

impl Source for TimedSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        if self.produced >= self.num_buffers {
            return Ok(ProduceResult::Eos);
        }
        let index = self.produced;
        let buffer = ctx.buffer()?;
        let len = buffer.set_len(usize::try_from(self.size).unwrap_or(usize::MAX));
        let meta = buffer.meta_mut();
        meta.offset = Some(self.offset + index);
        if self.duration > 0 {
            meta.pts = Some(ClockTime(index * self.duration));
            meta.duration = Some(ClockTime(self.duration));
        }
        self.produced += 1;
        Ok(ProduceResult::Produced(len))
    }

    fn buffer_size(&self) -> usize {
        usize::try_from(self.size).unwrap_or(usize::MAX)
    }
}

/// A sink that reports every buffer on the bus.
#[derive(Debug)]
struct RecordSink;

impl ElementImpl for RecordSink {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }
}

impl Sink for RecordSink {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let meta = buffer.meta();
        let as_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok()).unwrap_or(-1);
        ctx.post_message(
            Structure::new(RECORD)
                .with("offset", as_i64(meta.offset))
                .with("pts", as_i64(meta.pts.map(ClockTime::nanos)))
                .with("discont", meta.flags.contains(BufferFlags::DISCONT)),
        );
        Ok(())
    }
}

/// The built-in elements plus the two test elements.
fn registry() -> Arc<Registry> {
    static REGISTRY: OnceLock<Arc<Registry>> = OnceLock::new();
    Arc::clone(REGISTRY.get_or_init(|| {
        let mut registry = (*parallax::default_registry()).clone();
        let src = ElementInfo::new("flow_timedsrc", "Source", "Timestamped test buffers")
            .pad(PadTemplate::src(Caps::any()))
            .property(PropSpec::uint("num-buffers", 0, 0, u64::MAX))
            .property(PropSpec::uint("duration", 0, 0, u64::MAX))
            .property(PropSpec::uint("size", 0, 0, 4096))
            .property(PropSpec::uint("offset", 0, 0, u64::MAX));
        registry
            .register(src, || AnyElement::Source(Box::new(TimedSrc::default())))
            .unwrap();
        let sink = ElementInfo::new("flow_recordsink", "Sink", "Reports every buffer")
            .pad(PadTemplate::sink(Caps::any()));
        registry
            .register(sink, || AnyElement::Sink(Box::new(RecordSink)))
            .unwrap();
        Arc::new(registry)
    }))
}

fn pipeline(text: &str) -> Pipeline {
    Pipeline::parse_with(registry(), text, "<elements_flow>").unwrap()
}

/// One buffer as `flow_recordsink` saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    offset: i64,
    pts: i64,
    discont: bool,
}

/// The buffer a `flow_recordsink` message describes, with the sink's name.
fn record(message: Message) -> Option<(String, Seen)> {
    match message {
        Message::Element { element, structure } if structure.name() == RECORD => Some((
            element,
            Seen {
                offset: structure.get_int("offset").unwrap(),
                pts: structure.get_int("pts").unwrap(),
                discont: structure.get_bool("discont").unwrap(),
            },
        )),
        _ => None,
    }
}

/// Adds the records already waiting on `bus` (after a run: all the rest) to `seen`.
fn drain_records(bus: &mut BusReceiver, seen: &mut Vec<(String, Seen)>) {
    while let Some(message) = bus.try_recv() {
        seen.extend(record(message));
    }
}

/// Runs `p` to end of stream and returns what its `flow_recordsink` saw, in order.
async fn run_recording(p: &mut Pipeline) -> Vec<Seen> {
    let mut bus = p.bus();
    p.run().await.unwrap();
    let mut seen = Vec::new();
    drain_records(&mut bus, &mut seen);
    seen.into_iter().map(|(_, s)| s).collect()
}

fn offsets(seen: &[Seen]) -> Vec<i64> {
    seen.iter().map(|s| s.offset).collect()
}

/// Reads `flow_recordsink` messages, as `(element, buffer)`, into `seen` until `done`
/// holds. The timeout only turns a hang into a failure; it is no timing assertion.
async fn record_until(
    bus: &mut BusReceiver,
    seen: &mut Vec<(String, Seen)>,
    done: impl Fn(&[(String, Seen)]) -> bool,
) {
    let wait = async {
        while !done(seen) {
            let message = bus.recv().await.expect("the bus closed");
            seen.extend(record(message));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("the awaited buffers never came");
}

/// What element `name` recorded, in order.
fn recorded_by(seen: &[(String, Seen)], name: &str) -> Vec<Seen> {
    seen.iter()
        .filter(|(element, _)| element == name)
        .map(|(_, s)| *s)
        .collect()
}

const MS: i64 = 1_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tee_sends_every_buffer_to_each_branch() {
    let mut p = pipeline(
        "fakesrc num-buffers=50 ! tee name=t  t. ! fakesink  t. ! queue ! fakesink  t. ! fakesink",
    );
    let summary = p.run().await.unwrap();
    for sink in ["fakesink0", "fakesink1", "fakesink2"] {
        assert_eq!(summary.buffers(sink), Some(50), "{sink}");
    }
    assert_eq!(
        p.property("t", "num-src-pads").unwrap(),
        Value::UInt(3),
        "linking made three src pads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funnel_merges_every_input() {
    let mut p = pipeline(
        "funnel name=f ! fakesink  fakesrc num-buffers=30 ! f.  fakesrc num-buffers=45 ! f.",
    );
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(75));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funnel_keeps_each_inputs_order() {
    let mut p = pipeline(
        "funnel name=f ! flow_recordsink  \
         flow_timedsrc num-buffers=20 ! f.  flow_timedsrc num-buffers=20 offset=100 ! f.",
    );
    let seen = offsets(&run_recording(&mut p).await);
    let first: Vec<i64> = seen.iter().copied().filter(|o| *o < 100).collect();
    let second: Vec<i64> = seen.iter().copied().filter(|o| *o >= 100).collect();
    assert_eq!(first, (0..20).collect::<Vec<_>>());
    assert_eq!(second, (100..120).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_selector_passes_only_the_active_pad() {
    let mut p = pipeline(
        "input-selector name=s active-pad=sink_1 ! fakesink  \
         fakesrc num-buffers=30 ! s.sink_0  fakesrc num-buffers=45 ! s.sink_1",
    );
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(45));
    assert_eq!(
        p.property("s", "active-pad").unwrap(),
        Value::Str("sink_1".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_selector_defaults_to_the_first_pad_and_ends_with_it() {
    // The active input ends long before the other: its end of stream ends the output.
    let mut p = pipeline(
        "input-selector name=s ! flow_recordsink  \
         flow_timedsrc num-buffers=5 ! s.  flow_timedsrc num-buffers=300 offset=100 ! s.",
    );
    let seen = run_recording(&mut p).await;
    assert_eq!(offsets(&seen), vec![0, 1, 2, 3, 4]);
    assert_eq!(
        p.property("s", "active-pad").unwrap(),
        Value::Str("sink_0".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_selector_switches_while_playing() {
    // Paced sources that would run for minutes: the test ends them with send_eos.
    let mut p = pipeline(
        "input-selector name=s ! flow_recordsink name=out  \
         flow_timedsrc num-buffers=1000000 ! ratelimit max-rate=1000 ! s.  \
         flow_timedsrc num-buffers=1000000 offset=1000000 ! ratelimit max-rate=1000 ! s.",
    );
    let controller = p.controller();
    let mut bus = p.bus();
    let driver = async {
        let mut seen = Vec::new();
        record_until(&mut bus, &mut seen, |s| s.len() >= 5).await;
        controller
            .set_property("s", "active-pad", "sink_1")
            .unwrap();
        record_until(&mut bus, &mut seen, |s| {
            s.iter().any(|(_, b)| b.offset >= 1_000_000)
        })
        .await;
        controller.send_eos();
        seen
    };
    let (run, mut seen) = tokio::join!(p.run(), driver);
    run.unwrap();
    drain_records(&mut bus, &mut seen);
    let out = recorded_by(&seen, "out");
    // A run of the first input from its start, then a run of the second, never mixed;
    // the first buffer after the switch is marked DISCONT.
    let switch = out.iter().position(|b| b.offset >= 1_000_000).unwrap();
    assert!(switch >= 5);
    assert_eq!(
        offsets(&out[..switch]),
        (0..switch as i64).collect::<Vec<_>>()
    );
    assert!(out[switch..].iter().all(|b| b.offset >= 1_000_000));
    assert!(
        out[switch..]
            .windows(2)
            .all(|w| w[1].offset == w[0].offset + 1)
    );
    let disconts: Vec<usize> = (0..out.len()).filter(|&i| out[i].discont).collect();
    assert_eq!(disconts, vec![switch]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_selector_refuses_a_pad_it_does_not_have() {
    let err = Pipeline::parse_with(
        registry(),
        "input-selector name=s active-pad=src_0 ! fakesink  fakesrc ! s.",
        "<elements_flow>",
    )
    .unwrap_err();
    assert!(err.to_string().contains("active-pad"), "{err}");

    let mut p = pipeline(
        "input-selector name=s active-pad=sink_7 ! fakesink  \
         fakesrc num-buffers=3 ! s.  fakesrc num-buffers=3 ! s.",
    );
    match p.run().await {
        Err(PipelineError::Element { element, error }) => {
            assert_eq!(element, "s");
            assert!(error.message.contains("sink_7"), "{error}");
        }
        other => panic!("expected an element error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_selector_routes_to_the_active_branch_only() {
    let mut p = pipeline(
        "fakesrc num-buffers=40 ! output-selector name=o active-pad=src_1  \
         o.src_0 ! fakesink  o.src_1 ! fakesink  o.src_2 ! queue ! fakesink",
    );
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(0));
    assert_eq!(summary.buffers("fakesink1"), Some(40));
    // End of stream reached every branch, or the run would not have finished.
    assert_eq!(summary.buffers("fakesink2"), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_selector_switches_while_playing() {
    let mut p = pipeline(
        "flow_timedsrc num-buffers=1000000 ! ratelimit max-rate=1000 ! \
         output-selector name=o  o. ! flow_recordsink name=a  o. ! flow_recordsink name=b",
    );
    let controller = p.controller();
    let mut bus = p.bus();
    let driver = async {
        let mut seen = Vec::new();
        record_until(&mut bus, &mut seen, |s| s.len() >= 5).await;
        controller.set_property("o", "active-pad", "src_1").unwrap();
        record_until(&mut bus, &mut seen, |s| s.iter().any(|(e, _)| e == "b")).await;
        controller.send_eos();
        seen
    };
    let (run, mut seen) = tokio::join!(p.run(), driver);
    run.unwrap();
    drain_records(&mut bus, &mut seen);
    // Every buffer went to exactly one branch: a's from the start, then b's.
    let (a, b) = (recorded_by(&seen, "a"), recorded_by(&seen, "b"));
    assert!(a.len() >= 5 && !b.is_empty());
    let together: Vec<i64> = offsets(&a).into_iter().chain(offsets(&b)).collect();
    assert_eq!(together, (0..together.len() as i64).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concat_plays_inputs_in_turn_and_shifts_their_timestamps() {
    let mut p = pipeline(
        "concat name=c ! flow_recordsink  \
         flow_timedsrc num-buffers=5 duration=10000000 ! c.  \
         flow_timedsrc num-buffers=7 duration=10000000 offset=100 ! c.  \
         flow_timedsrc num-buffers=3 duration=10000000 offset=200 ! c.",
    );
    let seen = run_recording(&mut p).await;
    let expected: Vec<i64> = (0..5).chain(100..107).chain(200..203).collect();
    assert_eq!(offsets(&seen), expected);
    // Input 1 starts where input 0 ended (5 x 10 ms), input 2 where input 1 ended.
    let pts: Vec<i64> = seen.iter().map(|s| s.pts).collect();
    assert_eq!(pts, (0..15).map(|i| i * 10 * MS).collect::<Vec<_>>());
    assert_eq!(
        p.property("c", "active-pad").unwrap(),
        Value::Str("sink_2".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concat_keeps_timestamps_without_adjust_base() {
    let mut p = pipeline(
        "concat name=c adjust-base=false ! flow_recordsink  \
         flow_timedsrc num-buffers=2 duration=10000000 ! c.  \
         flow_timedsrc num-buffers=2 duration=10000000 offset=100 ! c.",
    );
    let pts: Vec<i64> = run_recording(&mut p).await.iter().map(|s| s.pts).collect();
    assert_eq!(pts, vec![0, 10 * MS, 0, 10 * MS]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concat_active_pad_is_read_only() {
    let err = Pipeline::parse_with(
        registry(),
        "concat name=c active-pad=sink_0 ! fakesink  fakesrc ! c.",
        "<elements_flow>",
    )
    .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_valve_drops_everything_but_end_of_stream() {
    let mut p = pipeline("fakesrc num-buffers=20 ! valve drop=true ! fakesink");
    let mut bus = p.bus();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("valve0"), Some(20));
    assert_eq!(summary.buffers("fakesink0"), Some(0));
    let mut saw_eos = false;
    while let Some(message) = bus.try_recv() {
        saw_eos |= message == Message::Eos;
    }
    assert!(saw_eos);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_valve_passes_everything_untouched() {
    let mut p = pipeline("flow_timedsrc num-buffers=20 ! valve drop=false ! flow_recordsink");
    let seen = run_recording(&mut p).await;
    assert_eq!(offsets(&seen), (0..20).collect::<Vec<_>>());
    assert!(seen.iter().all(|s| !s.discont));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valve_marks_the_first_buffer_after_a_gap() {
    let mut p = pipeline(
        "flow_timedsrc num-buffers=1000000 ! ratelimit max-rate=1000 ! valve name=v ! \
         flow_recordsink name=out",
    );
    let controller = p.controller();
    let mut bus = p.bus();
    let driver = async {
        let mut seen = Vec::new();
        record_until(&mut bus, &mut seen, |s| s.len() >= 5).await;
        controller.set_property("v", "drop", "true").unwrap();
        // Usually some buffers are dropped meanwhile; the assertions hold either way.
        tokio::time::sleep(Duration::from_millis(20)).await;
        controller.set_property("v", "drop", "false").unwrap();
        let before = seen.len();
        record_until(&mut bus, &mut seen, |s| s.len() > before + 3).await;
        controller.send_eos();
        seen
    };
    let (run, mut seen) = tokio::join!(p.run(), driver);
    run.unwrap();
    drain_records(&mut bus, &mut seen);
    let out = recorded_by(&seen, "out");
    assert_eq!(offsets(&out[..5]), vec![0, 1, 2, 3, 4]);
    // DISCONT exactly where offsets jump.
    for pair in out.windows(2) {
        let gap = pair[1].offset != pair[0].offset + 1;
        assert_eq!(pair[1].discont, gap, "{pair:?}");
    }
    assert!(!out[0].discont);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratelimit_holds_buffers_to_max_rate() {
    // 200 buffers/s with a 5 ms burst: the 20th buffer leaves no earlier than
    // 19 x 5 ms - 5 ms = 90 ms after the first.
    let mut p = pipeline("fakesrc num-buffers=20 ! ratelimit max-rate=200 ! fakesink");
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(20));
    assert!(
        summary.elapsed >= Duration::from_millis(90),
        "{:?}",
        summary.elapsed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratelimit_holds_bytes_to_max_bytes_per_second() {
    // 1000-byte buffers at 100 000 bytes/s cost 10 ms each: the 10th leaves no earlier
    // than 9 x 10 ms - 5 ms = 85 ms after the first.
    let mut p = pipeline(
        "fakesrc num-buffers=10 sizetype=fixed sizemax=1000 ! \
         ratelimit max-bytes-per-second=100000 ! fakesink",
    );
    let summary = p.run().await.unwrap();
    assert_eq!(summary.bytes("fakesink0"), Some(10_000));
    assert!(
        summary.elapsed >= Duration::from_millis(85),
        "{:?}",
        summary.elapsed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratelimit_stops_while_waiting() {
    // One buffer every 2 s: the second one is still waiting when the pipeline is
    // suspended, and the wait ends with the stop instead of running out.
    let mut p = pipeline("fakesrc num-buffers=3 ! ratelimit max-rate=0.5 ! fakesink");
    let run = tokio::time::timeout(Duration::from_millis(100), p.run()).await;
    assert!(run.is_err(), "the run cannot finish within 100 ms");
    p.suspend();
    assert_eq!(p.state(), State::Suspended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_holds_each_buffer_back() {
    let mut p = pipeline("flow_timedsrc num-buffers=5 ! delay duration=20000000 ! flow_recordsink");
    let started = std::time::Instant::now();
    let seen = run_recording(&mut p).await;
    // Each of the 5 buffers sleeps 20 ms on the one streaming thread, in order.
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(offsets(&seen), vec![0, 1, 2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_shift_timestamps_moves_pts_instead_of_waiting() {
    let mut p = pipeline(
        "flow_timedsrc num-buffers=3 duration=10000000 ! \
         delay duration=1000000000 shift-timestamps=true ! flow_recordsink",
    );
    let pts: Vec<i64> = run_recording(&mut p).await.iter().map(|s| s.pts).collect();
    assert_eq!(pts, vec![1000 * MS, 1010 * MS, 1020 * MS]);
}
