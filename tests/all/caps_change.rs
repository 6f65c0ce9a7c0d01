//! Caps that change mid-stream: in-band, in order with the buffers, through direct
//! calls, across queues, and into a WASM guest's `set-caps`.

use std::time::Duration;

use parallax::core::Caps;
use parallax::elements::{AppSinkHandle, AppSrcHandle};
use parallax::{Message, PipelineError};

use crate::wasm_support::pipeline;

fn rgba(width: usize, height: usize) -> Caps {
    format!("video/x-raw,format=RGBA,width={width},height={height},framerate=30/1")
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_size_change_reaches_a_wasm_filter_across_a_queue_between_two_buffers() {
    let mut p = pipeline(
        &["grayscale"],
        "appsrc name=in caps=\"video/x-raw,format=RGBA,width=4,height=2,framerate=30/1\" \
         ! identity ! queue ! grayscale name=g ! appsink name=out",
    );
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let producer = std::thread::spawn(move || {
        for _ in 0..3 {
            src.push_buffer(&[200u8; 4 * 2 * 4]).unwrap();
        }
        src.set_caps(rgba(8, 2)).unwrap();
        for _ in 0..3 {
            src.push_buffer(&[200u8; 8 * 2 * 4]).unwrap();
        }
        src.end_of_stream();
    });
    let consumer = {
        let sink = std::sync::Arc::clone(&sink);
        std::thread::spawn(move || {
            let mut sizes = Vec::new();
            while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
                sizes.push(buffer.len());
            }
            sizes
        })
    };
    p.run().await.unwrap();
    producer.join().unwrap();
    // GRAY8 rows are padded to 4 bytes: 4x2 -> 8 bytes, 8x2 -> 16 bytes.
    assert_eq!(consumer.join().unwrap(), vec![8, 8, 8, 16, 16, 16]);
    let caps = sink.caps().unwrap().to_string();
    assert!(caps.contains("GRAY8") && caps.contains("width=8"), "{caps}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_downstream_cannot_take_fails_naming_the_element_and_the_caps() {
    let mut p = pipeline(
        &[],
        "appsrc name=in caps=\"video/x-raw,format=RGBA,width=4,height=2,framerate=30/1\" \
         ! capsfilter name=only4 caps=\"video/x-raw,width=4\" ! appsink name=out",
    );
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let mut bus = p.bus();
    let producer = std::thread::spawn(move || {
        src.push_buffer(&[0u8; 32]).unwrap();
        src.set_caps(rgba(8, 2)).unwrap();
        // The pipeline fails on the change; these may or may not be accepted.
        let _ = src.push_buffer(&[0u8; 64]);
        src.end_of_stream();
    });
    let consumer = std::thread::spawn(move || {
        let mut n = 0;
        while sink.pull_sample(Duration::from_secs(5)).is_some() {
            n += 1;
        }
        n
    });
    let err = p.run().await.unwrap_err();
    producer.join().unwrap();
    assert_eq!(
        consumer.join().unwrap(),
        1,
        "only the buffer before the change"
    );
    let PipelineError::Element { element, error } = &err else {
        panic!("unexpected {err}");
    };
    assert_eq!(element, "only4");
    let text = error.to_string();
    assert!(
        text.contains("not negotiated") && text.contains("width=8"),
        "{text}"
    );
    let mut saw_error = false;
    while let Some(m) = bus.try_recv() {
        saw_error |= matches!(m, Message::Error { element, .. } if element == "only4");
    }
    assert!(saw_error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_converter_keeps_the_format_downstream_asked_for_across_a_size_change() {
    let mut p = pipeline(
        &[],
        "appsrc name=in caps=\"video/x-raw,format=I420,width=8,height=8,framerate=30/1\" \
         ! videoconvert ! video/x-raw,format=RGBA ! appsink name=out",
    );
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let producer = std::thread::spawn(move || {
        src.push_buffer(&[128u8; 8 * 8 * 3 / 2]).unwrap();
        let bigger: Caps = "video/x-raw,format=I420,width=16,height=8,framerate=30/1"
            .parse()
            .unwrap();
        src.set_caps(bigger).unwrap();
        src.push_buffer(&[128u8; 16 * 8 * 3 / 2]).unwrap();
        src.end_of_stream();
    });
    let consumer = {
        let sink = std::sync::Arc::clone(&sink);
        std::thread::spawn(move || {
            let mut sizes = Vec::new();
            while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
                sizes.push(buffer.len());
            }
            sizes
        })
    };
    p.run().await.unwrap();
    producer.join().unwrap();
    assert_eq!(consumer.join().unwrap(), vec![8 * 8 * 4, 16 * 8 * 4]);
    let caps = sink.caps().unwrap().to_string();
    assert!(caps.contains("RGBA") && caps.contains("width=16"), "{caps}");
}
