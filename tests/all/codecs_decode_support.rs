//! Helpers for the decoder tests: fixtures from `tests/fixtures/codecs/` (made by its
//! `make.sh`), and runs of `filesrc ! <chain> ! appsink` or `appsrc ! <chain> ! appsink`
//! that collect the output and the caps the decoder announced.

use std::path::PathBuf;
use std::time::Duration;

use parallax::core::{BufferMeta, Caps};
use parallax::elements::{AppSinkHandle, AppSrcHandle};
use parallax::{Message, Pipeline};

/// Path of a fixture.
pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/codecs")
        .join(name)
}

/// Bytes of a fixture.
pub(crate) fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// One output buffer, copied out of the pipeline's memory (holding the buffers would
/// keep the decoder's arena slots busy and stall it, as a real consumer never does).
pub(crate) struct OutBuf {
    data: Vec<u8>,
    meta: BufferMeta,
}

impl OutBuf {
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

/// What a decoding run produced.
pub(crate) struct Decoded {
    pub(crate) buffers: Vec<OutBuf>,
    /// The caps on the appsink at the end (what the decoder announced).
    pub(crate) caps: Caps,
    /// The bus's warnings, as `element: message`.
    pub(crate) warnings: Vec<String>,
}

impl Decoded {
    /// All output bytes, concatenated.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.buffers
            .iter()
            .flat_map(|b| b.data().to_vec())
            .collect()
    }

    /// An integer field of the final caps.
    pub(crate) fn int(&self, field: &str) -> i64 {
        self.caps
            .structure(0)
            .and_then(|s| s.get_int(field))
            .unwrap_or_else(|| panic!("no {field} in {}", self.caps))
    }

    /// A string field of the final caps.
    pub(crate) fn str(&self, field: &str) -> String {
        self.caps
            .structure(0)
            .and_then(|s| s.get_str(field))
            .unwrap_or_else(|| panic!("no {field} in {}", self.caps))
            .to_owned()
    }
}

async fn run(mut p: Pipeline, feed: Option<(Vec<u8>, usize)>) -> Result<Decoded, String> {
    let sink = p
        .handle::<AppSinkHandle>("out")
        .ok_or("no appsink named out")?;
    let mut bus = p.bus();
    let producer = match feed {
        Some((data, chunk)) => {
            let src = p.handle::<AppSrcHandle>("in").ok_or("no appsrc named in")?;
            Some(std::thread::spawn(move || {
                for piece in data.chunks(chunk.max(1)) {
                    // A push fails once the pipeline stopped on an error; run reports it.
                    if src.push_buffer(piece).is_err() {
                        break;
                    }
                }
                src.end_of_stream();
            }))
        }
        None => None,
    };
    // A failed run never sends end of stream to the appsink, so the consumer also stops
    // once the run has returned and nothing is left to pull.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let consumer = {
        let sink = std::sync::Arc::clone(&sink);
        let done = std::sync::Arc::clone(&done);
        std::thread::spawn(move || {
            let mut out = Vec::new();
            loop {
                match sink.pull_sample(Duration::from_millis(20)) {
                    Some(buffer) => out.push(OutBuf {
                        data: buffer.data().to_vec(),
                        meta: buffer.meta().clone(),
                    }),
                    None if sink.is_eos() || done.load(std::sync::atomic::Ordering::Acquire) => {
                        out.extend(std::iter::from_fn(|| sink.try_pull()).map(|b| OutBuf {
                            data: b.data().to_vec(),
                            meta: b.meta().clone(),
                        }));
                        break;
                    }
                    None => {}
                }
            }
            out
        })
    };
    let result = p.run().await;
    done.store(true, std::sync::atomic::Ordering::Release);
    if let Some(producer) = producer {
        producer.join().map_err(|_| "producer panicked")?;
    }
    let buffers = consumer.join().map_err(|_| "consumer panicked")?;
    result.map_err(|e| e.to_string())?;
    let caps = sink.caps().ok_or("the appsink got no caps")?;
    let mut warnings = Vec::new();
    while let Some(m) = bus.try_recv() {
        if let Message::Warning { element, message } = m {
            warnings.push(format!("{element}: {message}"));
        }
    }
    Ok(Decoded {
        buffers,
        caps,
        warnings,
    })
}

/// `filesrc location=<fixture> blocksize=<blocksize> ! <chain> ! appsink name=out`.
pub(crate) async fn decode_file(
    name: &str,
    chain: &str,
    blocksize: usize,
) -> Result<Decoded, String> {
    decode_path(&fixture(name), chain, blocksize).await
}

/// `filesrc location=<path> blocksize=<blocksize> ! <chain> ! appsink name=out`.
pub(crate) async fn decode_path(
    path: &std::path::Path,
    chain: &str,
    blocksize: usize,
) -> Result<Decoded, String> {
    let desc = format!(
        "filesrc location=\"{}\" blocksize={blocksize} ! {chain} ! appsink name=out",
        path.display()
    );
    run(Pipeline::parse(&desc).map_err(|e| e.to_string())?, None).await
}

/// `appsrc caps=<caps> ! <chain> ! appsink`, pushing `data` in pieces of `chunk` bytes.
pub(crate) async fn decode_bytes(
    caps: &str,
    chain: &str,
    data: &[u8],
    chunk: usize,
) -> Result<Decoded, String> {
    let desc = format!("appsrc name=in caps=\"{caps}\" ! {chain} ! appsink name=out");
    let p = Pipeline::parse(&desc).map_err(|e| e.to_string())?;
    run(p, Some((data.to_vec(), chunk))).await
}

/// Bad versions of a good file: truncated, bit-flipped, zero-filled and random bytes
/// (deterministic), with a name for messages.
pub(crate) fn damaged(good: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut flipped = good.to_vec();
    for _ in 0..8 {
        let i = (next() % good.len() as u64) as usize;
        flipped[i] ^= 1 << (next() % 8);
    }
    let random = (0..good.len()).map(|_| next() as u8).collect();
    vec![
        ("truncated", good[..good.len() * 2 / 3].to_vec()),
        ("bit-flipped", flipped),
        ("zero-filled", vec![0; good.len()]),
        ("random", random),
    ]
}

/// Checks a failed run's message: it names the element and a byte offset.
pub(crate) fn assert_clean_error(err: &str, element: &str, what: &str) {
    assert!(
        err.contains(element) && err.contains("byte offset"),
        "{what}: error does not name {element} and a byte offset: {err}"
    );
}
