//! `hostiletoomany` (test guest): answers each buffer with 1000 forwards of the input.
//! The host must bound the outputs of one call (or at least survive them).

use parallax_guest::prelude::*;

/// How many outputs per input.
const COPIES: usize = 1000;

/// Floods its src pad.
struct TooMany;

impl Element for TooMany {
    fn info() -> Info {
        Info::new(
            "hostiletoomany",
            "Testing",
            "Returns 1000 outputs per input",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(TooMany)
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        for _ in 0..COPIES {
            outputs.forward_input()?;
        }
        Ok(())
    }
}

parallax_guest::export_element!(TooMany);
