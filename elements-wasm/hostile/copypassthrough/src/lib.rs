//! `copypassthrough`: a test guest for the copying data path. It declares
//! `DataPath::Copy` and returns every input's bytes reversed with the input's meta, so a
//! test can tell the bytes really crossed as lists (and were not forwarded in place).

use parallax_guest::prelude::*;

/// Reverses every buffer through `process-copy`.
struct CopyPassthrough;

/// The input's bytes, last first.
fn reversed(data: &[u8]) -> Vec<u8> {
    data.iter().rev().copied().collect()
}

impl Element for CopyPassthrough {
    fn info() -> Info {
        Info::new(
            "copypassthrough",
            "Generic",
            "Test guest: returns every buffer reversed through the copying path",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .pad(PadTemplate::src("ANY"))
        .data_path(DataPath::Copy)
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(CopyPassthrough)
    }

    fn process_copy(&mut self, input: InputBuffer<'_>) -> Result<Vec<OwnedOutput>, FlowError> {
        Ok(vec![OwnedOutput::new(
            reversed(input.data()),
            *input.meta(),
        )])
    }
}

parallax_guest::export_element!(CopyPassthrough);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_and_keeps_meta() {
        let meta = Meta {
            pts: Some(7),
            ..Meta::default()
        };
        let out = CopyPassthrough
            .process_copy(InputBuffer::new(0, b"abc", meta))
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].data, b"cba");
        assert_eq!(out[0].meta, meta);
    }
}
