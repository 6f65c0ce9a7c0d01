//! Property specifications: name, type, range, default, documentation, mutability.

use std::fmt;

use super::Value;
use crate::caps::Caps;

/// One named value of an enumeration property (GStreamer's `GEnumValue`: a nick users
/// write in `.px` files and the number GStreamer also accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    /// The name users write, e.g. `"fixed"`.
    pub nick: &'static str,
    /// The numeric value, also accepted in `.px` files.
    pub value: i64,
    /// What it means.
    pub doc: &'static str,
}

/// The type of a property and its allowed range.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum PropKind {
    /// `true`/`false` (also `yes`/`no`, `1`/`0`).
    Bool,
    /// A signed integer within `[min, max]`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// An unsigned integer within `[min, max]`.
    UInt {
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// A float within `[min, max]`.
    Double {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// Any string.
    Str,
    /// A file system path.
    Path,
    /// One of a fixed set of values.
    Enum(&'static [EnumValue]),
    /// Caps in GStreamer's string form.
    Caps,
    /// A fraction `n/d`.
    Fraction,
}

impl fmt::Display for PropKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropKind::Bool => f.write_str("boolean"),
            PropKind::Int { min, max } => write!(f, "integer [{min}, {max}]"),
            PropKind::UInt { min, max } => write!(f, "unsigned integer [{min}, {max}]"),
            PropKind::Double { min, max } => write!(f, "double [{min}, {max}]"),
            PropKind::Str => f.write_str("string"),
            PropKind::Path => f.write_str("path"),
            PropKind::Enum(values) => {
                f.write_str("enum {")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} ({})", v.nick, v.value)?;
                }
                f.write_str("}")
            }
            PropKind::Caps => f.write_str("caps"),
            PropKind::Fraction => f.write_str("fraction"),
        }
    }
}

/// When a property may be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Only before the pipeline is prepared.
    Construct,
    /// Also while the pipeline is idle (paused), not while running.
    Ready,
    /// At any time, even while data flows.
    Playing,
}

/// The specification of one property.
#[derive(Debug, Clone, PartialEq)]
pub struct PropSpec {
    /// Kebab-case name (`num-buffers`).
    pub name: &'static str,
    /// Type and range.
    pub kind: PropKind,
    /// The value an element starts with.
    pub default: Value,
    /// One line of documentation.
    pub doc: &'static str,
    /// When it may change.
    pub mutability: Mutability,
    /// Whether it can be read back.
    pub readable: bool,
    /// Whether it can be set (false for status properties such as `tee`'s `num-src-pads`).
    pub writable: bool,
}

impl PropSpec {
    fn new(name: &'static str, kind: PropKind, default: Value) -> Self {
        PropSpec {
            name,
            kind,
            default,
            doc: "",
            mutability: Mutability::Ready,
            readable: true,
            writable: true,
        }
    }

    /// A boolean property.
    pub fn bool(name: &'static str, default: bool) -> Self {
        Self::new(name, PropKind::Bool, Value::Bool(default))
    }
    /// A signed integer property within `[min, max]`.
    pub fn int(name: &'static str, default: i64, min: i64, max: i64) -> Self {
        Self::new(name, PropKind::Int { min, max }, Value::Int(default))
    }
    /// An unsigned integer property within `[min, max]`.
    pub fn uint(name: &'static str, default: u64, min: u64, max: u64) -> Self {
        Self::new(name, PropKind::UInt { min, max }, Value::UInt(default))
    }
    /// A float property within `[min, max]`.
    pub fn double(name: &'static str, default: f64, min: f64, max: f64) -> Self {
        Self::new(name, PropKind::Double { min, max }, Value::Double(default))
    }
    /// A string property.
    pub fn string(name: &'static str, default: &str) -> Self {
        Self::new(name, PropKind::Str, Value::Str(default.to_owned()))
    }
    /// A path property (empty default = unset).
    pub fn path(name: &'static str) -> Self {
        Self::new(name, PropKind::Path, Value::Str(String::new()))
    }
    /// An enumeration property; `default` is a nick from `values`.
    pub fn enumeration(
        name: &'static str,
        default: &'static str,
        values: &'static [EnumValue],
    ) -> Self {
        Self::new(
            name,
            PropKind::Enum(values),
            Value::Enum(default.to_owned()),
        )
    }
    /// A caps property.
    pub fn caps(name: &'static str, default: Caps) -> Self {
        Self::new(name, PropKind::Caps, Value::Caps(default))
    }

    /// Sets the documentation line.
    pub fn doc(mut self, doc: &'static str) -> Self {
        self.doc = doc;
        self
    }
    /// Sets when the property may change.
    pub fn mutable(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }
    /// Marks the property read-only: it reports state and cannot be set.
    pub fn read_only(mut self) -> Self {
        self.writable = false;
        self
    }

    /// Marks the property write-only.
    pub fn write_only(mut self) -> Self {
        self.readable = false;
        self
    }
}

/// The name in `candidates` closest to `name`, if it is close enough to be a typo
/// (edit distance at most a third of the length, minimum 2).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["num-buffers", "sizetype", "sizemax"];
        assert_eq!(suggest("num-bufers", names), Some("num-buffers".into()));
        assert_eq!(suggest("sizemx", names), Some("sizemax".into()));
        assert_eq!(suggest("location", names), None);
    }
}
