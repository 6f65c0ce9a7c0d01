//! pngenc and jpegenc (feature `image`): what they write decodes with independent
//! decoders (the `png` crate, zune-jpeg) to the pixels that went in.

use crate::codecs_support::{psnr, rgba_picture, run_chain};

fn caps(format: &str, w: usize, h: usize) -> String {
    format!("video/x-raw,format={format},width={w},height={h},framerate=30/1")
}

fn decode_png(data: &[u8]) -> (png::OutputInfo, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(data))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info, buf)
}

/// `w` x `h` test samples of `bytes_per_pixel`, rows padded to `stride`.
fn samples(w: usize, h: usize, bytes_per_pixel: usize, stride: usize) -> (Vec<u8>, Vec<u8>) {
    let mut frame = vec![0u8; stride * h];
    let mut packed = Vec::new();
    for y in 0..h {
        for x in 0..w * bytes_per_pixel {
            let v = ((x * 37 + y * 101) ^ (x * y)) as u8;
            frame[y * stride + x] = v;
            packed.push(v);
        }
    }
    (frame, packed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn png_round_trips_bit_exact_for_every_format() {
    let (w, h) = (13, 7);
    // (format, bytes per pixel, stride, colour, depth, 16-bit little-endian)
    let cases = [
        (
            "GRAY8",
            1,
            16,
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            false,
        ),
        (
            "GRAY16_BE",
            2,
            28,
            png::ColorType::Grayscale,
            png::BitDepth::Sixteen,
            false,
        ),
        (
            "GRAY16_LE",
            2,
            28,
            png::ColorType::Grayscale,
            png::BitDepth::Sixteen,
            true,
        ),
        (
            "RGB",
            3,
            40,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            false,
        ),
        (
            "RGBA",
            4,
            52,
            png::ColorType::Rgba,
            png::BitDepth::Eight,
            false,
        ),
        (
            "RGBA64_BE",
            8,
            104,
            png::ColorType::Rgba,
            png::BitDepth::Sixteen,
            false,
        ),
        (
            "RGBA64_LE",
            8,
            104,
            png::ColorType::Rgba,
            png::BitDepth::Sixteen,
            true,
        ),
    ];
    for (format, bpp, stride, color, depth, le) in cases {
        let (frame, mut packed) = samples(w, h, bpp, stride);
        for level in [0, 1, 6, 9] {
            let out = run_chain(
                &caps(format, w, h),
                &format!("pngenc compression-level={level}"),
                std::slice::from_ref(&frame),
            )
            .await
            .unwrap();
            let s = out.caps.structure(0).unwrap();
            assert_eq!(s.name(), "image/png");
            assert_eq!(
                (s.get_int("width"), s.get_int("height")),
                (Some(13), Some(7))
            );
            let (info, pixels) = decode_png(out.buffers[0].data());
            assert_eq!(
                (info.color_type, info.bit_depth),
                (color, depth),
                "{format}"
            );
            if le {
                // PNG is big-endian: the decoder's bytes are the input's, swapped.
                for pair in packed.chunks_exact_mut(2) {
                    pair.swap(0, 1);
                }
            }
            assert_eq!(pixels, packed, "{format} level {level}");
            if le {
                for pair in packed.chunks_exact_mut(2) {
                    pair.swap(0, 1);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn png_of_a_videotestsrc_stream_keeps_timestamps() {
    let frames = vec![rgba_picture(32, 16); 3];
    let out = run_chain(&caps("RGBA", 32, 16), "pngenc", &frames)
        .await
        .unwrap();
    assert_eq!(out.buffers.len(), 3);
    let pts: Vec<u64> = out
        .buffers
        .iter()
        .map(|b| b.meta().pts.unwrap().0)
        .collect();
    assert_eq!(pts, [0, 10_000_000, 20_000_000]);
    assert!(
        out.buffers
            .iter()
            .all(|b| b.data().starts_with(b"\x89PNG\r\n\x1a\n"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn png_refuses_truncated_frames_and_unknown_formats() {
    let err = run_chain(&caps("RGB", 16, 16), "pngenc", &[vec![0; 10]])
        .await
        .err()
        .unwrap();
    assert!(
        err.contains("pngenc") && err.contains("shorter than one frame"),
        "{err}"
    );
    let err = run_chain(&caps("NV12", 16, 16), "pngenc", &[vec![0; 384]])
        .await
        .err()
        .unwrap();
    // Refused at negotiation: appsrc's caps meet nothing pngenc accepts.
    assert!(err.contains("downstream accepts none"), "{err}");
}

fn decode_jpeg(data: &[u8]) -> (usize, usize, Vec<u8>) {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data), options);
    let pixels = decoder.decode().unwrap();
    let (w, h) = decoder.dimensions().unwrap();
    (w, h, pixels)
}

fn rgb_of(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpeg_decodes_close_to_the_input() {
    let (w, h) = (64, 48);
    // Smooth content, as photos are: JPEG's 4:2:0 and quantisation are meant for it.
    let rgba: Vec<u8> = (0..w * h)
        .flat_map(|i| {
            let (x, y) = (i % w, i / w);
            [(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8, 255]
        })
        .collect();
    let reference = rgb_of(&rgba);
    for format in ["RGBA", "RGB", "I420", "NV12"] {
        let chain = format!("videoconvert ! video/x-raw,format={format} ! jpegenc quality=90");
        let out = run_chain(&caps("RGBA", w, h), &chain, std::slice::from_ref(&rgba))
            .await
            .unwrap();
        assert_eq!(out.caps.structure(0).unwrap().name(), "image/jpeg");
        let (dw, dh, pixels) = decode_jpeg(out.buffers[0].data());
        assert_eq!((dw, dh), (w, h));
        let db = psnr(&pixels, &reference);
        assert!(db > 35.0, "{format}: PSNR {db:.1} dB");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpeg_quality_trades_size() {
    let (w, h) = (64, 48);
    let rgba = rgba_picture(w, h);
    let mut sizes = Vec::new();
    for q in [10, 95] {
        let out = run_chain(
            &caps("RGBA", w, h),
            &format!("jpegenc quality={q}"),
            std::slice::from_ref(&rgba),
        )
        .await
        .unwrap();
        sizes.push(out.buffers[0].len());
    }
    assert!(sizes[0] < sizes[1], "{sizes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpeg_gray_and_hd_colours() {
    // GRAY8 stays gray.
    let gray = vec![200u8; 16 * 8];
    let out = run_chain(&caps("GRAY8", 16, 8), "jpegenc", &[gray])
        .await
        .unwrap();
    let (_, _, px) = decode_jpeg(out.buffers[0].data());
    assert!(px.iter().all(|&v| v.abs_diff(200) <= 2), "{:?}", &px[..6]);
    // BT.709 red (a 720-line frame) must decode red.
    let (w, h) = (16, 720);
    let mut frame = vec![63u8; w * h];
    frame.extend(std::iter::repeat_n(102u8, w / 2 * h / 2));
    frame.extend(std::iter::repeat_n(240u8, w / 2 * h / 2));
    let out = run_chain(&caps("I420", w, h), "jpegenc", &[frame])
        .await
        .unwrap();
    let (_, _, px) = decode_jpeg(out.buffers[0].data());
    assert!(px[0] >= 245 && px[1] <= 10 && px[2] <= 10, "{:?}", &px[..3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jpeg_refuses_truncated_frames() {
    let err = run_chain(&caps("I420", 16, 16), "jpegenc", &[vec![0; 100]])
        .await
        .err()
        .unwrap();
    assert!(
        err.contains("jpegenc") && err.contains("shorter than one frame"),
        "{err}"
    );
}
