//! Hand-written parser for GStreamer's caps text form
//! (`video/x-raw, format=(string){ I420, NV12 }, width=[ 1, 4096 ]; audio/x-raw`).
//!
//! Key design decision: the input is untrusted (it comes from `.px` files), so the
//! parser is a byte-offset cursor that never indexes out of bounds, uses checked
//! number parsing, and bounds recursion by limiting list nesting to [`MAX_DEPTH`];
//! every failure is a [`CapsParseError`] with the byte offset where it went wrong.

use std::str::FromStr;

use super::literal::{Ty, build_range, infer, is_media_type, is_word_byte, is_ws, typed, unquote};
use super::{Caps, CapsValue, Structure};

/// Deepest nesting of `{ … }` lists accepted; deeper input is rejected rather than
/// risking the stack.
pub(crate) const MAX_DEPTH: usize = 8;

/// Why a caps string could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct CapsParseError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What went wrong, in plain words.
    pub message: String,
}

/// Parses a whole caps string (`ANY`, `EMPTY`, or `;`-separated structures).
pub(crate) fn parse_caps(input: &str) -> Result<Caps, CapsParseError> {
    match input.trim_matches([' ', '\t', '\n', '\r']) {
        "ANY" => return Ok(Caps::any()),
        "EMPTY" | "NONE" => return Ok(Caps::empty()),
        _ => {}
    }
    let mut p = Parser { src: input, pos: 0 };
    p.skip_ws();
    if p.peek().is_none() {
        return p.fail("empty caps; write ANY or EMPTY, or a media type like video/x-raw");
    }
    let mut structures = Vec::new();
    loop {
        structures.push(p.structure()?);
        p.skip_ws();
        match p.peek() {
            None => break,
            Some(b';') => {
                p.pos += 1;
                p.skip_ws();
                // A trailing ';' is tolerated, as GStreamer does.
                if p.peek().is_none() {
                    break;
                }
            }
            Some(_) => return p.fail(format!("expected ',' or ';', found {}", p.found())),
        }
    }
    Ok(Caps::from_structures(structures))
}

