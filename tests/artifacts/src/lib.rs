//! Paths of the WASM guest components, built from `elements-wasm/` by this crate's
//! `build.rs` during the normal `cargo build` / `cargo test` (needs the `wasm32-wasip2`
//! target, which `ci/test.sh` installs).
//!
//! One `&str` constant per crate (or, for Python, JavaScript and C guests, per folder),
//! named after it in upper case (`PASSTHROUGH`, `GRAYSCALE`, `FRAMESTATS`,
//! `HOSTILE_SPIN`, ...), plus [`ALL`], [`ELEMENTS`], [`LANG`], [`HOSTILE`],
//! [`plugin_dir`], [`lang_dir`], [`hostile_dir`] and the [`foreach_element!`] macro.
//! Well-behaved Rust elements live in [`plugin_dir`], well-behaved Python, JavaScript and
//! C ones in [`lang_dir`] (Python and JavaScript components take seconds to compile the
//! first time, so they stay out of the quick Rust set), hostile test guests in
//! [`hostile_dir`], so a `--plugin-dir` scan never picks up a guest that is meant to fail.
//! The Python, JavaScript and C guests need the tools `ci/guest-tools.sh` installs.
//!
//! ```
//! let (name, path) = parallax_test_artifacts::ALL[0];
//! assert!(std::path::Path::new(path).is_file(), "{name}");
//! assert!(parallax_test_artifacts::PASSTHROUGH.ends_with("passthrough.wasm"));
//! ```

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));

/// The bytes of component `original` with a custom section appended: the same code under
/// another content hash, which is "a new version" as far as the host can tell (the
/// hot-reload tests and benchmark swap between such copies).
///
/// # Panics
///
/// When `original` cannot be read or `tag` is longer than 100 bytes (test helper).
pub fn component_variant(original: &std::path::Path, tag: &str) -> Vec<u8> {
    let mut bytes =
        std::fs::read(original).unwrap_or_else(|e| panic!("reading {}: {e}", original.display()));
    let name = b"parallax-test-variant";
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name);
    payload.extend_from_slice(tag.as_bytes());
    // One-byte LEB128 section size.
    assert!(payload.len() < 128, "tag too long");
    bytes.push(0); // custom section id
    bytes.push(payload.len() as u8);
    bytes.extend_from_slice(&payload);
    bytes
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    macro_rules! exists {
        ($name:ident, $path:ident) => {
            assert!(
                Path::new(super::$path).is_file(),
                "{} missing at {}",
                stringify!($name),
                super::$path
            );
        };
    }

    #[test]
    fn every_component_exists() {
        foreach_element!(exists);
        assert_eq!(
            super::ALL.len(),
            super::ELEMENTS.len() + super::LANG.len() + super::HOSTILE.len()
        );
        let well_behaved = super::ELEMENTS
            .iter()
            .map(|e| (e, super::plugin_dir()))
            .chain(super::LANG.iter().map(|e| (e, super::lang_dir())));
        for ((name, path), dir) in well_behaved {
            let p = Path::new(path);
            assert_eq!(p.parent(), Some(Path::new(dir)), "{name}");
            // A component starts with the wasm magic and the component-model layer.
            let bytes = std::fs::read(p).unwrap();
            assert_eq!(&bytes[..4], b"\0asm", "{name}");
            assert_eq!(&bytes[6..8], &[1, 0], "{name} is not a component");
        }
        for (_, path) in super::HOSTILE {
            assert_eq!(
                Path::new(path).parent(),
                Some(Path::new(super::hostile_dir()))
            );
        }
    }

    #[test]
    fn the_expected_elements_are_built() {
        let names: Vec<&str> = super::ALL.iter().map(|(n, _)| *n).collect();
        for want in [
            "passthrough",
            "grayscale",
            "videoinvert",
            "volume",
            "jsonfilter",
            "counter",
            "stats",
            "copypassthrough",
            "hostile_spin",
            "hostile_membomb",
            "hostile_panic",
            "hostile_badoutput",
            "hostile_toomany",
            "hostile_fsimport",
            "hostile_writeinput",
            "framestats",
            "pypassthrough",
            "jsonpick",
            "jspassthrough",
            "audiogain",
            "cpassthrough",
            "hostile_pyspin",
            "hostile_ctrap",
        ] {
            assert!(names.contains(&want), "{want} not built");
        }
    }
}
