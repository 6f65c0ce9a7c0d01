//! `videotestsrc` and `audiotestsrc`: negotiated caps, GStreamer frame layouts and
//! colours, timestamps, waveforms, and the errors users see.

use std::time::{Duration, Instant};

use parallax::Pipeline;
use parallax::core::{Buffer, Caps, ClockTime, Fraction};
use parallax::elements::AppSinkHandle;

/// Runs `desc` (which must end in `appsink name=sink`) to the end and returns every
/// buffer that reached the sink. Keep streams within the source's 32-buffer pool: the
/// sink holds every buffer until the test pulls it.
async fn run_to_sink(desc: &str) -> Vec<Buffer> {
    let mut p = Pipeline::parse(desc).unwrap();
    let sink = p.handle::<AppSinkHandle>("sink").unwrap();
    p.run().await.unwrap();
    std::iter::from_fn(|| sink.try_pull()).collect()
}

/// The negotiated caps of the first link of `desc`, and the buffers and bytes that
/// reached `fakesink0`, after a run.
async fn first_link_caps(desc: &str) -> (Caps, (Option<u64>, Option<u64>)) {
    let mut p = Pipeline::parse(desc).unwrap();
    let summary = p.run().await.unwrap();
    let caps = p.links()[0].caps.clone().unwrap();
    (
        caps,
        (summary.buffers("fakesink0"), summary.bytes("fakesink0")),
    )
}

/// GStreamer's `GST_ROUND_UP_N`.
fn round_up(v: usize, n: usize) -> usize {
    v.div_ceil(n) * n
}

