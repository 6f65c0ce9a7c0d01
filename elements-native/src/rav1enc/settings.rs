//! `rav1enc`'s properties (gst-plugins-rs names and defaults) and how they become a
//! rav1e configuration.

use parallax_core::{Fraction, PropSpec, PropertyError, Value};
use rav1e::prelude::{Config, EncoderConfig, Rational, SpeedSettings};

#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub(super) speed_preset: u64,
    pub(super) quantizer: u64,
    pub(super) bitrate: u64,
    pub(super) min_key_frame_interval: u64,
    pub(super) max_key_frame_interval: u64,
    pub(super) low_latency: bool,
    pub(super) threads: u64,
    pub(super) tiles: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            speed_preset: 6,
            quantizer: 100,
            bitrate: 0,
            min_key_frame_interval: 12,
            max_key_frame_interval: 240,
            low_latency: false,
            threads: 0,
            tiles: 0,
        }
    }
}

pub(super) fn specs() -> Vec<PropSpec> {
    let d = Settings::default();
    vec![
        PropSpec::uint("speed-preset", d.speed_preset, 0, 10)
            .doc("Speed preset (10 fastest, 0 slowest)"),
        PropSpec::uint("quantizer", d.quantizer, 0, 255)
            .doc("Quantizer (constant quality) when bitrate is 0"),
        PropSpec::uint("bitrate", d.bitrate, 0, i32::MAX as u64)
            .doc("Target bitrate in bits/s (0 = constant quantizer)"),
        PropSpec::uint(
            "min-key-frame-interval",
            d.min_key_frame_interval,
            0,
            u64::from(u32::MAX),
        )
        .doc("Minimum interval between keyframes (frames)"),
        PropSpec::uint(
            "max-key-frame-interval",
            d.max_key_frame_interval,
            1,
            u64::from(u32::MAX),
        )
        .doc("Maximum interval between keyframes (frames)"),
        PropSpec::bool("low-latency", d.low_latency).doc("No frame reordering (lower latency)"),
        PropSpec::uint("threads", d.threads, 0, 256).doc("Threads (0 = automatic)"),
        PropSpec::uint("tiles", d.tiles, 0, 64).doc("Number of tiles (0 = automatic)"),
    ]
}

impl Settings {
    pub(super) fn set(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "speed-preset" => self.speed_preset = value.uint_for(name)?,
            "quantizer" => self.quantizer = value.uint_for(name)?,
            "bitrate" => self.bitrate = value.uint_for(name)?,
            "min-key-frame-interval" => self.min_key_frame_interval = value.uint_for(name)?,
            "max-key-frame-interval" => self.max_key_frame_interval = value.uint_for(name)?,
            "low-latency" => self.low_latency = value.bool_for(name)?,
            "threads" => self.threads = value.uint_for(name)?,
            "tiles" => self.tiles = value.uint_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    pub(super) fn get(&self, name: &str) -> Result<Value, PropertyError> {
        Ok(match name {
            "speed-preset" => Value::UInt(self.speed_preset),
            "quantizer" => Value::UInt(self.quantizer),
            "bitrate" => Value::UInt(self.bitrate),
            "min-key-frame-interval" => Value::UInt(self.min_key_frame_interval),
            "max-key-frame-interval" => Value::UInt(self.max_key_frame_interval),
            "low-latency" => Value::Bool(self.low_latency),
            "threads" => Value::UInt(self.threads),
            "tiles" => Value::UInt(self.tiles),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    /// The rav1e configuration for `width` x `height` frames at `framerate`.
    pub(super) fn config(&self, width: usize, height: usize, framerate: Fraction) -> Config {
        let enc = EncoderConfig {
            width,
            height,
            // rav1e's time base is seconds per tick: the inverse of the framerate.
            time_base: Rational::new(framerate.den as u64, framerate.num as u64),
            speed_settings: SpeedSettings::from_preset(self.speed_preset as u8),
            quantizer: self.quantizer as usize,
            bitrate: i32::try_from(self.bitrate).unwrap_or(i32::MAX),
            min_key_frame_interval: self.min_key_frame_interval,
            max_key_frame_interval: self.max_key_frame_interval.max(1),
            low_latency: self.low_latency,
            tiles: self.tiles as usize,
            ..EncoderConfig::default()
        };
        Config::new()
            .with_encoder_config(enc)
            .with_threads(self.threads as usize)
    }
}
