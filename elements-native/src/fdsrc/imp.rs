use std::fs::File;
use std::io::{self, Read};
use std::time::Duration;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Caps, ElementError, ElementImpl, ErrorKind, ExecutionHints, FlowError, PadTemplate,
    ProduceContext, ProduceResult, PropSpec, PropertyError, Source, Value,
};

use crate::util::fd::{self, Direction};

const DEFAULT_FD: i64 = 0;
const DEFAULT_BLOCKSIZE: u64 = 4096;
/// As filesrc: bounds the engine's 32-slot pool.
const MAX_BLOCKSIZE: u64 = 64 * 1024 * 1024;
/// Longest wait for input before handing control back to the engine, which then checks
/// for pause and stop and asks again.
const POLL_SLICE: Duration = Duration::from_millis(50);

#[derive(Debug, Clone)]
struct Settings {
    fd: i64,
    blocksize: usize,
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Stopped,
    Started {
        file: File,
        /// Bytes read so far: the next buffer's offset.
        offset: u64,
    },
}

#[derive(Debug)]
struct FdSrc {
    settings: Settings,
    state: State,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("fdsrc", "Source/File", "Read from a file descriptor")
        .pad(PadTemplate::src(Caps::any()))
        .property(
            PropSpec::int("fd", DEFAULT_FD, 0, i64::from(i32::MAX))
                .doc("An open file descriptor to read from (0 = stdin)"),
        )
        .property(
            PropSpec::uint("blocksize", DEFAULT_BLOCKSIZE, 1, MAX_BLOCKSIZE)
                .doc("Maximum size in bytes of one buffer"),
        )
        .hints(ExecutionHints::IO)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Source(Box::new(FdSrc {
        settings: Settings {
            fd: DEFAULT_FD,
            blocksize: DEFAULT_BLOCKSIZE as usize,
        },
        state: State::Stopped,
    }))
}

impl ElementImpl for FdSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "fd" => s.fd = value.int_for(name)?,
            "blocksize" => {
                // The engine range-checked it against [1, MAX_BLOCKSIZE], which fits usize.
                s.blocksize = usize::try_from(value.uint_for(name)?.clamp(1, MAX_BLOCKSIZE))
                    .unwrap_or(DEFAULT_BLOCKSIZE as usize);
            }
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "fd" => Value::Int(s.fd),
            "blocksize" => Value::UInt(s.blocksize as u64),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn start(&mut self) -> Result<(), ElementError> {
        let fd = self.settings.fd;
        let file = fd::open(fd, Direction::Read).map_err(|e| {
            ElementError::resource(format!(
                "could not open file descriptor {fd} for reading: {e}"
            ))
        })?;
        self.state = State::Started { file, offset: 0 };
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        self.state = State::Stopped;
        Ok(())
    }
}

impl Source for FdSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let fd = self.settings.fd;
        let State::Started { file, offset } = &mut self.state else {
            return Err(ctx.error(ElementError::new(
                ErrorKind::Core,
                "asked for data before it was started",
            )));
        };
        let read_error = |e: io::Error| {
            ElementError::resource(format!("could not read file descriptor {fd}: {e}"))
        };
        match fd::wait_ready(file, Direction::Read, POLL_SLICE) {
            Ok(true) => {}
            Ok(false) => return Ok(ProduceResult::WouldBlock),
            Err(e) => return Err(ctx.error(read_error(e))),
        }
        let buffer = ctx.buffer()?;
        buffer.set_len(self.settings.blocksize);
        let n = loop {
            match file.read(buffer.data_mut()) {
                Ok(0) => return Ok(ProduceResult::Eos),
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A descriptor someone made non-blocking: poll raced with another reader.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(ProduceResult::WouldBlock);
                }
                Err(e) => return Err(ctx.error(read_error(e))),
            }
        };
        let start = *offset;
        *offset += n as u64;
        let meta = buffer.meta_mut();
        meta.offset = Some(start);
        meta.offset_end = Some(*offset);
        Ok(ProduceResult::Produced(n))
    }

    fn buffer_size(&self) -> usize {
        self.settings.blocksize
    }
}
