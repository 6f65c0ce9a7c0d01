//! Python guests: componentize-py (pinned by `ci/guest-tools.sh`) with `--stub-wasi`, so
//! the component imports no WASI interface at all (CPython's runtime would otherwise
//! import files, sockets, clocks and randomness, which the host refuses).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::guests::{Guest, copy_tree, installed, run};

fn componentize_py(repo: &Path) -> PathBuf {
    repo.join("target/guest-tools/python/bin/componentize-py")
}

/// The tool's pin, for the stamp.
pub(crate) fn tool(repo: &Path) -> String {
    let pin = repo.join("target/guest-tools/python/.pinned");
    installed(pin.clone());
    std::fs::read_to_string(&pin).unwrap_or_default()
}

/// Stages `element.py` with the shared modules (componentize-py writes `__pycache__`
/// next to its inputs) and builds the component.
pub(crate) fn build(guest: &Guest, repo: &Path, work: &Path, out: &Path) {
    let src = work.join("src");
    copy_tree(&guest.common, &src);
    copy_tree(&guest.dir, &src);
    run(
        Command::new(installed(componentize_py(repo)))
            .current_dir(work)
            .arg("-d")
            .arg(repo.join("wit"))
            .args(["-w", "element-world", "componentize", "--stub-wasi", "-p"])
            .arg(&src)
            .arg("element")
            .arg("-o")
            .arg(out),
        &format!("componentize-py for {}", guest.name),
    );
}
