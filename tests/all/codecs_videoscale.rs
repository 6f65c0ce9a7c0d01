//! videoscale: passthrough at equal size, exact bilinear and nearest-neighbour results on
//! tiny pictures, every format, bad input.

use crate::codecs_support::run_chain;

fn raw_caps(format: &str, w: usize, h: usize) -> String {
    format!("video/x-raw,format={format},width={w},height={h},framerate=30/1")
}

/// A GRAY8 frame from rows of pixels (rows padded to 4 bytes, as GStreamer lays it out).
fn gray(rows: &[&[u8]]) -> Vec<u8> {
    let stride = rows[0].len().next_multiple_of(4);
    rows.iter()
        .flat_map(|r| {
            let mut row = r.to_vec();
            row.resize(stride, 0);
            row
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_size_passes_buffers_through() {
    let input: Vec<u8> = (0..64 * 48 * 4).map(|i| (i * 7 % 251) as u8).collect();
    let out = run_chain(
        &raw_caps("RGBA", 64, 48),
        "videoscale",
        std::slice::from_ref(&input),
    )
    .await
    .unwrap();
    assert_eq!(out.buffers[0].data(), &input[..]);
    assert_eq!(out.caps.structure(0).unwrap().get_int("width"), Some(64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bilinear_2x2_to_4x4_is_the_textbook_result() {
    // Centre-aligned sampling: output pixel i reads source position (i + 0.5) / 2 - 0.5,
    // i.e. -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1) on both axes. Exact
    // values, e.g. (1,1) = 0.75*0.25*255 + 0.25*0.75*255 = 95.625 -> 96.
    let input = gray(&[&[0, 255], &[255, 0]]);
    let out = run_chain(
        &raw_caps("GRAY8", 2, 2),
        "videoscale ! video/x-raw,width=4,height=4",
        &[input],
    )
    .await
    .unwrap();
    let expected = gray(&[
        &[0, 64, 191, 255],
        &[64, 96, 159, 191],
        &[191, 159, 96, 64],
        &[255, 191, 64, 0],
    ]);
    assert_eq!(out.buffers[0].data(), &expected[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearest_neighbour_picks_the_sample_under_each_centre() {
    // 4 -> 2: output centres fall at source 1.0 and 3.0.
    let rows: Vec<Vec<u8>> = (0..4u8)
        .map(|y| (0..4u8).map(|x| x + 10 * y).collect())
        .collect();
    let refs: Vec<&[u8]> = rows.iter().map(Vec::as_slice).collect();
    let out = run_chain(
        &raw_caps("GRAY8", 4, 4),
        "videoscale method=nearest-neighbour ! video/x-raw,width=2,height=2",
        &[gray(&refs)],
    )
    .await
    .unwrap();
    assert_eq!(out.buffers[0].data(), &gray(&[&[11, 13], &[31, 33]])[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_scales_a_flat_picture_to_the_same_colour() {
    // Bilinear weights sum to one exactly, so a flat picture stays flat at any size.
    for format in ["I420", "NV12", "RGBA", "RGB", "GRAY8"] {
        for (w, h) in [(32, 24), (97, 71)] {
            let chain = format!(
                "videoconvert ! video/x-raw,format={format} ! videoscale \
                 ! video/x-raw,width={w},height={h} ! videoconvert ! video/x-raw,format=RGBA"
            );
            let flat = [90u8, 90, 90, 255].repeat(64 * 48);
            let out = run_chain(&raw_caps("RGBA", 64, 48), &chain, &[flat])
                .await
                .unwrap();
            let px = out.buffers[0].data();
            assert_eq!(px.len(), w * h * 4, "{format} {w}x{h}");
            let first = &px[..4];
            assert!(
                px.chunks_exact(4).all(|p| p == first),
                "{format} {w}x{h}: not flat"
            );
            assert!(first[0].abs_diff(90) <= 2, "{format}: {first:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_frames_are_a_clean_error_naming_the_element() {
    let err = run_chain(
        &raw_caps("I420", 64, 48),
        "videoscale ! video/x-raw,width=32,height=24",
        &[vec![0u8; 100]],
    )
    .await
    .err()
    .unwrap();
    assert!(err.contains("videoscale"), "{err}");
    assert!(err.contains("shorter than one frame"), "{err}");
}
