//! y4menc and y4mdec: bit-exact round trips (odd sizes, GRAY8), the header written and
//! read, any chunking of the byte stream, caps announced from the stream header, bad
//! input.

use std::time::Duration;

use parallax::Pipeline;
use parallax::core::{Buffer, Caps};
use parallax::elements::{AppSinkHandle, AppSrcHandle};

use crate::codecs_support::run_chain;

const Y4M_CAPS: &str = "application/x-yuv4mpeg,y4mversion=2";

fn raw_caps(format: &str, w: usize, h: usize) -> String {
    format!("video/x-raw,format={format},width={w},height={h},framerate=25/1")
}

/// Pushes `chunks` into `appsrc caps=<caps> ! <chain> ! appsink` and returns the
/// buffers and the caps the sink saw last (those a parser announced in-band).
async fn run_bytes(
    caps: &str,
    chain: &str,
    chunks: Vec<Vec<u8>>,
) -> Result<(Vec<Buffer>, Caps), String> {
    let desc = format!("appsrc name=in caps=\"{caps}\" ! {chain} ! appsink name=out");
    let mut p = Pipeline::parse(&desc).map_err(|e| e.to_string())?;
    let src = p.handle::<AppSrcHandle>("in").ok_or("no appsrc")?;
    let sink = p.handle::<AppSinkHandle>("out").ok_or("no appsink")?;
    let producer = std::thread::spawn(move || {
        for c in &chunks {
            if src.push_buffer(c).is_err() {
                break;
            }
        }
        src.end_of_stream();
    });
    let pulled = std::sync::Arc::clone(&sink);
    let consumer = std::thread::spawn(move || {
        let mut out = Vec::new();
        while let Some(b) = pulled.pull_sample(Duration::from_secs(5)) {
            out.push(b);
        }
        out
    });
    let result = p.run().await;
    producer.join().map_err(|_| "producer panicked")?;
    let buffers = consumer.join().map_err(|_| "consumer panicked")?;
    result.map_err(|e| e.to_string())?;
    let caps = sink.caps().ok_or("no caps reached the sink")?;
    Ok((buffers, caps))
}

/// An I420 frame of `w` x `h` in GStreamer's layout with distinct bytes and zero padding.
fn i420_frame(w: usize, h: usize, seed: u8) -> Vec<u8> {
    let (ys, cs) = (w.next_multiple_of(4), w.div_ceil(2).next_multiple_of(4));
    let (rows, crows) = (h.next_multiple_of(2), h.div_ceil(2));
    let mut f = vec![0u8; ys * rows + 2 * cs * crows];
    let mut v = seed;
    let mut plane = |offset: usize, stride: usize, pw: usize, ph: usize| {
        for r in 0..ph {
            for c in 0..pw {
                v = v.wrapping_mul(31).wrapping_add(7);
                f[offset + r * stride + c] = v;
            }
        }
    };
    plane(0, ys, w, h);
    plane(ys * rows, cs, w.div_ceil(2), h.div_ceil(2));
    plane(ys * rows + cs * crows, cs, w.div_ceil(2), h.div_ceil(2));
    f
}

