//! The same behaviour checked on a native element and on its WASM twin, and WASM output
//! checked against a Rust reference.

use std::time::Duration;

use parallax::core::{Buffer, BufferFlags, BufferMeta, ClockTime};
use parallax::elements::{AppSinkHandle, AppSrcHandle};

use crate::wasm_support::pipeline;

/// Pushes `inputs` through `middle` (between an appsrc and an appsink) and returns what
/// comes out.
async fn run_through(middle: &str, caps: &str, inputs: &[(Vec<u8>, BufferMeta)]) -> Vec<Buffer> {
    let mut p = pipeline(
        &["passthrough", "grayscale"],
        &format!("appsrc name=in caps=\"{caps}\" ! {middle} ! appsink name=out"),
    );
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let inputs = inputs.to_vec();
    let producer = std::thread::spawn(move || {
        for (data, meta) in inputs {
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
    consumer.join().unwrap()
}

fn varied_inputs() -> Vec<(Vec<u8>, BufferMeta)> {
    (0..40u64)
        .map(|i| {
            let len = [0usize, 1, 7, 4096, 65_000][i as usize % 5];
            let data: Vec<u8> = (0..len).map(|b| (b as u64 * 31 + i) as u8).collect();
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
            if i % 4 == 0 {
                meta.flags.insert(BufferFlags::KEYFRAME);
            }
            (data, meta)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_behaves_exactly_like_identity() {
    let inputs = varied_inputs();
    let native = run_through("identity", "application/octet-stream", &inputs).await;
    let wasm = run_through("passthrough", "application/octet-stream", &inputs).await;
    assert_eq!(native.len(), inputs.len());
    assert_eq!(wasm.len(), native.len());
    for (i, (n, w)) in native.iter().zip(&wasm).enumerate() {
        assert_eq!(n.data(), w.data(), "buffer {i}: bytes differ");
        let (nm, wm) = (n.meta(), w.meta());
        assert_eq!(
            (
                nm.pts,
                nm.dts,
                nm.duration,
                nm.offset,
                nm.offset_end,
                nm.flags
            ),
            (
                wm.pts,
                wm.dts,
                wm.duration,
                wm.offset,
                wm.offset_end,
                wm.flags
            ),
            "buffer {i}: metadata differs"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grayscale_matches_the_bt601_reference_with_padded_rows() {
    // An odd width exercises the SIMD tail and the 4-byte row padding of GRAY8.
    let (width, height) = (37usize, 5usize);
    let rgba: Vec<u8> = (0..width * height * 4)
        .map(|i| (i * 97 % 251) as u8)
        .collect();
    let caps = format!("video/x-raw,format=RGBA,width={width},height={height},framerate=30/1");
    let out = run_through("grayscale", &caps, &[(rgba.clone(), BufferMeta::default())]).await;
    assert_eq!(out.len(), 1);
    let stride = width.next_multiple_of(4);
    let mut expected = vec![0u8; stride * height];
    for y in 0..height {
        for x in 0..width {
            let p = &rgba[(y * width + x) * 4..][..4];
            let luma =
                (77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8;
            expected[y * stride + x] = luma as u8;
        }
    }
    assert_eq!(out[0].data(), expected.as_slice());
}
