//! Wraps a core module (with the component type linked in by the bindings) into a
//! component, as `wasm-tools component new` does.

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wit_component::ComponentEncoder;

use crate::{Error, Result};

/// Turns the core module `core` into a component.
///
/// A module that imports `wasi_snapshot_preview1` (wasi-libc's stdio, clocks, ...) gets
/// wasmtime's reactor adapter, which turns those imports into WASI 0.2 ones; the host
/// then decides by name what it grants (`docs/security-model.md`). A module without such
/// imports stays without them.
///
/// # Errors
///
/// [`Error::Component`] when the module is not valid or does not match its world.
pub fn componentize(core: &[u8]) -> Result<Vec<u8>> {
    let failed = |e: anyhow::Error| Error::Component(format!("{e:#}"));
    let mut encoder = ComponentEncoder::default()
        .validate(true)
        .module(core)
        .map_err(failed)?;
    if imports_module(core, WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME)? {
        encoder = encoder
            .adapter(
                WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            )
            .map_err(failed)?;
    }
    encoder.encode().map_err(failed)
}

/// Whether the core module imports anything from `module`.
fn imports_module(core: &[u8], module: &str) -> Result<bool> {
    for payload in wasmparser::Parser::new(0).parse_all(core) {
        let payload = payload.map_err(|e| Error::Component(e.to_string()))?;
        if let wasmparser::Payload::ImportSection(imports) = payload {
            for import in imports.into_imports() {
                let import = import.map_err(|e| Error::Component(e.to_string()))?;
                if import.module == module {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}
