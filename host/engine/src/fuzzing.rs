//! Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`).
//!
//! Design decision: each entry point only drives a public API and discards
//! the result. The fuzzer's job is to find panics, hangs and overflows;
//! correctness is asserted by the unit tests.

use parallax_core::Caps;

/// Parses `s` as a `.px` pipeline and throws the result away; any panic is
/// a bug, since [`crate::parse::parse`] promises never to panic.
pub fn px_parse(s: &str) {
    let _ = crate::parse::parse(s);
}

/// Parses `s` as caps and puts the result through the caps algebra (fixate,
/// intersect, print and re-parse).
pub fn caps_parse(s: &str) {
    if let Ok(caps) = s.parse::<Caps>() {
        let _ = caps.fixate();
        let _ = caps.intersect(&caps.fixate());
        let _ = caps.explain_mismatch(&Caps::any());
        let _ = caps.to_string().parse::<Caps>();
    }
}

/// Builds a pipeline from `s` with the built-in elements and negotiates it, without
/// starting anything: element creation, property parsing, linking, pads and
/// negotiation all see untrusted text.
pub fn px_pipeline(s: &str) {
    if let Ok(mut pipeline) = crate::Pipeline::parse(s) {
        let _ = pipeline.validate();
    }
}
