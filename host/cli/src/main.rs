//! `parallax`: run, inspect, validate and draw pipelines.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Parallax: a streaming media pipeline engine.
#[derive(Debug, Parser)]
#[command(name = "parallax", version, about, propagate_version = true)]
struct Cli {
    /// A directory of `.wasm` element components to load (repeatable; also
    /// `PARALLAX_PLUGIN_PATH`, colon-separated).
    #[arg(long = "plugin-dir", global = true, value_name = "DIR")]
    plugin_dirs: Vec<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the pipeline in a `.px` file until end of stream.
    Run(commands::run::RunArgs),
    /// Run a pipeline given on the command line (gst-launch syntax).
    Launch(commands::run::LaunchArgs),
    /// List elements, or describe one: pads, caps, properties, execution hints.
    Inspect(commands::inspect::InspectArgs),
    /// Parse a `.px` file and negotiate caps without running it.
    Validate(commands::validate::ValidateArgs),
    /// Print the negotiated graph of a `.px` file in Graphviz DOT.
    Graph(commands::graph::GraphArgs),
}

fn main() -> ExitCode {
    // `parallax __sandbox-worker` is this binary re-entered as a sandboxed worker: it
    // serves one element and never sees the command line parser.
    if let Some(status) = parallax::sandbox::worker_entry(parallax::default_registry) {
        return ExitCode::from(u8::try_from(status).unwrap_or(1));
    }
    let cli = Cli::parse();
    let result = commands::Elements::load(cli.plugin_dirs).and_then(|elements| match cli.command {
        Command::Run(args) => commands::run::run_file(&elements, args),
        Command::Launch(args) => commands::run::launch(&elements, args),
        Command::Inspect(args) => commands::inspect::inspect(&elements, args),
        Command::Validate(args) => commands::validate::validate(&elements, args),
        Command::Graph(args) => commands::graph::graph(&elements, args),
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ERROR: {error:#}");
            ExitCode::FAILURE
        }
    }
}
