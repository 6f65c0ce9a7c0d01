//! Typed literals: how one unquoted word (under an optional `(type)` annotation) or the
//! bounds of a `[ … ]` range become a [`CapsValue`].
//!
//! Key design decision: the printer asks the same classifier ([`needs_quotes`]) whether
//! a string would read back as something else, so printing and parsing cannot drift
//! apart and `parse(print(v)) == v` holds by construction.

use std::cmp::Ordering;
use std::str::FromStr;

use super::{CapsValue, Fraction};

/// Type forced by an annotation such as `(int)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    UInt,
    Double,
    Fraction,
    Str,
    Bool,
}

impl Ty {
    pub(crate) fn from_name(name: &str) -> Option<Ty> {
        Some(match name {
            "int" | "i" | "int64" | "gint" | "gint64" => Ty::Int,
            "uint" | "u" | "uint64" | "guint" | "guint64" => Ty::UInt,
            "double" | "d" | "float" | "f" | "gdouble" | "gfloat" => Ty::Double,
            "fraction" | "GstFraction" => Ty::Fraction,
            "string" | "str" | "s" | "gchararray" => Ty::Str,
            "boolean" | "bool" | "b" | "gboolean" => Ty::Bool,
            _ => return None,
        })
    }
}

/// Characters GStreamer allows in an unquoted word (`GST_ASCII_IS_STRING`).
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b':' | b'.')
}

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_sign(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

fn is_int_syntax(s: &str) -> bool {
    is_digits(strip_sign(s))
}

fn is_fraction_syntax(s: &str) -> bool {
    s.split_once('/')
        .is_some_and(|(n, d)| is_int_syntax(n) && is_int_syntax(d))
}

/// `1.5`, `.5`, `1.`, `1e9`, `-1.5E-3`: a decimal point or an exponent is required, so
/// plain integers stay integers.
fn is_double_syntax(s: &str) -> bool {
    let s = strip_sign(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i + 1..)),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (is_digits(a) || a.is_empty())
                && (is_digits(b) || b.is_empty())
                && a.len() + b.len() > 0
        }
        None => is_digits(mantissa) && exponent.is_some(),
    };
    mantissa_ok && exponent.is_none_or(is_int_syntax)
}

fn parse_int(word: &str) -> Result<i64, String> {
    i64::from_str(word).map_err(|_| format!("integer {word} is out of range"))
}

fn parse_fraction(word: &str) -> Result<Fraction, String> {
    let out_of_range =
        || format!("fraction {word} is out of range (both parts must fit in 32 bits)");
    let (n, d) = word.split_once('/').ok_or_else(out_of_range)?;
    let num = i32::from_str(n).map_err(|_| out_of_range())?;
    let den = i32::from_str(d).map_err(|_| out_of_range())?;
    if den == 0 {
        return Err("fraction with zero denominator".to_owned());
    }
    Ok(Fraction::new(num, den))
}

fn parse_double(word: &str) -> Result<f64, String> {
    f64::from_str(word).map_err(|_| format!("{word} is not a valid number"))
}

/// The value of an unquoted word with no annotation: integer, fraction, double,
/// boolean, or else a string.
pub(crate) fn infer(word: &str) -> Result<CapsValue, String> {
    if is_int_syntax(word) {
        parse_int(word).map(CapsValue::Int)
    } else if is_fraction_syntax(word) {
        parse_fraction(word).map(CapsValue::Fraction)
    } else if is_double_syntax(word) {
        parse_double(word).map(CapsValue::Double)
    } else if word.eq_ignore_ascii_case("true") {
        Ok(CapsValue::Bool(true))
    } else if word.eq_ignore_ascii_case("false") {
        Ok(CapsValue::Bool(false))
    } else {
        Ok(CapsValue::Str(word.to_owned()))
    }
}