/// Parses a single structure with nothing after it.
pub(crate) fn parse_structure(input: &str) -> Result<Structure, CapsParseError> {
    let mut p = Parser { src: input, pos: 0 };
    p.skip_ws();
    let s = p.structure()?;
    p.skip_ws();
    match p.peek() {
        None => Ok(s),
        Some(b';') => p.fail("expected a single structure, found ';'"),
        Some(_) => p.fail(format!("expected ',', found {}", p.found())),
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn fail_at<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, CapsParseError> {
        Err(CapsParseError {
            offset,
            message: message.into(),
        })
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, CapsParseError> {
        self.fail_at(self.pos, message)
    }

    /// What is at the cursor, for error messages.
    fn found(&self) -> String {
        match self
            .src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("'{c}'"),
            None => "the end of the input".to_owned(),
        }
    }

    /// Consumes a run of word characters; returns its start and text (maybe empty).
    fn word(&mut self) -> (usize, &'a str) {
        let start = self.pos;
        while self.peek().is_some_and(is_word_byte) {
            self.pos += 1;
        }
        // Word bytes are ASCII, so both ends are char boundaries.
        (start, self.src.get(start..self.pos).unwrap_or(""))
    }

    fn structure(&mut self) -> Result<Structure, CapsParseError> {
        let (start, name) = self.word();
        if !is_media_type(name) {
            let shown = if name.is_empty() {
                self.found()
            } else {
                format!("'{name}'")
            };
            return self.fail_at(
                start,
                format!("expected a media type like video/x-raw, found {shown}"),
            );
        }
        let mut s = Structure::new(name);
        if self.peek() == Some(b'(') {
            return self.fail("caps features like (memory:DMABuf) are not supported");
        }
        loop {
            self.skip_ws();
            if !self.eat(b',') {
                return Ok(s);
            }
            self.skip_ws();
            self.field(&mut s)?;
        }
    }

    fn field(&mut self, s: &mut Structure) -> Result<(), CapsParseError> {
        let (start, name) = self.word();
        if name.is_empty() {
            return match self.peek() {
                Some(b'=') => self.fail("empty field name"),
                None => self.fail("expected a field name after ','"),
                Some(_) => self.fail(format!("expected a field name, found {}", self.found())),
            };
        }
        if !name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
            return self.fail_at(
                start,
                format!("field name '{name}' must start with a letter"),
            );
        }
        if s.get(name).is_some() {
            return self.fail_at(start, format!("field '{name}' given twice"));
        }
        self.skip_ws();
        if !self.eat(b'=') {
            return self.fail(format!(
                "expected '=' after field name '{name}', found {}",
                self.found()
            ));
        }
        self.skip_ws();
        let value = self.value(0, None)?;
        s.set(name, value);
        Ok(())
    }

    /// An optional `(type)` annotation.
    fn annotation(&mut self) -> Result<Option<Ty>, CapsParseError> {
        if !self.eat(b'(') {
            return Ok(None);
        }
        self.skip_ws();
        let (start, name) = self.word();
        let Some(ty) = Ty::from_name(name) else {
            let msg = if name.is_empty() {
                "expected a type name like int or string after '('".to_owned()
            } else {
                format!("unknown type '{name}' (expected int, double, fraction, string or boolean)")
            };
            return self.fail_at(start, msg);
        };
        self.skip_ws();
        if !self.eat(b')') {
            return self.fail("expected ')' to close the type annotation");
        }
        self.skip_ws();
        Ok(Some(ty))
    }

    /// A field value; `depth` counts the enclosing lists and an inner annotation
    /// overrides an inherited one.
    fn value(&mut self, depth: usize, inherited: Option<Ty>) -> Result<CapsValue, CapsParseError> {
        let ty = self.annotation()?.or(inherited);
        match self.peek() {
            Some(b'{') => self.list(depth, ty),
            Some(b'[') => self.range(ty),
            Some(b'<') => self.fail("arrays '< … >' are not supported"),
            _ => self.scalar(ty),
        }
    }

    fn list(&mut self, depth: usize, ty: Option<Ty>) -> Result<CapsValue, CapsParseError> {
        let open = self.pos;
        if depth >= MAX_DEPTH {
            return self.fail(format!("lists nested more than {MAX_DEPTH} deep"));
        }
        self.pos += 1;
        self.skip_ws();
        let mut items = Vec::new();
        if self.eat(b'}') {
            return Ok(CapsValue::List(items));
        }
        loop {
            items.push(self.value(depth + 1, ty)?);
            self.skip_ws();
            if self.eat(b'}') {
                return Ok(CapsValue::List(items));
            }
            if !self.eat(b',') {
                return match self.peek() {
                    None => self.fail_at(open, "expected '}' to close the list"),
                    Some(_) => self.fail(format!(
                        "expected ',' or '}}' in the list, found {}",
                        self.found()
                    )),
                };
            }
            self.skip_ws();
        }
    }

    fn range(&mut self, ty: Option<Ty>) -> Result<CapsValue, CapsParseError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        let mut bounds = Vec::with_capacity(3);
        loop {
            let inner = self.annotation()?.or(ty);
            if matches!(self.peek(), Some(b'{' | b'[')) {
                return self.fail("a range can only hold numbers");
            }
            if bounds.len() == 3 {
                return self.fail("a range takes at most three values: [ min, max, step ]");
            }
            bounds.push(self.scalar(inner)?);
            self.skip_ws();
            if self.eat(b']') {
                break;
            }
            if !self.eat(b',') {
                return match self.peek() {
                    None => self.fail_at(open, "expected ']' to close the range"),
                    Some(_) => self.fail(format!(
                        "expected ',' or ']' in the range, found {}",
                        self.found()
                    )),
                };
            }
            self.skip_ws();
        }
        build_range(&bounds).or_else(|msg| self.fail_at(open, msg))
    }

    fn scalar(&mut self, ty: Option<Ty>) -> Result<CapsValue, CapsParseError> {
        if self.peek() == Some(b'"') {
            let open = self.pos;
            let Some((text, end)) = unquote(self.src, open) else {
                return self.fail("unterminated string: missing closing '\"'");
            };
            self.pos = end;
            return match ty {
                None | Some(Ty::Str) => Ok(CapsValue::Str(text)),
                Some(_) => self.fail_at(open, "a quoted value can only be a string"),
            };
        }
        let (start, word) = self.word();
        if word.is_empty() {
            return self.fail(format!("expected a value, found {}", self.found()));
        }
        let value = match ty {
            Some(ty) => typed(word, ty),
            None => infer(word),
        };
        value.or_else(|msg| self.fail_at(start, msg))
    }
}

impl FromStr for Caps {
    type Err = CapsParseError;

    /// Parses GStreamer's caps text form; see the [module docs](super).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_caps(s)
    }
}

impl FromStr for Structure {
    type Err = CapsParseError;

    /// Parses one structure, e.g. `audio/x-raw, rate=48000`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_structure(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fraction;

