//! `hostilefsimport` (test guest): reads `/etc/passwd` with `std::fs`, so the component
//! imports `wasi:filesystem`. The host grants no filesystem and must refuse it at load.

use parallax_guest::prelude::*;

/// Tries to leak a host file into the stream.
struct FsImport;

impl Element for FsImport {
    fn info() -> Info {
        Info::new(
            "hostilefsimport",
            "Testing",
            "Imports wasi:filesystem",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(FsImport)
    }

    fn process(
        &mut self,
        _input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let secret =
            std::fs::read_to_string("/etc/passwd").map_err(|e| FlowError::error(e.to_string()))?;
        parallax_guest::info!("read {} bytes of /etc/passwd", secret.len());
        outputs.forward_input()
    }
}

parallax_guest::export_element!(FsImport);
