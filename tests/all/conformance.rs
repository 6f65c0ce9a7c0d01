//! The conformance suite: the same behaviour tests, run once per world, against a native
//! element and its WASM twin (`identity` / `passthrough`, `volume` / `volume.wasm`).
//! Where both worlds must produce the same thing, their outputs are compared with each
//! other as well as with what the test expects.

use std::time::Duration;

use parallax::core::{Buffer, BufferMeta, Caps};
use parallax::elements::{AppSinkHandle, AppSrcHandle};
use parallax::{PipelineError, RunSummary};

use crate::wasm_support::{guest_path, pipeline, sample_inputs};

/// Where an element comes from.
#[derive(Debug, Clone, Copy)]
enum World {
    Native,
    Wasm,
}

const WORLDS: [World; 2] = [World::Native, World::Wasm];

/// A native element and its WASM twin.
struct Twin {
    native: &'static str,
    guest: &'static str,
}

const PASSTHROUGH: Twin = Twin {
    native: "identity",
    guest: "passthrough",
};
const VOLUME: Twin = Twin {
    native: "volume",
    guest: "volume",
};

impl Twin {
    /// The element as `.px` text in `world`, named `el`, with `props`.
    fn text(&self, world: World, props: &str) -> String {
        match world {
            World::Native => format!("{} name=el {props}", self.native),
            // By path: the built-in element owns the name.
            World::Wasm => format!("\"{}\" name=el {props}", guest_path(self.guest).display()),
        }
    }
}

/// What one run gave.
struct Outcome {
    outputs: Vec<Buffer>,
    result: Result<RunSummary, PipelineError>,
}

/// Pushes `inputs` through the element (appsrc ! element ! appsink) with `caps`, with
/// the caps changed to `change.1` before input `change.0`.
async fn run(
    twin: &Twin,
    world: World,
    props: &str,
    caps: &str,
    inputs: &[(Vec<u8>, BufferMeta)],
    change: Option<(usize, Caps)>,
) -> Outcome {
    let text = format!(
        "appsrc name=in caps=\"{caps}\" ! {} ! appsink name=out",
        twin.text(world, props)
    );
    let mut p = pipeline(&[], &text);
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let inputs = inputs.to_vec();
    let producer = std::thread::spawn(move || {
        for (i, (data, meta)) in inputs.into_iter().enumerate() {
            if let Some((at, caps)) = &change
                && *at == i
            {
                src.set_caps(caps.clone()).unwrap();
            }
            // After a failure the element refuses more; that is what some tests check.
            if src.push_buffer_with_meta(&data, meta).is_err() {
                break;
            }
        }
        src.end_of_stream();
    });
    let consumer = std::thread::spawn(move || {
        let mut out = Vec::new();
        while let Some(buffer) = sink.pull_sample(Duration::from_secs(5)) {
            out.push(buffer);
        }
        out
    });
    let result = p.run().await;
    producer.join().unwrap();
    Outcome {
        outputs: consumer.join().unwrap(),
        result,
    }
}

fn meta_of(b: &Buffer) -> impl PartialEq + std::fmt::Debug {
    let m = b.meta();
    (m.pts, m.dts, m.duration, m.offset, m.offset_end, m.flags)
}

/// Runs both worlds and checks they produced the same bytes and metadata.
async fn same_in_both_worlds(
    twin: &Twin,
    props: &str,
    caps: &str,
    inputs: &[(Vec<u8>, BufferMeta)],
    change: Option<(usize, Caps)>,
) -> Vec<Buffer> {
    let native = run(twin, World::Native, props, caps, inputs, change.clone()).await;
    let wasm = run(twin, World::Wasm, props, caps, inputs, change).await;
    native.result.unwrap();
    wasm.result.unwrap();
    assert_eq!(native.outputs.len(), wasm.outputs.len());
    for (i, (n, w)) in native.outputs.iter().zip(&wasm.outputs).enumerate() {
        assert_eq!(
            n.data(),
            w.data(),
            "buffer {i}: bytes differ between the worlds"
        );
        assert_eq!(meta_of(n), meta_of(w), "buffer {i}: metadata differs");
    }
    native.outputs
}

