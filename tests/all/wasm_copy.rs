//! The copying data path (`process-copy`): bytes cross as lists, both ways, and are counted.

use parallax_wasm::WasmHandle;

use crate::wasm_support::{pipeline, push_through, sample_inputs};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_path_returns_reversed_bytes_with_meta_and_counts_both_ways() {
    let mut p = pipeline(
        &["copypassthrough"],
        "appsrc name=in caps=\"application/octet-stream\" ! copypassthrough name=cp ! appsink name=out",
    );
    let stats = p.handle::<WasmHandle>("cp").expect("wasm stats handle");
    let inputs = sample_inputs(12, &[1, 7, 100, 4096]);
    let total: u64 = inputs.iter().map(|(d, _)| d.len() as u64).sum();
    let out = push_through(&mut p, &inputs).await;

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