/// The value of an unquoted word under a type annotation.
pub(crate) fn typed(word: &str, ty: Ty) -> Result<CapsValue, String> {
    match ty {
        Ty::Int if is_int_syntax(word) => parse_int(word).map(CapsValue::Int),
        Ty::Int => Err(format!("expected an integer, found '{word}'")),
        Ty::UInt => match parse_int(word) {
            Ok(v) if v >= 0 && is_int_syntax(word) => Ok(CapsValue::Int(v)),
            _ => Err(format!("expected a non-negative integer, found '{word}'")),
        },
        Ty::Double if is_int_syntax(word) || is_double_syntax(word) => {
            parse_double(word).map(CapsValue::Double)
        }
        Ty::Double if is_fraction_syntax(word) => {
            parse_fraction(word).map(|f| CapsValue::Double(f.to_f64()))
        }
        Ty::Double => {
            let bare = strip_sign(word).to_ascii_lowercase();
            if matches!(bare.as_str(), "inf" | "infinity" | "nan") {
                parse_double(word).map(CapsValue::Double)
            } else {
                Err(format!("expected a number, found '{word}'"))
            }
        }
        Ty::Fraction if is_fraction_syntax(word) => parse_fraction(word).map(CapsValue::Fraction),
        Ty::Fraction if is_int_syntax(word) => i32::from_str(word)
            .map(|n| CapsValue::Fraction(Fraction::new(n, 1)))
            .map_err(|_| format!("fraction {word} is out of range (must fit in 32 bits)")),
        Ty::Fraction => Err(format!("expected a fraction like 30/1, found '{word}'")),
        Ty::Str => Ok(CapsValue::Str(word.to_owned())),
        Ty::Bool => match word.to_ascii_lowercase().as_str() {
            "true" | "yes" | "t" | "1" => Ok(CapsValue::Bool(true)),
            "false" | "no" | "f" | "0" => Ok(CapsValue::Bool(false)),
            _ => Err(format!("expected true or false, found '{word}'")),
        },
    }
}

/// Whether a string must be quoted to read back as the same string: it is empty, has
/// characters outside an unquoted word, or would read back as a number or boolean.
pub(crate) fn needs_quotes(s: &str) -> bool {
    s.is_empty() || !s.bytes().all(is_word_byte) || !matches!(infer(s), Ok(CapsValue::Str(_)))
}

/// `type/subtype`: the type starts with a letter (GStreamer's rule for structure
/// names), the subtype is any non-empty word (`video/3gpp` is real).
pub(crate) fn is_media_type(name: &str) -> bool {
    match name.split_once('/') {
        Some((t, sub)) => {
            t.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && !sub.is_empty()
                && !sub.contains('/')
        }
        None => false,
    }
}

/// Reads the `"…"` string whose opening quote is at byte `open` of `src`, where `\`
/// escapes the next character. Returns the text and the offset just past the closing
/// quote, or `None` if the string is never closed.
pub(crate) fn unquote(src: &str, open: usize) -> Option<(String, usize)> {
    let body = src.get(open..)?.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, open + 1 + i + 1)),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

