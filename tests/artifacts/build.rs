//! Builds every crate of the `elements-wasm/` workspace for `wasm32-wasip2` (release) with
//! a nested cargo, copies the components into `target/wasm-guests/{plugins,hostile}/`, and
//! writes `$OUT_DIR/artifacts.rs` with one path constant per element.
//!
//! Guests in Python, JavaScript and C (`elements-wasm/{python,js,c}/`, and hostile ones in
//! `elements-wasm/hostile/` without a `Cargo.toml`) are built by `build/guests.rs` with the
//! tools `ci/guest-tools.sh` installed; their well-behaved elements go to
//! `target/wasm-guests/lang/`, apart from the Rust ones, because a Python or JavaScript
//! component takes 10–20 s to compile the first time and a `--plugin-dir` scan of
//! `plugins/` should stay quick.
//!
//! A key design decision: the nested cargo uses its own target dir (`target/wasm-guests`),
//! so it never waits on the lock the outer build holds on `target/`, and it runs with a
//! clean environment (no outer RUSTFLAGS, wrappers such as clippy-driver, target or
//! cfg/feature variables), keeping only the jobserver so both builds share the CPU budget.

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "build/c.rs"]
mod c;
#[path = "build/guests.rs"]
mod guests;
#[path = "build/js.rs"]
mod js;
#[path = "build/python.rs"]
mod python;

/// Where a component goes, and which list it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A well-behaved Rust element, in `plugins/`.
    Plugin,
    /// A well-behaved Python, JavaScript or C element, in `lang/`.
    Lang,
    /// A test guest, in `hostile/`.
    Hostile,
}

const TARGET: &str = "wasm32-wasip2";

/// Variables the outer cargo sets (or a user sets for it) that must not reach the nested one.
const CLEARED: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CLIPPY_CONF_DIR",
    "RUSTC",
    "RUSTDOC",
    "RUSTC_LINKER",
    "TARGET",
    "HOST",
    "OUT_DIR",
    "OPT_LEVEL",
    "PROFILE",
    "DEBUG",
    "NUM_JOBS",
    "CARGO_PRIMARY_PACKAGE",
];

/// Prefixes of variables cleared for the same reason.
const CLEARED_PREFIXES: &[&str] = &[
    "CARGO_CFG_",
    "CARGO_FEATURE_",
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
    "DEP_",
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let repo = manifest_dir
        .ancestors()
        .nth(2)
        .expect("tests/artifacts sits two levels below the repository root")
        .to_path_buf();
    let guests = repo.join("elements-wasm");
    let target_dir = repo.join("target").join("wasm-guests");

    for dir in ["wit", "guest-sdk", "elements-wasm", "host/caps"] {
        watch(&repo.join(dir));
    }
    watch(&repo.join("rust-toolchain.toml"));
    // A reinstalled tool (new pin) rebuilds the guests that use it.
    for pin in ["python/.pinned", "js/.pinned"] {
        println!(
            "cargo:rerun-if-changed={}",
            repo.join("target/guest-tools").join(pin).display()
        );
    }

    build(&guests, &target_dir);

    let out_dir = target_dir.join(TARGET).join("release");
    let plugins = target_dir.join("plugins");
    let hostile = target_dir.join("hostile");
    let lang = target_dir.join("lang");
    let mut elements = BTreeMap::new();
    for member in members(&guests) {
        let name = package_name(&guests.join(&member).join("Cargo.toml"));
        let file = format!("{}.wasm", name.replace('-', "_"));
        let kind = if member.starts_with("hostile/") {
            Kind::Hostile
        } else {
            Kind::Plugin
        };
        let dest_dir = if kind == Kind::Hostile {
            &hostile
        } else {
            &plugins
        };
        let dest = dest_dir.join(&file);
        copy_if_changed(&out_dir.join(&file), &dest);
        elements.insert(name, (dest, kind));
    }
    build_other_languages(&repo, &guests, &target_dir, &mut elements);
    remove_stale(&plugins, &elements);
    remove_stale(&hostile, &elements);
    remove_stale(&lang, &elements);

    let src = generate(&elements, &plugins, &hostile, &lang);
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("artifacts.rs");
    fs::write(&out, src).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}

/// Builds the Python, JavaScript and C guests, two at a time (the machine has two cores
/// and each tool is mostly single-threaded), and adds them to `elements`.
fn build_other_languages(
    repo: &Path,
    guests: &Path,
    target_dir: &Path,
    elements: &mut BTreeMap<String, (PathBuf, Kind)>,
) {
    let found = guests::discover(guests);
    let jobs: Vec<_> = found
        .iter()
        .map(|g| {
            let (dir, kind) = if g.hostile {
                ("hostile", Kind::Hostile)
            } else {
                ("lang", Kind::Lang)
            };
            let out = target_dir.join(dir).join(format!("{}.wasm", g.name));
            let work = target_dir.join("lang-build").join(&g.name);
            (g, out, work, kind)
        })
        .collect();
    for (_, out, _, _) in &jobs {
        if let Some(dir) = out.parent() {
            guests::create_dir(dir);
        }
    }
    for chunk in jobs.chunks(2) {
        std::thread::scope(|s| {
            for (g, out, work, _) in chunk {
                s.spawn(move || guests::build(g, repo, work, out));
            }
        });
    }
    for (g, out, _, kind) in jobs {
        elements.insert(g.name.clone(), (out, kind));
    }
}

