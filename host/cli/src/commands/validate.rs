//! `parallax validate FILE.px`: parse and negotiate without running.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Options of `validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The `.px` file.
    file: PathBuf,
    /// Also print the negotiated caps of every link.
    #[arg(short, long)]
    verbose: bool,
}

pub(crate) fn validate(elements: &super::Elements, args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut pipeline = elements.load_file(&args.file)?;
    pipeline.validate()?;
    if args.verbose {
        super::print_links(&pipeline);
    }
    println!(
        "{}: OK ({} elements, {} links)",
        args.file.display(),
        pipeline.graph().len(),
        pipeline.links().len()
    );
    Ok(ExitCode::SUCCESS)
}
