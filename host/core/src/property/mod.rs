//! Typed element properties: specs with defaults, ranges and docs, and their values.
//!
//! A key design decision: property text from a `.px` file is untrusted user input, so it
//! is converted and range-checked against the element's [`PropSpec`] by the engine
//! before the element sees it; the element receives a typed [`Value`] and never parses
//! strings. Every failure is a [`PropertyError`] that names the property, never a panic.
//!
//! # Examples
//!
//! ```
//! use parallax_core::property::{PropSpec, Value};
//!
//! let spec = PropSpec::int("num-buffers", -1, -1, i64::from(i32::MAX))
//!     .doc("Number of buffers to output before EOS (-1 = unlimited)");
//! assert_eq!(spec.parse("25").unwrap(), Value::Int(25));
//! assert!(spec.parse("-2").is_err());      // below the minimum
//! assert!(spec.parse("many").is_err());    // not an integer
//! ```

mod parse;
mod spec;

pub use spec::{EnumValue, Mutability, PropKind, PropSpec, suggest};

use std::fmt;

use crate::caps::{Caps, Fraction};
use crate::error::PropertyError;

/// A typed property value.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A float.
    Double(f64),
    /// A string (also file paths).
    Str(String),
    /// The nick of an enumeration value.
    Enum(String),
    /// Caps.
    Caps(Caps),
    /// A fraction.
    Fraction(Fraction),
}

impl Value {
    /// The integer, if this is [`Value::Int`] or a [`Value::UInt`] that fits.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            Value::UInt(v) => i64::try_from(*v).ok(),
            _ => None,
        }
    }
    /// The unsigned integer, if this is [`Value::UInt`] or a non-negative [`Value::Int`].
    pub fn as_uint(&self) -> Option<u64> {
        match self {
            Value::UInt(v) => Some(*v),
            Value::Int(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }
    /// The float.
    pub fn as_double(&self) -> Option<f64> {
        match self {
            Value::Double(v) => Some(*v),
            _ => None,
        }
    }
    /// The boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(v) => Some(*v),
            _ => None,
        }
    }
    /// The string or enumeration nick.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(v) | Value::Enum(v) => Some(v),
            _ => None,
        }
    }
    /// The caps.
    pub fn as_caps(&self) -> Option<&Caps> {
        match self {
            Value::Caps(c) => Some(c),
            _ => None,
        }
    }
    /// The fraction.
    pub fn as_fraction(&self) -> Option<Fraction> {
        match self {
            Value::Fraction(f) => Some(*f),
            _ => None,
        }
    }

    /// The integer, or an error naming property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] when the value is not an integer.
    pub fn int_for(&self, name: &str) -> Result<i64, PropertyError> {
        self.as_int()
            .ok_or_else(|| self.mismatch(name, "an integer"))
    }
    /// The unsigned integer, or an error naming property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] when the value is not a non-negative integer.
    pub fn uint_for(&self, name: &str) -> Result<u64, PropertyError> {
        self.as_uint()
            .ok_or_else(|| self.mismatch(name, "a non-negative integer"))
    }
    /// The float, or an error naming property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] when the value is not a float.
    pub fn double_for(&self, name: &str) -> Result<f64, PropertyError> {
        self.as_double()
            .ok_or_else(|| self.mismatch(name, "a number"))
    }
    /// The boolean, or an error naming property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] when the value is not a boolean.
    pub fn bool_for(&self, name: &str) -> Result<bool, PropertyError> {
        self.as_bool()
            .ok_or_else(|| self.mismatch(name, "true or false"))
    }
    /// The string, or an error naming property `name`.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] when the value is not a string.
    pub fn str_for(&self, name: &str) -> Result<&str, PropertyError> {
        self.as_str().ok_or_else(|| self.mismatch(name, "a string"))
    }

    fn mismatch(&self, name: &str, expected: &str) -> PropertyError {
        PropertyError::BadValue {
            name: name.to_owned(),
            expected: expected.to_owned(),
            got: self.to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::UInt(v) => write!(f, "{v}"),
            Value::Double(v) => write!(f, "{v}"),
            Value::Str(v) | Value::Enum(v) => f.write_str(v),
            Value::Caps(c) => write!(f, "{c}"),
            Value::Fraction(v) => write!(f, "{v}"),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::UInt(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}
