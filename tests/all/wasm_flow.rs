//! Data through WASM elements: zero copy, caps negotiation.

use parallax::core::Caps;
use parallax_wasm::WasmHandle;

use crate::wasm_support::pipeline;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_moves_every_buffer_without_copying() {
    let mut p = pipeline(
        &["passthrough"],
        "fakesrc num-buffers=500 sizetype=fixed sizemax=4096 ! passthrough name=pt ! fakesink",
    );
    p.validate().unwrap();
    let stats = p.handle::<WasmHandle>("pt").expect("wasm stats handle");
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(500));
    assert_eq!(summary.bytes("fakesink0"), Some(500 * 4096));
    assert_eq!(stats.buffers_in(), 500);
    assert_eq!(stats.buffers_out(), 500);
    assert_eq!(stats.bytes_copied(), 0, "the zero-copy path copied bytes");
    assert_eq!(stats.instances(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grayscale_negotiates_rgba_to_gray8_and_writes_output_slots() {
    let mut p = pipeline(
        &["grayscale"],
        "videotestsrc num-buffers=10 ! video/x-raw,format=RGBA,width=64,height=48 ! grayscale name=g ! fakesink",
    );
    p.validate().unwrap();
    let out = p
        .links()
        .into_iter()
        .find(|l| l.src_element == "g")
        .and_then(|l| l.caps)
        .expect("grayscale src is negotiated");
    let expected: Caps = "video/x-raw, format=GRAY8, width=64, height=48"
        .parse()
        .unwrap();
    assert!(
        out.is_subset(&expected) || out.can_intersect(&expected),
        "{out}"
    );
    assert_eq!(out.structure(0).unwrap().get_str("format"), Some("GRAY8"));
    let stats = p.handle::<WasmHandle>("g").unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(10));
    assert_eq!(summary.bytes("fakesink0"), Some(10 * 64 * 48));
    assert_eq!(stats.bytes_copied(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_mute_changes_while_running() {
    // By path: the built-in `volume` owns the name.
    let mut p = pipeline(
        &[],
        &format!(
            "audiotestsrc num-buffers=300 samplesperbuffer=256 ! audio/x-raw,format=S16LE,rate=48000,channels=1 \
             ! \"{}\" name=v ! appsink name=out max-buffers=2",
            crate::wasm_support::guest_path("volume").display()
        ),
    );
    let sink = p
        .handle::<parallax::elements::AppSinkHandle>("out")
        .unwrap();
    let controller = p.controller();
    // The consumer mutes the element after a few buffers, through the running pipeline.
    let consumer = std::thread::spawn(move || {
        let mut silent = Vec::new();
        while let Some(buffer) = sink.pull_sample(std::time::Duration::from_secs(10)) {
            silent.push(buffer.data().iter().all(|b| *b == 0));
            if silent.len() == 10 {
                controller.set_property("v", "mute", "true").unwrap();
            }
        }
        silent
    });
    p.run().await.unwrap();
    let silent = consumer.join().unwrap();
    assert_eq!(silent.len(), 300);
    assert!(silent[..10].iter().all(|s| !s), "audible before muting");
    let first_silent = silent.iter().position(|s| *s).expect("muting took effect");
    assert!(
        silent[first_silent..].iter().all(|s| *s),
        "stays muted once muted"
    );
}