/// Runs the nested `cargo build`; panics with its whole stderr when it fails.
fn build(guests: &Path, target_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // Cargo reads `.cargo/config.toml` from the working directory, not the manifest's:
    // elements-wasm/.cargo/config.toml turns on simd128.
    cmd.current_dir(guests)
        .args(["build", "--release", "--workspace", "--target", TARGET])
        .arg("--manifest-path")
        .arg(guests.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    for var in CLEARED {
        cmd.env_remove(var);
    }
    for (key, _) in env::vars_os() {
        if let Some(k) = key.to_str()
            && CLEARED_PREFIXES.iter().any(|p| k.starts_with(p))
        {
            cmd.env_remove(&key);
        }
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo for elements-wasm: {e}"));
    if !output.status.success() {
        panic!(
            "building elements-wasm for {TARGET} failed ({}); is the target installed \
             (`rustup target add {TARGET}`)?\n--- cargo stderr ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Emits `rerun-if-changed` for `path` and, for a directory, every file below it
/// (build output folders excepted).
fn watch(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            let p = entry.path();
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            watch(&p);
        }
    }
}

/// The `members` of a workspace manifest, minus the SDK (`../guest-sdk`).
fn members(guests: &Path) -> Vec<String> {
    let manifest = read(&guests.join("Cargo.toml"));
    let start = manifest
        .find("members")
        .and_then(|i| manifest[i..].find('[').map(|j| i + j + 1))
        .expect("elements-wasm/Cargo.toml has a members list");
    let end = start + manifest[start..].find(']').expect("members list ends");
    manifest[start..end]
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| l.split(','))
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty() && !m.starts_with(".."))
        .collect()
}

/// The `name = "..."` of a package manifest.
fn package_name(manifest: &Path) -> String {
    read(manifest)
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| panic!("{} has no package name", manifest.display()))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Copies `from` to `to` unless `to` already has the same bytes (keeps mtimes stable).
fn copy_if_changed(from: &Path, to: &Path) {
    let bytes =
        fs::read(from).unwrap_or_else(|e| panic!("component {} missing: {e}", from.display()));
    if fs::read(to).is_ok_and(|old| old == bytes) {
        return;
    }
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    }
    fs::write(to, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", to.display()));
}

/// Deletes `.wasm` files in `dir` that belong to no current element.
fn remove_stale(dir: &Path, elements: &BTreeMap<String, (PathBuf, Kind)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "wasm") && !elements.values().any(|(q, _)| *q == p) {
            let _ = fs::remove_file(&p);
        }
    }
}

fn generate(
    elements: &BTreeMap<String, (PathBuf, Kind)>,
    plugins: &Path,
    hostile: &Path,
    lang: &Path,
) -> String {
    let path = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
    let konst = |name: &str| name.replace('-', "_").to_uppercase();
    let mut s = String::from("// Generated by tests/artifacts/build.rs.\n\n");
    for (name, (p, kind)) in elements {
        let kind = match kind {
            Kind::Hostile => "hostile test guest",
            Kind::Plugin => "element",
            Kind::Lang => "element (Python, JavaScript or C)",
        };
        let _ = writeln!(s, "/// The `{name}` {kind} component (`.wasm`).");
        let _ = writeln!(s, "pub const {}: &str = {:?};", konst(name), path(p));
    }
    let list = |kind: Option<Kind>| {
        let mut l = String::new();
        for (name, (_, k)) in elements {
            if kind.is_none_or(|want| want == *k) {
                let _ = write!(l, "({name:?}, {}), ", konst(name));
            }
        }
        l
    };
    let _ = writeln!(
        s,
        "\n/// Every component: `(crate or folder name, path)`, well-behaved and hostile."
    );
    let _ = writeln!(s, "pub const ALL: &[(&str, &str)] = &[{}];", list(None));
    let _ = writeln!(
        s,
        "\n/// The well-behaved Rust elements (the ones in [`plugin_dir`])."
    );
    let _ = writeln!(
        s,
        "pub const ELEMENTS: &[(&str, &str)] = &[{}];",
        list(Some(Kind::Plugin))
    );
    let _ = writeln!(
        s,
        "\n/// The well-behaved Python, JavaScript and C elements (the ones in [`lang_dir`])."
    );
    let _ = writeln!(
        s,
        "pub const LANG: &[(&str, &str)] = &[{}];",
        list(Some(Kind::Lang))
    );
    let _ = writeln!(
        s,
        "\n/// The hostile test guests (the ones in [`hostile_dir`])."
    );
    let _ = writeln!(
        s,
        "pub const HOSTILE: &[(&str, &str)] = &[{}];",
        list(Some(Kind::Hostile))
    );
    let _ = writeln!(
        s,
        "\n/// The directory holding the well-behaved elements' `.wasm` files, for `--plugin-dir`.\n\
         pub fn plugin_dir() -> &'static str {{ {:?} }}",
        path(plugins)
    );
    let _ = writeln!(
        s,
        "\n/// The directory holding the Python, JavaScript and C elements' `.wasm` files.\n\
         pub fn lang_dir() -> &'static str {{ {:?} }}",
        path(lang)
    );
    let _ = writeln!(
        s,
        "\n/// The directory holding the hostile test guests' `.wasm` files.\n\
         pub fn hostile_dir() -> &'static str {{ {:?} }}",
        path(hostile)
    );
    let _ = writeln!(
        s,
        "\n/// Calls `$m!(crate_name, CONST)` for every component, so a test suite can check\n\
         /// that each one is tested: `foreach_element!(assert_test_exists);`.\n\
         #[macro_export]\nmacro_rules! foreach_element {{\n    ($m:ident) => {{"
    );
    for name in elements.keys() {
        let _ = writeln!(
            s,
            "        $m!({}, {});",
            name.replace('-', "_"),
            konst(name)
        );
    }
    s.push_str("    };\n}\n");
    s
}
