//! Audio decoders and parsers (feature `audiodec`): wavparse, flacdec, mpg123audiodec,
//! aacdec, oggdemux + vorbisdec on files made by FFmpeg; bit-exact where lossless, close
//! to FFmpeg's decode where lossy; timestamps, chunking and bad input.

use crate::codecs_decode_support::{
    Decoded, assert_clean_error, damaged, decode_bytes, decode_file, decode_path, read_fixture,
};

/// The samples of a 16-bit PCM WAV file (its data chunk; FFmpeg writes a plain header).
fn wav_s16(name: &str) -> Vec<i16> {
    let wav = read_fixture(name);
    let at = wav
        .windows(4)
        .position(|w| w == b"data")
        .expect("data chunk")
        + 8;
    wav[at..]
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn s16(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Timestamps run on without gaps from 0 and the caps say S16LE/F32LE stereo 44.1 kHz.
fn check_stream(out: &Decoded, format: &str) {
    assert_eq!(out.str("format"), format);
    assert_eq!((out.int("rate"), out.int("channels")), (44100, 2));
    assert_eq!(out.str("layout"), "interleaved");
    let mut next = 0;
    for b in &out.buffers {
        let pts = b.meta().pts.expect("pts").nanos();
        assert!(pts.abs_diff(next) <= 1, "gap: {pts} after {next}");
        next = pts + b.meta().duration.expect("duration").nanos();
    }
}

/// Signal-to-noise ratio of `ours` against `reference` (both in [-1, 1]) at the best
/// alignment within `max_lag` frames, in dB.
fn snr_aligned(ours: &[f32], reference: &[f32], max_lag: usize) -> f64 {
    let mut best = f64::NEG_INFINITY;
    for lag in 0..=max_lag * 2 {
        let (a, b) = if lag < max_lag {
            (&ours[(max_lag - lag) * 2..], reference)
        } else {
            (
                ours,
                &reference[(lag - max_lag).min(reference.len() / 2) * 2..],
            )
        };
        let n = a.len().min(b.len());
        if n < 4096 {
            continue;
        }
        let (mut sig, mut err) = (0.0f64, 0.0f64);
        for (x, y) in a[..n].iter().zip(&b[..n]) {
            sig += f64::from(*y).powi(2);
            err += f64::from(x - y).powi(2);
        }
        best = best.max(10.0 * (sig / err.max(1e-12)).log10());
    }
    best
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_and_flac_decode_bit_exact() {
    let pcm = wav_s16("tone.wav");
    for (file, chain) in [("tone.wav", "wavparse"), ("tone.flac", "flacdec")] {
        // 997-byte blocks: headers and frames arrive split at odd places.
        let out = decode_file(file, chain, 997).await.unwrap();
        check_stream(&out, "S16LE");
        assert!(
            s16(&out.bytes()) == pcm,
            "{file}: samples differ from the source PCM"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_sample_formats_convert_exactly() {
    let pcm = wav_s16("tone.wav");
    // 24-bit and float files were made from the 16-bit one, so they hold its values.
    for file in ["tone_s24.wav", "tone_f32.wav"] {
        let out = decode_file(file, "wavparse", 4096).await.unwrap();
        check_stream(&out, "F32LE");
        let got = f32s(&out.bytes());
        assert_eq!(got.len(), 2205 * 2, "{file}");
        for (g, p) in got.iter().zip(&pcm) {
            assert_eq!(*g, f32::from(*p) / 32768.0, "{file}");
        }
    }
    let out = decode_file("tone_u8.wav", "wavparse", 4096).await.unwrap();
    check_stream(&out, "S16LE");
    for (g, p) in s16(&out.bytes()).iter().zip(&pcm) {
        assert!(
            (i32::from(*g) - i32::from(*p)).abs() <= 256,
            "u8: {g} vs {p}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lossy_files_decode_close_to_ffmpeg() {
    for (file, chain, min_db) in [
        ("tone.mp3", "mpg123audiodec", 40.0),
        ("tone.aac", "aacdec", 40.0),
        ("tone.ogg", "oggdemux ! vorbisdec", 40.0),
    ] {
        let out = decode_file(file, chain, 1000).await.unwrap();
        check_stream(&out, "F32LE");
        let ours = f32s(&out.bytes());
        let reference: Vec<f32> = s16(&read_fixture(&format!("{file}.s16")))
            .iter()
            .map(|s| f32::from(*s) / 32768.0)
            .collect();
        let frames = (ours.len() / 2) as i64;
        let theirs = (reference.len() / 2) as i64;
        assert!(
            (frames - theirs).abs() <= 2048,
            "{file}: {frames} frames vs {theirs}"
        );
        let db = snr_aligned(&ours, &reference, 2048);
        assert!(
            db > min_db,
            "{file}: SNR {db:.1} dB against FFmpeg's decode"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp3_gapless_trim_matches_ffmpeg_sample_for_sample() {
    let out = decode_file("tone.mp3", "mpg123audiodec", 4096)
        .await
        .unwrap();
    let ours = f32s(&out.bytes());
    let reference = s16(&read_fixture("tone.mp3.s16"));
    // The LAME tag's delay and padding are trimmed as FFmpeg does: same length, aligned.
    assert_eq!(ours.len(), reference.len());
    let reference: Vec<f32> = reference.iter().map(|s| f32::from(*s) / 32768.0).collect();
    assert!(snr_aligned(&ours, &reference, 0) > 40.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downstream_can_ask_for_s16() {
    let out = decode_file(
        "tone.mp3",
        "mpg123audiodec ! audio/x-raw,format=S16LE",
        4096,
    )
    .await
    .unwrap();
    check_stream(&out, "S16LE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_aac_with_codec_data_decodes_like_adts() {
    // Strip the ADTS headers: what an MP4 demuxer hands over, one access unit per buffer.
    let adts = read_fixture("tone.aac");
    let mut units = Vec::new();
    let mut at = 0;
    while at + 7 <= adts.len() {
        let len = (usize::from(adts[at + 3] & 3) << 11)
            | (usize::from(adts[at + 4]) << 3)
            | usize::from(adts[at + 5] >> 5);
        let header = if adts[at + 1] & 1 == 1 { 7 } else { 9 };
        units.push(adts[at + header..at + len].to_vec());
        at += len;
    }
    let caps = "audio/mpeg,mpegversion=4,stream-format=raw,codec_data=1210";
    let desc = format!("appsrc name=in caps=\"{caps}\" ! aacdec ! appsink name=out");
    let mut p = parallax::Pipeline::parse(&desc).unwrap();
    let src = p.handle::<parallax::elements::AppSrcHandle>("in").unwrap();
    let sink = p
        .handle::<parallax::elements::AppSinkHandle>("out")
        .unwrap();
    let producer = std::thread::spawn(move || {
        for u in &units {
            src.push_buffer(u).unwrap();
        }
        src.end_of_stream();
    });
    let consumer = std::thread::spawn(move || {
        let mut out = Vec::new();
        while let Some(b) = sink.pull_sample(std::time::Duration::from_secs(20)) {
            out.extend_from_slice(b.data());
        }
        out
    });
    p.run().await.unwrap();
    producer.join().unwrap();
    let raw = consumer.join().unwrap();
    let via_adts = decode_file("tone.aac", "aacdec", 4096)
        .await
        .unwrap()
        .bytes();
    assert!(
        raw == via_adts,
        "raw access units decode differently from ADTS"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_audio_fails_cleanly_naming_the_element_and_offset() {
    let cases = [
        ("tone.wav", "wavparse", "wavparse"),
        ("tone.flac", "flacdec", "flacdec"),
        ("tone.mp3", "mpg123audiodec", "mpg123audiodec"),
        ("tone.aac", "aacdec", "aacdec"),
        ("tone.ogg", "oggdemux ! vorbisdec", "oggdemux"),
    ];
    for (file, chain, element) in cases {
        for (what, data) in damaged(&read_fixture(file)) {
            match decode_bytes("application/octet-stream", chain, &data, 512).await {
                Err(e) => {
                    assert_clean_error(&e, element.split(' ').next().unwrap_or(element), what)
                }
                // A few flipped bits inside PCM or inside a lossy frame's spectral data
                // decode to other samples; only the formats with checksums must refuse.
                // A cut MP3 ends after its last whole frame, as GStreamer's does (with a
                // warning: `mp3_cut_mid_frame_decodes_every_whole_frame_and_warns`).
                Ok(decoded) => {
                    assert!(
                        (what == "bit-flipped"
                            && matches!(element, "wavparse" | "mpg123audiodec" | "aacdec"))
                            || (what == "truncated" && element == "mpg123audiodec"),
                        "{element} accepted {what} input"
                    );
                    assert!(
                        !decoded.buffers.is_empty(),
                        "{element} accepted {what} input but decoded nothing"
                    );
                }
            }
        }
    }
}

/// Length of the ID3v2 tag at the start of an MP3 file (0 without one).
fn id3v2_len(mp3: &[u8]) -> usize {
    if !mp3.starts_with(b"ID3") {
        return 0;
    }
    10 + mp3[6..10]
        .iter()
        .fold(0, |s, &b| s << 7 | usize::from(b & 0x7f))
}

/// Byte offsets of the MPEG-1 Layer III frames of an MP3 file (after its ID3v2 tag),
/// read from the frame headers; the fixture is 44.1 kHz.
fn mp3_frame_starts(mp3: &[u8]) -> Vec<usize> {
    const KBPS: [usize; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    let mut starts = Vec::new();
    let mut at = id3v2_len(mp3);
    while let Some(h) = mp3.get(at..at + 4) {
        assert_eq!(
            (h[0], h[1] & 0xfe, (h[2] >> 2) & 3),
            (0xff, 0xfa, 0),
            "at {at}"
        );
        starts.push(at);
        at += 144_000 * KBPS[usize::from(h[2] >> 4)] / 44_100 + usize::from((h[2] >> 1) & 1);
    }
    assert_eq!(at, mp3.len(), "the fixture ends after a whole frame");
    starts
}

/// Writes `bytes` to a fresh temporary file named after `name`.
fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("parallax-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp3_cut_mid_frame_decodes_every_whole_frame_and_warns() {
    let mp3 = read_fixture("tone.mp3");
    let whole = decode_file("tone.mp3", "mpg123audiodec", 4096)
        .await
        .unwrap()
        .bytes();
    let starts = mp3_frame_starts(&mp3);
    // Cut inside the second-to-last and inside the last frame; a cut on a frame boundary
    // is a well-formed (shorter) file.
    for frame in [starts.len() - 2, starts.len() - 1] {
        let (start, end) = (
            starts[frame],
            starts.get(frame + 1).copied().unwrap_or(mp3.len()),
        );
        let cut = start + 100;
        let clean = temp_file("clean.mp3", &mp3[..start]);
        let bounded = decode_path(&clean, "mpg123audiodec", 4096).await.unwrap();
        let _ = std::fs::remove_file(&clean);
        assert!(bounded.warnings.is_empty(), "{:?}", bounded.warnings);
        let path = temp_file("cut.mp3", &mp3[..cut]);
        // 1000-byte blocks: the cut frame's header arrives before its end is known.
        let out = decode_path(&path, "mpg123audiodec", 1000).await;
        let _ = std::fs::remove_file(&path);
        let out = out.expect("a cut MP3 ends normally");
        let got = out.bytes();
        // Every whole frame is there (the same as the file cut on the boundary, and the
        // uncut file's samples up to there); the cut frame is not.
        assert!(
            got == bounded.bytes(),
            "frame {frame}: differs from the clean cut"
        );
        assert!(!got.is_empty() && got.len() < whole.len());
        assert!(
            got[..] == whole[..got.len()],
            "frame {frame}: differs from the whole file"
        );
        // F32 stereo: 1152 samples a frame; only the trimmed padding and the cut frames
        // (or the last one's samples the decoder delay holds back) are missing.
        let missing = (whole.len() - got.len()) / 8;
        assert!(
            missing <= (starts.len() - frame) * 1152 + 2 * 1152,
            "{missing}"
        );
        let expected = format!(
            "truncated MP3 frame at byte offset {start}: {} of its {} bytes missing",
            end - cut,
            end - start
        );
        assert!(
            out.warnings.len() == 1
                && out.warnings[0].starts_with("mpg123audiodec")
                && out.warnings[0].contains(&expected),
            "{:?}, wanted {expected}",
            out.warnings
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp3_id3v2_tag_larger_than_the_queue_is_skipped_as_it_arrives() {
    let mp3 = read_fixture("tone.mp3");
    let tagless = &mp3[id3v2_len(&mp3)..];
    // ~300 KiB of cover-art-like payload, full of valid MP3 frame headers one frame
    // length (417 bytes at 128 kb/s, 44.1 kHz) apart: scanned as audio, they would
    // confirm each other and decode as frames.
    let size = 300 * 1024;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut payload: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    for at in (5..size - 4).step_by(417) {
        payload[at..at + 4].copy_from_slice(&[0xff, 0xfb, 0x90, 0x64]);
    }
    let syncsafe = [21, 14, 7, 0].map(|s| ((size >> s) & 0x7f) as u8);
    let mut tagged = b"ID3\x04\x00\x00".to_vec();
    tagged.extend_from_slice(&syncsafe);
    tagged.extend_from_slice(&payload);
    tagged.extend_from_slice(tagless);
    let plain = temp_file("tagless.mp3", tagless);
    let big = temp_file("bigtag.mp3", &tagged);
    let reference = decode_path(&plain, "mpg123audiodec", 4096).await;
    let out = decode_path(&big, "mpg123audiodec", 4096).await;
    let _ = std::fs::remove_file(&plain);
    let _ = std::fs::remove_file(&big);
    let reference = reference.unwrap().bytes();
    let out = out.unwrap();
    assert!(!reference.is_empty());
    assert!(
        out.bytes() == reference,
        "{} bytes decoded vs {} without the tag",
        out.bytes().len(),
        reference.len()
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    // The tag's own fixture decode agrees too (its small tag at the start is skipped).
    let fixture = decode_file("tone.mp3", "mpg123audiodec", 4096)
        .await
        .unwrap();
    assert!(fixture.bytes() == reference);
}

/// An ID3v2.4 tag of `size` payload bytes (pseudo-random, deterministic, like cover art),
/// with a footer when `footer`.
fn id3v2_tag(size: usize, footer: bool) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let syncsafe = [21, 14, 7, 0].map(|s| ((size >> s) & 0x7f) as u8);
    let mut tag = b"ID3\x04\x00".to_vec();
    tag.push(if footer { 0x10 } else { 0 });
    tag.extend_from_slice(&syncsafe);
    tag.extend((0..size).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    }));
    if footer {
        tag.extend_from_slice(b"3DI\x04\x00\x10");
        tag.extend_from_slice(&syncsafe);
    }
    tag
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adts_behind_and_between_id3v2_tags_decodes_like_the_plain_file() {
    let aac = read_fixture("tone.aac");
    // ADTS frame starts, from the 13-bit frame lengths.
    let mut starts = Vec::new();
    let mut at = 0;
    while at + 7 <= aac.len() {
        starts.push(at);
        at += (usize::from(aac[at + 3] & 3) << 11)
            | (usize::from(aac[at + 4]) << 3)
            | usize::from(aac[at + 5] >> 5);
    }
    assert_eq!(at, aac.len(), "the fixture ends after a whole frame");
    let middle = starts[starts.len() / 2];
    // ~100 KiB in front (more than filesrc's 4096-byte blocks), a small tag with a
    // footer between two frames.
    let mut tagged = id3v2_tag(100 * 1024, false);
    tagged.extend_from_slice(&aac[..middle]);
    tagged.extend_from_slice(&id3v2_tag(300, true));
    tagged.extend_from_slice(&aac[middle..]);
    let path = temp_file("tagged.aac", &tagged);
    let mut results = Vec::new();
    let chains: &[&str] = if cfg!(feature = "decodebin") {
        &["aacdec", "decodebin"]
    } else {
        &["aacdec"]
    };
    for &chain in chains {
        let plain = decode_file("tone.aac", chain, 4096).await;
        let out = decode_path(&path, chain, 4096).await;
        results.push((chain, plain, out));
    }
    let _ = std::fs::remove_file(&path);
    for (chain, plain, out) in results {
        let plain = plain.unwrap();
        let out = out.unwrap_or_else(|e| panic!("{chain}: {e}"));
        assert!(!plain.bytes().is_empty());
        assert!(
            out.bytes() == plain.bytes(),
            "{chain}: {} bytes decoded vs {} without the tags",
            out.bytes().len(),
            plain.bytes().len()
        );
        assert_eq!(
            (out.str("format"), out.int("rate"), out.int("channels")),
            (
                plain.str("format"),
                plain.int("rate"),
                plain.int("channels")
            ),
            "{chain}"
        );
        assert!(out.warnings.is_empty(), "{chain}: {:?}", out.warnings);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flac_pictures_larger_than_the_queue_are_skipped() {
    let flac = read_fixture("tone.flac");
    // The fixture's metadata blocks (STREAMINFO first), and where its frames start.
    let mut blocks = Vec::new();
    let mut at = 4;
    loop {
        let len = 4
            + (usize::from(flac[at + 1]) << 16
                | usize::from(flac[at + 2]) << 8
                | usize::from(flac[at + 3]));
        blocks.push(flac[at..at + len].to_vec());
        at += len;
        if flac[at - len] & 0x80 != 0 {
            break;
        }
    }
    let frames = &flac[at..];
    // A block of `kind` with `len` body bytes (a block holds at most 16 MiB - 1).
    let block = |kind: u8, len: usize, last: bool| {
        let mut b = vec![kind | if last { 0x80 } else { 0 }];
        b.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        b.extend((0..len).map(|i| (i * 7 + 3) as u8));
        b
    };
    // 12.5 + 1 + 12 MiB of PICTURE and PADDING, more than the queue's 20 MiB: the
    // second picture is the last block, so the skip runs into the first frame.
    let mut big = b"fLaC".to_vec();
    big.extend_from_slice(&blocks[0]);
    big.extend(block(6, 25 << 19, false));
    big.extend(block(1, 1 << 20, false));
    for b in &blocks[1..] {
        big.push(b[0] & 0x7f);
        big.extend_from_slice(&b[1..]);
    }
    big.extend(block(6, 12 << 20, true));
    big.extend_from_slice(frames);
    assert!(big.len() > 25 << 20);
    let path = temp_file("bigpicture.flac", &big);
    let reference = decode_file("tone.flac", "flacdec", 4096).await;
    let mut outs = Vec::new();
    for blocksize in [4096, (1 << 20) + 7] {
        outs.push((blocksize, decode_path(&path, "flacdec", blocksize).await));
    }
    let _ = std::fs::remove_file(&path);
    let reference = reference.unwrap();
    assert!(s16(&reference.bytes()) == wav_s16("tone.wav"));
    for (blocksize, out) in outs {
        let out = out.unwrap_or_else(|e| panic!("blocksize {blocksize}: {e}"));
        assert!(
            out.bytes() == reference.bytes(),
            "blocksize {blocksize}: {} bytes vs {}",
            out.bytes().len(),
            reference.bytes().len()
        );
        check_stream(&out, "S16LE");
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }
    // Cut inside the last picture: a clean error, not a silent empty stream.
    let path = temp_file("cutpicture.flac", &big[..big.len() - frames.len() - 1000]);
    let err = decode_path(&path, "flacdec", 4096).await;
    let _ = std::fs::remove_file(&path);
    match err {
        Ok(_) => panic!("a FLAC file cut inside its header decoded"),
        Err(e) => assert_clean_error(&e, "flacdec", "cut picture"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp3_last_frame_before_an_id3v1_tag_is_decoded() {
    let mut mp3 = read_fixture("tone.mp3");
    let plain = decode_file("tone.mp3", "mpg123audiodec", 4096)
        .await
        .unwrap()
        .bytes();
    // An ID3v1 tag: "TAG", then title, artist, album, year, comment, genre.
    mp3.extend_from_slice(b"TAGtone");
    mp3.resize(mp3.len() + 121, 0);
    let path = temp_file("id3v1.mp3", &mp3);
    let out = decode_path(&path, "mpg123audiodec", 4096).await;
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap();
    assert!(
        out.bytes() == plain,
        "{} bytes vs {}",
        out.bytes().len(),
        plain.len()
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}