    fn parse(s: &str) -> Caps {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn one(s: &str) -> Structure {
        match parse(s).structures() {
            [only] => only.clone(),
            other => panic!("{s:?}: expected one structure, got {other:?}"),
        }
    }

    fn fr(n: i32, d: i32) -> Fraction {
        Fraction::new(n, d)
    }

    #[test]
    fn bare_media_type() {
        assert_eq!(one("video/x-raw"), Structure::new("video/x-raw"));
        assert_eq!(one("  video/x-raw \n"), Structure::new("video/x-raw"));
    }

    #[test]
    fn untyped_fields() {
        let s = one("video/x-raw,format=RGBA,width=[1,4096],framerate=30/1");
        let want = Structure::new("video/x-raw")
            .with("format", "RGBA")
            .with("width", CapsValue::int_range(1, 4096))
            .with("framerate", fr(30, 1));
        assert_eq!(s, want);
        let s = one("audio/x-raw, layout=interleaved, channels=2, sample=0.5, flag=true");
        assert_eq!(s.get_str("layout"), Some("interleaved"));
        assert_eq!(s.get_int("channels"), Some(2));
        assert_eq!(s.get_double("sample"), Some(0.5));
        assert_eq!(s.get_bool("flag"), Some(true));
        assert_eq!(
            one("a/b, w=[0, 100, 2]").get("w"),
            Some(&CapsValue::int_range_step(0, 100, 2))
        );
    }

    #[test]
    fn typed_fields() {
        let s = one(
            "video/x-raw, format=(string)RGBA, width=(int)640, height=(int)[ 1, 2147483647 ], \
             framerate=(fraction)[ 0/1, 2147483647/1 ]",
        );
        let want = Structure::new("video/x-raw")
            .with("format", "RGBA")
            .with("width", 640)
            .with("height", CapsValue::int_range(1, i64::from(i32::MAX)))
            .with(
                "framerate",
                CapsValue::fraction_range(fr(0, 1), fr(i32::MAX, 1)),
            );
        assert_eq!(s, want);
        let s = one("a/b, x=(double)0.5, y=(float)1, z=(boolean)true, w=(bool)false, v=(i)3");
        assert_eq!(s.get("x"), Some(&CapsValue::Double(0.5)));
        assert_eq!(s.get("y"), Some(&CapsValue::Double(1.0)));
        assert_eq!(s.get_bool("z"), Some(true));
        assert_eq!(s.get_bool("w"), Some(false));
        assert_eq!(s.get_int("v"), Some(3));
        let s = one("a/b, n=(string)640, r=(fraction)30, t=( int )[ 1 , 2 ]");
        assert_eq!(s.get_str("n"), Some("640"));
        assert_eq!(s.get_fraction("r"), Some(fr(30, 1)));
        assert_eq!(s.get("t"), Some(&CapsValue::int_range(1, 2)));
    }

    #[test]
    fn lists() {
        let yuv = CapsValue::list(["I420", "NV12"]);
        assert_eq!(
            one("video/x-raw, format={I420,NV12}").get("format"),
            Some(&yuv)
        );
        assert_eq!(
            one("video/x-raw, format=(string){ I420, NV12 }").get("format"),
            Some(&yuv)
        );
        assert_eq!(
            one("audio/x-raw, rate=(int){ 44100, 48000 }").get("rate"),
            Some(&CapsValue::list([44100, 48000]))
        );
        assert_eq!(
            one("a/b, x=(string){ 1, (int)2 }").get("x"),
            Some(&CapsValue::List(vec![
                CapsValue::from("1"),
                CapsValue::Int(2)
            ]))
        );
        assert_eq!(
            one("a/b, x={ [1, 2], { 3 } }").get("x"),
            Some(&CapsValue::List(vec![
                CapsValue::int_range(1, 2),
                CapsValue::list([3])
            ]))
        );
        assert_eq!(one("a/b, x={ }").get("x"), Some(&CapsValue::List(vec![])));
        assert!(
            parse(&format!(
                "a/b, x={}1{}",
                "{".repeat(MAX_DEPTH),
                "}".repeat(MAX_DEPTH)
            ))
            .structure(0)
            .is_some()
        );
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(one(r#"a/b, name="a b, c""#).get_str("name"), Some("a b, c"));
        assert_eq!(
            one(r#"a/b, name="say \"hi\" \\ é""#).get_str("name"),
            Some(r#"say "hi" \ é"#)
        );
        assert_eq!(
            one(r#"a/b, name=(string)"640""#).get_str("name"),
            Some("640")
        );
        assert_eq!(one(r#"a/b, name="""#).get_str("name"), Some(""));
        assert_eq!(one(r#"a/b, name="\é""#).get_str("name"), Some("é"));
    }

    #[test]
    fn special_caps() {
        assert!(parse("ANY").is_any());
        assert!(parse(" ANY ").is_any());
        assert!(parse("EMPTY").is_empty());
        assert!(parse("NONE").is_empty());
    }

    #[test]
    fn several_structures() {
        let c = parse("video/x-raw,format=RGBA; video/x-raw,format=I420");
        assert_eq!(
            c.structures(),
            [
                Structure::new("video/x-raw").with("format", "RGBA"),
                Structure::new("video/x-raw").with("format", "I420"),
            ]
        );
        assert_eq!(parse("video/x-raw;audio/x-raw;").structures().len(), 2);
        assert_eq!(parse("video/x-raw ; audio/x-raw ; ").structures().len(), 2);
    }

    #[test]
    fn structure_from_str() {
        assert_eq!(
            "a/b, x=1".parse::<Structure>(),
            Ok(Structure::new("a/b").with("x", 1))
        );
        let err = "a/b; c/d".parse::<Structure>().unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (3, "expected a single structure, found ';'")
        );
        let err = "a/b x".parse::<Structure>().unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (4, "expected ',', found 'x'")
        );
    }

    /// `offset|input|message`, one error case per line; the input is taken verbatim.
    const ERRORS: &str = r##"
0||empty caps; write ANY or EMPTY, or a media type like video/x-raw
2|  |empty caps; write ANY or EMPTY, or a media type like video/x-raw
0|video|expected a media type like video/x-raw, found 'video'
0|,a=1|expected a media type like video/x-raw, found ','
0|ANY; video/x-raw|expected a media type like video/x-raw, found 'ANY'
5|a/b; ;|expected a media type like video/x-raw, found ';'
11|video/x-raw(memory:DMABuf)|caps features like (memory:DMABuf) are not supported
7|a/b, w=[1, 4096|expected ']' to close the range
10|a/b, w=[1 2]|expected ',' or ']' in the range, found '2'
7|a/b, w=[10, 2]|range minimum 10 is above maximum 2
7|a/b, w=[1]|a range needs a minimum and a maximum: [ min, max ]
17|a/b, w=[1, 2, 3, 4]|a range takes at most three values: [ min, max, step ]
7|a/b, w=[1, 2, 0]|range step must be positive, found 0
11|a/b, w=[1, {2}]|a range can only hold numbers
8|a/b, w=[, 2]|expected a value, found ','
10|a/b, w=1, w=2|field 'w' given twice
7|a/b, r=1/0|fraction with zero denominator
5|a/b, =5|empty field name
4|a/b,|expected a field name after ','
5|a/b, ,x=1|expected a field name, found ','
5|a/b, 1x=1|field name '1x' must start with a letter
7|a/b, x 1|expected '=' after field name 'x', found '1'
6|a/b, x|expected '=' after field name 'x', found the end of the input
7|a/b, x=|expected a value, found the end of the input
7|a/b, x=;|expected a value, found ';'
10|a/b, x=RG BA|expected ',' or ';', found 'B'
12|video/x-raw foo|expected ',' or ';', found 'f'
7|a/b, x={I420, NV12|expected '}' to close the list
13|a/b, x={I420 NV12}|expected ',' or '}' in the list, found 'N'
7|a/b, x=<1, 2>|arrays '< … >' are not supported
11|a/b, x=(int|expected ')' to close the type annotation
8|a/b, x=()1|expected a type name like int or string after '('
8|a/b, x=(bitmask)1|unknown type 'bitmask' (expected int, double, fraction, string or boolean)
12|a/b, x=(int)1.5|expected an integer, found '1.5'
12|a/b, x=(int)"1"|a quoted value can only be a string
7|a/b, x="abc|unterminated string: missing closing '"'
7|a/b, x="abc\|unterminated string: missing closing '"'
7|a/b, x=99999999999999999999|integer 99999999999999999999 is out of range
7|a/b, x=é|expected a value, found 'é'
"##;

    #[test]
    fn errors_have_offsets_and_plain_messages() {
        for row in ERRORS.lines().filter(|row| !row.is_empty()) {
            let mut parts = row.splitn(3, '|');
            let (Some(offset), Some(input), Some(message)) =
                (parts.next(), parts.next(), parts.next())
            else {
                panic!("bad table row {row:?}");
            };
            let err = input.parse::<Caps>().expect_err(input);
            let offset: usize = offset.parse().expect("offset");
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{input:?}"
            );
        }
        let deep = format!("a/b, x={}1{}", "{".repeat(9), "}".repeat(9));
        let err = deep.parse::<Caps>().unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (15, "lists nested more than 8 deep")
        );
        let huge = format!("a/b, x={}", "{".repeat(1_000_000));
        assert!(huge.parse::<Caps>().is_err());
        let err = "a/b, x=(int)z".parse::<Caps>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an integer, found 'z' (at byte 12)"
        );
    }
}
