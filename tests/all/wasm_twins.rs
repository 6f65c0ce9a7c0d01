//! WASM output checked against a Rust reference (the native/WASM twins are in
//! `conformance.rs`).

use parallax::core::{Buffer, BufferMeta};

use crate::wasm_support::{pipeline, push_through};

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
