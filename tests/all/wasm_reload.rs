//! Hot reload: replacing a running WASM element's component between two buffers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parallax::core::BufferMeta;
use parallax::elements::{AppSinkHandle, AppSrcHandle};
use parallax::{Message, Pipeline, PipelineError};
use parallax_wasm::WasmHandle;

use crate::wasm_support::{guest_path, pipeline, scratch_dir};

/// A copy of component `original` under another content hash, written into `dir`.
fn variant(original: &Path, dir: &Path, tag: &str) -> PathBuf {
    let path = dir.join(format!("{tag}.wasm"));
    std::fs::write(
        &path,
        parallax_test_artifacts::component_variant(original, tag),
    )
    .unwrap();
    path
}

/// Runs `f` when dropped, also when the thread holding it panics: a failed assertion in
/// a helper thread must end the stream, not leave the pipeline running forever.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

fn sequence_pipeline(element: &str) -> Pipeline {
    pipeline(
        &[element],
        &format!(
            "appsrc name=in caps=\"application/x-seq\" ! {element} name=pt ! appsink name=out"
        ),
    )
}

/// Streams sequence-numbered buffers through `pt` until `reloads` returns, then ends
/// the stream. Returns the numbers that came out and every bus message.
async fn stream_while(
    mut p: Pipeline,
    reloads: impl FnOnce(&parallax::PipelineController) + Send + 'static,
) -> (Vec<u64>, u64, Vec<Message>) {
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let controller = p.controller();
    let mut bus = p.bus();
    let done = Arc::new(AtomicBool::new(false));
    let producer = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !done.load(Ordering::Acquire) || n < 100 {
                let meta = BufferMeta {
                    offset: Some(n),
                    ..BufferMeta::default()
                };
                src.push_buffer_with_meta(&n.to_le_bytes(), meta).unwrap();
                n += 1;
            }
            src.end_of_stream();
            n
        })
    };
    let consumer = std::thread::spawn(move || {
        let mut seen = Vec::new();
        while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
            let bytes: [u8; 8] = buffer.data().try_into().expect("8-byte buffers");
            seen.push(u64::from_le_bytes(bytes));
        }
        seen
    });
    let reloader = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let _stop = OnDrop(|| done.store(true, Ordering::Release));
            reloads(&controller);
        })
    };
    p.run().await.unwrap();
    reloader.join().unwrap();
    let pushed = producer.join().unwrap();
    let seen = consumer.join().unwrap();
    let mut messages = Vec::new();
    while let Some(m) = bus.try_recv() {
        messages.push(m);
    }
    (seen, pushed, messages)
}

/// Waits until `done()` holds; panics (ending the stream through `OnDrop`) after a minute.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Waits until `handle` has done `swaps` swaps.
fn wait_for_swaps(handle: &WasmHandle, swaps: u64) {
    wait_until(&format!("swap {swaps}"), || handle.swaps() >= swaps);
}

fn replaced(messages: &[Message]) -> Vec<(String, String, Duration)> {
    messages
        .iter()
        .filter_map(|m| match m {
            Message::Replaced {
                element,
                old_hash,
                new_hash,
                pause,
                ..
            } => {
                assert_eq!(element, "pt");
                Some((old_hash.clone(), new_hash.clone(), *pause))
            }
            _ => None,
        })
        .collect()
}

