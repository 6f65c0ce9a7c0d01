//! Text output: `Display` for [`Caps`], [`Structure`] and [`CapsValue`] in GStreamer's
//! form, the inverse of the parser.
//!
//! Key design decision: the output carries no type annotations (`width=640`, not
//! `width=(int)640`); instead a string that would read back as another type (`"640"`,
//! `"true"`, `"a b"`) is quoted, and the parser reads quoted text as a string. That
//! keeps printed caps short and still makes `parse(print(c)) == c`.

use std::fmt;

use super::literal::needs_quotes;
use super::{Caps, CapsValue, Inner, Structure};

/// Writes a double so that it reads back as a double: always with a `.` or exponent
/// (`1.0`, not `1`, which would read back as an integer), and annotated when it is not
/// finite, because `inf`/`NaN` alone would read back as strings.
fn write_double(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_finite() {
        // `{:?}` is the shortest text that parses back to the same bits and always
        // has a '.' or an exponent.
        write!(f, "{v:?}")
    } else {
        write!(f, "(double){v:?}")
    }
}

fn write_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    if !needs_quotes(s) {
        return f.write_str(s);
    }
    f.write_str("\"")?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

impl fmt::Display for CapsValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapsValue::Int(v) => write!(f, "{v}"),
            CapsValue::IntRange { min, max, step: 1 } => write!(f, "[ {min}, {max} ]"),
            CapsValue::IntRange { min, max, step } => write!(f, "[ {min}, {max}, {step} ]"),
            CapsValue::Double(v) => write_double(f, *v),
            CapsValue::DoubleRange { min, max } => {
                f.write_str("[ ")?;
                write_double(f, *min)?;
                f.write_str(", ")?;
                write_double(f, *max)?;
                f.write_str(" ]")
            }
            CapsValue::Fraction(v) => write!(f, "{v}"),
            CapsValue::FractionRange { min, max } => write!(f, "[ {min}, {max} ]"),
            CapsValue::Str(s) => write_str(f, s),
            CapsValue::Bool(v) => write!(f, "{v}"),
            CapsValue::List(items) if items.is_empty() => f.write_str("{ }"),
            CapsValue::List(items) => {
                f.write_str("{ ")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(" }")
            }
        }
    }
}

