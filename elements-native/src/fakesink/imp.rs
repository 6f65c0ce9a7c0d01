use std::io::Write;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Sink, Structure, Value,
};

const DEFAULT_SILENT: bool = true;
const DEFAULT_SYNC: bool = false;
const DEFAULT_DUMP: bool = false;
const DEFAULT_NUM_BUFFERS: i64 = -1;

#[derive(Debug, Clone)]
struct Settings {
    silent: bool,
    sync: bool,
    dump: bool,
    num_buffers: i64,
}

#[derive(Debug)]
struct FakeSink {
    settings: Settings,
    received: u64,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("fakesink", "Sink", "Black hole for data")
        .pad(PadTemplate::sink(Caps::any()))
        .property(
            PropSpec::bool("silent", DEFAULT_SILENT).doc("Don't post a message for every buffer"),
        )
        .property(PropSpec::bool("sync", DEFAULT_SYNC).doc("Sync on the clock"))
        .property(PropSpec::bool("dump", DEFAULT_DUMP).doc("Dump buffer contents to stdout"))
        .property(
            PropSpec::int("num-buffers", DEFAULT_NUM_BUFFERS, -1, i64::MAX)
                .doc("Number of buffers to accept before going EOS (-1 = unlimited)"),
        )
        .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Sink(Box::new(FakeSink {
        settings: Settings {
            silent: DEFAULT_SILENT,
            sync: DEFAULT_SYNC,
            dump: DEFAULT_DUMP,
            num_buffers: DEFAULT_NUM_BUFFERS,
        },
        received: 0,
    }))
}

impl ElementImpl for FakeSink {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "silent" => s.silent = value.bool_for(name)?,
            "sync" => s.sync = value.bool_for(name)?,
            "dump" => s.dump = value.bool_for(name)?,
            "num-buffers" => s.num_buffers = value.int_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "silent" => Value::Bool(s.silent),
            "sync" => Value::Bool(s.sync),
            "dump" => Value::Bool(s.dump),
            "num-buffers" => Value::Int(s.num_buffers),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.received = 0;
        Ok(())
    }
}

/// Writes `data` as a hex dump in gst_util_dump_mem's layout: offset, 16 hex bytes, text.
fn hex_dump(out: &mut impl Write, data: &[u8]) -> std::io::Result<()> {
    for (line, chunk) in data.chunks(16).enumerate() {
        write!(out, "{:08x}: ", line * 16)?;
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => write!(out, "{b:02x} ")?,
                None => out.write_all(b"   ")?,
            }
        }
        let text: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(out, " {text}")?;
    }
    Ok(())
}

impl Sink for FakeSink {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let s = &self.settings;
        if s.num_buffers >= 0 && self.received >= s.num_buffers as u64 {
            return Err(FlowError::Eos);
        }
        self.received += 1;
        if !s.silent {
            let meta = buffer.meta();
            let mut message = Structure::new("fakesink/buffer").with("size", buffer.len() as i64);
            if let Some(pts) = meta.pts {
                message.set("pts", pts.to_string());
            }
            ctx.post_message(message);
        }
        if s.dump {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            if let Err(e) = hex_dump(&mut lock, buffer.data()) {
                return Err(ctx.error(ElementError::resource(format!(
                    "cannot dump to stdout: {e}"
                ))));
            }
        }
        Ok(())
    }

    fn sync(&self) -> bool {
        self.settings.sync
    }
}

#[cfg(test)]
mod tests {
    use super::hex_dump;

    #[test]
    fn dumps_like_gstreamer() {
        let mut out = Vec::new();
        hex_dump(&mut out, b"Hello, world!\x00\x01\x02\x03").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "00000000: 48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 00 01 02  Hello, world!...\n\
             00000010: 03                                               .\n"
        );
    }
}