fn warnings(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            Message::Warning { element, message } if element == "pt" => Some(message.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_buffer_arrives_exactly_once_while_the_element_is_swapped_many_times() {
    const SWAPS: u64 = 40;
    let dir = scratch_dir("reload-many");
    let v1 = variant(&guest_path("passthrough"), &dir, "v1");
    let v2 = variant(&guest_path("passthrough"), &dir, "v2");
    let p = sequence_pipeline("passthrough");
    let handle = p.handle::<WasmHandle>("pt").unwrap();
    let first_hash = handle.content_hash();
    let (seen, pushed, messages) = stream_while(p, move |controller| {
        // Start once data flows, so every swap happens between two buffers in flight.
        wait_until("data to flow", || handle.buffers_in() > 0);
        for i in 0..SWAPS {
            let next = if i % 2 == 0 { &v2 } else { &v1 };
            controller.reload_element("pt", next).unwrap();
            wait_for_swaps(&handle, i + 1);
        }
    })
    .await;

    assert_eq!(
        seen,
        (0..pushed).collect::<Vec<_>>(),
        "lost, duplicated or reordered"
    );
    let swaps = replaced(&messages);
    assert_eq!(swaps.len() as u64, SWAPS);
    assert_eq!(swaps[0].0, first_hash);
    for pair in swaps.windows(2) {
        assert_eq!(
            pair[0].1, pair[1].0,
            "each swap starts from the previous one's result"
        );
        assert_ne!(pair[0].0, pair[0].1, "a swap changes the running component");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_upgrade_is_refused_and_the_old_component_keeps_running() {
    let dir = scratch_dir("reload-broken");
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, b"\0asm this is not a component").unwrap();
    let whole = std::fs::read(guest_path("passthrough")).unwrap();
    let truncated = dir.join("truncated.wasm");
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    let p = sequence_pipeline("passthrough");
    let handle = p.handle::<WasmHandle>("pt").unwrap();
    let hash = handle.content_hash();
    let (seen, pushed, messages) = stream_while(p, move |controller| {
        wait_until("data to flow", || handle.buffers_in() > 0);
        for bad in [&garbage, &truncated, &dir.join("missing.wasm")] {
            let err = controller.reload_element("pt", bad).unwrap_err();
            assert!(
                matches!(&err, PipelineError::Reload { element, .. } if element == "pt"),
                "{err}"
            );
            assert!(err.to_string().contains(&*bad.to_string_lossy()), "{err}");
        }
        assert_eq!(handle.swaps(), 0);
        assert_eq!(handle.content_hash(), hash);
        let before = handle.buffers_in();
        wait_until("100 more buffers", || handle.buffers_in() >= before + 100);
    })
    .await;
    assert_eq!(seen, (0..pushed).collect::<Vec<_>>());
    assert!(replaced(&messages).is_empty());
    let warnings = warnings(&messages);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .all(|w| w.starts_with("kept the running component"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_of_another_element_is_refused() {
    let p = sequence_pipeline("passthrough");
    let err = p
        .reload_element("pt", guest_path("grayscale"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("describes element 'grayscale', not 'passthrough'"),
        "{err}"
    );
    let err = p
        .reload_element("in", guest_path("passthrough"))
        .unwrap_err();
    assert!(
        err.to_string().contains("not a WebAssembly element"),
        "{err}"
    );
    let err = p
        .reload_element("nope", guest_path("passthrough"))
        .unwrap_err();
    assert!(matches!(err, PipelineError::NoSuchElement(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_whose_pads_refuse_the_negotiated_caps_is_refused() {
    let p = sequence_pipeline("passthrough");
    let handle = p.handle::<WasmHandle>("pt").unwrap();
    let (seen, pushed, messages) = stream_while(p, move |controller| {
        wait_until("data to flow", || handle.buffers_in() > 0);
        let err = controller
            .reload_element("pt", guest_path("passthrough_audio"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("do not accept the negotiated caps application/x-seq"),
            "{err}"
        );
        assert_eq!(handle.swaps(), 0);
    })
    .await;
    assert_eq!(seen, (0..pushed).collect::<Vec<_>>());
    assert!(replaced(&messages).is_empty());
    assert_eq!(warnings(&messages).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stateful_source_hands_its_state_to_each_successor() {
    const SWAPS: u64 = 20;
    let dir = scratch_dir("reload-counter");
    let v1 = variant(&guest_path("counter"), &dir, "counter-v1");
    let v2 = variant(&guest_path("counter"), &dir, "counter-v2");
    let mut p = pipeline(
        &["counter"],
        "counter name=pt num-buffers=-1 ! appsink name=out",
    );
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let handle = p.handle::<WasmHandle>("pt").unwrap();
    let controller = p.controller();
    let mut bus = p.bus();
    let consumer = std::thread::spawn(move || {
        let mut seen = Vec::new();
        while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
            let bytes: [u8; 8] = buffer.data().try_into().expect("8-byte buffers");
            seen.push(u64::from_le_bytes(bytes));
        }
        seen
    });
    let reloader = std::thread::spawn(move || {
        let eos = controller.clone();
        let _stop = OnDrop(move || eos.send_eos());
        wait_until("data to flow", || handle.buffers_out() > 0);
        for i in 0..SWAPS {
            let next = if i % 2 == 0 { &v2 } else { &v1 };
            controller.reload_element("pt", next).unwrap();
            wait_for_swaps(&handle, i + 1);
        }
    });
    p.run().await.unwrap();
    reloader.join().unwrap();
    let seen = consumer.join().unwrap();
    assert!(!seen.is_empty());
    assert_eq!(
        seen,
        (0..seen.len() as u64).collect::<Vec<_>>(),
        "a successor restarted the count"
    );
    let mut handed = 0;
    while let Some(m) = bus.try_recv() {
        if let Message::Replaced {
            state_handed_over, ..
        } = m
        {
            assert!(state_handed_over);
            handed += 1;
        }
    }
    assert_eq!(handed, SWAPS);
}
