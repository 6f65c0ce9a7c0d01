//! One module per subcommand; each is a thin layer over the embedding API.

pub(crate) mod graph;
pub(crate) mod inspect;
mod progress;
pub(crate) mod run;
pub(crate) mod validate;

use std::path::Path;

use anyhow::Context;
use parallax::Pipeline;

/// Parses a `.px` file; errors already carry file:line:column.
pub(crate) fn load(path: &Path) -> anyhow::Result<Pipeline> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Pipeline::parse_with(
        parallax::default_registry(),
        &text,
        &path.display().to_string(),
    )?)
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
