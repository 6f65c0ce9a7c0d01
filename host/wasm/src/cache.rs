//! The on-disk cache of compiled components: a second `parallax run` does not recompile.
//!
//! A key design decision: the key is SHA-256 over the engine's compatibility hash
//! (wasmtime version, target and every compilation setting) and the component's bytes,
//! so a changed file or a changed configuration can never load a stale artifact. The
//! artifact is `<cache dir>/<hex>.cwasm`, written to a temporary name and renamed, and
//! loaded with `Component::deserialize_file` (mmap, about 0.2 ms). That call is `unsafe`
//! because a `.cwasm` is native code: we only load files this module wrote into a
//! directory created with mode 0700. Anyone who can write that directory can run code
//! in the host (as with any compiled-code cache); docs/security-model.md says so.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::WasmError;

/// How a component was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// Whether the compiled artifact came from the cache (no compilation happened).
    pub cache_hit: bool,
    /// Time spent compiling (zero on a cache hit).
    pub compile_time: Duration,
    /// Total time to get a loaded component, compilation included.
    pub load_time: Duration,
    /// The artifact used or written, when the cache is in use.
    pub cache_path: Option<PathBuf>,
    /// SHA-256 of the component file, in hex (what `inspect` shows).
    pub content_hash: String,
}

/// Feeds `Hash` output into SHA-256.
struct ShaHasher<'a>(&'a mut Sha256);

impl Hasher for ShaHasher<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

fn cache_key(engine: &Engine, wasm: &[u8]) -> String {
    let mut sha = Sha256::new();
    sha.update(b"parallax-wasm-cache-v1\0");
    engine
        .precompile_compatibility_hash()
        .hash(&mut ShaHasher(&mut sha));
    sha.update((wasm.len() as u64).to_le_bytes());
    sha.update(wasm);
    sha.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn content_hash(wasm: &[u8]) -> String {
    Sha256::digest(wasm)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Loads the component at `path`, from the cache in `cache_dir` when possible.
pub(crate) fn load(
    engine: &Engine,
    path: &Path,
    cache_dir: Option<&Path>,
) -> Result<(Component, LoadReport), WasmError> {
    let start = Instant::now();
    let wasm = std::fs::read(path).map_err(|source| WasmError::Io {
        path: path.to_owned(),
        source,
    })?;
    let compile_err = |e: wasmtime::Error| WasmError::Compile {
        path: path.to_owned(),
        message: format!("{e:#}"),
    };
    let Some(dir) = cache_dir else {
        let component = Component::new(engine, &wasm).map_err(compile_err)?;
        let elapsed = start.elapsed();
        return Ok((
            component,
            LoadReport {
                cache_hit: false,
                compile_time: elapsed,
                load_time: elapsed,
                cache_path: None,
                content_hash: content_hash(&wasm),
            },
        ));
    };
    let artifact = dir.join(format!("{}.cwasm", cache_key(engine, &wasm)));
    if artifact.is_file() {
        match deserialize(engine, &artifact) {
            Ok(component) => {
                return Ok((
                    component,
                    LoadReport {
                        cache_hit: true,
                        compile_time: Duration::ZERO,
                        load_time: start.elapsed(),
                        cache_path: Some(artifact),
                        content_hash: content_hash(&wasm),
                    },
                ));
            }
            Err(e) => tracing::warn!(
                "ignoring unusable cached artifact {}: {e:#}",
                artifact.display()
            ),
        }
    }
    let compile_start = Instant::now();
    let compiled = engine.precompile_component(&wasm).map_err(compile_err)?;
    let compile_time = compile_start.elapsed();
    let component = match store(dir, &artifact, &compiled) {
        Ok(()) => deserialize(engine, &artifact).map_err(compile_err)?,
        Err(e) => {
            tracing::warn!("cannot cache {} in {}: {e}", path.display(), dir.display());
            Component::new(engine, &wasm).map_err(compile_err)?
        }
    };
    Ok((
        component,
        LoadReport {
            cache_hit: false,
            compile_time,
            load_time: start.elapsed(),
            cache_path: Some(artifact),
            content_hash: content_hash(&wasm),
        },
    ))
}

fn store(dir: &Path, artifact: &Path, compiled: &[u8]) -> std::io::Result<()> {
    create_private_dir(dir)?;
    let tmp = artifact.with_extension(format!("cwasm.tmp{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(compiled)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, artifact)
}

fn deserialize(engine: &Engine, artifact: &Path) -> wasmtime::Result<Component> {
    // SAFETY: `artifact` is named by the SHA-256 of this engine's compatibility hash and
    // the component bytes, and only `store` above writes such names (to a temporary
    // file, then renamed) into a directory it created with mode 0700; wasmtime also
    // checks the header against this engine's configuration before using it.
    unsafe { Component::deserialize_file(engine, artifact) }
}
