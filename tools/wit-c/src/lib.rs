//! Builds C guest elements into components: C bindings for `wit/` (wit-bindgen's C
//! generator), the compile and link with clang and wasi-libc, and the wrapping of the
//! core module into a component (wit-component).
//!
//! A key design decision: the two Rust libraries that the `wit-bindgen` and `wasm-tools`
//! CLIs are made of are used directly, so building C guests costs a few crates in this
//! workspace (most already there for wasmtime) instead of installing two CLIs from
//! crates.io (about 15 minutes on a 2-core machine). `tests/artifacts/build.rs` calls
//! [`build`]; users run the `parallax-wit-c` binary.
//!
//! ```no_run
//! use std::path::Path;
//! let spec = parallax_wit_c::Build {
//!     wit: Path::new("wit"),
//!     world: "element-world",
//!     sources: &[Path::new("gain.c").to_path_buf()],
//!     include_dirs: &[],
//!     work_dir: Path::new("target/gain"),
//! };
//! let component = parallax_wit_c::build(&spec)?;
//! std::fs::write("gain.wasm", component)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bindings;
mod compile;
mod component;

pub use bindings::generate_bindings;
pub use compile::{Build, build, compile};
pub use component::componentize;

/// Why a C guest could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The WIT package could not be read or the world was not found.
    #[error("reading WIT from {path}: {message}")]
    Wit {
        /// The WIT directory.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// wit-bindgen's C generator failed.
    #[error("generating C bindings: {0}")]
    Bindings(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// clang could not be started (not installed?).
    #[error(
        "cannot run {program} (install Debian's clang, lld and wasi-libc, or run ci/guest-tools.sh): {source}"
    )]
    Compiler {
        /// The compiler command.
        program: String,
        /// The error.
        source: std::io::Error,
    },
    /// clang reported an error.
    #[error("{program} failed ({status}):\n{stderr}")]
    CompileFailed {
        /// The compiler command.
        program: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed.
        stderr: String,
    },
    /// The core module could not be turned into a component.
    #[error("making a component: {0}")]
    Component(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn io_error(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}