/// Builds a range from its parsed bounds, promoting integers to the other bound's type
/// so `[ 0, 1.5 ]` is a double range and `[ 0, 30/1 ]` a fraction range.
pub(crate) fn build_range(bounds: &[CapsValue]) -> Result<CapsValue, String> {
    use CapsValue as V;
    let too_big = |v: i64| format!("{v} is out of range for a fraction");
    let as_frac = |v: &CapsValue| match v {
        V::Fraction(f) => Ok(*f),
        V::Int(i) => i32::try_from(*i)
            .map(|n| Fraction::new(n, 1))
            .map_err(|_| too_big(*i)),
        _ => Err("range bounds must be both integers, both doubles or both fractions".to_owned()),
    };
    let inverted = |min: &dyn std::fmt::Display, max: &dyn std::fmt::Display| {
        Err(format!("range minimum {min} is above maximum {max}"))
    };
    match bounds {
        [_] => Err("a range needs a minimum and a maximum: [ min, max ]".to_owned()),
        [V::Int(min), V::Int(max), rest @ ..] => {
            let step = match rest {
                [V::Int(step)] => *step,
                [] => 1,
                _ => return Err("the step of a range must be an integer".to_owned()),
            };
            if step <= 0 {
                return Err(format!("range step must be positive, found {step}"));
            }
            if min > max {
                return inverted(min, max);
            }
            Ok(V::IntRange {
                min: *min,
                max: *max,
                step,
            })
        }
        [_, _, _] => Err("only integer ranges can have a step".to_owned()),
        [
            min @ (V::Int(_) | V::Double(_)),
            max @ (V::Int(_) | V::Double(_)),
        ] => {
            let as_f64 = |v: &CapsValue| match v {
                V::Double(d) => *d,
                // Integer bounds here are small enough in practice; precision loss
                // beyond 2^53 only blurs the bound, it cannot panic.
                V::Int(i) => *i as f64,
                _ => f64::NAN,
            };
            let (min, max) = (as_f64(min), as_f64(max));
            if min.partial_cmp(&max).is_none_or(Ordering::is_gt) {
                return inverted(&min, &max);
            }
            Ok(V::DoubleRange { min, max })
        }
        [
            min @ (V::Int(_) | V::Fraction(_)),
            max @ (V::Int(_) | V::Fraction(_)),
        ] => {
            let (min, max) = (as_frac(min)?, as_frac(max)?);
            if min > max {
                return inverted(&min, &max);
            }
            Ok(V::FractionRange { min, max })
        }
        _ => Err("range bounds must be both integers, both doubles or both fractions".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(n: i32, d: i32) -> CapsValue {
        CapsValue::Fraction(Fraction::new(n, d))
    }

    #[test]
    fn inferred_types() {
        let cases: &[(&str, CapsValue)] = &[
            ("640", CapsValue::Int(640)),
            ("-3", CapsValue::Int(-3)),
            ("+3", CapsValue::Int(3)),
            ("30/1", fr(30, 1)),
            ("30000/1001", fr(30000, 1001)),
            ("-1/2", fr(-1, 2)),
            ("0.5", CapsValue::Double(0.5)),
            (".5", CapsValue::Double(0.5)),
            ("2.", CapsValue::Double(2.0)),
            ("1e3", CapsValue::Double(1000.0)),
            ("-1.5E-3", CapsValue::Double(-0.0015)),
            ("true", CapsValue::Bool(true)),
            ("FALSE", CapsValue::Bool(false)),
            ("RGBA", CapsValue::from("RGBA")),
            ("interleaved", CapsValue::from("interleaved")),
            ("1.2.3", CapsValue::from("1.2.3")),
            ("1/2/3", CapsValue::from("1/2/3")),
            ("e5", CapsValue::from("e5")),
            (".", CapsValue::from(".")),
            ("-", CapsValue::from("-")),
            ("inf", CapsValue::from("inf")),
            ("yes", CapsValue::from("yes")),
        ];
        for (word, want) in cases {
            assert_eq!(infer(word).as_ref(), Ok(want), "{word}");
        }
    }

    #[test]
    fn inference_errors() {
        assert_eq!(
            infer("99999999999999999999"),
            Err("integer 99999999999999999999 is out of range".to_owned())
        );
        assert_eq!(
            infer("1/0"),
            Err("fraction with zero denominator".to_owned())
        );
        assert!(infer("4294967296/1").is_err_and(|e| e.contains("out of range")));
    }

    #[test]
    fn annotated_types() {
        let ok: &[(&str, Ty, CapsValue)] = &[
            ("640", Ty::Int, CapsValue::Int(640)),
            ("7", Ty::UInt, CapsValue::Int(7)),
            ("1", Ty::Double, CapsValue::Double(1.0)),
            ("1/4", Ty::Double, CapsValue::Double(0.25)),
            ("-inf", Ty::Double, CapsValue::Double(f64::NEG_INFINITY)),
            ("30", Ty::Fraction, fr(30, 1)),
            ("30/1", Ty::Fraction, fr(30, 1)),
            ("640", Ty::Str, CapsValue::from("640")),
            ("30/1", Ty::Str, CapsValue::from("30/1")),
            ("yes", Ty::Bool, CapsValue::Bool(true)),
            ("0", Ty::Bool, CapsValue::Bool(false)),
        ];
        for (word, ty, want) in ok {
            assert_eq!(typed(word, *ty).as_ref(), Ok(want), "({ty:?}){word}");
        }
        assert!(typed("NaN", Ty::Double).is_ok_and(|v| v.as_double().is_some_and(f64::is_nan)));
        let bad: &[(&str, Ty, &str)] = &[
            ("1.5", Ty::Int, "expected an integer, found '1.5'"),
            (
                "-1",
                Ty::UInt,
                "expected a non-negative integer, found '-1'",
            ),
            ("RGBA", Ty::Double, "expected a number, found 'RGBA'"),
            (
                "1.5",
                Ty::Fraction,
                "expected a fraction like 30/1, found '1.5'",
            ),
            (
                "3000000000",
                Ty::Fraction,
                "fraction 3000000000 is out of range (must fit in 32 bits)",
            ),
            ("maybe", Ty::Bool, "expected true or false, found 'maybe'"),
        ];
        for (word, ty, msg) in bad {
            assert_eq!(typed(word, *ty), Err((*msg).to_owned()), "({ty:?}){word}");
        }
        assert_eq!(Ty::from_name("i"), Some(Ty::Int));
        assert_eq!(Ty::from_name("float"), Some(Ty::Double));
        assert_eq!(Ty::from_name("bool"), Some(Ty::Bool));
        assert_eq!(Ty::from_name("bitmask"), None);
    }

    #[test]
    fn quoting_decision() {
        for plain in ["RGBA", "S16LE", "interleaved", "a-b_c+d/e:f.g", "-", "yes"] {
            assert!(!needs_quotes(plain), "{plain}");
        }
        for quoted in [
            "", "a b", "a,b", "640", "-1", "30/1", "0.5", "1e3", "true", "False", "é", "x\"y",
        ] {
            assert!(needs_quotes(quoted), "{quoted}");
        }
    }

    #[test]
    fn media_types() {
        assert!(is_media_type("video/x-raw"));
        assert!(is_media_type("application/x-rtp"));
        assert!(is_media_type("video/3gpp"));
        for bad in [
            "video",
            "/x-raw",
            "video/",
            "video/x/raw",
            "1video/x-raw",
            "",
        ] {
            assert!(!is_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn quoted_strings() {
        let text = r#"x="a \"b\" \\ é" rest"#;
        assert_eq!(unquote(text, 2), Some((r#"a "b" \ é"#.to_owned(), 17)));
        assert_eq!(text.get(17..), Some(" rest"));
        assert_eq!(unquote(r#""""#, 0), Some((String::new(), 2)));
        assert_eq!(unquote(r#""\é""#, 0), Some(("é".to_owned(), 5)));
        assert_eq!(unquote(r#""abc"#, 0), None);
        assert_eq!(unquote(r#""abc\"#, 0), None);
        assert_eq!(unquote("abc", 0), None);
        assert_eq!(unquote("é", 1), None, "not a char boundary");
    }

    #[test]
    fn ranges() {
        let i = CapsValue::Int;
        let d = CapsValue::Double;
        assert_eq!(
            build_range(&[i(1), i(4096)]),
            Ok(CapsValue::int_range(1, 4096))
        );
        assert_eq!(
            build_range(&[i(0), i(100), i(2)]),
            Ok(CapsValue::int_range_step(0, 100, 2))
        );
        assert_eq!(build_range(&[i(5), i(5)]), Ok(CapsValue::int_range(5, 5)));
        assert_eq!(
            build_range(&[i(0), d(1.5)]),
            Ok(CapsValue::double_range(0.0, 1.5))
        );
        assert_eq!(
            build_range(&[i(0), fr(30, 1)]),
            Ok(CapsValue::fraction_range(
                Fraction::new(0, 1),
                Fraction::new(30, 1)
            ))
        );
        let err = |bounds: &[CapsValue]| build_range(bounds).unwrap_err();
        assert_eq!(err(&[i(10), i(2)]), "range minimum 10 is above maximum 2");
        assert_eq!(
            err(&[d(1.5), d(0.5)]),
            "range minimum 1.5 is above maximum 0.5"
        );
        assert_eq!(
            err(&[fr(2, 1), fr(1, 1)]),
            "range minimum 2/1 is above maximum 1/1"
        );
        assert_eq!(
            err(&[i(1)]),
            "a range needs a minimum and a maximum: [ min, max ]"
        );
        assert_eq!(
            err(&[i(0), i(10), i(0)]),
            "range step must be positive, found 0"
        );
        assert_eq!(
            err(&[i(0), i(10), d(1.0)]),
            "the step of a range must be an integer"
        );
        assert_eq!(
            err(&[d(0.0), d(1.0), i(1)]),
            "only integer ranges can have a step"
        );
        assert_eq!(
            err(&[i(1 << 40), fr(1, 1)]),
            "1099511627776 is out of range for a fraction"
        );
        let mixed = "range bounds must be both integers, both doubles or both fractions";
        assert_eq!(err(&[d(0.5), fr(1, 1)]), mixed);
        assert_eq!(err(&[CapsValue::from("a"), CapsValue::from("b")]), mixed);
        assert_eq!(err(&[CapsValue::Bool(false), CapsValue::Bool(true)]), mixed);
    }
}
