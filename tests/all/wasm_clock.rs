//! The `clock` grant: a guest reads the pipeline's running time, which stands still
//! while the pipeline is paused; without the grant the guest does not start.

use std::time::{Duration, Instant};

use parallax::Message;
use parallax::elements::{AppSinkHandle, AppSrcHandle};

use crate::wasm_support::{guest_path, pipeline};

fn probe(grant: &str) -> String {
    format!(
        "appsrc name=in ! \"{}\" name=probe {grant} ! appsink name=out",
        guest_path("clockprobe").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_granted_clock_is_the_pipeline_running_time_and_stops_while_paused() {
    const PAUSE: Duration = Duration::from_millis(300);
    let mut p = pipeline(&[], &probe("grant=clock"));
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let controller = p.controller();
    let mut bus = p.bus();
    let driver = std::thread::spawn(move || {
        let start = Instant::now();
        src.push_buffer(b"a").unwrap();
        sink.pull_sample(Duration::from_secs(10))
            .expect("first buffer");
        controller.pause().unwrap();
        std::thread::sleep(PAUSE);
        controller.resume().unwrap();
        src.push_buffer(b"b").unwrap();
        sink.pull_sample(Duration::from_secs(10))
            .expect("second buffer");
        let wall = start.elapsed();
        src.end_of_stream();
        wall
    });
    p.run().await.unwrap();
    let wall = driver.join().unwrap();
    let mut times = Vec::new();
    while let Some(m) = bus.try_recv() {
        if let Message::Element { element, structure } = m
            && element == "probe"
        {
            times.push(
                structure
                    .get_int("running-time")
                    .expect("running-time field"),
            );
        }
    }
    let [first, second] = times[..] else {
        panic!("expected two probes, got {times:?}");
    };
    assert!(second >= first, "running time went backwards: {times:?}");
    // Everything between the two probes happened within `wall`, and running time did not
    // advance during the pause: an instance-local clock would exceed this bound.
    let advanced = Duration::from_nanos((second - first) as u64);
    assert!(
        advanced + PAUSE <= wall,
        "running time advanced {advanced:?} over a {wall:?} span that included a {PAUSE:?} pause"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_grant_the_clock_reading_guest_is_refused_naming_the_import() {
    let mut p = pipeline(&[], &probe(""));
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("parallax:element/clock"), "{err}");
    assert!(err.contains("grant=clock"), "{err}");
}
