//! The import policy: which interfaces a guest may import, by default and when granted.
//!
//! A key design decision: WASI is capability-based, so the context already grants
//! nothing (no preopened directory, no network, no environment), but the policy is also
//! enforced by name, at load, so a component that asks for more than an element needs is
//! refused with an error naming the import instead of failing obscurely later.
//!
//! | interface | default | with `grant=` |
//! |---|---|---|
//! | `parallax:element/host`, `parallax:element/types` | allowed | |
//! | `wasi:io/*` | allowed | |
//! | `wasi:cli/{environment, exit, stdin, stdout, stderr, terminal-*}` | allowed (empty env, closed stdin, captured output) | |
//! | `wasi:random/insecure-seed` | allowed, fixed seed | real seed with `random` |
//! | `parallax:element/clock`, `wasi:clocks/*` | refused | `clock` |
//! | `wasi:random/{random, insecure}` | refused | `random` |
//! | anything else (`wasi:filesystem`, `wasi:sockets`, `wasi:http`, ...) | refused | never |

use std::fmt;
use std::path::Path;

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::WasmError;

/// Capabilities an element may be granted beyond the default set (property `grant`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Grants {
    /// `parallax:element/clock` and `wasi:clocks/*`.
    pub clock: bool,
    /// `wasi:random/*` with real entropy.
    pub random: bool,
}

impl Grants {
    /// Parses a comma-separated list (`"clock,random"`; empty grants nothing).
    ///
    /// # Errors
    ///
    /// The unknown word, for an error message.
    pub fn parse(text: &str) -> Result<Grants, String> {
        let mut grants = Grants::default();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "clock" => grants.clock = true,
                "random" => grants.random = true,
                other => {
                    return Err(format!("unknown grant '{other}' (known: clock, random)"));
                }
            }
        }
        Ok(grants)
    }

    /// Whether `self` includes everything in `other`.
    pub fn covers(self, other: Grants) -> bool {
        (self.clock || !other.clock) && (self.random || !other.random)
    }
}

impl fmt::Display for Grants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = [(self.clock, "clock"), (self.random, "random")]
            .into_iter()
            .filter_map(|(on, w)| on.then_some(w))
            .collect();
        f.write_str(&words.join(","))
    }
}

/// What the policy says about one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Allowed,
    Needs(Grants),
    Refused,
}

fn classify(import: &str) -> Verdict {
    // `wasi:clocks/wall-clock@0.2.6` → (`wasi:clocks`, `wall-clock`)
    let unversioned = import.split('@').next().unwrap_or(import);
    let (package, interface) = unversioned.split_once('/').unwrap_or((unversioned, ""));
    let clock = Grants {
        clock: true,
        random: false,
    };
    let random = Grants {
        clock: false,
        random: true,
    };
    match (package, interface) {
        ("parallax:element", "host" | "types") => Verdict::Allowed,
        ("parallax:element", "clock") => Verdict::Needs(clock),
        ("wasi:io", _) => Verdict::Allowed,
        ("wasi:cli", "environment" | "exit" | "stdin" | "stdout" | "stderr") => Verdict::Allowed,
        ("wasi:cli", i) if i.starts_with("terminal-") => Verdict::Allowed,
        ("wasi:random", "insecure-seed") => Verdict::Allowed,
        ("wasi:random", _) => Verdict::Needs(random),
        ("wasi:clocks", _) => Verdict::Needs(clock),
        _ => Verdict::Refused,
    }
}

/// The names of everything `component` imports.
pub(crate) fn import_names(engine: &Engine, component: &Component) -> Vec<String> {
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Checks every import against the policy; returns the grants the component needs.
///
/// # Errors
///
/// [`WasmError::ForbiddenImport`] naming the first import that is never allowed.
pub(crate) fn check(path: &Path, imports: &[String]) -> Result<Grants, WasmError> {
    let mut needed = Grants::default();
    for import in imports {
        match classify(import) {
            Verdict::Allowed => {}
            Verdict::Needs(g) => {
                needed.clock |= g.clock;
                needed.random |= g.random;
            }
            Verdict::Refused => {
                return Err(WasmError::ForbiddenImport {
                    path: path.to_owned(),
                    import: import.clone(),
                    hint: None,
                });
            }
        }
    }
    Ok(needed)
}

/// Checks that `granted` covers what the component's imports need.
///
/// # Errors
///
/// [`WasmError::ForbiddenImport`] naming the first import not covered.
pub(crate) fn check_granted(
    path: &Path,
    imports: &[String],
    granted: Grants,
) -> Result<(), WasmError> {
    for import in imports {
        if let Verdict::Needs(g) = classify(import)
            && !granted.covers(g)
        {
            return Err(WasmError::ForbiddenImport {
                path: path.to_owned(),
                import: import.clone(),
                hint: Some(format!("grant={g}")),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_by_name() {
        assert_eq!(classify("wasi:io/streams@0.2.6"), Verdict::Allowed);
        assert_eq!(classify("wasi:cli/terminal-stdout@0.2.0"), Verdict::Allowed);
        assert_eq!(
            classify("wasi:random/insecure-seed@0.2.4"),
            Verdict::Allowed
        );
        assert_eq!(classify("parallax:element/host@0.1.0"), Verdict::Allowed);
        assert!(
            matches!(classify("wasi:clocks/monotonic-clock@0.2.6"), Verdict::Needs(g) if g.clock)
        );
        assert!(matches!(classify("wasi:random/random@0.2.6"), Verdict::Needs(g) if g.random));
        assert_eq!(classify("wasi:filesystem/types@0.2.6"), Verdict::Refused);
        assert_eq!(classify("wasi:filesystem/preopens@0.2.6"), Verdict::Refused);
        assert_eq!(classify("wasi:sockets/tcp@0.2.6"), Verdict::Refused);
        assert_eq!(classify("evil"), Verdict::Refused);
    }

    #[test]
    fn grants_parse_and_cover() {
        let g = Grants::parse(" clock , random").unwrap();
        assert!(g.clock && g.random);
        assert_eq!(Grants::parse("").unwrap(), Grants::default());
        assert!(Grants::parse("network").is_err());
        assert!(g.covers(Grants::parse("clock").unwrap()));
        assert!(!Grants::default().covers(g));
        assert_eq!(g.to_string(), "clock,random");
    }
}
