//! `parallax graph FILE.px`: the negotiated graph in Graphviz DOT.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

/// Options of `graph`.
#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    /// The `.px` file.
    file: PathBuf,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub(crate) fn graph(elements: &super::Elements, args: GraphArgs) -> anyhow::Result<ExitCode> {
    let mut pipeline = elements.load_file(&args.file)?;
    pipeline.validate()?;
    let dot = pipeline.to_dot();
    match args.output {
        Some(path) => std::fs::write(&path, dot)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{dot}"),
    }
    Ok(ExitCode::SUCCESS)
}
