//! Turning a guest's `describe()` into the host's [`ElementInfo`], plus the properties
//! the host handles for every WASM element.
//!
//! A key design decision: `PropSpec` names and docs are `&'static str` (native elements
//! use literals), so guest-provided strings are interned for the life of the process.
//! A component is described once per load, so this is bounded by what is loaded.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use parallax_core::element::{ProcessingKind, TrustLevel};
use parallax_core::property::{EnumValue, Mutability, PropKind};
use parallax_core::{
    Caps, ElementInfo, ExecutionHints, PadDirection, PadPresence, PadTemplate, PropSpec, Rank,
};

use crate::bindings::types;

/// Per-call deadline in milliseconds, unless set.
pub const DEFAULT_DEADLINE_MS: u64 = 100;
/// Fuel per call (0 = unlimited), unless set.
pub const DEFAULT_FUEL: u64 = 0;
/// Linear memory the guest may use besides the zero-copy window, unless set.
pub const DEFAULT_MEMORY_LIMIT: u64 = 64 << 20;
/// Failure policy, unless set.
pub const DEFAULT_ON_ERROR: &str = "fail";
/// Granted capabilities, unless set.
pub const DEFAULT_GRANT: &str = "";

/// Names of the properties the host handles itself.
pub const HOST_PROPERTIES: [&str; 5] = ["deadline-ms", "fuel", "memory-limit", "on-error", "grant"];

const ON_ERROR_VALUES: &[EnumValue] = &[
    EnumValue {
        nick: "fail",
        value: 0,
        doc: "Stop the pipeline with an error",
    },
    EnumValue {
        nick: "restart",
        value: 1,
        doc: "Drop the buffer, start a fresh guest instance and carry on",
    },
    EnumValue {
        nick: "skip",
        value: 2,
        doc: "Drop the buffer and carry on (restarts when the instance is unusable)",
    },
];

/// The properties every WASM element has, handled by the host.
pub(crate) fn host_properties() -> Vec<PropSpec> {
    vec![
        PropSpec::uint("deadline-ms", DEFAULT_DEADLINE_MS, 1, 600_000)
            .doc("Longest time one guest call may run, in milliseconds")
            .mutable(Mutability::Ready),
        PropSpec::uint("fuel", DEFAULT_FUEL, 0, u64::MAX)
            .doc("Fuel (about one unit per instruction) per guest call; 0 = unlimited")
            .mutable(Mutability::Ready),
        PropSpec::uint("memory-limit", DEFAULT_MEMORY_LIMIT, 1 << 20, 4 << 30)
            .doc("Bytes of linear memory the guest may use (the zero-copy window is extra)")
            .mutable(Mutability::Ready),
        PropSpec::enumeration("on-error", DEFAULT_ON_ERROR, ON_ERROR_VALUES)
            .doc("What a guest failure does: fail, restart or skip")
            .mutable(Mutability::Ready),
        PropSpec::string("grant", DEFAULT_GRANT)
            .doc("Capabilities granted to the guest, comma-separated: clock, random")
            .mutable(Mutability::Ready),
    ]
}

fn intern(s: &str) -> &'static str {
    static STRINGS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = STRINGS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(found) = set.get(s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

fn is_kebab(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Converts a guest's description; returns the info and whether it uses zero copy.
///
/// # Errors
///
/// A message for users when the description is unusable.
pub(crate) fn convert(desc: &types::ElementInfo) -> Result<(ElementInfo, bool), String> {
    let mut info = ElementInfo::new(&desc.name, &desc.classification, &desc.description);
    for pad in &desc.pads {
        let caps: Caps = pad
            .caps
            .parse()
            .map_err(|e| format!("pad '{}' has invalid caps '{}': {e}", pad.name, pad.caps))?;
        let direction = match pad.direction {
            types::PadDirection::Sink => PadDirection::Sink,
            types::PadDirection::Src => PadDirection::Src,
        };
        let presence = match pad.presence {
            types::PadPresence::Always => PadPresence::Always,
            types::PadPresence::Sometimes => PadPresence::Sometimes,
            types::PadPresence::Request => PadPresence::Request,
        };
        info = info.pad(PadTemplate::new(
            pad.name.clone(),
            direction,
            presence,
            caps,
        ));
    }
    for p in &desc.properties {
        if !is_kebab(&p.name) {
            return Err(format!("property name '{}' is not kebab-case", p.name));
        }
        if HOST_PROPERTIES.contains(&p.name.as_str())
            || info.properties.iter().any(|q| q.name == p.name)
        {
            return Err(format!("property '{}' is defined twice", p.name));
        }
        let name = intern(&p.name);
        let placeholder = match &p.kind {
            types::PropKind::Boolean => PropSpec::bool(name, false),
            types::PropKind::Integer((min, max)) => PropSpec::int(name, *min, *min, *max),
            types::PropKind::Double((min, max)) => PropSpec::double(name, *min, *min, *max),
            types::PropKind::Text => PropSpec::string(name, ""),
            types::PropKind::Enumeration(values) => {
                let first = values
                    .first()
                    .ok_or_else(|| format!("enumeration property '{}' has no values", p.name))?;
                let values: Vec<EnumValue> = values
                    .iter()
                    .map(|v| EnumValue {
                        nick: intern(&v.nick),
                        value: v.value,
                        doc: intern(&v.doc),
                    })
                    .collect();
                PropSpec::enumeration(name, intern(&first.nick), Box::leak(values.into()))
            }
        };
        if let PropKind::Int { min, max } = placeholder.kind
            && min > max
        {
            return Err(format!("property '{}' has an empty range", p.name));
        }
        if let PropKind::Double { min, max } = placeholder.kind
            && min
                .partial_cmp(&max)
                .is_none_or(|o| o == std::cmp::Ordering::Greater)
        {
            return Err(format!("property '{}' has an empty range", p.name));
        }
        let default = placeholder
            .parse(&p.default)
            .map_err(|e| format!("default of property '{}': {e}", p.name))?;
        let mut spec = placeholder
            .doc(intern(&p.doc))
            .mutable(if p.mutable_while_running {
                Mutability::Playing
            } else {
                Mutability::Ready
            });
        spec.default = default;
        info = info.property(spec);
    }
    for spec in host_properties() {
        info = info.property(spec);
    }
    let hints = ExecutionHints {
        trust: TrustLevel::Untrusted,
        processing: if desc.hints.cpu_bound {
            ProcessingKind::Cpu
        } else {
            ProcessingKind::Io
        },
        crash_safe: true,
        rt_safe: false,
        ..ExecutionHints::DEFAULT
    };
    info = info.hints(hints).rank(Rank::None);
    let zero_copy = matches!(desc.data_path, types::DataPath::ZeroCopy);
    Ok((info, zero_copy))
}

/// Renders a property value as the canonical text the guest receives.
pub(crate) fn value_text(value: &parallax_core::Value) -> String {
    value.to_string()
}
