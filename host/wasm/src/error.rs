//! [`WasmError`]: everything that can go wrong loading a component or creating an instance.

use std::path::PathBuf;

/// Loading a WASM element or creating its instance failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum WasmError {
    /// The engine could not be configured.
    #[error("cannot set up the WebAssembly engine: {0}")]
    Engine(String),
    /// The component file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid component, or does not compile.
    #[error("{} is not a usable WebAssembly component: {message}", path.display())]
    Compile {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The component imports something this host never offers.
    #[error("component {} imports {import}, which this pipeline does not grant{}", path.display(), hint_suffix(.hint))]
    ForbiddenImport {
        /// The file.
        path: PathBuf,
        /// The import, as the component names it (`wasi:filesystem/types@0.2.6`).
        import: String,
        /// What would allow it (`grant=clock`), if anything can.
        hint: Option<String>,
    },
    /// The component does not export the Parallax element interface, or its
    /// `describe()` trapped or returned something unusable.
    #[error("component {} does not describe a usable element: {message}", path.display())]
    Describe {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The element is of a kind this host does not run (no pads, or a copying-path
    /// source).
    #[error("element '{element}' is not supported: {message}")]
    Unsupported {
        /// The element's factory name.
        element: String,
        /// Why.
        message: String,
    },
    /// Creating or configuring a guest instance failed.
    #[error("element '{element}': {message}")]
    Instance {
        /// The element's factory name.
        element: String,
        /// Why, including the guest's own message or trap.
        message: String,
    },
    /// A component offered as the replacement of a running element does not fit it.
    #[error("element '{element}' keeps running its current component; {} cannot replace it: {reason}", path.display())]
    Incompatible {
        /// The running element's factory name.
        element: String,
        /// The offered component.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!(" (allow it with {h})"),
        None => String::new(),
    }
}

/// `Result` with [`WasmError`].
pub type Result<T, E = WasmError> = std::result::Result<T, E>;
