use std::time::Instant;

use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Transform, Value,
};

use crate::util::sleep::{elapsed_ns, sleep_until};

const DEFAULT_MAX_RATE: f64 = 0.0;
const DEFAULT_MAX_BYTES_PER_SECOND: u64 = 0;
/// How far ahead of its schedule a buffer may leave, in nanoseconds: absorbs oversleeping
/// without letting more than a few milliseconds' worth of data through at once.
const BURST: u64 = 5_000_000;
const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// Property values.
#[derive(Debug, Clone)]
struct Settings {
    /// Buffers per second; zero is unlimited.
    max_rate: f64,
    /// Bytes per second; zero is unlimited.
    max_bytes_per_second: u64,
}

/// One limit's schedule: the time (ns since the origin) at which the bucket would be full
/// again if nothing else left, GCRA's "theoretical arrival time". Zero means "now".
#[derive(Debug, Default, Clone, Copy)]
struct Bucket {
    tat: u64,
}

impl Bucket {
    /// The earliest time the next buffer may leave.
    fn earliest(self) -> u64 {
        self.tat.saturating_sub(BURST)
    }

    /// Charges a buffer that left at `now` and costs `cost` ns of this limit.
    fn charge(&mut self, now: u64, cost: u64) {
        self.tat = self.tat.max(now).saturating_add(cost);
    }
}

/// The limiter: its limits and one schedule per limit.
#[derive(Debug)]
struct RateLimit {
    settings: Settings,
    /// The zero of every bucket's times.
    origin: Instant,
    buffers: Bucket,
    bytes: Bucket,
}

/// Everything known about `ratelimit` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "ratelimit",
        "Generic",
        "Limits the rate of buffers and bytes passing through, by sleeping",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .pad(PadTemplate::src(Caps::any()))
    .property(
        PropSpec::double("max-rate", DEFAULT_MAX_RATE, 0.0, f64::MAX)
            .doc("Maximum buffers per second (0 = unlimited)")
            .mutable(Mutability::Playing),
    )
    .property(
        PropSpec::uint(
            "max-bytes-per-second",
            DEFAULT_MAX_BYTES_PER_SECOND,
            0,
            u64::MAX,
        )
        .doc("Maximum bytes per second (0 = unlimited)")
        .mutable(Mutability::Playing),
    )
    // Sleeps on purpose: never on a real-time thread.
    .hints(ExecutionHints::DEFAULT)
}

/// A new `ratelimit` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(RateLimit {
        settings: Settings {
            max_rate: DEFAULT_MAX_RATE,
            max_bytes_per_second: DEFAULT_MAX_BYTES_PER_SECOND,
        },
        origin: Instant::now(),
        buffers: Bucket::default(),
        bytes: Bucket::default(),
    }))
}

impl RateLimit {
    /// Nanoseconds one buffer costs under `max-rate`, rounded up so the rate is never
    /// exceeded; `None` when unlimited.
    fn buffer_cost(&self) -> Option<u64> {
        let rate = self.settings.max_rate;
        // `as` saturates: a tiny rate costs u64::MAX ns, which never comes.
        (rate > 0.0).then(|| (NANOS_PER_SECOND as f64 / rate).ceil() as u64)
    }

    /// Nanoseconds `len` bytes cost under `max-bytes-per-second`, rounded up; `None`
    /// when unlimited.
    fn byte_cost(&self, len: usize) -> Option<u64> {
        let bps = u128::from(self.settings.max_bytes_per_second);
        (bps > 0).then(|| {
            let ns = (len as u128 * u128::from(NANOS_PER_SECOND)).div_ceil(bps);
            u64::try_from(ns).unwrap_or(u64::MAX)
        })
    }
}

impl ElementImpl for RateLimit {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "max-rate" => {
                let rate = value.double_for(name)?;
                // The spec's range check lets NaN through (it compares false both ways).
                if !rate.is_finite() || rate < 0.0 {
                    return Err(PropertyError::OutOfRange {
                        name: name.to_owned(),
                        range: "[0, a finite number]".to_owned(),
                        got: rate.to_string(),
                    });
                }
                self.settings.max_rate = rate;
                self.buffers = Bucket::default();
            }
            "max-bytes-per-second" => {
                self.settings.max_bytes_per_second = value.uint_for(name)?;
                self.bytes = Bucket::default();
            }
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "max-rate" => Value::Double(s.max_rate),
            "max-bytes-per-second" => Value::UInt(s.max_bytes_per_second),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.origin = Instant::now();
        self.buffers = Bucket::default();
        self.bytes = Bucket::default();
        Ok(())
    }

    fn flush(&mut self) {
        // Data was thrown away: do not make the next buffers pay for it.
        self.buffers = Bucket::default();
        self.bytes = Bucket::default();
    }
}

impl Transform for RateLimit {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let buffer_cost = self.buffer_cost();
        let byte_cost = self.byte_cost(buffer.len());
        if buffer_cost.is_none() && byte_cost.is_none() {
            ctx.push(buffer);
            return Ok(());
        }
        let mut earliest = 0;
        if buffer_cost.is_some() {
            earliest = earliest.max(self.buffers.earliest());
        }
        if byte_cost.is_some() {
            earliest = earliest.max(self.bytes.earliest());
        }
        sleep_until(self.origin, earliest, ctx)?;
        let now = elapsed_ns(self.origin);
        if let Some(cost) = buffer_cost {
            self.buffers.charge(now, cost);
        }
        if let Some(cost) = byte_cost {
            self.bytes.charge(now, cost);
        }
        ctx.push(buffer);
        Ok(())
    }
}
