//! Converting property text (from `.px` files and the CLI) into typed, range-checked values.

use super::{PropKind, PropSpec, Value};
use crate::caps::{Caps, Fraction};
use crate::error::PropertyError;

impl PropSpec {
    /// Converts `text` to this property's type and checks its range.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] when the text is not of the type,
    /// [`PropertyError::OutOfRange`] when it is outside the range.
    pub fn parse(&self, text: &str) -> Result<Value, PropertyError> {
        self.check_writable()?;
        let bad = |expected: &str| PropertyError::BadValue {
            name: self.name.to_owned(),
            expected: expected.to_owned(),
            got: text.to_owned(),
        };
        let value = match &self.kind {
            PropKind::Bool => match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "on" => Value::Bool(true),
                "false" | "no" | "0" | "off" => Value::Bool(false),
                _ => return Err(bad("true or false")),
            },
            PropKind::Int { .. } => Value::Int(parse_int(text).ok_or_else(|| bad("an integer"))?),
            PropKind::UInt { .. } => Value::UInt(
                parse_int(text)
                    .and_then(|v| u64::try_from(v).ok())
                    .or_else(|| parse_hex(text.trim()))
                    .ok_or_else(|| bad("a non-negative integer"))?,
            ),
            PropKind::Double { .. } => {
                let v: f64 = text.trim().parse().map_err(|_| bad("a number"))?;
                if !v.is_finite() {
                    return Err(bad("a finite number"));
                }
                Value::Double(v)
            }
            PropKind::Str | PropKind::Path => Value::Str(text.to_owned()),
            PropKind::Enum(values) => {
                let found = values.iter().find(|v| v.nick == text).or_else(|| {
                    let n: i64 = text.trim().parse().ok()?;
                    values.iter().find(|v| v.value == n)
                });
                match found {
                    Some(v) => Value::Enum(v.nick.to_owned()),
                    None => {
                        let nicks: Vec<&str> = values.iter().map(|v| v.nick).collect();
                        return Err(bad(&format!("one of {}", nicks.join(", "))));
                    }
                }
            }
            PropKind::Caps => Value::Caps(
                text.parse::<Caps>()
                    .map_err(|e| bad(&format!("caps ({e})")))?,
            ),
            PropKind::Fraction => {
                Value::Fraction(parse_fraction(text).ok_or_else(|| bad("a fraction n/d"))?)
            }
        };
        self.check(&value)?;
        Ok(value)
    }

    /// Checks that a typed `value` has this property's type and lies in its range.
    ///
    /// # Errors
    ///
    /// As [`PropSpec::parse`].
    pub fn check(&self, value: &Value) -> Result<(), PropertyError> {
        self.check_writable()?;
        let out_of_range = |range: String| PropertyError::OutOfRange {
            name: self.name.to_owned(),
            range,
            got: value.to_string(),
        };
        let wrong_type = || PropertyError::BadValue {
            name: self.name.to_owned(),
            expected: self.kind.to_string(),
            got: value.to_string(),
        };
        match (&self.kind, value) {
            (PropKind::Int { min, max }, v) => {
                let n = v.as_int().ok_or_else(wrong_type)?;
                if n < *min || n > *max {
                    return Err(out_of_range(format!("[{min}, {max}]")));
                }
            }
            (PropKind::UInt { min, max }, v) => {
                let n = v.as_uint().ok_or_else(wrong_type)?;
                if n < *min || n > *max {
                    return Err(out_of_range(format!("[{min}, {max}]")));
                }
            }
            (PropKind::Double { min, max }, Value::Double(n)) => {
                if !(*min..=*max).contains(n) {
                    return Err(out_of_range(format!("[{min}, {max}]")));
                }
            }
            (PropKind::Enum(values), Value::Enum(nick)) => {
                if !values.iter().any(|v| v.nick == nick) {
                    return Err(wrong_type());
                }
            }
            (PropKind::Bool, Value::Bool(_))
            | (PropKind::Str | PropKind::Path, Value::Str(_))
            | (PropKind::Caps, Value::Caps(_))
            | (PropKind::Fraction, Value::Fraction(_)) => {}
            _ => return Err(wrong_type()),
        }
        Ok(())
    }
}

impl PropSpec {
    fn check_writable(&self) -> Result<(), PropertyError> {
        if self.writable {
            Ok(())
        } else {
            Err(PropertyError::ReadOnly {
                name: self.name.to_owned(),
            })
        }
    }
}

/// Decimal, or hexadecimal with `0x` (GStreamer accepts colours as `0xff00ff00`).
fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    match text.strip_prefix('-') {
        Some(rest) => parse_hex(rest)
            .and_then(|v| i64::try_from(v).ok())
            .map(|v| -v)
            .or_else(|| text.parse().ok()),
        None => text
            .parse()
            .ok()
            .or_else(|| parse_hex(text).and_then(|v| i64::try_from(v).ok())),
    }
}

fn parse_hex(text: &str) -> Option<u64> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))?;
    u64::from_str_radix(digits, 16).ok()
}

fn parse_fraction(text: &str) -> Option<Fraction> {
    let (n, d) = text.trim().split_once('/')?;
    let num: i32 = n.trim().parse().ok()?;
    let den: i32 = d.trim().parse().ok()?;
    (den != 0).then_some(Fraction { num, den })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::EnumValue;

    const SIZES: &[EnumValue] = &[
        EnumValue {
            nick: "empty",
            value: 0,
            doc: "",
        },
        EnumValue {
            nick: "fixed",
            value: 1,
            doc: "",
        },
    ];

    #[test]
    fn parses_every_kind() {
        assert_eq!(
            PropSpec::bool("b", false).parse("yes").unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            PropSpec::uint("u", 0, 0, 10).parse("7").unwrap(),
            Value::UInt(7)
        );
        assert_eq!(
            PropSpec::double("d", 0.0, 0.0, 1.0).parse("0.5").unwrap(),
            Value::Double(0.5)
        );
        assert_eq!(
            PropSpec::uint("color", 0, 0, u64::from(u32::MAX))
                .parse("0xff00ff00")
                .unwrap(),
            Value::UInt(0xff00_ff00)
        );
        assert_eq!(
            PropSpec::int("i", 0, -100, 100).parse("-0x10").unwrap(),
            Value::Int(-16)
        );
        let e = PropSpec::enumeration("sizetype", "empty", SIZES);
        assert_eq!(e.parse("fixed").unwrap(), Value::Enum("fixed".into()));
        assert_eq!(e.parse("1").unwrap(), Value::Enum("fixed".into()));
    }

    #[test]
    fn refuses_bad_values_with_names() {
        let spec = PropSpec::int("num-buffers", -1, -1, 100);
        let err = spec.parse("lots").unwrap_err();
        assert_eq!(
            err.to_string(),
            "property 'num-buffers' expects an integer, got 'lots'"
        );
        let err = spec.parse("101").unwrap_err();
        assert_eq!(
            err.to_string(),
            "property 'num-buffers' must be within [-1, 100], got 101"
        );
        let e = PropSpec::enumeration("sizetype", "empty", SIZES);
        assert!(
            e.parse("huge")
                .unwrap_err()
                .to_string()
                .contains("one of empty, fixed")
        );
        assert!(PropSpec::double("d", 0.0, 0.0, 1.0).parse("NaN").is_err());
        assert!(PropSpec::bool("b", false).parse("maybe").is_err());
        let ro = PropSpec::uint("num-src-pads", 0, 0, 10).read_only();
        assert_eq!(
            ro.parse("1").unwrap_err().to_string(),
            "property 'num-src-pads' is read-only"
        );
    }
}
