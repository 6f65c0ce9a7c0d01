//! C guests: `parallax-wit-c` (tools/wit-c) generates the bindings, Debian's clang and
//! wasi-libc compile and link them with the element's `.c` files and the shared
//! `elements-wasm/c/common/`, and wit-component wraps the result.

use std::path::Path;

use crate::guests::{Guest, files, has_ext};

/// The compiler's identity, for the stamp (`clang --version`); a panic when it is missing.
pub(crate) fn tool() -> String {
    let cc = std::env::var("CC_WASM32").unwrap_or_else(|_| "clang".to_owned());
    match std::process::Command::new(&cc).arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => panic!(
            "{cc} is missing: the C guests need Debian's clang, lld, wasi-libc and \
             libclang-rt-14-dev-wasm32, which `ci/guest-tools.sh` installs (ci/test.sh runs it)"
        ),
    }
}

pub(crate) fn build(guest: &Guest, repo: &Path, work: &Path, out: &Path) {
    let sources: Vec<_> = files(&guest.dir)
        .into_iter()
        .chain(files(&guest.common))
        .filter(|f| has_ext(f, "c"))
        .collect();
    let component = parallax_wit_c::build(&parallax_wit_c::Build {
        wit: &repo.join("wit"),
        world: "element-world",
        sources: &sources,
        include_dirs: std::slice::from_ref(&guest.common),
        work_dir: work,
    })
    .unwrap_or_else(|e| panic!("building the C guest {}: {e}", guest.name));
    std::fs::write(out, component).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
