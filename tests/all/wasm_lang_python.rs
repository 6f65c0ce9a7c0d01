//! The Python guests (componentize-py, copying path): `framestats` (a sink) on a branch
//! of a `tee`, the `pypassthrough` round trip, and an interpreter loop stopped by the
//! deadline.

use std::time::{Duration, Instant};

use parallax::Message;
use parallax_wasm::WasmHandle;

use crate::wasm_support::{pipeline, push_through, sample_inputs};

/// The element messages named `name` on the bus after a run.
fn messages(bus: &mut parallax::BusReceiver, name: &str) -> Vec<parallax::core::caps::Structure> {
    let mut out = Vec::new();
    while let Some(message) = bus.try_recv() {
        if let Message::Element { structure, .. } = message
            && structure.name() == name
        {
            out.push(structure);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framestats_posts_byte_statistics_of_a_teed_stream() {
    let mut p = pipeline(
        &["framestats"],
        "appsrc name=in caps=\"application/octet-stream\" ! tee name=t \
         t. ! queue ! framestats name=fs interval=2 \
         t. ! queue ! appsink name=out",
    );
    let mut bus = p.bus();
    let handle = p.handle::<WasmHandle>("fs").unwrap();
    let inputs = sample_inputs(7, &[3, 100, 4096, 1]);
    let out = push_through(&mut p, &inputs).await;

    assert_eq!(out.len(), inputs.len());
    for (i, (buffer, (data, meta))) in out.iter().zip(&inputs).enumerate() {
        assert_eq!(buffer.data(), &data[..], "buffer {i}");
        assert_eq!(buffer.meta().pts, meta.pts, "buffer {i}");
        assert_eq!(buffer.meta().flags, meta.flags, "buffer {i}");
    }

    let frames = messages(&mut bus, "framestats/frame");
    let want: Vec<usize> = (0..inputs.len()).step_by(2).collect();
    assert_eq!(frames.len(), want.len(), "{frames:?}");
    for (s, &i) in frames.iter().zip(&want) {
        let data = &inputs[i].0;
        let mean = data.iter().map(|&b| f64::from(b)).sum::<f64>() / data.len() as f64;
        assert_eq!(s.get_int("index"), Some(i as i64));
        assert_eq!(s.get_int("size"), Some(data.len() as i64));
        assert_eq!(s.get_int("min"), data.iter().min().map(|&b| i64::from(b)));
        assert_eq!(s.get_int("max"), data.iter().max().map(|&b| i64::from(b)));
        let got = s.get_double("mean").unwrap();
        assert!(
            (got - mean).abs() < 1e-9,
            "buffer {i}: mean {got}, want {mean}"
        );
    }
    let total: usize = inputs.iter().map(|(d, _)| d.len()).sum();
    assert_eq!(
        handle.bytes_copied(),
        total as u64,
        "copied in, nothing out"
    );
    assert_eq!(handle.buffers_in(), inputs.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framestats_runs_in_constant_memory_and_posts_a_summary_at_end_of_stream() {
    // 4000 x 16 KiB = 64 MiB through an instance limited to 32 MiB: the bytes handed to
    // the guest are freed (the leak of componentize-py is on returned bytes only).
    let mut p = pipeline(
        &["framestats"],
        "fakesrc num-buffers=4000 sizetype=fixed sizemax=16384 ! framestats interval=1000 memory-limit=33554432",
    );
    let mut bus = p.bus();
    p.run().await.unwrap();
    let all: Vec<_> = std::iter::from_fn(|| bus.try_recv()).collect();
    let named = |name: &str| {
        all.iter()
            .filter_map(|m| match m {
                Message::Element { structure, .. } if structure.name() == name => {
                    Some(structure.clone())
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let frames: Vec<_> = named("framestats/frame")
        .iter()
        .map(|s| s.get_int("index"))
        .collect();
    assert_eq!(frames, vec![Some(0), Some(1000), Some(2000), Some(3000)]);
    let summaries = named("framestats/summary");
    assert_eq!(summaries.len(), 1, "{all:?}");
    assert_eq!(summaries[0].get_int("frames"), Some(4000));
    assert_eq!(summaries[0].get_int("bytes"), Some(4000 * 16384));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pypassthrough_returns_every_buffer_unchanged() {
    let mut p = pipeline(
        &["pypassthrough"],
        "appsrc name=in caps=\"application/octet-stream\" ! pypassthrough ! appsink name=out",
    );
    let inputs = sample_inputs(10, &[0, 5, 65536]);
    let out = push_through(&mut p, &inputs).await;
    assert_eq!(out.len(), inputs.len());
    for (i, (buffer, (data, meta))) in out.iter().zip(&inputs).enumerate() {
        assert_eq!(buffer.data(), &data[..], "buffer {i}");
        assert_eq!(buffer.meta().offset, meta.offset, "buffer {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_loop_ends_at_its_deadline_like_a_rust_one() {
    let mut p = pipeline(
        &["hostile_pyspin"],
        "fakesrc num-buffers=5 ! hostilepyspin deadline-ms=200 ! fakesink",
    );
    p.prepare().unwrap();
    let start = Instant::now();
    let err = p.run().await.unwrap_err().to_string();
    let elapsed = start.elapsed();
    // The same report as `hostile_spin` (Rust) gets in wasm_hostile.rs.
    assert!(err.contains("deadline of 200 ms"), "{err}");
    assert!(err.contains("hostilepyspin"), "{err}");
    assert!(elapsed < Duration::from_millis(400), "took {elapsed:?}");
}