/// GStreamer's I420 frame size (`video-info.c`), written out independently of the
/// element: luma stride rounded to 4, chroma stride `round_up_4(round_up_2(w) / 2)`,
/// an even number of luma rows.
fn gst_i420_size(w: usize, h: usize) -> usize {
    let y_stride = round_up(w, 4);
    let c_stride = round_up(round_up(w, 2) / 2, 4);
    let rows = round_up(h, 2);
    y_stride * rows + 2 * c_stride * (rows / 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_video_caps_are_gstreamers_320x240_i420_at_30fps() {
    let (caps, counts) = first_link_caps("videotestsrc num-buffers=2 ! fakesink").await;
    let s = caps.structure(0).unwrap();
    assert!(caps.is_fixed(), "{caps}");
    assert_eq!(s.name(), "video/x-raw");
    assert_eq!(s.get_str("format"), Some("I420"));
    assert_eq!(
        (s.get_int("width"), s.get_int("height")),
        (Some(320), Some(240))
    );
    assert_eq!(s.get_fraction("framerate"), Some(Fraction::new(30, 1)));
    assert_eq!(counts, (Some(2), Some(2 * 115_200)));
    assert_eq!(115_200, 320 * 240 * 3 / 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rgba_caps_filter_gives_frames_of_that_size() {
    let mut p = Pipeline::parse(
        "videotestsrc num-buffers=3 ! video/x-raw,format=RGBA,width=64,height=48 ! fakesink",
    )
    .unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(3));
    assert_eq!(summary.bytes("fakesink0"), Some(3 * 64 * 48 * 4));
    let caps = p.links()[0].caps.clone().unwrap();
    let s = caps.structure(0).unwrap();
    assert_eq!(s.get_fraction("framerate"), Some(Fraction::new(30, 1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_sizes_match_gstreamers_strides() {
    let (w, h) = (33, 17);
    let expected = [
        ("I420", gst_i420_size(w, h)),
        // NV12: luma stride for both planes, half as many chroma rows.
        ("NV12", round_up(w, 4) * round_up(h, 2) * 3 / 2),
        ("RGB", round_up(w * 3, 4) * h),
        ("RGBA", w * 4 * h),
        ("GRAY8", round_up(w, 4) * h),
    ];
    assert_eq!(expected[0].1, 1008, "36 * 18 + 2 * 20 * 9");
    for (format, size) in expected {
        let mut p = Pipeline::parse(&format!(
            "videotestsrc num-buffers=2 ! video/x-raw,format={format},width={w},height={h} ! fakesink"
        ))
        .unwrap();
        let summary = p.run().await.unwrap();
        assert_eq!(
            summary.bytes("fakesink0"),
            Some(2 * size as u64),
            "{format}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pattern_runs_in_every_format_at_odd_sizes() {
    let patterns = [
        "smpte",
        "snow",
        "black",
        "white",
        "red",
        "green",
        "blue",
        "checkers-1",
        "checkers-2",
        "checkers-4",
        "checkers-8",
        "blink",
        "smpte75",
        "solid-color",
        "ball",
        "smpte100",
        "bar",
        // Coloured snow and ball: chroma varies with the level (0xffff0000 over 0xff0000ff).
        "snow foreground-color=4294901760 background-color=4278190335",
        "ball foreground-color=4294901760 background-color=4278190335",
    ];
    for format in ["I420", "NV12", "RGBA", "RGB", "GRAY8"] {
        for (w, h) in [(1, 1), (33, 17), (7, 2)] {
            let desc = format!(
                "videotestsrc pattern={{}} num-buffers=2 ! video/x-raw,format={format},width={w},height={h} ! fakesink"
            );
            for pattern in patterns {
                let mut p = Pipeline::parse(&desc.replace("{}", pattern)).unwrap();
                let summary = p.run().await.unwrap();
                assert_eq!(
                    summary.buffers("fakesink0"),
                    Some(2),
                    "{pattern} {format} {w}x{h}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn black_rgba_is_opaque_black() {
    let frames = run_to_sink(
        "videotestsrc pattern=black num-buffers=1 ! video/x-raw,format=RGBA,width=16,height=8 ! appsink name=sink",
    )
    .await;
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].len(), 16 * 8 * 4);
    assert!(
        frames[0]
            .data()
            .chunks_exact(4)
            .all(|p| p == [0, 0, 0, 255])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn white_i420_is_limited_range_white() {
    let (w, h) = (16, 8);
    let frames = run_to_sink(&format!(
        "videotestsrc pattern=white num-buffers=1 ! video/x-raw,format=I420,width={w},height={h} ! appsink name=sink"
    ))
    .await;
    let data = frames[0].data();
    assert_eq!(data.len(), gst_i420_size(w, h));
    let (luma, chroma) = data.split_at(w * h);
    assert!(luma.iter().all(|y| *y == 235));
    assert!(chroma.iter().all(|c| *c == 128));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gray8_white_is_bt601_luma() {
    // GStreamer paints GRAY8 from the BT.601 Y' values, so white is 235, not 255.
    let frames = run_to_sink(
        "videotestsrc pattern=white num-buffers=1 ! video/x-raw,format=GRAY8,width=4,height=2 ! appsink name=sink",
    )
    .await;
    assert_eq!(frames[0].data(), &[235; 8]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smpte_bars_use_gstreamers_colours() {
    // GStreamer's `smpte` pattern is the *100%* bars ("SMPTE 100% color bars"): its first
    // bar is full white. The 75% bars (first bar 191, 191, 191) are `smpte75`.
    let (w, h) = (70, 12);
    let pixel = |frame: &Buffer, x: usize, y: usize| -> [u8; 4] {
        let i = (y * w + x) * 4;
        frame.data()[i..i + 4].try_into().unwrap()
    };
    let smpte = run_to_sink(&format!(
        "videotestsrc num-buffers=1 ! video/x-raw,format=RGBA,width={w},height={h} ! appsink name=sink"
    ))
    .await;
    assert_eq!(pixel(&smpte[0], 0, 0), [255, 255, 255, 255], "100% white");
    assert_eq!(pixel(&smpte[0], 15, 0), [255, 255, 0, 255], "yellow");
    assert_eq!(pixel(&smpte[0], w - 1, 0), [0, 0, 255, 255], "blue");
    assert_eq!(
        pixel(&smpte[0], 0, 8),
        [0, 0, 255, 255],
        "middle strip starts blue"
    );
    assert_eq!(pixel(&smpte[0], 0, h - 1), [0, 0, 128, 255], "-I");
    assert_eq!(pixel(&smpte[0], 12, h - 1), [255, 255, 255, 255], "white");
    assert_eq!(pixel(&smpte[0], 36, h - 1), [0, 0, 0, 255], "super black");

    let smpte75 = run_to_sink(&format!(
        "videotestsrc pattern=smpte75 num-buffers=1 ! video/x-raw,format=RGBA,width={w},height={h} ! appsink name=sink"
    ))
    .await;
    assert_eq!(pixel(&smpte75[0], 0, 0), [191, 191, 191, 255], "75% white");
    assert_eq!(
        pixel(&smpte75[0], 0, h - 1),
        [191, 191, 191, 255],
        "full height"
    );

    let i420 = run_to_sink(
        "videotestsrc pattern=smpte75 num-buffers=1 ! video/x-raw,format=I420,width=70,height=12 ! appsink name=sink",
    )
    .await;
    assert_eq!(i420[0].data()[0], 180, "BT.601 75% white luma");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkers_alternate_red_and_green() {
    let frames = run_to_sink(
        "videotestsrc pattern=checkers-1 num-buffers=1 ! video/x-raw,format=RGB,width=4,height=2 ! appsink name=sink",
    )
    .await;
    // RGB rows are padded to 4 bytes: 12 bytes per row here.
    let data = frames[0].data();
    assert_eq!(&data[..6], &[255, 0, 0, 0, 255, 0]);
    assert_eq!(&data[12..18], &[0, 255, 0, 255, 0, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snow_changes_every_frame() {
    let frames = run_to_sink(
        "videotestsrc pattern=snow num-buffers=2 ! video/x-raw,format=RGBA,width=64,height=48 ! appsink name=sink",
    )
    .await;
    assert_eq!(frames.len(), 2);
    assert_ne!(frames[0].data(), frames[1].data());
    let first = frames[0].data();
    // Grey snow: R = G = B, opaque, and not one flat level.
    assert!(
        first
            .chunks_exact(4)
            .all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 255)
    );
    assert!(first.chunks_exact(4).any(|p| p[0] != first[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coloured_snow_blends_foreground_and_background_chroma() {
    // Red (BT.601 V = 240) over blue (V = 110): every chroma sample lies between them.
    let (w, h) = (16, 8);
    let frames = run_to_sink(&format!(
        "videotestsrc pattern=snow foreground-color=4294901760 background-color=4278190335 \
         num-buffers=1 ! video/x-raw,format=I420,width={w},height={h} ! appsink name=sink"
    ))
    .await;
    let v_plane = &frames[0].data()[w * h + (w / 2) * (h / 2)..];
    assert_eq!(v_plane.len(), (w / 2) * (h / 2));
    assert!(
        v_plane.iter().all(|v| (110..=240).contains(v)),
        "{v_plane:?}"
    );
    assert!(v_plane.iter().any(|v| *v != v_plane[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ball_moves_over_the_background() {
    let frames = run_to_sink(
        "videotestsrc pattern=ball num-buffers=30 ! video/x-raw,format=RGBA,width=320,height=240 ! appsink name=sink",
    )
    .await;
    let pixel = |frame: &Buffer, x: usize, y: usize| -> [u8; 4] {
        let i = (y * 320 + x) * 4;
        frame.data()[i..i + 4].try_into().unwrap()
    };
    // Frame 0: the ball is centred (GStreamer's wavy motion starts mid-frame).
    assert_eq!(pixel(&frames[0], 160, 120), [255, 255, 255, 255]);
    assert_eq!(pixel(&frames[0], 0, 0), [0, 0, 0, 255]);
    assert_ne!(frames[0].data(), frames[29].data());
    // The old position is background again once the ball has moved on.
    assert_eq!(pixel(&frames[29], 160, 120), [0, 0, 0, 255]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_timestamps_follow_the_framerate() {
    let frames = run_to_sink(
        "videotestsrc num-buffers=4 ! video/x-raw,width=8,height=8 ! appsink name=sink",
    )
    .await;
    assert_eq!(frames.len(), 4);
    for (n, frame) in frames.iter().enumerate() {
        let n = n as u64;
        let meta = frame.meta();
        // n * 1/30 s rounded down from the exact product, as GStreamer's
        // `gst_util_uint64_scale`: 33333333 ns per frame without accumulating error.
        assert_eq!(meta.pts, Some(ClockTime::scale(n, 1, 30)), "frame {n}");
        let end = ClockTime::scale(n + 1, 1, 30);
        assert_eq!(
            meta.duration,
            Some(ClockTime(end.0 - ClockTime::scale(n, 1, 30).0))
        );
        assert_eq!((meta.offset, meta.offset_end), (Some(n), Some(n + 1)));
    }
    let pts: Vec<u64> = frames.iter().map(|f| f.meta().pts.unwrap().0).collect();
    assert_eq!(pts, [0, 33_333_333, 66_666_666, 100_000_000]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_framerate_is_one_still_frame() {
    let frames = run_to_sink(
        "videotestsrc ! video/x-raw,width=8,height=8,framerate=0/1 ! appsink name=sink",
    )
    .await;
    assert_eq!(frames.len(), 1, "GStreamer sends one frame, then EOS");
    assert_eq!(frames[0].meta().pts, Some(ClockTime(0)));
    assert_eq!(frames[0].meta().duration, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_video_is_paced_by_the_clock() {
    let mut p = Pipeline::parse(
        "videotestsrc is-live=true num-buffers=4 ! video/x-raw,width=8,height=8 ! fakesink",
    )
    .unwrap();
    let started = Instant::now();
    p.run().await.unwrap();
    // The fourth frame is due at 100 ms.
    assert!(started.elapsed() >= Duration::from_millis(95));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pattern_takes_gstreamer_nicks_and_numbers() {
    let p = Pipeline::parse("videotestsrc name=src pattern=18 ! fakesink").unwrap();
    assert_eq!(p.property("src", "pattern").unwrap().to_string(), "ball");
    let err = Pipeline::parse("videotestsrc pattern=zone-plate ! fakesink").unwrap_err();
    assert!(err.to_string().contains("pattern"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_format_fails_naming_both_elements_and_the_field() {
    let mut p = Pipeline::parse("videotestsrc ! video/x-raw,format=YUY2 ! fakesink").unwrap();
    let err = p.validate().unwrap_err().to_string();
    assert!(err.contains("videotestsrc0"), "{err}");
    assert!(err.contains("capsfilter0"), "{err}");
    assert!(err.contains("format"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frames_are_refused_at_negotiation() {
    let mut p = Pipeline::parse(
        "videotestsrc ! video/x-raw,format=RGBA,width=16384,height=16384 ! fakesink",
    )
    .unwrap();
    let err = p.validate().unwrap_err().to_string();
    assert!(
        err.contains("videotestsrc0") && err.contains("limit"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_audio_is_s16le_44100_stereo_in_4096_byte_buffers() {
    let (caps, counts) = first_link_caps("audiotestsrc num-buffers=3 ! fakesink").await;
    let s = caps.structure(0).unwrap();
    assert!(caps.is_fixed(), "{caps}");
    assert_eq!(s.get_str("format"), Some("S16LE"));
    assert_eq!(s.get_str("layout"), Some("interleaved"));
    assert_eq!(
        (s.get_int("rate"), s.get_int("channels")),
        (Some(44100), Some(2))
    );
    assert_eq!(counts, (Some(3), Some(3 * 4096)));
}

/// S16LE samples of every buffer, concatenated.
fn s16(buffers: &[Buffer]) -> Vec<i16> {
    buffers
        .iter()
        .flat_map(|b| {
            b.data()
                .chunks_exact(2)
                .map(|s| i16::from_le_bytes([s[0], s[1]]))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sine_peaks_at_volume_times_full_scale() {
    let buffers = run_to_sink("audiotestsrc num-buffers=4 ! appsink name=sink").await;
    let samples = s16(&buffers);
    assert_eq!(samples.len(), 4 * 1024 * 2);
    let peak = f64::from(samples.iter().map(|s| s.unsigned_abs()).max().unwrap());
    let expected = 0.8 * 32767.0;
    assert!((peak - expected).abs() <= expected * 0.01, "peak {peak}");
    assert!(
        samples.chunks_exact(2).all(|f| f[0] == f[1]),
        "channels carry the same signal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_is_all_zeros() {
    let buffers = run_to_sink("audiotestsrc wave=silence num-buffers=2 ! appsink name=sink").await;
    assert_eq!(buffers.len(), 2);
    assert!(
        buffers
            .iter()
            .all(|b| b.len() == 4096 && b.data().iter().all(|v| *v == 0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_timestamps_count_samples() {
    let buffers = run_to_sink("audiotestsrc num-buffers=5 ! appsink name=sink").await;
    for (n, b) in buffers.iter().enumerate() {
        let first = n as u64 * 1024;
        let meta = b.meta();
        assert_eq!(
            meta.pts,
            Some(ClockTime::scale(first, 1, 44100)),
            "buffer {n}"
        );
        let end = ClockTime::scale(first + 1024, 1, 44100);
        assert_eq!(
            meta.duration.map(|d| meta.pts.unwrap().0 + d.0),
            Some(end.0)
        );
        assert_eq!(
            (meta.offset, meta.offset_end),
            (Some(first), Some(first + 1024))
        );
    }
    assert_eq!(buffers[1].meta().pts, Some(ClockTime(23_219_954)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_caps_and_samplesperbuffer_shape_buffers() {
    let buffers = run_to_sink(
        "audiotestsrc samplesperbuffer=100 num-buffers=2 wave=square volume=0.5 ! audio/x-raw,format=F32LE,channels=1,rate=8000 ! appsink name=sink",
    )
    .await;
    assert_eq!(buffers.len(), 2);
    assert_eq!(buffers[0].len(), 100 * 4);
    let first = f32::from_le_bytes(buffers[0].data()[..4].try_into().unwrap());
    assert_eq!(first, 0.5);
    assert_eq!(buffers[1].meta().pts, Some(ClockTime::scale(100, 1, 8000)));
}
