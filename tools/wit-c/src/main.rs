//! `parallax-wit-c`: builds a C guest element into a component.
//!
//! ```text
//! parallax-wit-c bindings WIT_DIR WORLD OUT_DIR
//! parallax-wit-c build WIT_DIR WORLD OUT.wasm FILE.c... [-I DIR]...
//! parallax-wit-c component CORE.wasm OUT.wasm
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  parallax-wit-c bindings WIT_DIR WORLD OUT_DIR          write <world>.h, .c, _component_type.o
  parallax-wit-c build WIT_DIR WORLD OUT.wasm FILE.c... [-I DIR]...
                                                         bindings + clang + component in one go
  parallax-wit-c component CORE.wasm OUT.wasm            wrap a core module you linked yourself";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("parallax-wit-c: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let fail = |e: parallax_wit_c::Error| e.to_string();
    match args {
        [cmd, wit, world, out] if cmd == "bindings" => {
            for path in parallax_wit_c::generate_bindings(wit.as_ref(), world, out.as_ref())
                .map_err(fail)?
            {
                println!("{}", path.display());
            }
            Ok(())
        }
        [cmd, core, out] if cmd == "component" => {
            let bytes = std::fs::read(core).map_err(|e| format!("{core}: {e}"))?;
            let component = parallax_wit_c::componentize(&bytes).map_err(fail)?;
            std::fs::write(out, component).map_err(|e| format!("{out}: {e}"))
        }
        [cmd, wit, world, out, rest @ ..] if cmd == "build" && !rest.is_empty() => {
            let (sources, include_dirs) = split_includes(rest)?;
            let out = PathBuf::from(out);
            let work_dir = out.with_extension("build");
            let component = parallax_wit_c::build(&parallax_wit_c::Build {
                wit: wit.as_ref(),
                world,
                sources: &sources,
                include_dirs: &include_dirs,
                work_dir: &work_dir,
            })
            .map_err(fail)?;
            std::fs::write(&out, component).map_err(|e| format!("{}: {e}", out.display()))
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Splits `FILE.c... [-I DIR]...` into sources and include directories.
fn split_includes(args: &[String]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    let mut sources = Vec::new();
    let mut includes = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "-I" {
            let dir = it.next().ok_or("-I needs a directory")?;
            includes.push(PathBuf::from(dir));
        } else {
            sources.push(PathBuf::from(arg));
        }
    }
    if sources.is_empty() {
        return Err("no C files given".to_owned());
    }
    Ok((sources, includes))
}
