//! Test guest: reads the pipeline clock (`grant=clock`) for every buffer, posts it as
//! `clock/probe, running-time=(guint64)N`, and forwards the buffer unchanged.

use parallax_guest::prelude::*;

/// The element.
struct ClockProbe;

impl Element for ClockProbe {
    fn info() -> Info {
        Info::new(
            "clockprobe",
            "Testing",
            "Posts the pipeline running time seen at each buffer (test guest)",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(ClockProbe)
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        post_message(&format!(
            "clock/probe, running-time=(guint64){}",
            running_time()
        ));
        outputs.forward_input()
    }
}

parallax_guest::export_element!(ClockProbe);
