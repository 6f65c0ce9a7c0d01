//! A tiny scanner for one top-level field of a JSON object, without serde.
//!
//! A key design decision: it never builds a document. It walks the top-level object once,
//! skipping values it does not need (nested objects and arrays by bracket depth, strings
//! with their escapes), and decodes only the key strings and the wanted value. Malformed
//! text yields `None`, like a missing field.

/// The value of a top-level field, as far as the filter cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    /// A string, escapes decoded.
    Str(String),
    /// A number, as written.
    Num(&'a str),
    /// Anything else (object, array, `true`, `false`, `null`).
    Other,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    }

    /// A string starting at `"`, decoded.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2)? != b"\\u" {
                                    return None;
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(cp)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    /// Skips any value and says what it was (numbers keep their text).
    fn value(&mut self) -> Option<Value<'a>> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(Value::Str),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(Value::Other);
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                match text {
                    "true" | "false" | "null" => Some(Value::Other),
                    t if t.parse::<f64>().is_ok() && !t.starts_with(['+', '.']) => {
                        Some(Value::Num(t))
                    }
                    _ => None,
                }
            }
        }
    }
}

/// The value of top-level field `key` in the JSON object `line`; `None` when the field is
/// missing or the text is not an object.
pub(crate) fn field<'a>(line: &'a [u8], key: &str) -> Option<Value<'a>> {
    let mut c = Cursor { s: line, i: 0 };
    c.eat(b'{')?;
    if c.eat(b'}').is_some() {
        return None;
    }
    loop {
        c.ws();
        let k = c.string()?;
        c.eat(b':')?;
        let v = c.value()?;
        if k == key {
            return Some(v);
        }
        c.ws();
        match c.peek()? {
            b',' => c.i += 1,
            _ => return None,
        }
    }
}

/// Whether `value` equals the text `equals`: strings exactly, numbers numerically
/// (`1`, `1.0` and `1e0` are equal) or else textually.
pub(crate) fn matches(value: &Value<'_>, equals: &str) -> bool {
    match value {
        Value::Str(s) => s == equals,
        Value::Num(n) => match (n.parse::<f64>(), equals.trim().parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b,
            _ => *n == equals,
        },
        Value::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_fields_only() {
        let line = br#"{"a": {"kind": "x", "arr": [1, "}", {"b": 2}]}, "kind" : "cam\u00e9ra\n", "n": -1.5e1, "t": true}"#;
        assert_eq!(field(line, "kind"), Some(Value::Str("caméra\n".into())));
        assert_eq!(field(line, "n"), Some(Value::Num("-1.5e1")));
        assert_eq!(field(line, "t"), Some(Value::Other));
        assert_eq!(field(line, "a"), Some(Value::Other));
        assert_eq!(field(line, "b"), None, "nested keys do not count");
        assert_eq!(field(line, "missing"), None);
    }

    #[test]
    fn escapes_and_surrogates() {
        assert_eq!(
            field(br#"{"k\"ey": "\ud83d\ude00 \\ \/"}"#, "k\"ey"),
            Some(Value::Str("\u{1F600} \\ /".into()))
        );
        assert_eq!(field(br#"{"k": "\ud83d"}"#, "k"), None, "lone surrogate");
    }

    #[test]
    fn malformed_is_none() {
        for bad in [
            &b""[..],
            b"[]",
            b"{",
            b"{\"k\" 1}",
            b"{\"k\": tru}",
            b"{\"k\": \"x",
            b"{}",
            b"{\"a\":1 \"k\":2}",
        ] {
            assert_eq!(field(bad, "k"), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn number_and_string_matching() {
        assert!(matches(&Value::Num("1"), "1.0"));
        assert!(matches(&Value::Num("2e3"), "2000"));
        assert!(!matches(&Value::Num("1"), "2"));
        assert!(matches(&Value::Str("on".into()), "on"));
        assert!(!matches(&Value::Str("1".into()), "1.0"));
        assert!(!matches(&Value::Other, "true"));
    }
}
