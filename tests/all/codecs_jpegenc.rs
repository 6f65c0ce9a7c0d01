//! jpegenc's own encoder against independent decoders (zune-jpeg and FFmpeg): every
//! input format it takes, odd sizes, every quality, and the restart markers of striped
//! frames.

use std::process::Command;

use crate::codecs_support::{psnr, run_chain};

fn round_up(v: usize, n: usize) -> usize {
    v.div_ceil(n) * n
}

/// A raw frame in GStreamer's layout and the RGB (or gray) a JFIF decoder should give.
struct Frame {
    caps: String,
    data: Vec<u8>,
    reference: Vec<u8>,
    gray: bool,
}

/// Smooth luma and chroma (as photos are: what JPEG is meant for), limited range: waves
/// of a fixed size whatever the frame's, so small frames are no steeper.
fn yuv_at(x: usize, y: usize) -> (f64, f64, f64) {
    let (fx, fy) = (
        x as f64 * std::f64::consts::TAU,
        y as f64 * std::f64::consts::TAU,
    );
    (
        120.0 + 70.0 * (fx / 90.0).sin() * (fy / 70.0).cos() + 20.0 * (fy / 50.0).sin(),
        128.0 + 60.0 * (fx / 160.0 + 1.0).sin(),
        128.0 + 50.0 * (fy / 120.0).cos() * (fx / 200.0).cos(),
    )
}

/// JFIF RGB of a limited-range pixel with luma weights `kr`, `kb`.
fn rgb_of(y: u8, u: u8, v: u8, (kr, kb): (f64, f64)) -> [u8; 3] {
    let kg = 1.0 - kr - kb;
    let yf = (f64::from(y) - 16.0) * 255.0 / 219.0;
    let (cb, cr) = (
        (f64::from(u) - 128.0) * 255.0 / 224.0,
        (f64::from(v) - 128.0) * 255.0 / 224.0,
    );
    let r = yf + 2.0 * (1.0 - kr) * cr;
    let b = yf + 2.0 * (1.0 - kb) * cb;
    let g = yf - 2.0 * kb * (1.0 - kb) / kg * cb - 2.0 * kr * (1.0 - kr) / kg * cr;
    [r, g, b].map(|c| c.round().clamp(0.0, 255.0) as u8)
}

/// A `w` x `h` frame of `format` (I420, NV12 or GRAY8); `bt709` picks the colorimetry
/// the caps announce (GStreamer's default otherwise: BT.601 up to 576 lines).
fn frame(format: &str, w: usize, h: usize, bt709: bool) -> Frame {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let ys = round_up(w, 4);
    let luma = |x, y| yuv_at(x, y).0.round() as u8;
    let chroma = |x: usize, y: usize| {
        let (_, u, v) = yuv_at(x * 2, y * 2);
        (u.round() as u8, v.round() as u8)
    };
    let mut reference = Vec::new();
    let weights = if bt709 || h > 576 {
        (0.2126, 0.0722)
    } else {
        (0.299, 0.114)
    };
    let data = match format {
        "GRAY8" => {
            let mut data = vec![0; ys * h];
            for y in 0..h {
                for x in 0..w {
                    data[y * ys + x] = luma(x, y);
                    reference.push(luma(x, y));
                }
            }
            data
        }
        "I420" | "NV12" => {
            let rows = round_up(h, 2);
            let cs = if format == "I420" {
                round_up(round_up(w, 2) / 2, 4)
            } else {
                ys
            };
            let planes = if format == "I420" { 2 } else { 1 };
            let mut data = vec![0; ys * rows + cs * rows / 2 * planes];
            let (u_off, v_off) = (ys * rows, ys * rows + cs * rows / 2);
            for y in 0..h {
                for x in 0..w {
                    data[y * ys + x] = luma(x, y);
                    let (u, v) = chroma(x / 2, y / 2);
                    reference.extend(rgb_of(luma(x, y), u, v, weights));
                }
            }
            for y in 0..ch {
                for x in 0..cw {
                    let (u, v) = chroma(x, y);
                    if format == "I420" {
                        data[u_off + y * cs + x] = u;
                        data[v_off + y * cs + x] = v;
                    } else {
                        data[u_off + y * cs + 2 * x] = u;
                        data[u_off + y * cs + 2 * x + 1] = v;
                    }
                }
            }
            data
        }
        other => panic!("no test frames for {other}"),
    };
    let colorimetry = if bt709 { ",colorimetry=bt709" } else { "" };
    Frame {
        caps: format!(
            "video/x-raw,format={format},width={w},height={h},framerate=30/1{colorimetry}"
        ),
        data,
        reference,
        gray: format == "GRAY8",
    }
}

async fn encode(f: &Frame, quality: u32) -> Vec<u8> {
    let out = run_chain(
        &f.caps,
        &format!("jpegenc quality={quality}"),
        std::slice::from_ref(&f.data),
    )
    .await
    .unwrap();
    assert_eq!(out.buffers.len(), 1, "{}: {} bytes", f.caps, f.data.len());
    out.buffers[0].data().to_vec()
}

fn decode_zune(jpeg: &[u8], gray: bool) -> (usize, usize, Vec<u8>) {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let space = if gray {
        ColorSpace::Luma
    } else {
        ColorSpace::RGB
    };
    let options = DecoderOptions::default().jpeg_set_out_colorspace(space);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(jpeg), options);
    let pixels = decoder.decode().unwrap();
    let (w, h) = decoder.dimensions().unwrap();
    (w, h, pixels)
}

