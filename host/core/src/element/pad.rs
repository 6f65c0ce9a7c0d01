//! Pad templates: which pads an element can have and what caps they take.

use std::borrow::Cow;
use std::fmt;

use crate::caps::Caps;

/// Which way data flows through a pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadDirection {
    /// Data enters the element.
    Sink,
    /// Data leaves the element.
    Src,
}

impl PadDirection {
    /// The other direction.
    pub fn opposite(self) -> Self {
        match self {
            PadDirection::Sink => PadDirection::Src,
            PadDirection::Src => PadDirection::Sink,
        }
    }
}

impl fmt::Display for PadDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PadDirection::Sink => "sink",
            PadDirection::Src => "src",
        })
    }
}

/// When pads of a template exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadPresence {
    /// Exactly one pad, always there.
    Always,
    /// Created by the element while it runs (a demuxer finding a stream).
    Sometimes,
    /// Created on demand when linking (`tee`'s `src_%u`).
    Request,
}

impl fmt::Display for PadPresence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PadPresence::Always => "always",
            PadPresence::Sometimes => "sometimes",
            PadPresence::Request => "request",
        })
    }
}

/// A description of one kind of pad.
#[derive(Debug, Clone, PartialEq)]
pub struct PadTemplate {
    /// Name, or a pattern with `%u` for numbered pads (`src_%u`).
    pub name: Cow<'static, str>,
    /// Direction.
    pub direction: PadDirection,
    /// When pads of this template exist.
    pub presence: PadPresence,
    /// The caps any pad of this template can carry.
    pub caps: Caps,
}

impl PadTemplate {
    /// The `sink` pad, always present.
    pub fn sink(caps: Caps) -> Self {
        Self::new("sink", PadDirection::Sink, PadPresence::Always, caps)
    }

    /// The `src` pad, always present.
    pub fn src(caps: Caps) -> Self {
        Self::new("src", PadDirection::Src, PadPresence::Always, caps)
    }

    /// Any template.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        direction: PadDirection,
        presence: PadPresence,
        caps: Caps,
    ) -> Self {
        PadTemplate {
            name: name.into(),
            direction,
            presence,
            caps,
        }
    }

    /// Whether `pad_name` is a pad of this template: equal to the name, or matching the
    /// `%u` pattern with a decimal number. Returns the number for patterns.
    pub fn matches(&self, pad_name: &str) -> Option<Option<u32>> {
        match self.name.split_once("%u") {
            None => (self.name == pad_name).then_some(None),
            Some((prefix, suffix)) => {
                let digits = pad_name.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                digits.parse().ok().map(Some)
            }
        }
    }

    /// The name of pad number `n` of this template.
    pub fn pad_name(&self, n: u32) -> String {
        self.name.replace("%u", &n.to_string())
    }
}
