//! One module per subcommand; each is a thin layer over the embedding API.

pub(crate) mod graph;
pub(crate) mod inspect;
mod progress;
pub(crate) mod run;
pub(crate) mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use parallax::Pipeline;
use parallax::core::Registry;

/// The elements a command can use: built-in ones plus plugins from the plugin path.
pub(crate) struct Elements {
    pub(crate) registry: Arc<Registry>,
    /// One line per plugin file, loaded or rejected, for `inspect`.
    pub(crate) plugin_lines: Vec<String>,
}

impl Elements {
    /// Built-in elements plus the components in `dirs`, `PARALLAX_PLUGIN_PATH` and the
    /// per-user plugin directory. Rejected plugin files are reported on stderr, never fatal.
    #[cfg(feature = "wasm")]
    pub(crate) fn load(dirs: Vec<PathBuf>) -> anyhow::Result<Elements> {
        use parallax::components::{PluginReport, plugin_search_path, registry_with_plugins};
        let dirs = plugin_search_path(&dirs);
        if dirs.is_empty() {
            return Ok(Elements {
                registry: parallax::default_registry(),
                plugin_lines: Vec::new(),
            });
        }
        let (registry, reports) = registry_with_plugins(&dirs);
        let plugin_lines = reports
            .into_iter()
            .map(|report| match report {
                PluginReport::Loaded {
                    path,
                    name,
                    version,
                    hash,
                    cache_hit,
                } => format!(
                    "loaded   {name:<16} {version:<10} sha256:{} {}{}",
                    hash.get(..16).unwrap_or(&hash),
                    path.display(),
                    if cache_hit { " (cached)" } else { "" }
                ),
                PluginReport::Rejected { path, reason } => {
                    eprintln!("WARNING: plugin {} rejected: {reason}", path.display());
                    format!("rejected {}: {reason}", path.display())
                }
            })
            .collect();
        Ok(Elements {
            registry,
            plugin_lines,
        })
    }

    /// Built-in elements only: this build has no WASM runtime, so plugin directories given
    /// on the command line or in `PARALLAX_PLUGIN_PATH` are an error.
    #[cfg(not(feature = "wasm"))]
    pub(crate) fn load(dirs: Vec<PathBuf>) -> anyhow::Result<Elements> {
        let from_env = std::env::var_os("PARALLAX_PLUGIN_PATH").is_some_and(|p| !p.is_empty());
        if !dirs.is_empty() || from_env {
            anyhow::bail!("plugin directories need parallax built with the 'wasm' feature");
        }
        Ok(Elements {
            registry: parallax::default_registry(),
            plugin_lines: Vec::new(),
        })
    }

    /// Parses `text`; `file` names it in errors.
    pub(crate) fn parse(&self, text: &str, file: &str) -> anyhow::Result<Pipeline> {
        Ok(Pipeline::parse_with(
            Arc::clone(&self.registry),
            text,
            file,
        )?)
    }

    /// Parses a `.px` file; errors already carry file:line:column.
    pub(crate) fn load_file(&self, path: &Path) -> anyhow::Result<Pipeline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        self.parse(&text, &path.display().to_string())
    }
}

/// Prints the negotiated caps of every link, as `-v` does.
pub(crate) fn print_links(pipeline: &Pipeline) {
    for link in pipeline.links() {
        let caps = link
            .caps
            .map_or_else(|| "(not negotiated)".to_owned(), |c| c.to_string());
        eprintln!(
            "{}.{} -> {}.{}: {caps}",
            link.src_element, link.src_pad, link.sink_element, link.sink_pad
        );
    }
}
