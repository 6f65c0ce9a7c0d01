//! Helpers for the container tests: fixtures, ffprobe's packet lists stored beside them,
//! and a runner that collects what several appsinks received.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parallax::Pipeline;
use parallax::core::{Buffer, BufferFlags, BufferMeta, Caps, ClockTime};
use parallax::elements::AppSinkHandle;

/// `tests/fixtures/containers/<name>`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/containers")
        .join(name)
}

/// One packet as `ffprobe -show_entries packet=stream_index,pts,dts,duration,size,pos,flags`
/// printed it (times in the stream's time base).
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    pub(crate) stream: usize,
    pub(crate) pts: Option<i64>,
    pub(crate) dts: Option<i64>,
    pub(crate) duration: Option<i64>,
    pub(crate) size: usize,
    pub(crate) pos: u64,
    pub(crate) keyframe: bool,
}

/// The packets of stream `stream` stored in `<fixture>.packets.csv`.
pub(crate) fn packets(fixture_name: &str, stream: usize) -> Vec<Packet> {
    let text = std::fs::read_to_string(fixture(&format!("{fixture_name}.packets.csv")))
        .expect("packets fixture");
    let num = |s: &str| s.parse::<i64>().ok();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Packet {
                stream: f[0].parse().expect("stream index"),
                pts: num(f[1]),
                dts: num(f[2]),
                duration: num(f[3]),
                size: f[4].parse().expect("size"),
                pos: f[5].parse().unwrap_or(u64::MAX),
                keyframe: f[6].contains('K'),
            }
        })
        .filter(|p| p.stream == stream)
        .collect()
}

/// The time base denominator of stream `stream` (`<fixture>.streams.csv`, `1/N` last).
pub(crate) fn time_base(fixture_name: &str, stream: usize) -> u64 {
    let text = std::fs::read_to_string(fixture(&format!("{fixture_name}.streams.csv")))
        .expect("streams fixture");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{stream},")))
        .expect("stream line");
    let tb = line.rsplit(',').next().expect("time base");
    tb.trim_start_matches("1/")
        .parse()
        .expect("time base denominator")
}

/// `ticks` of a 1/`den` time base as a time; negative ticks have no time.
pub(crate) fn to_time(ticks: Option<i64>, den: u64) -> Option<ClockTime> {
    let t = u64::try_from(ticks?).ok()?;
    Some(ClockTime::scale(t, 1, den))
}

/// Checks the buffers of one stream against ffprobe's packets: count, sizes, bytes (the
/// file's bytes at ffprobe's position), timestamps, durations and keyframes.
pub(crate) fn assert_matches_ffprobe(
    fixture_name: &str,
    stream: usize,
    buffers: &[Pulled],
    check_pos: bool,
) {
    let expected = packets(fixture_name, stream);
    let den = time_base(fixture_name, stream);
    let file = std::fs::read(fixture(fixture_name)).expect("fixture");
    assert_eq!(
        buffers.len(),
        expected.len(),
        "{fixture_name} stream {stream}: sample count"
    );
    for (i, (b, p)) in buffers.iter().zip(&expected).enumerate() {
        let what = format!("{fixture_name} stream {stream} sample {i}");
        assert_eq!(b.len(), p.size, "{what}: size");
        if check_pos {
            let pos = usize::try_from(p.pos).expect("pos");
            assert_eq!(b.data(), &file[pos..pos + p.size], "{what}: bytes");
            assert_eq!(b.meta().offset, Some(p.pos), "{what}: offset");
        }
        assert_eq!(b.meta().pts, to_time(p.pts, den), "{what}: pts");
        assert_eq!(b.meta().dts, to_time(p.dts, den), "{what}: dts");
        if let Some(d) = p.duration.filter(|_| check_pos) {
            assert_eq!(b.meta().duration, to_time(Some(d), den), "{what}: duration");
        }
        assert_eq!(
            b.meta().flags.contains(BufferFlags::KEYFRAME),
            p.keyframe,
            "{what}: keyframe"
        );
    }
}

/// One buffer an appsink got, copied out of the pipeline's memory: a test that kept the
/// buffers themselves would hold every slot of the upstream pools and stall them.
#[derive(Debug, Clone)]
pub(crate) struct Pulled {
    data: Vec<u8>,
    meta: BufferMeta,
}

impl Pulled {
    fn new(buffer: &Buffer) -> Self {
        Pulled {
            data: buffer.data().to_vec(),
            meta: buffer.meta().clone(),
        }
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn meta(&self) -> &BufferMeta {
        &self.meta
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }
}

/// What one appsink got: its buffers and its caps at the end.
pub(crate) struct SinkOutput {
    pub(crate) buffers: Vec<Pulled>,
    pub(crate) caps: Option<Caps>,
}

/// Runs `desc` (with `appsink name=<s>` for each of `sinks`) to the end, pulling from
/// every sink while it runs (a sink that holds everything would starve the demuxer's
/// memory pools).
pub(crate) async fn run_sinks(desc: &str, sinks: &[&str]) -> Result<Vec<SinkOutput>, String> {
    let mut p = Pipeline::parse(desc).map_err(|e| e.to_string())?;
    let done = Arc::new(AtomicBool::new(false));
    let mut pullers = Vec::new();
    for s in sinks {
        let sink = p
            .handle::<AppSinkHandle>(s)
            .ok_or(format!("no appsink {s}"))?;
        let finished = done.clone();
        pullers.push(std::thread::spawn(move || {
            let mut out = Vec::new();
            loop {
                match sink.pull_sample(Duration::from_millis(20)) {
                    Some(b) => out.push(Pulled::new(&b)),
                    None if sink.is_eos() || finished.load(Ordering::Acquire) => {
                        out.extend(std::iter::from_fn(|| sink.try_pull()).map(|b| Pulled::new(&b)));
                        return SinkOutput {
                            buffers: out,
                            caps: sink.caps(),
                        };
                    }
                    None => {}
                }
            }
        }));
    }
    let run = tokio::time::timeout(Duration::from_secs(60), p.run()).await;
    done.store(true, Ordering::Release);
    let outputs: Vec<SinkOutput> = pullers
        .into_iter()
        .map(|t| t.join().map_err(|_| "a puller panicked".to_owned()))
        .collect::<Result<_, _>>()?;
    run.map_err(|_| "the pipeline did not finish within 60 s".to_owned())?
        .map_err(|e| e.to_string())?;
    Ok(outputs)
}

/// Runs `desc` to the end and returns its error text (`Ok` when it succeeded).
pub(crate) async fn run_to_end(desc: &str) -> Result<(), String> {
    let mut p = Pipeline::parse(desc).map_err(|e| e.to_string())?;
    tokio::time::timeout(Duration::from_secs(60), p.run())
        .await
        .map_err(|_| "the pipeline did not finish within 60 s (hang)".to_owned())?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A scratch file path unique to this test process.
pub(crate) fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("parallax-containers-{}-{name}", std::process::id()))
}
