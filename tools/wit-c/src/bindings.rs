//! C bindings for a world of a WIT package: `<world>.h`, `<world>.c` and
//! `<world>_component_type.o` (the component type, linked into the core module so that
//! wit-component knows the world).

use std::path::{Path, PathBuf};

use wit_bindgen_core::wit_parser::Resolve;

use crate::{Error, Result, io_error};

/// Writes the C bindings of `world` in the WIT package at `wit` into `out_dir`; returns
/// the paths written.
///
/// # Errors
///
/// [`Error::Wit`] when the package cannot be parsed or has no such world,
/// [`Error::Bindings`] when generation fails, [`Error::Io`] when writing fails.
pub fn generate_bindings(wit: &Path, world: &str, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let wit_error = |e: anyhow::Error| Error::Wit {
        path: wit.to_owned(),
        message: format!("{e:#}"),
    };
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_path(wit).map_err(wit_error)?;
    let world_id = resolve
        .select_world(&[package], Some(world))
        .map_err(wit_error)?;
    let mut files = wit_bindgen_core::Files::default();
    wit_bindgen_c::Opts::default()
        .build()
        .generate(&mut resolve, world_id, &mut files)
        .map_err(|e| Error::Bindings(format!("{e:#}")))?;
    std::fs::create_dir_all(out_dir).map_err(io_error(out_dir))?;
    let mut written = Vec::new();
    for (name, contents) in files.iter() {
        let path = out_dir.join(name);
        write_if_changed(&path, contents)?;
        written.push(path);
    }
    Ok(written)
}

/// Keeps mtimes stable when nothing changed, so builds that watch these files stay quiet.
fn write_if_changed(path: &Path, contents: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(io_error(path))
}
