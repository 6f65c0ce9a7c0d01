//! `hostilespin` (test guest): never returns from `process`. The host's fuel or epoch
//! deadline must end the call with a trap.

use parallax_guest::prelude::*;

/// Spins forever on the first buffer.
struct Spin;

impl Element for Spin {
    fn info() -> Info {
        Info::new(
            "hostilespin",
            "Testing",
            "Loops forever in process",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(Spin)
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        _outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let mut n: u64 = 0;
        loop {
            // black_box keeps the loop from being optimised into something else.
            n = core::hint::black_box(n.wrapping_add(1));
        }
    }
}

parallax_guest::export_element!(Spin);
