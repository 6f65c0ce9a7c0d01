//! Video converters and encoders: videoconvert, videoscale (and, with the `image` and
//! `av1enc` features, pngenc, jpegenc, rav1enc, ivfmux): round trips, caps, bad input.

use crate::codecs_support::{psnr, rgba_picture, run_chain};

fn raw_caps(format: &str, w: usize, h: usize) -> String {
    format!("video/x-raw,format={format},width={w},height={h},framerate=30/1")
}

/// RGBA -> `via` -> RGBA for a picture of `w` x `h`; returns (input, output).
async fn round_trip_through(via: &str, w: usize, h: usize) -> (Vec<u8>, Vec<u8>) {
    let input = rgba_picture(w, h);
    let chain =
        format!("videoconvert ! video/x-raw,format={via} ! videoconvert ! video/x-raw,format=RGBA");
    let out = run_chain(
        &raw_caps("RGBA", w, h),
        &chain,
        std::slice::from_ref(&input),
    )
    .await
    .unwrap();
    assert_eq!(out.buffers.len(), 1);
    (input, out.buffers[0].data().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rgba_through_every_format_and_back_stays_close() {
    // Odd and even sizes: the last row/column of 4:2:0 chroma covers one pixel.
    for (w, h) in [(64, 48), (33, 17)] {
        for (via, tolerance) in [("I420", 3), ("NV12", 3), ("RGB", 0), ("RGBA", 0)] {
            let (input, output) = round_trip_through(via, w, h).await;
            assert_eq!(output.len(), input.len(), "{via} {w}x{h}");
            let worst = input
                .iter()
                .zip(&output)
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap_or(0);
            assert!(worst <= tolerance, "{via} {w}x{h}: max difference {worst}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_threads_splits_frames_without_changing_them() {
    let (w, h) = (33, 17);
    let input = rgba_picture(w, h);
    let mut outputs = Vec::new();
    // 1 is GStreamer's default; 0 is one thread per CPU.
    for threads in [1, 3, 0] {
        let chain = format!("videoconvert n-threads={threads} ! video/x-raw,format=I420");
        let out = run_chain(
            &raw_caps("RGBA", w, h),
            &chain,
            std::slice::from_ref(&input),
        )
        .await
        .unwrap();
        outputs.push(out.buffers[0].data().to_vec());
    }
    assert!(outputs[0] == outputs[1], "3 threads changed the frame");
    assert!(
        outputs[0] == outputs[2],
        "one thread per CPU changed the frame"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gray_keeps_luma_only() {
    let (w, h) = (16, 8);
    let (input, output) = round_trip_through("GRAY8", w, h).await;
    for (i, o) in input.chunks_exact(4).zip(output.chunks_exact(4)) {
        let luma =
            (0.299 * f64::from(i[0]) + 0.587 * f64::from(i[1]) + 0.114 * f64::from(i[2])).round();
        assert_eq!(o[0], o[1]);
        assert_eq!(o[1], o[2]);
        assert!((f64::from(o[0]) - luma).abs() <= 1.0, "{i:?} -> {o:?}");
        assert_eq!(o[3], 255);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i420_bars_become_gstreamers_rgb() {
    // One 2x2 block each of BT.601 white, red and blue (videotestsrc's table values).
    let (w, h) = (6, 2);
    let y = [235, 235, 81, 81, 41, 41];
    let mut frame = Vec::new();
    frame.extend(y);
    frame.extend([0, 0]); // luma stride rounds 6 up to 8
    frame.extend(y);
    frame.extend([0, 0]);
    frame.extend([128, 90, 240, 0]); // U (stride 4)
    frame.extend([128, 240, 110, 0]); // V
    let out = run_chain(
        &raw_caps("I420", w, h),
        "videoconvert ! video/x-raw,format=RGBA",
        &[frame],
    )
    .await
    .unwrap();
    let px = out.buffers[0].data();
    let expect = [[255, 255, 255], [255, 0, 0], [0, 0, 255]];
    for (i, e) in expect.iter().enumerate() {
        let got = &px[i * 8..i * 8 + 3];
        for c in 0..3 {
            assert!(got[c].abs_diff(e[c]) <= 2, "bar {i}: {got:?} vs {e:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_format_passes_buffers_through() {
    let input = rgba_picture(8, 8);
    let out = run_chain(
        &raw_caps("RGBA", 8, 8),
        "videoconvert",
        std::slice::from_ref(&input),
    )
    .await
    .unwrap();
    assert_eq!(out.buffers[0].data(), &input[..]);
    assert_eq!(
        out.caps.structure(0).unwrap().get_str("format"),
        Some("RGBA")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_frames_are_a_clean_error() {
    let err = run_chain(
        &raw_caps("I420", 64, 48),
        "videoconvert ! video/x-raw,format=RGBA",
        &[vec![0u8; 100]],
    )
    .await
    .err()
    .unwrap();
    assert!(err.contains("videoconvert"), "{err}");
    assert!(err.contains("shorter than one frame"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn high_definition_uses_bt709() {
    // Pure red in BT.709 limited range is Y=63 U=102 V=240; a 720-line frame of it must
    // come out red, which the BT.601 matrix would not give.
    let (w, h) = (2, 720);
    let mut frame = vec![63u8; 4 * h]; // luma stride 4
    frame.extend(std::iter::repeat_n([102u8, 0, 0, 0], h / 2).flatten());
    frame.extend(std::iter::repeat_n([240u8, 0, 0, 0], h / 2).flatten());
    let out = run_chain(
        &raw_caps("I420", w, h),
        "videoconvert ! video/x-raw,format=RGB",
        &[frame],
    )
    .await
    .unwrap();
    let px = &out.buffers[0].data()[..3];
    assert!(px[0] >= 253 && px[1] <= 2 && px[2] <= 2, "{px:?}");
}

#[test]
fn psnr_of_identical_images_is_infinite() {
    assert!(psnr(&[1, 2, 3], &[1, 2, 3]).is_infinite());
}
