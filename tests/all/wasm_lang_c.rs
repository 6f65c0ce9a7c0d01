//! The C guests (wit-bindgen C + clang + wasi-libc, zero-copy path): `audiogain` on S16LE
//! samples, its unity-gain forward, `cpassthrough`, and a C trap under the failure policy.

use parallax::core::BufferMeta;
use parallax_wasm::WasmHandle;

use crate::wasm_support::{pipeline, push_through, sample_inputs};

const S16: &str =
    "appsrc name=in caps=\"audio/x-raw, format=S16LE, rate=48000, channels=1, layout=interleaved\"";

fn samples(values: &[i16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audiogain_scales_and_clips_in_place_without_copying() {
    let mut p = pipeline(
        &["audiogain"],
        &format!("{S16} ! audiogain name=g gain=2.5 limit=20000 ! appsink name=out"),
    );
    let handle = p.handle::<WasmHandle>("g").unwrap();
    let input: &[i16] = &[0, 1, -1, 100, -100, 7999, 8001, -8001, i16::MAX, i16::MIN];
    let want: &[i16] = &[0, 2, -2, 250, -250, 19998, 20000, -20000, 20000, -20000];
    let inputs = vec![
        (samples(input), BufferMeta::default()),
        (samples(&input[..3]), BufferMeta::default()),
    ];
    let out = push_through(&mut p, &inputs).await;
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].data(), &samples(want)[..]);
    assert_eq!(out[1].data(), &samples(&want[..3])[..]);
    assert_eq!(
        handle.bytes_copied(),
        0,
        "zero copy: read and written in place"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unity_gain_and_cpassthrough_forward_the_input_untouched() {
    for element in ["audiogain", "cpassthrough"] {
        let mut p = pipeline(
            &[element],
            &format!("{S16} ! {element} name=e ! appsink name=out"),
        );
        let handle = p.handle::<WasmHandle>("e").unwrap();
        let inputs = sample_inputs(8, &[2, 4096, 1 << 16]);
        let out = push_through(&mut p, &inputs).await;
        assert_eq!(out.len(), inputs.len(), "{element}");
        for (i, (buffer, (data, meta))) in out.iter().zip(&inputs).enumerate() {
            assert_eq!(buffer.data(), &data[..], "{element} buffer {i}");
            assert_eq!(buffer.meta().pts, meta.pts, "{element} buffer {i}");
        }
        assert_eq!(handle.bytes_copied(), 0, "{element}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_c_trap_fails_by_default_and_restarts_like_a_rust_panic() {
    let mut p = pipeline(
        &["hostile_ctrap"],
        "fakesrc num-buffers=10 ! hostilectrap ! fakesink",
    );
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("trapped in process"), "{err}");
    assert!(err.contains("hostilectrap"), "{err}");

    // The same counts as `hostile_panic` in wasm_hostile.rs: buffer 3 of every fresh
    // instance traps.
    let mut p = pipeline(
        &["hostile_ctrap"],
        "fakesrc num-buffers=10 ! hostilectrap name=t on-error=restart ! fakesink",
    );
    p.validate().unwrap();
    let handle = p.handle::<WasmHandle>("t").unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(handle.restarts(), 3);
    assert_eq!(handle.dropped(), 3);
    assert_eq!(summary.buffers("fakesink0"), Some(7));
    assert_eq!(handle.instances(), 4);
}
