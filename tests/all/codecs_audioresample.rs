//! audioresample: a sine keeps its frequency and amplitude and gets the exact length,
//! timestamps, passthrough at equal rates, bad input.

use crate::codecs_support::run_chain;

fn caps(format: &str, rate: u32, channels: u32) -> String {
    format!("audio/x-raw,format={format},rate={rate},channels={channels},layout=interleaved")
}

fn f32_bytes(samples: &[f32]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn f32_samples(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn sine(freq: f64, rate: u32, n: usize, amplitude: f64) -> Vec<f64> {
    (0..n)
        .map(|i| amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
        .collect()
}

/// Upward zero crossings in `x`.
fn crossings(x: &[f64]) -> usize {
    x.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count()
}

fn rms(x: &[f64]) -> f64 {
    (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sine_48k_to_44k1_keeps_frequency_amplitude_and_length() {
    // One second of 1 kHz at amplitude 0.5, in ten buffers.
    let input = sine(1000.0, 48_000, 48_000, 0.5);
    let buffers: Vec<Vec<u8>> = input
        .chunks(4800)
        .map(|c| f32_bytes(&c.iter().map(|&v| v as f32).collect::<Vec<_>>()))
        .collect();
    let out = run_chain(
        &caps("F32LE", 48_000, 1),
        "audioresample ! audio/x-raw,rate=44100",
        &buffers,
    )
    .await
    .unwrap();
    assert_eq!(out.caps.structure(0).unwrap().get_int("rate"), Some(44_100));
    let samples: Vec<f64> = out
        .buffers
        .iter()
        .flat_map(|b| f32_samples(b.data()))
        .map(f64::from)
        .collect();
    assert_eq!(samples.len(), 44_100, "one second at the new rate");
    // The middle half second (away from the filter's edges), starting a quarter of a
    // cycle after a zero crossing so none sits on the window's edge.
    let mid = &samples[11_036..33_086];
    assert_eq!(crossings(mid), 500, "1 kHz over 0.5 s");
    let level = rms(mid) / (0.5 / 2f64.sqrt());
    assert!((level - 1.0).abs() < 0.005, "amplitude ratio {level}");
    // Compared with the ideal sine at 44.1 kHz, sample by sample.
    let ideal = sine(1000.0, 44_100, 44_100, 0.5);
    let worst = mid
        .iter()
        .zip(&ideal[11_036..33_086])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 2e-3, "largest error {worst}");
    // Timestamps count output samples from the first input's.
    let last = out.buffers.last().unwrap().meta();
    let end = last.pts.unwrap().nanos() + last.duration.unwrap().nanos();
    assert!(end.abs_diff(1_000_000_000) < 50_000, "ends at {end} ns");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s16_stereo_upsampling_keeps_each_channel() {
    let (left, right) = (
        sine(440.0, 22_050, 22_050, 0.3),
        sine(3000.0, 22_050, 22_050, 0.3),
    );
    let input: Vec<u8> = left
        .iter()
        .zip(&right)
        .flat_map(|(l, r)| [(l * 32768.0) as i16, (r * 32768.0) as i16])
        .flat_map(i16::to_le_bytes)
        .collect();
    let buffers: Vec<Vec<u8>> = input.chunks(4 * 2205).map(<[u8]>::to_vec).collect();
    let out = run_chain(
        &caps("S16LE", 22_050, 2),
        "audioresample ! audio/x-raw,rate=48000",
        &buffers,
    )
    .await
    .unwrap();
    let frames: Vec<[f64; 2]> = out
        .buffers
        .iter()
        .flat_map(|b| b.data().to_vec())
        .collect::<Vec<u8>>()
        .chunks_exact(4)
        .map(|b| {
            [
                f64::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0,
                f64::from(i16::from_le_bytes([b[2], b[3]])) / 32768.0,
            ]
        })
        .collect();
    assert_eq!(frames.len(), 48_000);
    // Half a second, starting off the zero crossings of both sines.
    let mid = &frames[12_004..36_004];
    let l: Vec<f64> = mid.iter().map(|f| f[0]).collect();
    let r: Vec<f64> = mid.iter().map(|f| f[1]).collect();
    assert_eq!(crossings(&l), 220);
    assert_eq!(crossings(&r), 1500);
    assert!((rms(&r) / (0.3 / 2f64.sqrt()) - 1.0).abs() < 0.005);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_rates_pass_buffers_through() {
    let input: Vec<u8> = (0..4000u32).map(|i| (i * 13 % 256) as u8).collect();
    let out = run_chain(
        &caps("S16LE", 44_100, 2),
        "audioresample",
        std::slice::from_ref(&input),
    )
    .await
    .unwrap();
    assert_eq!(out.buffers[0].data(), &input[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_frames_are_a_clean_error_naming_the_element() {
    let err = run_chain(
        &caps("S16LE", 44_100, 2),
        "audioresample ! audio/x-raw,rate=48000",
        &[vec![0u8; 7]],
    )
    .await
    .err()
    .unwrap();
    assert!(err.contains("audioresample"), "{err}");
    assert!(err.contains("not a whole number"), "{err}");
}
