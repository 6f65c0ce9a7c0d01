use parallax_core::property::EnumValue;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Caps, ElementImpl, ExecutionHints, FlowError, PadTemplate, ProduceContext,
    ProduceResult, PropSpec, PropertyError, Source, Structure, Value,
};

use crate::util::rng::Rng;

const DEFAULT_NUM_BUFFERS: i64 = -1;
const DEFAULT_SIZEMIN: i64 = 0;
const DEFAULT_SIZEMAX: i64 = 4096;
const DEFAULT_SILENT: bool = true;
/// The largest buffer fakesrc makes: 64 MiB keeps a 32-slot pool addressable.
const MAX_SIZE: i64 = 64 * 1024 * 1024;

const SIZETYPES: &[EnumValue] = &[
    EnumValue {
        nick: "empty",
        value: 1,
        doc: "Send empty buffers",
    },
    EnumValue {
        nick: "fixed",
        value: 2,
        doc: "Fixed size buffers (sizemax sized)",
    },
    EnumValue {
        nick: "random",
        value: 3,
        doc: "Random sized buffers (sizemin <= size <= sizemax)",
    },
];

const FILLTYPES: &[EnumValue] = &[
    EnumValue {
        nick: "nothing",
        value: 1,
        doc: "Leave data as malloced",
    },
    EnumValue {
        nick: "zero",
        value: 2,
        doc: "Fill buffers with zeros",
    },
    EnumValue {
        nick: "random",
        value: 3,
        doc: "Fill buffers with random data",
    },
    EnumValue {
        nick: "pattern",
        value: 4,
        doc: "Fill buffers with pattern 0x00 -> 0xff",
    },
    EnumValue {
        nick: "pattern-span",
        value: 5,
        doc: "Fill buffers with pattern 0x00 -> 0xff that spans buffers",
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SizeType {
    Empty,
    Fixed,
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FillType {
    Nothing,
    Zero,
    Random,
    Pattern,
    PatternSpan,
}

#[derive(Debug, Clone)]
struct Settings {
    num_buffers: i64,
    sizetype: SizeType,
    sizemin: usize,
    sizemax: usize,
    filltype: FillType,
    silent: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            num_buffers: DEFAULT_NUM_BUFFERS,
            sizetype: SizeType::Empty,
            sizemin: DEFAULT_SIZEMIN as usize,
            sizemax: DEFAULT_SIZEMAX as usize,
            filltype: FillType::Nothing,
            silent: DEFAULT_SILENT,
        }
    }
}

#[derive(Debug)]
struct FakeSrc {
    settings: Settings,
    produced: u64,
    pattern_offset: u8,
    rng: Rng,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("fakesrc", "Source", "Push empty (no data) buffers around")
        .pad(PadTemplate::src(Caps::any()))
        .property(
            PropSpec::int("num-buffers", DEFAULT_NUM_BUFFERS, -1, i64::MAX)
                .doc("Number of buffers to output before sending EOS (-1 = unlimited)"),
        )
        .property(
            PropSpec::enumeration("sizetype", "empty", SIZETYPES)
                .doc("How to determine buffer sizes"),
        )
        .property(PropSpec::int("sizemin", DEFAULT_SIZEMIN, 0, MAX_SIZE).doc("Minimum buffer size"))
        .property(PropSpec::int("sizemax", DEFAULT_SIZEMAX, 0, MAX_SIZE).doc("Maximum buffer size"))
        .property(
            PropSpec::enumeration("filltype", "nothing", FILLTYPES)
                .doc("How to fill the buffer, if at all"),
        )
        .property(
            PropSpec::bool("silent", DEFAULT_SILENT).doc("Don't post a message for every buffer"),
        )
        .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Source(Box::new(FakeSrc {
        settings: Settings::default(),
        produced: 0,
        pattern_offset: 0,
        rng: Rng::new(0x5eed),
    }))
}

impl ElementImpl for FakeSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "num-buffers" => s.num_buffers = value.int_for(name)?,
            "sizetype" => {
                s.sizetype = match value.str_for(name)? {
                    "fixed" => SizeType::Fixed,
                    "random" => SizeType::Random,
                    _ => SizeType::Empty,
                }
            }
            "sizemin" => s.sizemin = value.int_for(name)?.clamp(0, MAX_SIZE) as usize,
            "sizemax" => s.sizemax = value.int_for(name)?.clamp(0, MAX_SIZE) as usize,
            "filltype" => {
                s.filltype = match value.str_for(name)? {
                    "zero" => FillType::Zero,
                    "random" => FillType::Random,
                    "pattern" => FillType::Pattern,
                    "pattern-span" => FillType::PatternSpan,
                    _ => FillType::Nothing,
                }
            }
            "silent" => s.silent = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "num-buffers" => Value::Int(s.num_buffers),
            "sizetype" => Value::Enum(
                match s.sizetype {
                    SizeType::Empty => "empty",
                    SizeType::Fixed => "fixed",
                    SizeType::Random => "random",
                }
                .into(),
            ),
            "sizemin" => Value::Int(s.sizemin as i64),
            "sizemax" => Value::Int(s.sizemax as i64),
            "filltype" => Value::Enum(
                match s.filltype {
                    FillType::Nothing => "nothing",
                    FillType::Zero => "zero",
                    FillType::Random => "random",
                    FillType::Pattern => "pattern",
                    FillType::PatternSpan => "pattern-span",
                }
                .into(),
            ),
            "silent" => Value::Bool(s.silent),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn start(&mut self) -> Result<(), parallax_core::ElementError> {
        self.produced = 0;
        self.pattern_offset = 0;
        Ok(())
    }
}

impl Source for FakeSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let s = &self.settings;
        if s.num_buffers >= 0 && self.produced >= s.num_buffers as u64 {
            return Ok(ProduceResult::Eos);
        }
        let size = match s.sizetype {
            SizeType::Empty => 0,
            SizeType::Fixed => s.sizemax,
            SizeType::Random => self.rng.range(s.sizemin.min(s.sizemax), s.sizemax),
        };
        let index = self.produced;
        let buffer = ctx.buffer()?;
        let size = buffer.set_len(size);
        let data = buffer.data_mut();
        match s.filltype {
            FillType::Nothing => {}
            FillType::Zero => data.fill(0),
            FillType::Random => self.rng.fill(data),
            FillType::Pattern => data.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8),
            FillType::PatternSpan => {
                let start = self.pattern_offset;
                data.iter_mut()
                    .enumerate()
                    .for_each(|(i, b)| *b = start.wrapping_add(i as u8));
                self.pattern_offset = start.wrapping_add(size as u8);
            }
        }
        let meta = buffer.meta_mut();
        meta.offset = Some(index);
        meta.offset_end = Some(index + 1);
        self.produced += 1;
        if !s.silent {
            ctx.process().post_message(
                Structure::new("fakesrc/buffer")
                    .with("offset", index as i64)
                    .with("size", size as i64),
            );
        }
        Ok(ProduceResult::Produced(size))
    }

    fn buffer_size(&self) -> usize {
        match self.settings.sizetype {
            SizeType::Empty => 0,
            SizeType::Fixed | SizeType::Random => self.settings.sizemax,
        }
    }
}
