//! I/O elements end to end: files, inherited descriptors, and the application's
//! `appsrc`/`appsink` handles.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use parallax::Pipeline;
use parallax::core::ClockTime;
use parallax::elements::{AppSinkHandle, AppSrcError, AppSrcHandle};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "parallax-elements-io-{}-{test}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `len` bytes that repeat only every 251 bytes (a prime), so a dropped, repeated or
/// reordered block shows up at any block size.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn quoted(path: &Path) -> String {
    format!("\"{}\"", path.display())
}

fn handles(p: &Pipeline) -> (std::sync::Arc<AppSrcHandle>, std::sync::Arc<AppSinkHandle>) {
    (
        p.handle::<AppSrcHandle>("src").expect("appsrc handle"),
        p.handle::<AppSinkHandle>("sink").expect("appsink handle"),
    )
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<AppSrcHandle>();
    send_sync::<AppSinkHandle>();
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesrc_filesink_copies_a_file_byte_for_byte() {
    let dir = TempDir::new("copy");
    let input = dir.path("in.bin");
    let data = pattern(1024 * 1024 + 17);
    std::fs::write(&input, &data).unwrap();
    // Default (4096), a non-divisor of the length, one larger than the file.
    for blocksize in [None, Some(1000), Some(4 * 1024 * 1024)] {
        let output = dir.path("out.bin");
        let bs = blocksize.map_or(String::new(), |b| format!("blocksize={b}"));
        let mut p = Pipeline::parse(&format!(
            "filesrc name=src location={} {bs} ! filesink name=sink location={}",
            quoted(&input),
            quoted(&output)
        ))
        .unwrap();
        let summary = p.run().await.unwrap();
        let copied = std::fs::read(&output).unwrap();
        assert!(copied == data, "blocksize {blocksize:?}: copy differs");
        let expected = data.len().div_ceil(blocksize.unwrap_or(4096)) as u64;
        assert_eq!(summary.buffers("src"), Some(expected), "{blocksize:?}");
        assert_eq!(summary.bytes("sink"), Some(data.len() as u64));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesrc_blocksize_one_reads_every_byte() {
    let dir = TempDir::new("bs1");
    let (input, output) = (dir.path("in.bin"), dir.path("out.bin"));
    // One buffer per byte costs a full trip through the engine (about 1 µs in a debug
    // build); 256 KiB keeps the test quick and still spans 64 default-sized blocks.
    let data = pattern(256 * 1024 + 3);
    std::fs::write(&input, &data).unwrap();
    let mut p = Pipeline::parse(&format!(
        "filesrc name=src location={} blocksize=1 ! filesink location={}",
        quoted(&input),
        quoted(&output)
    ))
    .unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("src"), Some(data.len() as u64));
    assert!(std::fs::read(&output).unwrap() == data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesrc_sets_byte_offsets() {
    let dir = TempDir::new("offsets");
    let input = dir.path("in.bin");
    std::fs::write(&input, pattern(2500)).unwrap();
    let mut p = Pipeline::parse(&format!(
        "filesrc location={} blocksize=1000 ! appsink name=sink",
        quoted(&input)
    ))
    .unwrap();
    let sink = p.handle::<AppSinkHandle>("sink").unwrap();
    p.run().await.unwrap();
    let mut ranges = Vec::new();
    while let Some(buffer) = sink.try_pull() {
        let meta = buffer.meta();
        ranges.push((meta.offset, meta.offset_end, buffer.len()));
    }
    assert_eq!(
        ranges,
        [
            (Some(0), Some(1000), 1000),
            (Some(1000), Some(2000), 1000),
            (Some(2000), Some(2500), 500),
        ]
    );
    assert!(sink.is_eos());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesink_append_appends_and_default_truncates() {
    let dir = TempDir::new("append");
    let (input, output) = (dir.path("in.bin"), dir.path("out.bin"));
    std::fs::write(&input, b"second").unwrap();
    std::fs::write(&output, b"first-").unwrap();
    let text = |append: bool| {
        format!(
            "filesrc location={} ! filesink location={} append={append}",
            quoted(&input),
            quoted(&output)
        )
    };
    Pipeline::parse(&text(true)).unwrap().run().await.unwrap();
    assert_eq!(std::fs::read(&output).unwrap(), b"first-second");
    Pipeline::parse(&text(true)).unwrap().run().await.unwrap();
    assert_eq!(std::fs::read(&output).unwrap(), b"first-secondsecond");
    Pipeline::parse(&text(false)).unwrap().run().await.unwrap();
    assert_eq!(std::fs::read(&output).unwrap(), b"second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesrc_without_location_fails_naming_the_element_and_property() {
    let mut p = Pipeline::parse("filesrc name=reader ! fakesink").unwrap();
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("'reader'"), "{err}");
    assert!(err.contains("'location'"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesrc_with_a_missing_file_fails_naming_the_element_and_path() {
    let dir = TempDir::new("missing");
    let missing = dir.path("does-not-exist.bin");
    let mut p = Pipeline::parse(&format!(
        "filesrc name=reader location={} ! fakesink",
        quoted(&missing)
    ))
    .unwrap();
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("'reader'"), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("No such file"), "the OS error is given: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesink_into_a_missing_directory_fails_naming_the_path() {
    let dir = TempDir::new("nodir");
    let target = dir.path("no/such/dir/out.bin");
    let mut p = Pipeline::parse(&format!(
        "fakesrc num-buffers=1 ! filesink name=writer location={}",
        quoted(&target)
    ))
    .unwrap();
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("'writer'"), "{err}");
    assert!(err.contains(&target.display().to_string()), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appsrc_to_appsink_round_trips_data_and_pts_across_threads() {
    const COUNT: usize = 300;
    // Small limits on both sides force the pusher and the streaming thread to wait.
    let mut p = Pipeline::parse(
        "appsrc name=src max-buffers=4 blocksize=512 ! identity ! appsink name=sink max-buffers=3",
    )
    .unwrap();
    let (src, sink) = handles(&p);
    let pusher = std::thread::spawn(move || {
        for i in 0..COUNT {
            let data = vec![i as u8; i % 512 + 1];
            src.push_buffer_with_pts(&data, ClockTime::from_millis(i as u64))
                .unwrap();
        }
        src.end_of_stream();
    });
    let puller = tokio::task::spawn_blocking(move || {
        let mut got = Vec::new();
        while let Some(buffer) = sink.pull_sample(Duration::from_secs(10)) {
            got.push((buffer.data().to_vec(), buffer.meta().pts));
        }
        (got, sink.is_eos())
    });
    let summary = p.run().await.unwrap();
    pusher.join().unwrap();
    let (got, eos) = puller.await.unwrap();
    assert!(eos, "the stream ended with EOS");
    assert_eq!(got.len(), COUNT);
    for (i, (data, pts)) in got.iter().enumerate() {
        assert_eq!(data, &vec![i as u8; i % 512 + 1], "buffer {i}");
        assert_eq!(*pts, Some(ClockTime::from_millis(i as u64)), "buffer {i}");
    }
    assert_eq!(summary.buffers("sink"), Some(COUNT as u64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appsink_drop_keeps_only_the_newest_buffers() {
    let mut p =
        Pipeline::parse("appsrc name=src ! appsink name=sink max-buffers=3 drop=true").unwrap();
    let (src, sink) = handles(&p);
    for i in 0..10u8 {
        src.push_buffer(&[i]).unwrap();
    }
    src.end_of_stream();
    let summary = p.run().await.unwrap();
    assert_eq!(
        summary.buffers("sink"),
        Some(10),
        "every buffer reached the sink"
    );
    let kept: Vec<u8> = std::iter::from_fn(|| sink.try_pull())
        .map(|b| b.data()[0])
        .collect();
    assert_eq!(kept, [7, 8, 9]);
    assert!(sink.is_eos());
    assert!(
        sink.pull_sample(Duration::from_secs(10)).is_none(),
        "an ended, drained sink answers at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appsrc_refuses_what_it_cannot_take() {
    let p = Pipeline::parse("appsrc name=src blocksize=16 max-buffers=2 block=false ! fakesink")
        .unwrap();
    let src = p.handle::<AppSrcHandle>("src").unwrap();
    let err = src.push_buffer(&[0; 17]).unwrap_err();
    assert!(
        matches!(err, AppSrcError::TooLarge { len: 17, max: 16 }),
        "{err}"
    );
    src.push_buffer(&[0; 16]).unwrap();
    src.push_buffer(&[]).unwrap();
    assert!(matches!(src.push_buffer(b"x"), Err(AppSrcError::Full)));
    assert_eq!(src.queued(), 2);
    src.end_of_stream();
    assert!(matches!(src.push_buffer(b"x"), Err(AppSrcError::Eos)));
    // Not every handle type fits every element.
    assert!(p.handle::<AppSinkHandle>("src").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_push_fails_when_the_pipeline_stops() {
    let mut p = Pipeline::parse("appsrc name=src max-buffers=1 ! fakesink").unwrap();
    let src = p.handle::<AppSrcHandle>("src").unwrap();
    src.push_buffer(b"fills the queue").unwrap();
    // Prepared but paused: nothing drains the queue.
    p.prepare().unwrap();
    let pushing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let blocked = {
        let (src, pushing) = (src.clone(), pushing.clone());
        std::thread::spawn(move || {
            pushing.store(true, Ordering::Release);
            src.push_buffer(b"waits")
        })
    };
    // Wait until the push has begun, then give it ample time to reach its wait.
    while !pushing.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(50));
    p.suspend();
    let result = blocked.join().unwrap();
    assert!(matches!(result, Err(AppSrcError::Flushing)), "{result:?}");
    // A stop empties the queue; the next run starts afresh.
    assert_eq!(src.queued(), 0);
    src.push_buffer(b"again").unwrap();
    src.end_of_stream();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appsrc_caps_are_negotiated_and_appsink_caps_filter() {
    let mut p =
        Pipeline::parse("appsrc name=src caps=\"audio/x-raw,rate=48000\" ! appsink name=sink")
            .unwrap();
    let (src, sink) = handles(&p);
    src.end_of_stream();
    p.run().await.unwrap();
    let caps = sink.caps().expect("negotiated").to_string();
    assert!(
        caps.contains("audio/x-raw") && caps.contains("48000"),
        "{caps}"
    );

    let mut p = Pipeline::parse(
        "appsrc caps=\"audio/x-raw,rate=48000\" ! appsink name=sink caps=\"video/x-raw\"",
    )
    .unwrap();
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("'sink'"), "{err}");
    assert!(err.contains("video/x-raw"), "{err}");
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fdsink_writes_to_an_inherited_descriptor() {
    use std::os::fd::AsRawFd;

    let dir = TempDir::new("fdsink");
    let path = dir.path("out.bin");
    let file = std::fs::File::create(&path).unwrap();
    let mut p = Pipeline::parse(&format!(
        "fakesrc num-buffers=10 sizetype=fixed sizemax=100 filltype=pattern ! fdsink fd={}",
        file.as_raw_fd()
    ))
    .unwrap();
    p.run().await.unwrap();
    let expected: Vec<u8> = (0..10)
        .flat_map(|_| (0..100u8).collect::<Vec<_>>())
        .collect();
    assert_eq!(std::fs::read(&path).unwrap(), expected);
    drop(file);
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fdsrc_reads_a_pipe_until_the_writer_closes() {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    let dir = TempDir::new("fdsrc");
    let output = dir.path("out.bin");
    let (reader, mut writer) = std::io::pipe().unwrap();
    let data = pattern(200_000);
    let mut p = Pipeline::parse(&format!(
        "fdsrc name=src fd={} blocksize=8192 ! filesink location={}",
        reader.as_raw_fd(),
        quoted(&output)
    ))
    .unwrap();
    // Prepare first: fdsrc reopens the pipe while the writer is still open.
    p.prepare().unwrap();
    drop(reader);
    let feeder = {
        let data = data.clone();
        std::thread::spawn(move || {
            for chunk in data.chunks(10_000) {
                writer.write_all(chunk).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
            // Dropping the last writer is end of stream for the reader.
        })
    };
    let summary = p.run().await.unwrap();
    feeder.join().unwrap();
    assert!(std::fs::read(&output).unwrap() == data);
    assert_eq!(summary.bytes("src"), Some(data.len() as u64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fdsrc_with_a_closed_descriptor_fails_naming_it() {
    let mut p = Pipeline::parse("fdsrc name=src fd=1999999 ! fakesink").unwrap();
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("'src'") && err.contains("1999999"), "{err}");
}