impl fmt::Display for Structure {
    /// `video/x-raw, format=RGBA, width=640`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        for (name, v) in self.fields() {
            write!(f, ", {name}={v}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Caps {
    /// `ANY`, `EMPTY`, or the structures joined by `; `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Any => f.write_str("ANY"),
            Inner::Structures(v) if v.is_empty() => f.write_str("EMPTY"),
            Inner::Structures(v) => {
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{s}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fraction;

    fn fr(n: i32, d: i32) -> Fraction {
        Fraction::new(n, d)
    }

    fn parse(s: &str) -> Caps {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn display_gst_form() {
        let cases: &[(CapsValue, &str)] = &[
            (CapsValue::Int(640), "640"),
            (CapsValue::Int(-3), "-3"),
            (CapsValue::int_range(1, 4096), "[ 1, 4096 ]"),
            (CapsValue::int_range_step(0, 100, 2), "[ 0, 100, 2 ]"),
            (CapsValue::Double(0.5), "0.5"),
            (CapsValue::Double(1.0), "1.0"),
            (CapsValue::Double(f64::INFINITY), "(double)inf"),
            (CapsValue::double_range(0.0, 1.5), "[ 0.0, 1.5 ]"),
            (CapsValue::Fraction(fr(30, 1)), "30/1"),
            (
                CapsValue::fraction_range(fr(0, 1), fr(i32::MAX, 1)),
                "[ 0/1, 2147483647/1 ]",
            ),
            (CapsValue::from("RGBA"), "RGBA"),
            (CapsValue::from("a b, c"), "\"a b, c\""),
            (CapsValue::from("say \"hi\" \\o/"), r#""say \"hi\" \\o/""#),
            (CapsValue::from("640"), "\"640\""),
            (CapsValue::from("30/1"), "\"30/1\""),
            (CapsValue::from("true"), "\"true\""),
            (CapsValue::from(""), "\"\""),
            (CapsValue::Bool(true), "true"),
            (CapsValue::list(["I420", "NV12"]), "{ I420, NV12 }"),
            (CapsValue::List(vec![]), "{ }"),
        ];
        for (value, text) in cases {
            assert_eq!(value.to_string(), *text, "{value:?}");
        }
    }

    #[test]
    fn structure_display() {
        let video = Structure::new("video/x-raw")
            .with("format", "RGBA")
            .with("width", CapsValue::int_range(1, 4096))
            .with("framerate", fr(30, 1));
        assert_eq!(
            video.to_string(),
            "video/x-raw, format=RGBA, width=[ 1, 4096 ], framerate=30/1"
        );
        assert_eq!(Structure::new("audio/x-raw").to_string(), "audio/x-raw");
    }

    #[test]
    fn caps_display() {
        assert_eq!(Caps::any().to_string(), "ANY");
        assert_eq!(Caps::empty().to_string(), "EMPTY");
        let c = Caps::from_structures(vec![
            Structure::new("video/x-raw").with("format", "RGBA"),
            Structure::new("video/x-raw").with("format", "I420"),
        ]);
        assert_eq!(
            c.to_string(),
            "video/x-raw, format=RGBA; video/x-raw, format=I420"
        );
    }

    fn assert_round_trip(c: &Caps) {
        let text = c.to_string();
        assert_eq!(text.parse::<Caps>().as_ref(), Ok(c), "{text}");
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "ANY",
            "EMPTY",
            "video/x-raw",
            "video/x-raw, format=(string)RGBA, width=(int)640, height=(int)[ 1, 2147483647 ], \
             framerate=(fraction)[ 0/1, 2147483647/1 ]",
            "video/x-raw, format=(string){ I420, NV12 }; video/x-raw, format=RGBA",
            "audio/x-raw, rate=(int){ 44100, 48000 }, layout=interleaved, channels=2",
            r#"a/b, name="a b, c", q="say \"hi\"", n=(string)640, t=(string)true, e="""#,
            "a/b, d=0.5, e=(double)1, f=(double)-inf, g=[ 0.5, 2 ], h=1e300, i=-0.0",
            "a/b, x={ [ 1, 2 ], { 3, 4/3 }, { } }, s=[ 0, 100, 2 ], m=-9223372036854775808",
        ] {
            assert_round_trip(&parse(text));
        }
        let built = Caps::from_structures(vec![
            Structure::new("video/x-raw")
                .with("format", "weird \"\\ value")
                .with("w", CapsValue::int_range_step(i64::MIN, i64::MAX, i64::MAX))
                .with("d", CapsValue::double_range(f64::NEG_INFINITY, f64::MAX))
                .with("r", fr(-30, -1))
                .with("l", CapsValue::list([0.1, 1.0 / 3.0])),
            Structure::new("audio/x-raw")
                .with("flag", false)
                .with("s", "FALSE"),
        ]);
        assert_round_trip(&built);
    }

    /// xorshift64*: tiny, deterministic, good enough to shuffle bytes.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
        }
    }

    #[test]
    fn random_input_never_panics_and_round_trips() {
        const SEEDS: &[&str] = &[
            "video/x-raw, format=(string){ I420, NV12 }, width=[ 1, 4096 ], framerate=30/1",
            "audio/x-raw, rate=(int){ 44100, 48000 }, channels=2, layout=interleaved",
            r#"a/b, name="a b, c \" d", x=(double)[ 0.5, 1.5 ], y=[ 0, 100, 2 ]; c/d"#,
            "video/x-raw, framerate=(fraction)[ 0/1, 2147483647/1 ], flag=(boolean)true",
            "ANY",
        ];
        const ALPHABET: &[char] = &[
            '{', '}', '[', ']', '(', ')', ',', ';', '=', '"', '\\', '/', ' ', '.', '-', '+', 'e',
            '0', '1', '9', 'a', 'z', 'I', '<', 'é', '\n',
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut parsed: Vec<Caps> = Vec::new();
        for round in 0..6000 {
            let mut chars: Vec<char> = if round % 3 == 0 {
                (0..rng.below(40))
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                    .collect()
            } else {
                SEEDS[rng.below(SEEDS.len())].chars().collect()
            };
            for _ in 0..=rng.below(4) {
                let at = rng.below(chars.len() + 1);
                let c = ALPHABET[rng.below(ALPHABET.len())];
                match rng.below(3) {
                    0 => chars.insert(at, c),
                    1 if at < chars.len() => drop(chars.remove(at)),
                    _ if at < chars.len() => chars[at] = c,
                    _ => {}
                }
            }
            let input: String = chars.into_iter().collect();
            match input.parse::<Caps>() {
                Err(e) => assert!(e.offset <= input.len(), "{input:?}: {e}"),
                // NaN is the one value not equal to itself, so it cannot round-trip.
                Ok(c) if c == c.clone() => {
                    let text = c.to_string();
                    assert_eq!(text.parse::<Caps>().as_ref(), Ok(&c), "{text}");
                    parsed.push(c);
                }
                Ok(_) => {}
            }
        }
        assert!(
            parsed.len() > 500,
            "mutations should often stay valid: {}",
            parsed.len()
        );
        // The operations must not panic on whatever the parser accepts either.
        for pair in parsed.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let common = a.intersect(b);
            assert_eq!(common.is_empty(), !a.can_intersect(b), "{a} ∩ {b}");
            assert!(
                common.is_subset(a) || common.is_any(),
                "{a} ∩ {b} = {common}"
            );
            assert_eq!(
                a.explain_mismatch(b).is_empty(),
                !common.is_empty(),
                "{a} vs {b}"
            );
            let _ = a.fixate();
        }
    }
}
