//! [`CapsValue`]: the value of one caps field — a fixed value, a range, or a list of
//! alternatives — with its constructors, accessors and conversions.
//!
//! Key design decision: each kind of range is its own variant with typed bounds
//! (`IntRange`, `DoubleRange`, `FractionRange`) rather than a generic range of values,
//! so a range of strings or a range from an int to a fraction cannot be represented at
//! all, and intersection never has to reject one at run time.

use super::Fraction;

/// The value of one caps field: a fixed value, a range, or a set of alternatives.
///
/// Text forms (GStreamer's): `640`, `[ 1, 4096 ]`, `[ 0, 100, 2 ]`, `0.5`,
/// `[ 0.0, 1.0 ]`, `30/1`, `[ 0/1, 2147483647/1 ]`, `RGBA` or `"a b"`, `true`,
/// `{ I420, NV12 }`.
///
/// A range whose `min` is above its `max` (or an integer range whose `step` is not
/// positive) is an empty set: it intersects nothing. The parser never produces one.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum CapsValue {
    /// A fixed integer.
    Int(i64),
    /// Every integer `min + k * step` between `min` and `max` inclusive.
    IntRange {
        /// Smallest member.
        min: i64,
        /// Upper bound (inclusive).
        max: i64,
        /// Distance between members; `1` for a plain range.
        step: i64,
    },
    /// A fixed floating-point number.
    Double(f64),
    /// Every double between `min` and `max` inclusive.
    DoubleRange {
        /// Lower bound (inclusive).
        min: f64,
        /// Upper bound (inclusive).
        max: f64,
    },
    /// A fixed fraction.
    Fraction(Fraction),
    /// Every fraction between `min` and `max` inclusive.
    FractionRange {
        /// Lower bound (inclusive).
        min: Fraction,
        /// Upper bound (inclusive).
        max: Fraction,
    },
    /// A fixed string, e.g. a pixel format name.
    Str(String),
    /// A fixed boolean.
    Bool(bool),
    /// A set of alternatives, preferred first.
    List(Vec<CapsValue>),
}

impl CapsValue {
    /// The integer range `[min, max]` with step 1.
    pub fn int_range(min: i64, max: i64) -> Self {
        CapsValue::IntRange { min, max, step: 1 }
    }

    /// The integer range `[min, max, step]`.
    pub fn int_range_step(min: i64, max: i64, step: i64) -> Self {
        CapsValue::IntRange { min, max, step }
    }

    /// The double range `[min, max]`.
    pub fn double_range(min: f64, max: f64) -> Self {
        CapsValue::DoubleRange { min, max }
    }

    /// The fraction range `[min, max]`.
    pub fn fraction_range(min: Fraction, max: Fraction) -> Self {
        CapsValue::FractionRange { min, max }
    }

    /// A list of alternatives, preferred first.
    pub fn list<T: Into<CapsValue>>(items: impl IntoIterator<Item = T>) -> Self {
        CapsValue::List(items.into_iter().map(Into::into).collect())
    }

    /// True for a single value; false for ranges and lists (even one-element lists, as
    /// in GStreamer, because fixating is what turns them into a value).
    pub fn is_fixed(&self) -> bool {
        !matches!(
            self,
            CapsValue::IntRange { .. }
                | CapsValue::DoubleRange { .. }
                | CapsValue::FractionRange { .. }
                | CapsValue::List(_)
        )
    }

    /// The integer, if this is a fixed [`CapsValue::Int`].
    pub fn as_int(&self) -> Option<i64> {
        match self {
            CapsValue::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The string, if this is a fixed [`CapsValue::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            CapsValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The fraction, if this is a fixed [`CapsValue::Fraction`].
    pub fn as_fraction(&self) -> Option<Fraction> {
        match self {
            CapsValue::Fraction(v) => Some(*v),
            _ => None,
        }
    }

    /// The double, if this is a fixed [`CapsValue::Double`].
    pub fn as_double(&self) -> Option<f64> {
        match self {
            CapsValue::Double(v) => Some(*v),
            _ => None,
        }
    }

    /// The boolean, if this is a fixed [`CapsValue::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            CapsValue::Bool(v) => Some(*v),
            _ => None,
        }
    }
}

impl From<i64> for CapsValue {
    fn from(v: i64) -> Self {
        CapsValue::Int(v)
    }
}

impl From<i32> for CapsValue {
    fn from(v: i32) -> Self {
        CapsValue::Int(v.into())
    }
}

impl From<u32> for CapsValue {
    fn from(v: u32) -> Self {
        CapsValue::Int(v.into())
    }
}

impl From<usize> for CapsValue {
    /// Saturates at `i64::MAX`, which no real size reaches.
    fn from(v: usize) -> Self {
        CapsValue::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<f64> for CapsValue {
    fn from(v: f64) -> Self {
        CapsValue::Double(v)
    }
}

impl From<bool> for CapsValue {
    fn from(v: bool) -> Self {
        CapsValue::Bool(v)
    }
}

impl From<&str> for CapsValue {
    fn from(v: &str) -> Self {
        CapsValue::Str(v.to_owned())
    }
}

impl From<String> for CapsValue {
    fn from(v: String) -> Self {
        CapsValue::Str(v)
    }
}

impl From<Fraction> for CapsValue {
    fn from(v: Fraction) -> Self {
        CapsValue::Fraction(v)
    }
}

impl<T: Into<CapsValue>> From<Vec<T>> for CapsValue {
    /// A list of alternatives, e.g. `vec!["I420", "NV12"]`.
    fn from(v: Vec<T>) -> Self {
        CapsValue::list(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(CapsValue::from(5i32), CapsValue::Int(5));
        assert_eq!(CapsValue::from(5u32), CapsValue::Int(5));
        assert_eq!(CapsValue::from(5usize), CapsValue::Int(5));
        assert_eq!(CapsValue::from(usize::MAX), CapsValue::Int(i64::MAX));
        assert_eq!(CapsValue::from(0.5), CapsValue::Double(0.5));
        assert_eq!(CapsValue::from(true), CapsValue::Bool(true));
        assert_eq!(CapsValue::from("RGBA"), CapsValue::Str("RGBA".into()));
        assert_eq!(
            CapsValue::from(String::from("x")),
            CapsValue::Str("x".into())
        );
        let f = Fraction::new(30, 1);
        assert_eq!(CapsValue::from(f), CapsValue::Fraction(f));
        assert_eq!(
            CapsValue::from(vec!["I420", "NV12"]),
            CapsValue::List(vec!["I420".into(), "NV12".into()])
        );
    }

    #[test]
    fn fixedness() {
        assert!(CapsValue::Int(1).is_fixed());
        assert!(CapsValue::Str("a".into()).is_fixed());
        assert!(CapsValue::Fraction(Fraction::new(1, 1)).is_fixed());
        assert!(!CapsValue::int_range(1, 2).is_fixed());
        assert!(!CapsValue::double_range(1.0, 2.0).is_fixed());
        assert!(!CapsValue::list([1]).is_fixed());
    }

    #[test]
    fn accessors() {
        assert_eq!(CapsValue::Int(3).as_int(), Some(3));
        assert_eq!(CapsValue::Int(3).as_str(), None);
        assert_eq!(CapsValue::from("a").as_str(), Some("a"));
        assert_eq!(CapsValue::Double(0.5).as_double(), Some(0.5));
        assert_eq!(CapsValue::Bool(true).as_bool(), Some(true));
        let f = Fraction::new(1, 2);
        assert_eq!(CapsValue::Fraction(f).as_fraction(), Some(f));
    }
}
