//! Compiles and links C sources with the generated bindings into a core module (clang,
//! wasm-ld and wasi-libc from Debian), then into a component.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result, componentize, generate_bindings, io_error};

/// The compiler; `CC_WASM32` overrides it (another clang, a wasi-sdk one).
const DEFAULT_CC: &str = "clang";

/// Flags for a wasm32-wasi reactor (a library with `_initialize`, no `main`): Debian's
/// wasi-libc sits under `/usr` (`include/wasm32-wasi`, `lib/wasm32-wasi`).
const FLAGS: &[&str] = &[
    "--target=wasm32-wasi",
    "--sysroot=/usr",
    "-O2",
    "-mexec-model=reactor",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wl,--strip-all",
];

/// What to build.
#[derive(Debug, Clone, Copy)]
pub struct Build<'a> {
    /// The WIT package (a directory, e.g. the repository's `wit/`).
    pub wit: &'a Path,
    /// The world the element implements (`element-world`).
    pub world: &'a str,
    /// The element's C files.
    pub sources: &'a [PathBuf],
    /// Extra `-I` directories (shared headers).
    pub include_dirs: &'a [PathBuf],
    /// Scratch directory for the bindings and the core module.
    pub work_dir: &'a Path,
}

/// Generates the bindings, compiles and links the core module, and returns the
/// component's bytes.
///
/// # Errors
///
/// Any [`Error`]: bindings, a missing or failing compiler, component encoding.
pub fn build(spec: &Build<'_>) -> Result<Vec<u8>> {
    let core = compile(spec)?;
    let bytes = std::fs::read(&core).map_err(io_error(&core))?;
    componentize(&bytes)
}

/// Generates the bindings and compiles and links the core module; returns its path
/// (`<work_dir>/core.wasm`).
///
/// # Errors
///
/// As [`build`], without the component step.
pub fn compile(spec: &Build<'_>) -> Result<PathBuf> {
    let gen_dir = spec.work_dir.join("bindings");
    let generated = generate_bindings(spec.wit, spec.world, &gen_dir)?;
    let core = spec.work_dir.join("core.wasm");
    let program = std::env::var("CC_WASM32").unwrap_or_else(|_| DEFAULT_CC.to_owned());
    let mut cmd = Command::new(&program);
    cmd.args(FLAGS).arg("-I").arg(&gen_dir);
    for dir in spec.include_dirs {
        cmd.arg("-I").arg(dir);
    }
    cmd.args(spec.sources);
    // The bindings' .c and the component-type object; the header is only included.
    cmd.args(
        generated
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "c" || e == "o")),
    );
    cmd.arg("-o").arg(&core);
    let output = cmd.output().map_err(|source| Error::Compiler {
        program: program.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(Error::CompileFailed {
            program,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(core)
}