fn concat(buffers: &[Buffer]) -> Vec<u8> {
    buffers.iter().flat_map(|b| b.data().to_vec()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i420_odd_size_round_trips_bit_exact_through_any_chunking() {
    let (w, h) = (33, 17);
    let frames: Vec<Vec<u8>> = (0..3).map(|i| i420_frame(w, h, i)).collect();
    let enc = run_chain(&raw_caps("I420", w, h), "y4menc", &frames)
        .await
        .unwrap();
    let stream = concat(&enc.buffers);
    let header = b"YUV4MPEG2 W33 H17 F25:1 Ip A1:1 C420jpeg\nFRAME\n";
    assert!(
        stream.starts_with(header),
        "{:?}",
        String::from_utf8_lossy(&stream[..60])
    );
    // Packed planes: 33x17 luma, 17x9 twice.
    let packed = 33 * 17 + 2 * 17 * 9;
    assert_eq!(stream.len(), header.len() - 6 + 3 * (6 + packed));
    for chunk in [1, 7, 1000, stream.len()] {
        let chunks = stream.chunks(chunk).map(<[u8]>::to_vec).collect();
        let (out, caps) = run_bytes(Y4M_CAPS, "y4mdec", chunks).await.unwrap();
        assert_eq!(out.len(), 3, "chunks of {chunk}");
        for (i, (got, want)) in out.iter().zip(&frames).enumerate() {
            assert_eq!(got.data(), &want[..], "frame {i}, chunks of {chunk}");
            // Frame i at 25 fps.
            assert_eq!(got.meta().pts.unwrap().nanos(), i as u64 * 40_000_000);
        }
        let s = caps.structure(0).unwrap();
        assert_eq!(s.get_str("format"), Some("I420"));
        assert_eq!(
            (s.get_int("width"), s.get_int("height")),
            (Some(33), Some(17))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encoding_what_was_decoded_gives_the_same_stream() {
    // GRAY8 (Cmono) with GStreamer's row padding (5 -> 8 bytes).
    let frames: Vec<Vec<u8>> = (0..2u8)
        .map(|s| {
            (0..8 * 3)
                .map(|i| {
                    if i % 8 < 5 {
                        (i as u8).wrapping_mul(9).wrapping_add(s)
                    } else {
                        0
                    }
                })
                .collect()
        })
        .collect();
    let first = run_chain(&raw_caps("GRAY8", 5, 3), "y4menc", &frames)
        .await
        .unwrap();
    let stream = concat(&first.buffers);
    assert!(stream.starts_with(b"YUV4MPEG2 W5 H3 F25:1 Ip A1:1 Cmono\n"));
    let (again, _) = run_bytes(Y4M_CAPS, "y4mdec ! y4menc", vec![stream.clone()])
        .await
        .unwrap();
    assert_eq!(concat(&again), stream);
    let (decoded, caps) = run_bytes(Y4M_CAPS, "y4mdec", vec![stream]).await.unwrap();
    assert_eq!(concat(&decoded), frames.concat());
    assert_eq!(caps.structure(0).unwrap().get_str("format"), Some("GRAY8"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ffmpeg_style_header_announces_its_caps() {
    // As ffmpeg writes it: extension tags, and the framerate and aspect it says.
    let mut stream = b"YUV4MPEG2 W4 H2 F30000:1001 It A4:3 C420mpeg2 XYSCSS=420MPEG2\n".to_vec();
    stream.extend_from_slice(b"FRAME\n");
    stream.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    let (out, caps) = run_bytes(Y4M_CAPS, "y4mdec", vec![stream]).await.unwrap();
    assert_eq!(out.len(), 1);
    // GStreamer's layout: chroma rows of 2 samples padded to 4 bytes.
    assert_eq!(
        out[0].data(),
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 11, 12, 0, 0]
    );
    let text = caps.to_string();
    for field in [
        "framerate=30000/1001",
        "pixel-aspect-ratio=4/3",
        "chroma-site=mpeg2",
    ] {
        assert!(text.contains(field), "{field} not in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_streams_are_clean_errors_naming_the_element_and_offset() {
    let cases: [(&[u8], &str); 4] = [
        (b"RIFF....WAVEfmt \n", "byte offset 0"),
        (b"YUV4MPEG2 W4 H2 C444\nFRAME\n", "C444 is not supported"),
        (b"YUV4MPEG2 W4 H2\nFRAME\n\x01\x02", "truncated frame 0"),
        (
            b"YUV4MPEG2 W4 H2\nFRAME\n123456789012FRAMX\n",
            "byte offset 34",
        ),
    ];
    for (input, expect) in cases {
        let err = run_bytes(Y4M_CAPS, "y4mdec", vec![input.to_vec()])
            .await
            .err()
            .unwrap_or_else(|| panic!("{expect}: no error"));
        assert!(err.contains("y4mdec"), "{err}");
        assert!(err.contains(expect), "{expect}: {err}");
    }
    // A header line that never ends is refused, not buffered without bound.
    let err = run_bytes(Y4M_CAPS, "y4mdec", vec![vec![b'Y'; 10_000]])
        .await
        .err()
        .unwrap();
    assert!(err.contains("no end of header line"), "{err}");
}
