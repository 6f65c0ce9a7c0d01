//! `jsonfilter`: keeps the records of newline-delimited JSON (`application/x-ndjson`)
//! whose top-level string or number field `key` equals `equals`.
//!
//! Records may span buffers: the unfinished last line of a buffer is held back (at most
//! [`MAX_LINE`] bytes) and completed by the next one; `drain` (end of stream) judges what
//! is left. Kept records are copied into output slots, one `\n`-terminated line after the
//! other, using as many slots as they need. Lines that are not JSON objects are dropped.

mod scan;

use parallax_guest::prelude::*;

const CAPS: &str = "application/x-ndjson";
const DEFAULT_KEY: &str = "";
const DEFAULT_EQUALS: &str = "";
/// The longest line held back between buffers.
const MAX_LINE: usize = 1 << 20;

/// Property values.
#[derive(Debug, Clone)]
struct Settings {
    key: String,
    equals: String,
}

/// The element.
struct JsonFilter {
    settings: Settings,
    /// The unfinished last line of the previous buffers.
    carry: Vec<u8>,
}

impl JsonFilter {
    /// Whether a line (without its `\n`) is kept. An empty `key` keeps every non-blank line.
    fn keep(&self, line: &[u8]) -> bool {
        if line.iter().all(u8::is_ascii_whitespace) {
            return false;
        }
        if self.settings.key.is_empty() {
            return true;
        }
        scan::field(line, &self.settings.key)
            .is_some_and(|v| scan::matches(&v, &self.settings.equals))
    }
}

/// Writes `lines` (each followed by `\n`) into as many output slots as needed.
fn write_lines(lines: &[&[u8]], meta: Meta, outputs: &mut Outputs<'_>) -> Result<(), FlowError> {
    let mut rest = lines;
    while !rest.is_empty() {
        let mut slot = outputs
            .next_slot()
            .ok_or_else(|| FlowError::error("kept records do not fit in the output slots"))?;
        let buf = slot.as_mut_slice();
        let mut pos = 0;
        while let Some((line, more)) = rest.split_first() {
            let end = pos + line.len() + 1;
            let Some(dst) = buf.get_mut(pos..end) else {
                break;
            };
            let (body, nl) = dst.split_at_mut(line.len());
            body.copy_from_slice(line);
            nl[0] = b'\n';
            pos = end;
            rest = more;
        }
        if pos == 0 {
            return Err(FlowError::error("a record is larger than an output slot"));
        }
        slot.commit(0, pos, meta)?;
    }
    Ok(())
}

impl Element for JsonFilter {
    fn info() -> Info {
        Info::new(
            "jsonfilter",
            "Filter/Data",
            "Keeps NDJSON records whose top-level field `key` equals `equals`",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink(CAPS))
        .pad(PadTemplate::src(CAPS))
        .property(
            PropSpec::text(
                "key",
                DEFAULT_KEY,
                "Top-level field to compare (empty: keep all)",
            )
            .mutable(),
        )
        .property(
            PropSpec::text(
                "equals",
                DEFAULT_EQUALS,
                "Value the field must have (string or number)",
            )
            .mutable(),
        )
    }

    fn new(props: &Props) -> Result<Self, Error> {
        Ok(JsonFilter {
            settings: Settings {
                key: props.str("key")?.to_owned(),
                equals: props.str("equals")?.to_owned(),
            },
            carry: Vec::new(),
        })
    }

