//! The same behaviour checked on a native element and on its WASM twin, and WASM output
//! checked against a Rust reference.

use parallax::core::{Buffer, BufferMeta};

use crate::wasm_support::{pipeline, push_through, sample_inputs};

/// Pushes `inputs` through `middle` (between an appsrc and an appsink) and returns what
/// comes out.
async fn run_through(middle: &str, caps: &str, inputs: &[(Vec<u8>, BufferMeta)]) -> Vec<Buffer> {
    let mut p = pipeline(
        &["passthrough", "grayscale"],
        &format!("appsrc name=in caps=\"{caps}\" ! {middle} ! appsink name=out"),
    );
    push_through(&mut p, inputs).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_behaves_exactly_like_identity() {
    let inputs = sample_inputs(40, &[0, 1, 7, 4096, 65_000]);
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
