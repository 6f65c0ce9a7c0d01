use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use parallax_core::files::{self, FileAccess, FileNeed};
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Caps, ElementError, ElementImpl, ErrorKind, ExecutionHints, FlowError, PadTemplate,
    ProduceContext, ProduceResult, PropSpec, PropertyError, Source, Value,
};

const DEFAULT_BLOCKSIZE: u64 = 4096;
/// The largest block: the engine keeps 32 slots of `blocksize` bytes per source, so 64 MiB
/// keeps that pool at 2 GiB of address space at most (pages are only backed once written).
const MAX_BLOCKSIZE: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
struct Settings {
    location: Option<PathBuf>,
    blocksize: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            location: None,
            blocksize: DEFAULT_BLOCKSIZE as usize,
        }
    }
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Stopped,
    Started {
        file: File,
        path: PathBuf,
        /// Byte position of the next read.
        offset: u64,
    },
}

#[derive(Debug, Default)]
struct FileSrc {
    settings: Settings,
    state: State,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "filesrc",
        "Source/File",
        "Read from arbitrary point in a file",
    )
    .pad(PadTemplate::src(Caps::any()))
    .property(PropSpec::path("location").doc("Location of the file to read"))
    .property(
        PropSpec::uint("blocksize", DEFAULT_BLOCKSIZE, 1, MAX_BLOCKSIZE)
            .doc("Size in bytes to read per buffer"),
    )
    .hints(ExecutionHints::IO)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Source(Box::<FileSrc>::default())
}

impl ElementImpl for FileSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "location" => {
                let text = value.str_for(name)?;
                // The spec's default is the empty string: "no file".
                s.location = (!text.is_empty()).then(|| PathBuf::from(text));
            }
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
            "location" => Value::Str(
                s.location
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
            "blocksize" => Value::UInt(s.blocksize as u64),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn sandbox_files(&self) -> Vec<FileNeed> {
        self.settings.location.iter().map(FileNeed::read).collect()
    }

    fn start(&mut self) -> Result<(), ElementError> {
        let Some(path) = self.settings.location.clone() else {
            return Err(ElementError::settings(
                "no file to read: the 'location' property is not set",
            ));
        };
        // Through `files::open`: in a sandboxed worker the host opened it (see
        // `sandbox_files`); a directory is refused there, not at the first read.
        let file = files::open(&path, FileAccess::Read).map_err(|e| {
            ElementError::resource(format!(
                "could not open file \"{}\" for reading: {e}",
                path.display()
            ))
        })?;
        self.state = State::Started {
            file,
            path,
            offset: 0,
        };
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        self.state = State::Stopped;
        Ok(())
    }
}

impl Source for FileSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let State::Started { file, path, offset } = &mut self.state else {
            return Err(ctx.error(ElementError::new(
                ErrorKind::Core,
                "asked for data before it was started",
            )));
        };
        let buffer = ctx.buffer()?;
        // The slot is `blocksize` bytes unless blocksize changed after the pool was made.
        buffer.set_len(self.settings.blocksize);
        let read = read_full(file, buffer.data_mut());
        let n = match read {
            Ok(0) => return Ok(ProduceResult::Eos),
            Ok(n) => n,
            Err(e) => {
                return Err(ctx.error(ElementError::resource(format!(
                    "could not read file \"{}\" at byte {offset}: {e}",
                    path.display()
                ))));
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

/// Reads until `buf` is full or the file ends; returns the bytes read. A short count
/// therefore means end of file, so every buffer but the last is exactly `blocksize`.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
