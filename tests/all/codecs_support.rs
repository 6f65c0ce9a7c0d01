//! Helpers for the codec and converter tests: push frames through
//! `appsrc caps=... ! <elements> ! appsink` and collect what comes out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parallax::Pipeline;
use parallax::core::{Buffer, BufferMeta, Caps, ClockTime};
use parallax::elements::{AppSinkHandle, AppSrcHandle};

/// What a run produced: the output buffers and the caps on the appsink's input.
pub(crate) struct Output {
    pub(crate) buffers: Vec<Buffer>,
    pub(crate) caps: Caps,
}

/// Runs `appsrc name=in caps="<caps>" ! <chain> ! appsink name=out`, pushing `frames`
/// (one buffer each, 10 ms apart) and pulling while it runs. `Err` holds the pipeline's
/// error text.
pub(crate) async fn run_chain(
    caps: &str,
    chain: &str,
    frames: &[Vec<u8>],
) -> Result<Output, String> {
    // appsrc's slots hold 64 KiB by default; larger frames need larger ones.
    let blocksize = frames
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(64 * 1024);
    let desc = format!(
        "appsrc name=in blocksize={blocksize} caps=\"{caps}\" ! {chain} ! appsink name=out"
    );
    let mut p = Pipeline::parse(&desc).map_err(|e| e.to_string())?;
    let src = p.handle::<AppSrcHandle>("in").ok_or("no appsrc named in")?;
    let sink = p
        .handle::<AppSinkHandle>("out")
        .ok_or("no appsink named out")?;
    let frames = frames.to_vec();
    let producer = std::thread::spawn(move || {
        for (i, data) in frames.iter().enumerate() {
            let meta = BufferMeta {
                pts: Some(ClockTime::from_millis(i as u64 * 10)),
                duration: Some(ClockTime::from_millis(10)),
                ..BufferMeta::default()
            };
            // A push fails once the pipeline stopped on an error; the run reports it.
            if src.push_buffer_with_meta(data, meta).is_err() {
                break;
            }
        }
        src.end_of_stream();
    });
    // The run may end on an error without end of stream reaching the sink, so the
    // consumer also stops once the run has returned and the sink is drained.
    let done = Arc::new(AtomicBool::new(false));
    let finished = done.clone();
    let consumer = std::thread::spawn(move || {
        let mut out = Vec::new();
        loop {
            match sink.pull_sample(Duration::from_millis(50)) {
                Some(buffer) => out.push(buffer),
                None if sink.is_eos() => return out,
                None if finished.load(Ordering::Acquire) => {
                    out.extend(std::iter::from_fn(|| sink.try_pull()));
                    return out;
                }
                None => {}
            }
        }
    });
    let result = p.run().await;
    done.store(true, Ordering::Release);
    producer
        .join()
        .map_err(|_| "producer panicked".to_owned())?;
    let buffers = consumer
        .join()
        .map_err(|_| "consumer panicked".to_owned())?;
    result.map_err(|e| e.to_string())?;
    let caps = p
        .links()
        .last()
        .and_then(|l| l.caps.clone())
        .ok_or_else(|| "no caps on the last link".to_owned())?;
    Ok(Output { buffers, caps })
}

/// A smooth RGBA test picture (gradients plus a few solid blocks), 2x2-constant so
/// that 4:2:0 chroma subsampling loses nothing but rounding.
pub(crate) fn rgba_picture(w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; w * h * 4];
    for y in 0..h {
        for x in 0..w {
            let (bx, by) = (x / 2 * 2, y / 2 * 2);
            let px = &mut out[(y * w + x) * 4..][..4];
            px[0] = (bx * 255 / w.max(1)) as u8;
            px[1] = (by * 255 / h.max(1)) as u8;
            px[2] = ((bx + by) * 97 % 256) as u8;
            px[3] = 255;
        }
    }
    out
}

/// Peak signal-to-noise ratio of two equally long byte images, in dB.
pub(crate) fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    if mse == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (255.0 * 255.0 / mse).log10()
}