    fn set_property(&mut self, name: &str, value: &PropValue<'_>) -> Result<(), Error> {
        match name {
            "key" => self.settings.key = value.as_str().to_owned(),
            "equals" => self.settings.equals = value.as_str().to_owned(),
            _ => return Err(Error::new(format!("no property {name}"))),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Option<String> {
        match name {
            "key" => Some(self.settings.key.clone()),
            "equals" => Some(self.settings.equals.clone()),
            _ => None,
        }
    }

    fn process(
        &mut self,
        input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let data = input.data();
        let Some(last_nl) = data.iter().rposition(|&c| c == b'\n') else {
            if self.carry.len() + data.len() > MAX_LINE {
                return Err(FlowError::error(format!(
                    "an NDJSON line is longer than {MAX_LINE} bytes"
                )));
            }
            self.carry.extend_from_slice(data);
            return Ok(());
        };
        let (complete, tail) = (&data[..last_nl], &data[last_nl + 1..]);
        if tail.len() > MAX_LINE {
            return Err(FlowError::error(format!(
                "an NDJSON line is longer than {MAX_LINE} bytes"
            )));
        }
        let mut parts = complete.split(|&c| c == b'\n');
        let first_part = parts.next().unwrap_or_default();
        let mut joined = std::mem::take(&mut self.carry);
        joined.extend_from_slice(first_part);
        let mut kept: Vec<&[u8]> = Vec::new();
        for line in std::iter::once(joined.as_slice()).chain(parts) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if self.keep(line) {
                kept.push(line);
            }
        }
        write_lines(&kept, *input.meta(), outputs)?;
        joined.clear();
        joined.extend_from_slice(tail);
        self.carry = joined;
        Ok(())
    }

    fn drain(&mut self) -> Result<Vec<OwnedOutput>, FlowError> {
        let line = std::mem::take(&mut self.carry);
        if !self.keep(&line) {
            return Ok(Vec::new());
        }
        let mut data = line;
        data.push(b'\n');
        Ok(vec![OwnedOutput::new(data, Meta::default())])
    }

    fn flush(&mut self) {
        self.carry.clear();
    }
}

parallax_guest::export_element!(JsonFilter);

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(key: &str, equals: &str) -> JsonFilter {
        let given = vec![("key".into(), key.into()), ("equals".into(), equals.into())];
        JsonFilter::new(&Props::new(given, &JsonFilter::info().properties)).unwrap()
    }

    /// Runs one buffer through `f` and returns the bytes written (slots of `cap` bytes).
    fn run(f: &mut JsonFilter, data: &[u8], cap: usize) -> Result<Vec<u8>, FlowError> {
        let mut slots = vec![vec![0u8; cap]; 4];
        let mut out = Outputs::new(
            slots.iter_mut().map(Vec::as_mut_slice).collect(),
            Meta::default(),
        );
        f.process(InputBuffer::new(0, data, Meta::default()), &mut out)?;
        let produced = out.into_produced();
        let mut bytes = Vec::new();
        for p in produced {
            if let parallax_guest::Produced::Written { index, len, .. } = p {
                bytes.extend_from_slice(&slots[index as usize][..len as usize]);
            }
        }
        Ok(bytes)
    }

    #[test]
    fn keeps_matching_records_across_buffers() {
        let mut f = filter("kind", "cam");
        let a = run(
            &mut f,
            b"{\"kind\":\"cam\",\"n\":1}\n{\"kind\":\"mic\"}\n{\"kind\":",
            64,
        )
        .unwrap();
        assert_eq!(a, b"{\"kind\":\"cam\",\"n\":1}\n");
        let b = run(&mut f, b" \"cam\"}\r\nnot json\n{\"kind\":\"cam\"}", 64).unwrap();
        assert_eq!(b, b"{\"kind\": \"cam\"}\n");
        let d = f.drain().unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].data, b"{\"kind\":\"cam\"}\n");
    }

    #[test]
    fn numbers_compare_numerically_and_output_spans_slots() {
        let mut f = filter("id", "7");
        let input = b"{\"id\":7}\n{\"id\":7.0}\n{\"id\":\"7\"}\n{\"id\":8}\n";
        let out = run(&mut f, input, 12).unwrap();
        assert_eq!(out, b"{\"id\":7}\n{\"id\":7.0}\n{\"id\":\"7\"}\n");
        assert!(run(&mut f, b"{\"id\":7, \"pad\":\"xxxxxxxx\"}\n", 12).is_err());
    }
}
