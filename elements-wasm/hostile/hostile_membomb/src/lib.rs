//! `hostilemembomb` (test guest): allocates 1 MiB blocks in `process` until the allocator
//! fails; the host's memory limit turns that into a trap (Rust aborts on OOM).

use parallax_guest::prelude::*;

/// Keeps everything it allocates.
struct MemBomb {
    hoard: Vec<Vec<u8>>,
}

impl Element for MemBomb {
    fn info() -> Info {
        Info::new(
            "hostilemembomb",
            "Testing",
            "Allocates until memory runs out",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(MemBomb { hoard: Vec::new() })
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        _outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        loop {
            // Touch the block so its pages are really used.
            self.hoard.push(core::hint::black_box(vec![1u8; 1 << 20]));
        }
    }
}

parallax_guest::export_element!(MemBomb);
