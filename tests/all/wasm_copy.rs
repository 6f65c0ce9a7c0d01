//! The copying data path (`process-copy`): bytes cross as lists, both ways, and are counted.

use std::time::Duration;

use parallax::core::{BufferFlags, BufferMeta, ClockTime};
use parallax::elements::{AppSinkHandle, AppSrcHandle};
use parallax_wasm::WasmStats;

use crate::wasm_support::pipeline;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_path_returns_reversed_bytes_with_meta_and_counts_both_ways() {
    let mut p = pipeline(
        &["copypassthrough"],
        "appsrc name=in caps=\"application/octet-stream\" ! copypassthrough name=cp ! appsink name=out",
    );
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let stats = p.handle::<WasmStats>("cp").expect("wasm stats handle");
    let inputs: Vec<(Vec<u8>, BufferMeta)> = (0..12u64)
        .map(|i| {
            let len = [1usize, 7, 100, 4096][i as usize % 4];
            let data = (0..len).map(|b| (b as u64 * 13 + i) as u8).collect();
            let mut meta = BufferMeta {
                pts: Some(ClockTime::from_millis(i * 10)),
                dts: (i % 2 == 0).then(|| ClockTime::from_millis(i * 10)),
                duration: Some(ClockTime::from_millis(10)),
                offset: Some(i),
                offset_end: Some(i + 1),
                ..BufferMeta::default()
            };
            if i % 3 == 0 {
                meta.flags.insert(BufferFlags::DISCONT);
            }
            (data, meta)
        })
        .collect();
    let total: u64 = inputs.iter().map(|(d, _)| d.len() as u64).sum();
    let to_push = inputs.clone();
    let producer = std::thread::spawn(move || {
        for (data, meta) in to_push {
            src.push_buffer_with_meta(&data, meta).unwrap();
        }
        src.end_of_stream();
    });
    let consumer = std::thread::spawn(move || {
        let mut out = Vec::new();
        while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
            out.push(buffer);
        }
        out
    });
    p.run().await.unwrap();
    producer.join().unwrap();
    let out = consumer.join().unwrap();

    assert_eq!(out.len(), inputs.len());
    for (i, (buffer, (data, meta))) in out.iter().zip(&inputs).enumerate() {
        let reversed: Vec<u8> = data.iter().rev().copied().collect();
        assert_eq!(
            buffer.data(),
            &reversed[..],
            "buffer {i}: bytes not reversed"
        );
        let got = buffer.meta();
        assert_eq!(got.pts, meta.pts, "buffer {i}");
        assert_eq!(got.dts, meta.dts, "buffer {i}");
        assert_eq!(got.duration, meta.duration, "buffer {i}");
        assert_eq!(got.offset, meta.offset, "buffer {i}");
        assert_eq!(got.offset_end, meta.offset_end, "buffer {i}");
        assert_eq!(got.flags, meta.flags, "buffer {i}");
    }
    assert_eq!(stats.buffers_in(), inputs.len() as u64);
    assert_eq!(stats.buffers_out(), inputs.len() as u64);
    // The documented rule (host/wasm/src/stats.rs): the copying path counts every byte
    // that crosses, both ways: each input into the guest, each output back out.
    assert_eq!(stats.bytes_copied(), 2 * total);
}
