//! Test guest: an element that calls itself `passthrough` but takes audio only, so
//! replacing a running `passthrough` that carries other caps must be refused.

use parallax_guest::prelude::*;

/// Forwards buffers; only its pad templates differ from the real `passthrough`.
struct AudioOnlyPassthrough;

impl Element for AudioOnlyPassthrough {
    fn info() -> Info {
        Info::new(
            "passthrough",
            "Generic",
            "Forwards audio buffers unchanged (test guest)",
            "0.2.0-audio",
        )
        .pad(PadTemplate::sink("audio/x-raw"))
        .pad(PadTemplate::src("audio/x-raw"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(AudioOnlyPassthrough)
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        outputs.forward_input()
    }
}

parallax_guest::export_element!(AudioOnlyPassthrough);