/// FFmpeg's decode of `jpeg` as packed RGB or gray; it must print no error (a bad
/// restart marker or a truncated scan shows there).
fn decode_ffmpeg(jpeg: &[u8], gray: bool, name: &str) -> Vec<u8> {
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "parallax-jpegenc-{}-{name}.jpg",
        std::process::id()
    ));
    let raw = path.with_extension("raw");
    std::fs::write(&path, jpeg).unwrap();
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i"])
        .arg(&path)
        .args([
            "-f",
            "rawvideo",
            "-pix_fmt",
            if gray { "gray" } else { "rgb24" },
        ])
        .arg(&raw)
        .output()
        .expect("ffmpeg runs (ci/test.sh installs it)");
    let pixels = std::fs::read(&raw).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&raw);
    assert!(out.status.success(), "{name}: ffmpeg failed");
    assert!(
        out.stderr.is_empty(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pixels
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_and_odd_sizes_decode_close_to_the_source() {
    // Odd sizes and sizes that are not whole MCUs, a single pixel, and one large enough
    // to be cut into stripes.
    let sizes = [(1, 1), (7, 5), (33, 17), (62, 30), (301, 263)];
    for format in ["I420", "NV12", "GRAY8"] {
        for &(w, h) in &sizes {
            for bt709 in [false, true] {
                if format == "GRAY8" && bt709 {
                    continue;
                }
                let name = format!("{format}-{w}x{h}-709{bt709}");
                let f = frame(format, w, h, bt709);
                let jpeg = encode(&f, 90).await;
                let (dw, dh, zune) = decode_zune(&jpeg, f.gray);
                assert_eq!((dw, dh), (w, h), "{name}");
                let ffmpeg = decode_ffmpeg(&jpeg, f.gray, &name);
                // Quality 90 on smooth content: 4:2:0 and quantisation cost a little,
                // the colour conversion nothing visible (this content measured 41-49 dB
                // in colour, 51-53 dB in gray, with either decoder).
                let floor = if f.gray { 48.0 } else { 38.0 };
                for (decoder, pixels) in [("zune-jpeg", &zune), ("ffmpeg", &ffmpeg)] {
                    let db = psnr(pixels, &f.reference);
                    assert!(db > floor, "{name}, {decoder}: PSNR {db:.1} dB");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_quality_gives_a_valid_file_and_quality_buys_fidelity() {
    let f = frame("I420", 48, 40, false);
    let mut sizes = Vec::new();
    let mut fidelity = Vec::new();
    for quality in 0..=100 {
        let jpeg = encode(&f, quality).await;
        let (w, h, pixels) = decode_zune(&jpeg, false);
        assert_eq!((w, h), (48, 40), "quality {quality}");
        sizes.push(jpeg.len());
        fidelity.push(psnr(&pixels, &f.reference));
    }
    // 0 is treated as 1.
    assert_eq!(sizes[0], sizes[1]);
    // Higher quality: larger files and closer pictures, step by step of 10.
    for q in (10..=100).step_by(10) {
        assert!(sizes[q] > sizes[q - 10], "sizes {sizes:?}");
        assert!(fidelity[q] > fidelity[q - 10] - 0.2, "PSNR {fidelity:?}");
    }
    assert!(fidelity[100] > fidelity[50] + 3.0, "PSNR {fidelity:?}");
    assert!(fidelity[50] > fidelity[1] + 3.0, "PSNR {fidelity:?}");
    // A file of quality 1 still shows the picture.
    assert!(fidelity[1] > 20.0, "PSNR {fidelity:?}");
}

/// The restart interval (DRI) and the numbers of the RSTn markers in the scan.
fn restarts(jpeg: &[u8]) -> (Option<u16>, Vec<u8>) {
    let mut pos = 2;
    let mut interval = None;
    loop {
        assert_eq!(jpeg[pos], 0xFF, "segment at {pos}");
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if marker == 0xDD {
            interval = Some(u16::from_be_bytes([jpeg[pos + 4], jpeg[pos + 5]]));
        }
        pos += 2 + len;
        if marker == 0xDA {
            break;
        }
    }
    let mut rst = Vec::new();
    while pos + 1 < jpeg.len() {
        if jpeg[pos] == 0xFF {
            match jpeg[pos + 1] {
                0x00 => {}
                m @ 0xD0..=0xD7 => rst.push(m - 0xD0),
                0xD9 => {
                    assert_eq!(pos + 2, jpeg.len(), "EOI ends the file");
                    return (interval, rst);
                }
                m => panic!("marker {m:#x} inside the scan at {pos}"),
            }
            pos += 2;
        } else {
            pos += 1;
        }
    }
    panic!("no EOI");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn striped_frames_carry_valid_restart_markers() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    for (format, w, h, mcu) in [("I420", 640, 480, 16), ("GRAY8", 500, 301, 8)] {
        let f = frame(format, w, h, false);
        let jpeg = encode(&f, 85).await;
        let (interval, rst) = restarts(&jpeg);
        let mcus = w.div_ceil(mcu) * h.div_ceil(mcu);
        match interval {
            Some(i) => {
                let stripes = mcus.div_ceil(usize::from(i));
                // Two stripes per core, claimed one by one.
                assert!(stripes > 1 && stripes <= 2 * cores, "{format}: {stripes}");
                // One marker between stripes, numbered 0..7 round and round.
                let want: Vec<u8> = (0..stripes - 1).map(|k| (k % 8) as u8).collect();
                assert_eq!(rst, want, "{format}");
            }
            None => {
                assert_eq!(cores, 1, "{format}: a frame of {mcus} MCUs is striped");
                assert!(rst.is_empty());
            }
        }
        let ffmpeg = decode_ffmpeg(&jpeg, f.gray, format);
        let db = psnr(&ffmpeg, &f.reference);
        assert!(db > 38.0, "{format}: PSNR {db:.1} dB");
    }
}
