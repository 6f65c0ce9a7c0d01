//! Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`).
//!
//! Design decision: each entry point only drives a public API and discards
//! the result. The fuzzer's job is to find panics, hangs and overflows;
//! correctness is asserted by the unit tests.

/// Parses `s` as a `.px` pipeline and throws the result away; any panic is
/// a bug, since [`crate::parse::parse`] promises never to panic.
pub fn px_parse(s: &str) {
    let _ = crate::parse::parse(s);
}
