//! Shared setup of the WASM tests: one runtime, the built guests, a registry with them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use parallax::core::Registry;
use parallax_wasm::{WasmConfig, WasmPlugin, WasmRuntime};

/// The built component of guest crate `name` (`tests/artifacts` builds them); a
/// non-existent path for unknown names.
pub(crate) fn guest_path(name: &str) -> PathBuf {
    parallax_test_artifacts::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| PathBuf::from(p))
        .unwrap_or_else(|| PathBuf::from(format!("/nonexistent/{name}.wasm")))
}

/// A scratch directory under the target dir, emptied first.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-scratch")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The runtime every test shares (its cache lives under the target dir).
pub(crate) fn runtime() -> &'static WasmRuntime {
    static RUNTIME: OnceLock<WasmRuntime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        WasmRuntime::new(WasmConfig {
            cache_dir: Some(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm-cache-tests"),
            ),
            ..WasmConfig::default()
        })
        .unwrap()
    })
}

/// Loads guest `name`. Loads of one guest are serialised: a Python or JavaScript
/// component takes about 10 s to compile, and tests starting together would otherwise
/// each compile it instead of the later ones reading the cache the first one wrote.
pub(crate) fn load(name: &str) -> WasmPlugin {
    static LOADING: Mutex<BTreeMap<String, Arc<Mutex<()>>>> = Mutex::new(BTreeMap::new());
    let lock = {
        let mut map = LOADING.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(name.to_owned()).or_default())
    };
    let _loading = lock.lock().unwrap_or_else(|e| e.into_inner());
    runtime()
        .load(&guest_path(name))
        .unwrap_or_else(|e| panic!("loading {name}: {e}"))
}

/// Built-in elements plus the given guests.
pub(crate) fn registry(guests: &[&str]) -> Arc<Registry> {
    let mut registry = Registry::new();
    parallax_elements::register_all(&mut registry).unwrap();
    for g in guests {
        load(g).register(&mut registry).unwrap();
    }
    Arc::new(registry)
}

/// Parses `text` with a registry holding `guests`.
pub(crate) fn pipeline(guests: &[&str], text: &str) -> parallax::Pipeline {
    parallax::Pipeline::parse_with(registry(guests), text, "test.px")
        .unwrap_or_else(|e| panic!("parsing {text}: {e}"))
}

/// `count` buffers cycling through `sizes`, with timestamps, offsets and some flags set,
/// for tests that compare what comes out with what went in.
pub(crate) fn sample_inputs(
    count: u64,
    sizes: &[usize],
) -> Vec<(Vec<u8>, parallax::core::BufferMeta)> {
    use parallax::core::{BufferFlags, BufferMeta, ClockTime};
    (0..count)
        .map(|i| {
            let len = sizes[i as usize % sizes.len()];
            let data = (0..len).map(|b| (b as u64 * 31 + i) as u8).collect();
            let mut meta = BufferMeta {
                pts: Some(ClockTime::from_millis(i * 10)),
                dts: (i % 2 == 0).then(|| ClockTime::from_millis(i * 10)),
                duration: Some(ClockTime::from_millis(10)),
                offset: Some(i),
                offset_end: Some(i + 1),
                ..BufferMeta::default()
            };
            if i % 3 == 0 {
                meta.flags.insert(BufferFlags::DISCONT);
            }
            if i % 4 == 0 {
                meta.flags.insert(BufferFlags::KEYFRAME);
            }
            (data, meta)
        })
        .collect()
}

/// Runs `p` (which has an `appsrc name=in` and an `appsink name=out`), pushing `inputs`
/// and pulling while it runs; returns what came out.
pub(crate) async fn push_through(
    p: &mut parallax::Pipeline,
    inputs: &[(Vec<u8>, parallax::core::BufferMeta)],
) -> Vec<parallax::core::Buffer> {
    use parallax::elements::{AppSinkHandle, AppSrcHandle};
    let src = p.handle::<AppSrcHandle>("in").unwrap();
    let sink = p.handle::<AppSinkHandle>("out").unwrap();
    let inputs = inputs.to_vec();
    let producer = std::thread::spawn(move || {
        for (data, meta) in inputs {
            src.push_buffer_with_meta(&data, meta).unwrap();
        }
        src.end_of_stream();
    });
    let consumer = std::thread::spawn(move || {
        let mut out = Vec::new();
        while let Some(buffer) = sink.pull_sample(std::time::Duration::from_secs(10)) {
            out.push(buffer);
        }
        out
    });
    p.run().await.unwrap();
    producer.join().unwrap();
    consumer.join().unwrap()
}
