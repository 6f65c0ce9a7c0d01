//! Guests written in Python, JavaScript and C (`elements-wasm/{python,js,c}/<name>/` and
//! `elements-wasm/hostile/<name>/` folders without a `Cargo.toml`): found by their files,
//! built by the language's tool in a staging folder, copied next to the Rust ones.
//!
//! A key design decision: a guest is rebuilt only when a stamp (a hash of its sources,
//! the shared files of its language, `wit/` and the tool's pin) changes, because Python
//! and JavaScript components take 5–40 s each to build; and the tools are only looked
//! up, never installed, here: `ci/guest-tools.sh` installs them, and a missing tool is a
//! build failure (so tests fail instead of skipping).

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

use crate::{c, js, python};

/// The language of a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    Js,
    C,
}

/// One guest to build.
#[derive(Debug, Clone)]
pub(crate) struct Guest {
    /// Folder name: the file stem and, upper-cased, the constant's name.
    pub(crate) name: String,
    pub(crate) lang: Lang,
    /// The guest's own folder.
    pub(crate) dir: PathBuf,
    /// Files shared by every guest of the language (`elements-wasm/<lang>/common/`).
    pub(crate) common: PathBuf,
    pub(crate) hostile: bool,
}

/// Every Python, JavaScript and C guest under `elements-wasm/`, sorted by name.
pub(crate) fn discover(guests: &Path) -> Vec<Guest> {
    let mut found = Vec::new();
    for (folder, lang) in [("python", Lang::Python), ("js", Lang::Js), ("c", Lang::C)] {
        for dir in subdirs(&guests.join(folder)) {
            if dir.file_name().is_some_and(|n| n == "common") {
                continue;
            }
            found.push(guest(guests, dir, lang, false));
        }
    }
    for dir in subdirs(&guests.join("hostile")) {
        if dir.join("Cargo.toml").exists() {
            continue; // a Rust crate, built by the workspace
        }
        if let Some(lang) = lang_of(&dir) {
            found.push(guest(guests, dir, lang, true));
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

fn guest(guests: &Path, dir: PathBuf, lang: Lang, hostile: bool) -> Guest {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{} has no UTF-8 name", dir.display()))
        .to_owned();
    let folder = match lang {
        Lang::Python => "python",
        Lang::Js => "js",
        Lang::C => "c",
    };
    Guest {
        name,
        lang,
        dir,
        common: guests.join(folder).join("common"),
        hostile,
    }
}

/// The language of a guest folder by its entry file.
fn lang_of(dir: &Path) -> Option<Lang> {
    if dir.join("element.py").is_file() {
        Some(Lang::Python)
    } else if dir.join("element.js").is_file() {
        Some(Lang::Js)
    } else if files(dir).iter().any(|f| has_ext(f, "c")) {
        Some(Lang::C)
    } else {
        None
    }
}

/// Builds `guest` into `out` unless its stamp says `out` is current.
pub(crate) fn build(guest: &Guest, repo: &Path, work: &Path, out: &Path) {
    let tool = match guest.lang {
        Lang::Python => python::tool(repo),
        Lang::Js => js::tool(repo),
        Lang::C => c::tool(),
    };
    let stamp_file = work.join("stamp");
    let stamp = stamp(guest, repo, &tool);
    if out.is_file() && std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        return;
    }
    let _ = std::fs::remove_dir_all(work);
    create_dir(work);
    match guest.lang {
        Lang::Python => python::build(guest, repo, work, out),
        Lang::Js => js::build(guest, repo, work, out),
        Lang::C => c::build(guest, repo, work, out),
    }
    std::fs::write(&stamp_file, stamp)
        .unwrap_or_else(|e| panic!("writing {}: {e}", stamp_file.display()));
}

/// Hash of everything a guest's component depends on.
fn stamp(guest: &Guest, repo: &Path, tool: &str) -> String {
    let mut h = DefaultHasher::new();
    h.write(tool.as_bytes());
    for dir in [&guest.dir, &guest.common, &repo.join("wit")] {
        for file in files(dir) {
            h.write(file.to_string_lossy().as_bytes());
            h.write(&std::fs::read(&file).unwrap_or_default());
        }
    }
    format!("{:016x}\n", h.finish())
}

/// Sorted sub-folders of `dir` (none when it does not exist).
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Sorted plain files of `dir`, recursively (none when it does not exist), skipping
/// `__pycache__`, which Python tools may leave behind.
pub(crate) fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "__pycache__") {
                out.extend(files(&p));
            }
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

pub(crate) fn has_ext(p: &Path, ext: &str) -> bool {
    p.extension().is_some_and(|e| e == ext)
}

pub(crate) fn create_dir(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
}

/// Copies every file of `from` (recursively) into `to`.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for file in files(from) {
        let rel = file.strip_prefix(from).unwrap_or(&file);
        let dest = to.join(rel);
        if let Some(parent) = dest.parent() {
            create_dir(parent);
        }
        std::fs::copy(&file, &dest)
            .unwrap_or_else(|e| panic!("copying {} to {}: {e}", file.display(), dest.display()));
    }
}

/// Runs a guest tool; panics with its output when it fails or cannot start.
pub(crate) fn run(cmd: &mut std::process::Command, what: &str) {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {:?}: {e}", cmd.get_program()));
    if !output.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The path of a tool installed by `ci/guest-tools.sh`, or a panic saying to run it.
pub(crate) fn installed(path: PathBuf) -> PathBuf {
    if !path.is_file() {
        panic!(
            "{} is missing: the Python, JavaScript and C guests need the tools that \
             `ci/guest-tools.sh` installs into target/guest-tools (ci/test.sh runs it)",
            path.display()
        );
    }
    path
}
