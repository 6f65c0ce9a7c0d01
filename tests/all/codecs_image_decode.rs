//! Image decoders (feature `imagedec`): pngdec and jpegdec on files made by FFmpeg and
//! libjpeg-turbo, byte streams in odd chunk sizes, round trips through pngenc, and bad
//! input.

use crate::codecs_decode_support::{
    assert_clean_error, damaged, decode_bytes, decode_file, read_fixture,
};

/// The picture without GStreamer's row padding.
fn unpad(data: &[u8], row: usize, stride: usize, height: usize) -> Vec<u8> {
    data.chunks(stride)
        .take(height)
        .flat_map(|r| r[..row].to_vec())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_png_kind_decodes_bit_exact_like_ffmpeg() {
    // (fixture, format pngdec announces, bytes per pixel)
    let cases = [
        ("rgb24", "RGB", 3),
        ("rgba", "RGBA", 4),
        ("gray", "GRAY8", 1),
        ("gray16be", "GRAY16_BE", 2),
        ("ya8", "RGBA", 4),
        ("rgb48be", "RGBA64_BE", 8),
        ("rgba64be", "RGBA64_BE", 8),
        ("pal8", "RGB", 3),
        ("monob", "GRAY8", 1),
    ];
    for (name, format, pixel) in cases {
        // A 7-byte blocksize splits every chunk header across buffers.
        let out = decode_file(&format!("png_{name}.png"), "pngdec", 7)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.str("format"), format, "{name}");
        assert_eq!((out.int("width"), out.int("height")), (33, 17), "{name}");
        assert_eq!(out.buffers.len(), 1, "{name}");
        let row: usize = 33 * pixel;
        let stride = if format.starts_with("RGBA") {
            row
        } else {
            row.next_multiple_of(4)
        };
        let data = out.buffers[0].data();
        assert_eq!(data.len(), stride * 17, "{name}");
        let expected = read_fixture(&format!("png_{name}.raw"));
        assert!(
            unpad(data, row, stride, 17) == expected,
            "{name}: pixels differ from FFmpeg's"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pngs_one_per_buffer_keep_their_timestamps_and_change_caps_between_them() {
    let a = read_fixture("png_gray.png");
    let b = read_fixture("png_rgba.png");
    let mut stream = a.clone();
    stream.extend_from_slice(&b);
    stream.extend_from_slice(&a);
    // Byte stream split mid-file: pictures come out in order with their own caps.
    let out = decode_bytes("image/png", "pngdec", &stream, 100)
        .await
        .unwrap();
    let sizes: Vec<usize> = out.buffers.iter().map(|b| b.len()).collect();
    assert_eq!(sizes, vec![36 * 17, 33 * 4 * 17, 36 * 17]);
    assert_eq!(out.str("format"), "GRAY8");
}

#[cfg(feature = "image")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pngenc_then_pngdec_is_lossless() {
    use crate::codecs_support::{rgba_picture, run_chain};
    let (w, h) = (40, 30);
    let picture = rgba_picture(w, h);
    let out = run_chain(
        &format!("video/x-raw,format=RGBA,width={w},height={h},framerate=30/1"),
        "pngenc ! pngdec",
        &[picture.clone(), picture.clone()],
    )
    .await
    .unwrap();
    assert_eq!(out.buffers.len(), 2);
    for b in &out.buffers {
        assert!(
            b.data() == picture.as_slice(),
            "pixels changed through pngenc ! pngdec"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpegs_decode_close_to_ffmpeg() {
    use crate::codecs_support::psnr;
    // RGB: zune-jpeg (4:4:4, progressive, and 4:2:0 when downstream asks for RGB). 4:2:0
    // differs most: zune-jpeg upsamples chroma with a triangle filter, FFmpeg replicates,
    // and testsrc2's saturated 1-pixel colour edges at 64x48 show it.
    let rgb = "jpegdec ! video/x-raw,format=RGB";
    for (name, chain, format, pixel, min_db) in [
        ("420", rgb, "RGB", 3, 22.0),
        ("444", "jpegdec", "RGB", 3, 30.0),
        ("gray", "jpegdec", "GRAY8", 1, 30.0),
        ("420_progressive", "jpegdec", "RGB", 3, 22.0),
    ] {
        let out = decode_file(&format!("jpeg_{name}.jpg"), chain, 5)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.str("format"), format, "{name}");
        assert_eq!((out.int("width"), out.int("height")), (64, 48), "{name}");
        let ours = out.buffers[0].data();
        assert_eq!(ours.len(), 64 * pixel * 48);
        let theirs = read_fixture(&format!("jpeg_{name}.raw"));
        // Different IDCTs and chroma upsampling: close, not equal.
        let db = psnr(ours, &theirs);
        assert!(
            db > min_db,
            "{name}: PSNR {db:.1} dB against FFmpeg's decode"
        );
    }
}

/// The largest difference between GStreamer-layout I420 `ours` and tightly packed
/// `theirs` of a `w` x `h` picture, plane by plane.
fn i420_max_diff(ours: &[u8], theirs: &[u8], w: usize, h: usize) -> u8 {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (ys, cs) = (w.next_multiple_of(4), cw.next_multiple_of(4));
    let u = ys * h.next_multiple_of(2);
    let planes = [(0, ys, w, h, 0), (u, cs, cw, ch, w * h)];
    let planes = planes
        .into_iter()
        .chain([(u + cs * ch, cs, cw, ch, w * h + cw * ch)]);
    let mut max = 0;
    for (offset, stride, pw, ph, packed) in planes {
        for r in 0..ph {
            let a = &ours[offset + r * stride..][..pw];
            let b = &theirs[packed + r * pw..][..pw];
            for (x, y) in a.iter().zip(b) {
                max = max.max(x.abs_diff(*y));
            }
        }
    }
    max
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baseline_420_decodes_to_i420_within_one_of_the_integer_idct() {
    // Our own decoder: planes straight from the IDCT, no upsampling or colour
    // conversion, like GStreamer's jpegdec. FFmpeg's integer IDCT (libjpeg's jrevdct)
    // rounds within 1 of libjpeg-turbo's, which ours matches (see docs/benchmarks.md
    // and the luma test below).
    for (name, w, h) in [("420", 64usize, 48usize), ("420_odd_restart", 37, 23)] {
        let out = decode_file(
            &format!("jpeg_{name}.jpg"),
            "jpegdec idct-method=islow",
            100,
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.str("format"), "I420", "{name}");
        assert_eq!((out.int("width"), out.int("height")), (w as i64, h as i64));
        let ours = out.buffers[0].data();
        let (ys, cs) = (w.next_multiple_of(4), w.div_ceil(2).next_multiple_of(4));
        let rows = h.next_multiple_of(2);
        assert_eq!(ours.len(), ys * rows + 2 * cs * (rows / 2), "{name}");
        let theirs = read_fixture(&format!("jpeg_{name}.i420"));
        let max = i420_max_diff(ours, &theirs, w, h);
        assert!(max <= 1, "{name}: a sample differs by {max} from FFmpeg's");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn luma_equals_djpeg_for_each_idct_method() {
    // Our own decoder against libjpeg-turbo's `djpeg -grayscale` with the same IDCT:
    // `ifast` (the default, as in GStreamer) is `-dct fast`, `islow` is `-dct int`.
    for (chain, dct) in [
        ("jpegdec", "fast"),
        ("jpegdec idct-method=ifast", "fast"),
        ("jpegdec idct-method=islow", "int"),
    ] {
        for (name, w, h, format) in [
            ("420", 64usize, 48usize, "I420"),
            ("420_odd_restart", 37, 23, "I420"),
            ("gray", 64, 48, "GRAY8"),
        ] {
            let out = decode_file(&format!("jpeg_{name}.jpg"), chain, 100)
                .await
                .unwrap_or_else(|e| panic!("{name} {chain}: {e}"));
            assert_eq!(out.str("format"), format, "{name} {chain}");
            let luma = unpad(out.buffers[0].data(), w, w.next_multiple_of(4), h);
            let theirs = read_fixture(&format!("jpeg_{name}_djpeg_{dct}.y"));
            assert!(
                luma == theirs,
                "{name} {chain}: luma differs from djpeg -dct {dct}"
            );
        }
    }
    // The two methods do give different pictures, so the property takes effect.
    let fast = read_fixture("jpeg_420_djpeg_fast.y");
    assert_ne!(fast, read_fixture("jpeg_420_djpeg_int.y"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpegdec_refuses_an_idct_method_it_does_not_have() {
    // GStreamer's `float` is not offered (see docs/elements-codecs.md).
    let Err(err) = decode_file("jpeg_420.jpg", "jpegdec idct-method=float", 100).await else {
        panic!("idct-method=float accepted");
    };
    assert!(err.contains("idct-method"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpegs_back_to_back_decode_the_same_in_any_chunking() {
    // Whole files are decoded where they lie in a buffer and split ones through the
    // queue: one byte at a time, files straddling buffers, several per buffer and all
    // in one must give the same pictures in the same order.
    let (a, b) = (read_fixture("jpeg_420.jpg"), read_fixture("jpeg_444.jpg"));
    let single = |f: &'static str| async move {
        decode_file(f, "jpegdec", 1 << 20).await.unwrap().buffers[0]
            .data()
            .to_vec()
    };
    let (pa, pb) = (single("jpeg_420.jpg").await, single("jpeg_444.jpg").await);
    assert!(pa != pb, "the two fixtures decode to different pictures");
    let stream = [&a, &b, &a, &b, &a].map(|f| f.as_slice()).concat();
    for chunk in [1, 777, a.len() + 1, a.len() * 2 + 7, stream.len()] {
        let out = decode_bytes("image/jpeg", "jpegdec", &stream, chunk)
            .await
            .unwrap_or_else(|e| panic!("chunks of {chunk}: {e}"));
        let got: Vec<&[u8]> = out.buffers.iter().map(|p| p.data()).collect();
        let want = [&pa, &pb, &pa, &pb, &pa].map(|p| p.as_slice());
        assert!(got == want, "chunks of {chunk}: pictures differ");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progressive_and_baseline_jpeg_agree() {
    // Both through zune-jpeg (RGB): our own decoder takes only the baseline one.
    let rgb = "jpegdec ! video/x-raw,format=RGB";
    let base = decode_file("jpeg_420.jpg", rgb, 4096).await.unwrap();
    let prog = decode_file("jpeg_420_progressive.jpg", rgb, 4096)
        .await
        .unwrap();
    // jpegtran only re-orders the same coefficients, so the pixels are identical.
    assert!(base.buffers[0].data() == prog.buffers[0].data());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_images_fail_cleanly_naming_the_element_and_offset() {
    // jpeg_420 goes through our own decoder, jpeg_444 through zune-jpeg.
    for (file, element) in [
        ("png_rgb24.png", "pngdec"),
        ("jpeg_444.jpg", "jpegdec"),
        ("jpeg_420.jpg", "jpegdec"),
        ("jpeg_420_odd_restart.jpg", "jpegdec"),
    ] {
        for (what, data) in damaged(&read_fixture(file)) {
            let caps = if element == "pngdec" {
                "image/png"
            } else {
                "image/jpeg"
            };
            match decode_bytes(caps, element, &data, 64).await {
                Err(e) => assert_clean_error(&e, element, what),
                // Flipped bits inside JPEG entropy data still decode (to other pixels);
                // what matters is that nothing panicked or hung.
                Ok(out) => assert!(
                    what == "bit-flipped" && element == "jpegdec" && out.buffers.len() == 1,
                    "{element} accepted {what} input"
                ),
            }
        }
    }
}
