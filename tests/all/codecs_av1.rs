//! rav1enc and ivfmux (feature `av1enc`): the IVF file decodes with dav1d (installed by
//! ci/test.sh), frame for frame, at the right size.

use std::process::Command;

use crate::codecs_support::run_chain;

fn i420_frames(w: usize, h: usize, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut f = vec![0u8; w * h * 3 / 2];
            for (p, v) in f.iter_mut().enumerate().take(w * h) {
                *v = ((p % w + i * 3) * 255 / (w + 3 * n)) as u8;
            }
            f[w * h..].fill(128);
            f
        })
        .collect()
}

fn caps(w: usize, h: usize) -> String {
    format!("video/x-raw,format=I420,width={w},height={h},framerate=30/1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rav1enc_temporal_units_carry_timestamps_and_keyframes() {
    let frames = i420_frames(64, 48, 5);
    let out = run_chain(
        &caps(64, 48),
        "rav1enc speed-preset=10 low-latency=true max-key-frame-interval=3",
        &frames,
    )
    .await
    .unwrap();
    let s = out.caps.structure(0).unwrap();
    assert_eq!(s.name(), "video/x-av1");
    assert_eq!(s.get_str("stream-format"), Some("obu-stream"));
    assert_eq!(s.get_str("alignment"), Some("tu"));
    assert_eq!(out.buffers.len(), 5);
    let pts: Vec<u64> = out
        .buffers
        .iter()
        .map(|b| b.meta().pts.unwrap().0 / 1_000_000)
        .collect();
    assert_eq!(pts, [0, 10, 20, 30, 40]);
    let key = parallax::core::BufferFlags::KEYFRAME;
    assert!(out.buffers[0].meta().flags.contains(key));
    assert!(
        out.buffers
            .iter()
            .skip(1)
            .any(|b| !b.meta().flags.contains(key))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ivf_from_rav1enc_decodes_with_dav1d() {
    let (w, h, n) = (64, 48, 6);
    let out = run_chain(
        &caps(w, h),
        "rav1enc speed-preset=10 ! ivfmux",
        &i420_frames(w, h, n),
    )
    .await
    .unwrap();
    let file: Vec<u8> = out.buffers.iter().flat_map(|b| b.data().to_vec()).collect();
    assert_eq!(&file[..4], b"DKIF");
    assert_eq!(&file[8..12], b"AV01");
    let dir = std::env::temp_dir().join(format!("parallax-av1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ivf, y4m) = (dir.join("out.ivf"), dir.join("out.y4m"));
    std::fs::write(&ivf, &file).unwrap();
    let status = Command::new("dav1d")
        .arg("-q")
        .arg("-i")
        .arg(&ivf)
        .arg("-o")
        .arg(&y4m)
        .status()
        .expect("dav1d is installed by ci/test.sh");
    assert!(status.success());
    let decoded = std::fs::read(&y4m).unwrap();
    let header =
        String::from_utf8_lossy(&decoded[..decoded.iter().position(|&b| b == b'\n').unwrap()])
            .into_owned();
    assert!(header.contains("W64") && header.contains("H48"), "{header}");
    let frames = decoded.windows(6).filter(|w| w == b"FRAME\n").count();
    assert_eq!(frames, n);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rav1enc_refuses_short_frames_and_tiny_pictures() {
    let err = run_chain(&caps(64, 48), "rav1enc", &[vec![0; 10]])
        .await
        .err()
        .unwrap();
    assert!(
        err.contains("rav1enc") && err.contains("shorter than one frame"),
        "{err}"
    );
    // Under 16x16 is refused at negotiation (the src template starts at 16).
    let err = run_chain(&caps(8, 8), "rav1enc", &[vec![0; 96]])
        .await
        .err()
        .unwrap();
    assert!(err.contains("downstream accepts none"), "{err}");
}