fn s16(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn f32s(samples: &[f32]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

const S16_CAPS: &str = "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";
const F32_CAPS: &str = "audio/x-raw,format=F32LE,layout=interleaved,rate=48000,channels=2";

/// Audio buffers with timestamps: a ramp over the whole S16 range.
fn s16_inputs(count: usize) -> Vec<(Vec<u8>, BufferMeta)> {
    (0..count)
        .map(|i| {
            let samples: Vec<i16> = (0..256)
                .map(|s| ((s * 257 + i * 31) % 65536) as i32 - 32768)
                .map(|v| v as i16)
                .collect();
            let meta = BufferMeta {
                pts: Some(parallax::core::ClockTime::from_millis(i as u64 * 2)),
                offset: Some(i as u64),
                ..BufferMeta::default()
            };
            (s16(&samples), meta)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_forwards_bytes_and_metadata_unchanged_in_both_worlds() {
    let inputs = sample_inputs(30, &[0, 1, 7, 4096, 65_000]);
    let out =
        same_in_both_worlds(&PASSTHROUGH, "", "application/octet-stream", &inputs, None).await;
    assert_eq!(out.len(), inputs.len());
    for ((data, _), b) in inputs.iter().zip(&out) {
        assert_eq!(b.data(), data.as_slice());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_carries_a_caps_change_in_both_worlds() {
    let inputs = sample_inputs(6, &[64]);
    let change: Caps = "application/x-other".parse().unwrap();
    let out = same_in_both_worlds(
        &PASSTHROUGH,
        "",
        "application/octet-stream",
        &inputs,
        Some((3, change)),
    )
    .await;
    assert_eq!(out.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_scales_s16_with_saturation_identically_in_both_worlds() {
    let inputs = s16_inputs(8);
    let out = same_in_both_worlds(&VOLUME, "volume=1.7", S16_CAPS, &inputs, None).await;
    assert_eq!(out.len(), inputs.len());
    for ((data, _), b) in inputs.iter().zip(&out) {
        for (s, d) in data.chunks_exact(2).zip(b.data().chunks_exact(2)) {
            let input = i32::from(i16::from_le_bytes([s[0], s[1]]));
            let expected = ((i64::from(input) * 111_411) >> 16).clamp(-32768, 32767);
            assert_eq!(i64::from(i16::from_le_bytes([d[0], d[1]])), expected);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_follows_a_format_change_mid_stream_in_both_worlds() {
    let mut inputs = s16_inputs(3);
    let floats: Vec<f32> = (0..512).map(|i| (i as f32 / 256.0) - 1.0).collect();
    for i in 0..3 {
        inputs.push((
            f32s(&floats),
            BufferMeta {
                offset: Some(3 + i),
                ..BufferMeta::default()
            },
        ));
    }
    let change: Caps = F32_CAPS.parse().unwrap();
    let out =
        same_in_both_worlds(&VOLUME, "volume=0.5", S16_CAPS, &inputs, Some((3, change))).await;
    assert_eq!(out.len(), 6);
    let halved: Vec<u8> = f32s(&floats.iter().map(|f| f * 0.5).collect::<Vec<_>>());
    for b in &out[3..] {
        assert_eq!(b.data(), halved.as_slice(), "F32 buffers scaled as F32");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_mute_silences_and_unity_forwards_in_both_worlds() {
    let inputs = s16_inputs(4);
    let muted = same_in_both_worlds(&VOLUME, "mute=true volume=3", S16_CAPS, &inputs, None).await;
    assert!(muted.iter().all(|b| b.data().iter().all(|x| *x == 0)));
    let unity = same_in_both_worlds(&VOLUME, "", S16_CAPS, &inputs, None).await;
    for ((data, _), b) in inputs.iter().zip(&unity) {
        assert_eq!(b.data(), data.as_slice());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_refuses_video_caps_naming_itself_in_both_worlds() {
    for world in WORLDS {
        let text = format!(
            "videotestsrc num-buffers=1 ! video/x-raw,format=RGBA ! {} ! fakesink",
            VOLUME.text(world, "")
        );
        let mut p = pipeline(&[], &text);
        let err = p.run().await.unwrap_err().to_string();
        assert!(err.contains("'el'"), "{world:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_reports_a_partial_sample_as_a_stream_error_in_both_worlds() {
    for world in WORLDS {
        let inputs = vec![(vec![1u8, 2, 3], BufferMeta::default())];
        let outcome = run(&VOLUME, world, "volume=2", S16_CAPS, &inputs, None).await;
        let err = outcome.result.unwrap_err().to_string();
        assert!(
            err.contains("el") && err.contains("not a whole number of 2-byte samples"),
            "{world:?}: {err}"
        );
        assert!(outcome.outputs.is_empty(), "{world:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_mute_set_while_playing_takes_effect_and_holds_in_both_worlds() {
    for world in WORLDS {
        let text = format!(
            "audiotestsrc num-buffers=200 samplesperbuffer=256 \
             ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! {} ! appsink name=out max-buffers=2",
            VOLUME.text(world, "")
        );
        let mut p = pipeline(&[], &text);
        let sink = p.handle::<AppSinkHandle>("out").unwrap();
        let controller = p.controller();
        let consumer = std::thread::spawn(move || {
            let mut silent = Vec::new();
            while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
                silent.push(buffer.data().iter().all(|b| *b == 0));
                if silent.len() == 10 {
                    controller.set_property("el", "mute", "true").unwrap();
                }
            }
            silent
        });
        p.run().await.unwrap();
        let silent = consumer.join().unwrap();
        assert_eq!(silent.len(), 200, "{world:?}");
        assert!(
            silent[..10].iter().all(|s| !s),
            "{world:?}: audible before muting"
        );
        let first = silent.iter().position(|s| *s).expect("muting took effect");
        assert!(silent[first..].iter().all(|s| *s), "{world:?}: stays muted");
    }
}
