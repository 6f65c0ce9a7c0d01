use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use parallax_core::files::{self, FileAccess, FileNeed};
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ErrorKind, ExecutionHints, FlowError,
    PadTemplate, ProcessContext, PropSpec, PropertyError, Sink, Value,
};

const DEFAULT_APPEND: bool = false;
/// Write buffer size: GStreamer filesink's default `buffer-size` (64 KiB).
const WRITE_BUFFER: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
struct Settings {
    location: Option<PathBuf>,
    append: bool,
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Stopped,
    Started {
        writer: BufWriter<File>,
        path: PathBuf,
    },
}

#[derive(Debug, Default)]
struct FileSink {
    settings: Settings,
    state: State,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("filesink", "Sink/File", "Write stream to a file")
        .pad(PadTemplate::sink(Caps::any()))
        .property(PropSpec::path("location").doc("Location of the file to write"))
        .property(
            PropSpec::bool("append", DEFAULT_APPEND)
                .doc("Append to an already existing file instead of truncating it"),
        )
        .hints(ExecutionHints::IO)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Sink(Box::new(FileSink {
        settings: Settings {
            location: None,
            append: DEFAULT_APPEND,
        },
        state: State::Stopped,
    }))
}

impl FileSink {
    fn access(&self) -> FileAccess {
        if self.settings.append {
            FileAccess::Append
        } else {
            FileAccess::Write
        }
    }
}

impl ElementImpl for FileSink {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "location" => {
                let text = value.str_for(name)?;
                // The spec's default is the empty string: "no file".
                s.location = (!text.is_empty()).then(|| PathBuf::from(text));
            }
            "append" => s.append = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "location" => Value::Str(
                s.location
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
            "append" => Value::Bool(s.append),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn sandbox_files(&self) -> Vec<FileNeed> {
        let access = self.access();
        self.settings
            .location
            .iter()
            .map(|path| FileNeed {
                path: path.clone(),
                access,
            })
            .collect()
    }

    fn start(&mut self) -> Result<(), ElementError> {
        let Some(path) = self.settings.location.clone() else {
            return Err(ElementError::settings(
                "no file to write: the 'location' property is not set",
            ));
        };
        // Through `files::open`: in a sandboxed worker the host opened it (see
        // `sandbox_files`).
        let file = files::open(&path, self.access()).map_err(|e| {
            ElementError::resource(format!(
                "could not open file \"{}\" for writing: {e}",
                path.display()
            ))
        })?;
        self.state = State::Started {
            writer: BufWriter::with_capacity(WRITE_BUFFER, file),
            path,
        };
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        match std::mem::take(&mut self.state) {
            State::Stopped => Ok(()),
            State::Started { mut writer, path } => flush(&mut writer, &path),
        }
    }
}

impl Sink for FileSink {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let State::Started { writer, path } = &mut self.state else {
            return Err(ctx.error(not_started()));
        };
        writer.write_all(buffer.data()).map_err(|e| {
            ctx.error(ElementError::resource(format!(
                "could not write to file \"{}\": {e}",
                path.display()
            )))
        })
    }

    fn eos(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let State::Started { writer, path } = &mut self.state else {
            return Err(ctx.error(not_started()));
        };
        flush(writer, path).map_err(|e| ctx.error(e))
    }
}

fn not_started() -> ElementError {
    ElementError::new(ErrorKind::Core, "received data before it was started")
}

/// Pushes buffered bytes to the file; the error names the file and the OS error.
fn flush(writer: &mut BufWriter<File>, path: &std::path::Path) -> Result<(), ElementError> {
    writer.flush().map_err(|e| {
        ElementError::resource(format!(
            "could not write to file \"{}\": {e}",
            path.display()
        ))
    })
}
