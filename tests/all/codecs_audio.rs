//! audioconvert and wavenc: exact sample conversions, channel mixing, WAV headers.

use crate::codecs_support::run_chain;

fn caps(format: &str, rate: u32, channels: u32) -> String {
    format!("audio/x-raw,format={format},rate={rate},channels={channels},layout=interleaved")
}

fn s16(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s16_through_s32_and_f32_is_exact() {
    let samples: Vec<i16> = (-300..300)
        .map(|i| (i * 109) as i16)
        .chain([i16::MIN, i16::MAX])
        .collect();
    let input = s16(&samples);
    for via in ["S32LE", "F32LE"] {
        let chain = format!(
            "audioconvert ! audio/x-raw,format={via} ! audioconvert ! audio/x-raw,format=S16LE"
        );
        let out = run_chain(
            &caps("S16LE", 48000, 2),
            &chain,
            std::slice::from_ref(&input),
        )
        .await
        .unwrap();
        assert_eq!(out.buffers[0].data(), &input[..], "via {via}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s16_to_s32_scales_by_65536() {
    let out = run_chain(
        &caps("S16LE", 8000, 1),
        "audioconvert ! audio/x-raw,format=S32LE",
        &[s16(&[1, -2, 16384])],
    )
    .await
    .unwrap();
    let got: Vec<i32> = out.buffers[0]
        .data()
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(got, [65536, -131072, 1 << 30]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mono_to_stereo_and_back() {
    let out = run_chain(
        &caps("S16LE", 8000, 1),
        "audioconvert ! audio/x-raw,channels=2",
        &[s16(&[100, -200])],
    )
    .await
    .unwrap();
    assert_eq!(out.buffers[0].data(), &s16(&[100, 100, -200, -200])[..]);
    assert_eq!(out.caps.structure(0).unwrap().get_int("channels"), Some(2));
    let out = run_chain(
        &caps("S16LE", 8000, 2),
        "audioconvert ! audio/x-raw,channels=1",
        &[s16(&[100, 300, -200, 0])],
    )
    .await
    .unwrap();
    assert_eq!(out.buffers[0].data(), &s16(&[200, -100])[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_frames_and_unsupported_mixes_are_errors() {
    let err = run_chain(
        &caps("S16LE", 8000, 2),
        "audioconvert ! audio/x-raw,format=F32LE",
        &[vec![0u8; 6]],
    )
    .await
    .err()
    .unwrap();
    assert!(
        err.contains("audioconvert") && err.contains("whole number"),
        "{err}"
    );
    let err = run_chain(
        &caps("S16LE", 8000, 3),
        "audioconvert ! audio/x-raw,channels=2",
        &[vec![0u8; 6]],
    )
    .await
    .err()
    .unwrap();
    assert!(
        err.contains("audioconvert") && err.contains("not 3 to 2"),
        "{err}"
    );
}

/// The fields of a 44-byte WAV header.
fn parse_wav(h: &[u8]) -> (u16, u16, u32, u32, u16, u16, u32) {
    assert_eq!(&h[0..4], b"RIFF");
    assert_eq!(&h[8..16], b"WAVEfmt ");
    assert_eq!(u32::from_le_bytes(h[16..20].try_into().unwrap()), 16);
    assert_eq!(&h[36..40], b"data");
    let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(h[i..i + 4].try_into().unwrap());
    (
        u16_at(20),
        u16_at(22),
        u32_at(24),
        u32_at(28),
        u16_at(32),
        u16_at(34),
        u32_at(40),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_header_then_the_samples_untouched() {
    let data = s16(&[1, 2, 3, 4, 5, 6]);
    let out = run_chain(
        &caps("S16LE", 44100, 2),
        "wavenc",
        &[data.clone(), data.clone()],
    )
    .await
    .unwrap();
    assert_eq!(out.caps.structure(0).unwrap().name(), "audio/x-wav");
    assert_eq!(out.buffers.len(), 3);
    let (tag, channels, rate, byte_rate, align, bits, data_len) = parse_wav(out.buffers[0].data());
    assert_eq!(
        (tag, channels, rate, byte_rate, align, bits),
        (1, 2, 44100, 176_400, 4, 16)
    );
    // Unknown length: the stream cannot go back to patch it (see docs/elements-codecs.md).
    assert_eq!(data_len, u32::MAX);
    assert_eq!(out.buffers[1].data(), &data[..]);
    assert_eq!(out.buffers[2].data(), &data[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_of_float_audio_says_ieee_float() {
    let out = run_chain(&caps("F32LE", 48000, 1), "wavenc", &[vec![0u8; 16]])
        .await
        .unwrap();
    let (tag, channels, rate, _, align, bits, _) = parse_wav(out.buffers[0].data());
    assert_eq!((tag, channels, rate, align, bits), (3, 1, 48000, 4, 32));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_of_an_empty_stream_is_just_the_header() {
    let out = run_chain(&caps("S16LE", 8000, 1), "wavenc", &[])
        .await
        .unwrap();
    assert_eq!(out.buffers.len(), 1);
    assert_eq!(out.buffers[0].len(), 44);
}
