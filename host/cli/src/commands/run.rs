//! `parallax run FILE.px` and `parallax launch PIPELINE...`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use parallax::{Message, Pipeline};

use super::progress::Progress;

/// Options of `run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The `.px` file.
    file: PathBuf,
    #[command(flatten)]
    common: CommonRunArgs,
}

/// Options of `launch`.
#[derive(Debug, Args)]
pub(crate) struct LaunchArgs {
    /// The pipeline, e.g. `fakesrc num-buffers=10 ! fakesink` (words are joined with spaces).
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    pipeline: Vec<String>,
    #[command(flatten)]
    common: CommonRunArgs,
}

#[derive(Debug, Args)]
struct CommonRunArgs {
    /// Also show negotiated caps, element messages and timing (bus warnings are always
    /// printed, as `WARNING: <element>: <message>`, as gst-launch-1.0 does).
    #[arg(short, long)]
    verbose: bool,
    /// Never print the progress line (it is shown only when stderr is a terminal);
    /// warnings and errors are still printed.
    #[arg(short, long)]
    quiet: bool,
    /// Hot reload: when the `.wasm` file of a running element changes, load it and swap
    /// it in between two buffers (a file that fails to load is refused with a warning).
    #[arg(long)]
    watch: bool,
    #[command(flatten)]
    isolation: IsolateArgs,
}

/// Which elements run in sandboxed worker processes (`run`, `launch`, `inspect --sandbox`).
#[derive(Debug, Args)]
pub(crate) struct IsolateArgs {
    /// Run elements whose factory name matches PATTERN (`*dec*`; `*` for all) in a
    /// seccomp-sandboxed worker process (repeatable). The elements one pattern matches
    /// share one process; add `--isolate-each` for a process per element. Elements with
    /// native code are isolated anyway, each in its own process unless a pattern names
    /// them.
    #[arg(long, value_name = "PATTERN", conflicts_with = "no_isolate")]
    isolate: Vec<String>,
    /// With `--isolate`: every matching element in a worker process of its own (stronger
    /// separation, more processes) instead of one process per pattern.
    #[arg(long, requires = "isolate")]
    isolate_each: bool,
    /// Run every element in-process, even those with native code that are isolated by
    /// default.
    #[arg(long)]
    no_isolate: bool,
}

impl IsolateArgs {
    pub(crate) fn isolation(&self) -> parallax::Isolation {
        if self.no_isolate {
            parallax::Isolation::InProcess
        } else if self.isolate.is_empty() {
            parallax::Isolation::Auto
        } else if self.isolate_each && self.isolate.iter().any(|p| p == "*") {
            parallax::Isolation::All
        } else if self.isolate_each {
            parallax::Isolation::PatternsEach(self.isolate.clone())
        } else {
            parallax::Isolation::Patterns(self.isolate.clone())
        }
    }
}

pub(crate) fn run_file(elements: &super::Elements, args: RunArgs) -> anyhow::Result<ExitCode> {
    let pipeline = elements.load_file(&args.file)?;
    execute(pipeline, &args.common)
}

pub(crate) fn launch(elements: &super::Elements, args: LaunchArgs) -> anyhow::Result<ExitCode> {
    let text = args.pipeline.join(" ");
    let pipeline = elements.parse(&text, "<command line>")?;
    execute(pipeline, &args.common)
}

fn execute(mut pipeline: Pipeline, options: &CommonRunArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    pipeline.set_isolation(options.isolation.isolation())?;
    runtime.block_on(async move {
        let controller = pipeline.controller();
        let mut bus = pipeline.bus();
        pipeline.prepare()?;
        if options.verbose {
            super::print_links(&pipeline);
            for element in pipeline.isolated_elements() {
                eprintln!("{element}: isolated in a sandboxed worker process");
            }
            for group in pipeline.worker_groups() {
                if group.is_shared() {
                    eprintln!(
                        "worker for '{}': {}",
                        group.label(),
                        group.members().join(", ")
                    );
                }
            }
        }
        let _watcher = watch(&controller, options)?;
        let show_progress = !options.quiet && std::io::stderr().is_terminal();
        let verbose = options.verbose;
        let reporter = tokio::spawn(async move {
            let mut progress = Progress::new(show_progress);
            while let Some(message) = bus.recv().await {
                match message {
                    Message::Stats { elements, .. } => progress.update(&elements),
                    Message::Warning { element, message } => {
                        progress.clear();
                        eprintln!("WARNING: {element}: {message}");
                    }
                    Message::Replaced {
                        element,
                        old_hash,
                        new_hash,
                        pause,
                        state_handed_over,
                    } => {
                        progress.clear();
                        eprintln!(
                            "Replaced {element}: {} -> {} (paused {} µs{})",
                            short_hash(&old_hash),
                            short_hash(&new_hash),
                            pause.as_micros(),
                            if state_handed_over {
                                ", state handed over"
                            } else {
                                ""
                            }
                        );
                    }
                    Message::Element { element, structure } if verbose => {
                        progress.clear();
                        eprintln!("{element}: {structure}");
                    }
                    Message::Eos | Message::Error { .. } => break,
                    _ => {}
                }
            }
            progress.clear();
        });
        let interrupts = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nInterrupt: sending end of stream, draining (Ctrl-C again to abort)");
                controller.send_eos();
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!("Aborted.");
                    std::process::exit(130);
                }
            }
        });
        let result = pipeline.run().await;
        interrupts.abort();
        let _ = reporter.await;
        let summary = result?;
        if options.verbose {
            eprintln!(
                "Execution ended after {:.3} s",
                summary.elapsed.as_secs_f64()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(feature = "wasm")]
fn watch(
    controller: &parallax::PipelineController,
    options: &CommonRunArgs,
) -> anyhow::Result<Option<parallax::ComponentWatcher>> {
    if !options.watch {
        return Ok(None);
    }
    let watcher = controller.watch_components()?;
    if watcher.files().is_empty() {
        eprintln!("WARNING: --watch: the pipeline has no WASM element to watch");
    }
    for file in watcher.files() {
        eprintln!("Watching {}", file.display());
    }
    Ok(Some(watcher))
}

#[cfg(not(feature = "wasm"))]
fn watch(
    _controller: &parallax::PipelineController,
    options: &CommonRunArgs,
) -> anyhow::Result<Option<()>> {
    if options.watch {
        anyhow::bail!("--watch needs parallax built with the 'wasm' feature");
    }
    Ok(None)
}
