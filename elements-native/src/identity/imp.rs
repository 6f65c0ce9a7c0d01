use std::time::Duration;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Structure, Transform, Value,
};

use crate::util::rng::Rng;

const DEFAULT_SILENT: bool = true;
const DEFAULT_SLEEP_TIME: u64 = 0;
const DEFAULT_ERROR_AFTER: i64 = -1;
const DEFAULT_DROP_PROBABILITY: f64 = 0.0;

#[derive(Debug, Clone)]
struct Settings {
    silent: bool,
    sleep_time_us: u64,
    error_after: i64,
    drop_probability: f64,
}

#[derive(Debug)]
struct Identity {
    settings: Settings,
    seen: u64,
    rng: Rng,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("identity", "Generic", "Pass data without modification")
        .pad(PadTemplate::sink(Caps::any()))
        .pad(PadTemplate::src(Caps::any()))
        .property(
            PropSpec::bool("silent", DEFAULT_SILENT).doc("Don't post a message for every buffer"),
        )
        .property(
            PropSpec::uint("sleep-time", DEFAULT_SLEEP_TIME, 0, 60_000_000)
                .doc("Microseconds to sleep between processing buffers"),
        )
        .property(
            PropSpec::int("error-after", DEFAULT_ERROR_AFTER, -1, i64::MAX)
                .doc("Error after N buffers (-1 = never)"),
        )
        .property(
            PropSpec::double("drop-probability", DEFAULT_DROP_PROBABILITY, 0.0, 1.0)
                .doc("The probability that a buffer is dropped")
                .mutable(parallax_core::property::Mutability::Playing),
        )
        .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Identity {
        settings: Settings {
            silent: DEFAULT_SILENT,
            sleep_time_us: DEFAULT_SLEEP_TIME,
            error_after: DEFAULT_ERROR_AFTER,
            drop_probability: DEFAULT_DROP_PROBABILITY,
        },
        seen: 0,
        rng: Rng::new(0x1de7),
    }))
}

impl ElementImpl for Identity {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "silent" => s.silent = value.bool_for(name)?,
            "sleep-time" => s.sleep_time_us = value.uint_for(name)?,
            "error-after" => s.error_after = value.int_for(name)?,
            "drop-probability" => s.drop_probability = value.double_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "silent" => Value::Bool(s.silent),
            "sleep-time" => Value::UInt(s.sleep_time_us),
            "error-after" => Value::Int(s.error_after),
            "drop-probability" => Value::Double(s.drop_probability),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.seen = 0;
        Ok(())
    }
}

impl Transform for Identity {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let s = &self.settings;
        self.seen += 1;
        if s.error_after >= 0 && self.seen > s.error_after as u64 {
            return Err(ctx.error(ElementError::stream(format!(
                "test error: error-after={} reached",
                s.error_after
            ))));
        }
        if s.sleep_time_us > 0 {
            std::thread::sleep(Duration::from_micros(s.sleep_time_us));
        }
        if s.drop_probability > 0.0 && self.rng.next_f64() < s.drop_probability {
            return Ok(());
        }
        if !s.silent {
            ctx.post_message(Structure::new("identity/buffer").with("size", buffer.len() as i64));
        }
        ctx.push(buffer);
        Ok(())
    }
}
