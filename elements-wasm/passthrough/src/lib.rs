//! `passthrough`: forwards every buffer unchanged, without a copy (the smallest element).

use parallax_guest::prelude::*;

/// Forwards every buffer on src pad 0 with its own meta.
struct Passthrough;

impl Element for Passthrough {
    fn info() -> Info {
        Info::new(
            "passthrough",
            "Generic",
            "Forwards every buffer unchanged, without a copy",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
        .hints(Hints {
            cpu_bound: false,
            rt_safe: true,
        })
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(Passthrough)
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        outputs.forward_input()
    }
}

parallax_guest::export_element!(Passthrough);
