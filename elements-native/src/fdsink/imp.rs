use std::fs::File;
use std::io::{self, Write};
use std::time::Duration;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ErrorKind, ExecutionHints, FlowError,
    PadTemplate, ProcessContext, PropSpec, PropertyError, Sink, Value,
};

use crate::util::fd::{self, Direction};

const DEFAULT_FD: i64 = 1;
/// Longest wait for the descriptor between checks for a stop.
const POLL_SLICE: Duration = Duration::from_millis(50);

#[derive(Debug, Clone)]
struct Settings {
    fd: i64,
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Stopped,
    Started {
        file: File,
    },
}

#[derive(Debug)]
struct FdSink {
    settings: Settings,
    state: State,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("fdsink", "Sink/File", "Write data to a file descriptor")
        .pad(PadTemplate::sink(Caps::any()))
        .property(
            PropSpec::int("fd", DEFAULT_FD, 0, i64::from(i32::MAX))
                .doc("An open file descriptor to write to (1 = stdout)"),
        )
        .hints(ExecutionHints::IO)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Sink(Box::new(FdSink {
        settings: Settings { fd: DEFAULT_FD },
        state: State::Stopped,
    }))
}

impl ElementImpl for FdSink {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "fd" => self.settings.fd = value.int_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "fd" => Ok(Value::Int(self.settings.fd)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn start(&mut self) -> Result<(), ElementError> {
        let fd = self.settings.fd;
        let file = fd::open(fd, Direction::Write).map_err(|e| {
            ElementError::resource(format!(
                "could not open file descriptor {fd} for writing: {e}"
            ))
        })?;
        self.state = State::Started { file };
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        self.state = State::Stopped;
        Ok(())
    }
}

impl Sink for FdSink {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let fd = self.settings.fd;
        let State::Started { file } = &mut self.state else {
            return Err(ctx.error(ElementError::new(
                ErrorKind::Core,
                "received data before it was started",
            )));
        };
        let write_error = |e: io::Error| {
            ElementError::resource(format!("could not write to file descriptor {fd}: {e}"))
        };
        loop {
            match fd::wait_ready(file, Direction::Write, POLL_SLICE) {
                Ok(true) => break,
                Ok(false) if ctx.is_cancelled() => return Err(FlowError::Flushing),
                Ok(false) => {}
                Err(e) => return Err(ctx.error(write_error(e))),
            }
        }
        file.write_all(buffer.data())
            .map_err(|e| ctx.error(write_error(e)))
    }
}
