//! JavaScript guests: componentize-js (StarlingMonkey; pinned by `ci/guest-tools.sh`)
//! with every optional WASI feature disabled, so the component imports only
//! `parallax:element` (otherwise it imports files, clocks and randomness, which the host
//! refuses; `http`/`fetch-event` would even pull in `wasi:http`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::guests::{Guest, copy_tree, installed, run};

fn componentize_js(repo: &Path) -> PathBuf {
    repo.join("target/guest-tools/js/node_modules/.bin/componentize-js")
}

/// The tool's pin, for the stamp.
pub(crate) fn tool(repo: &Path) -> String {
    let pin = repo.join("target/guest-tools/js/.pinned");
    installed(pin.clone());
    std::fs::read_to_string(&pin).unwrap_or_default()
}

/// Stages `element.js` with a copy of `wit/` (componentize-js reads the WIT only from
/// below its working directory) and builds the component.
pub(crate) fn build(guest: &Guest, repo: &Path, work: &Path, out: &Path) {
    copy_tree(&repo.join("wit"), &work.join("wit"));
    copy_tree(&guest.dir, work);
    run(
        Command::new(installed(componentize_js(repo)))
            .current_dir(work)
            .args(["--wit", "wit", "--world-name", "element-world"])
            .args(["-d", "stdio", "random", "clocks", "http", "fetch-event"])
            .arg("-o")
            .arg(out)
            .arg("element.js"),
        &format!("componentize-js for {}", guest.name),
    );
}
