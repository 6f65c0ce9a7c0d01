//! `hostilepanic` (test guest): forwards buffers unchanged, but panics on the 3rd one.
//! With `panic = "abort"` the panic is a trap; the host must drop the instance and report.

use parallax_guest::prelude::*;

/// Counts buffers.
struct Panic {
    seen: u32,
}

impl Element for Panic {
    fn info() -> Info {
        Info::new(
            "hostilepanic",
            "Testing",
            "Panics on the 3rd buffer",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(Panic { seen: 0 })
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        self.seen += 1;
        if self.seen == 3 {
            panic!("hostilepanic: buffer 3");
        }
        outputs.forward_input()
    }
}

parallax_guest::export_element!(Panic);
