//! Lexical pieces of the `.px` language as winnow parsers: trivia, names,
//! quoted strings and bare (unquoted) text.
//!
//! Design decision: there is no separate token stream. Whether a space ends a
//! token depends on context (it does not inside `[ 1, 4096 ]` of a caps field
//! or a quoted string), so the grammar calls the lexer piece it needs at each
//! point and takes positions straight from the [`LocatingSlice`]. Errors that
//! the user should see are raised as [`ErrMode::Cut`] with their own span the
//! moment the parser is committed; backtracking errors only steer `opt`/`alt`.

use winnow::ascii::multispace1;
use winnow::combinator::{alt, opt, preceded, repeat};
use winnow::error::{ErrMode, ParserError};
use winnow::stream::{Location, Stream};
use winnow::token::{any, one_of, take_till, take_while};
use winnow::{LocatingSlice, ModalResult, Parser};

use super::ast::Span;
use super::error::ParseError;

/// The parser input: the source text plus the current byte offset into it.
pub(super) type Input<'a> = LocatingSlice<&'a str>;

/// Result of every `.px` parser.
pub(super) type PResult<T> = ModalResult<T, PxError>;

/// The winnow error type: a span and a message, like [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PxError {
    span: Span,
    message: String,
}

impl From<PxError> for ParseError {
    fn from(error: PxError) -> Self {
        ParseError::new(error.span, error.message)
    }
}

impl<'a> ParserError<Input<'a>> for PxError {
    type Inner = Self;

    // Only reached when a backtracking error escapes to the top, which the
    // grammar avoids; "unexpected X" is still the right thing to say then.
    fn from_input(input: &Input<'a>) -> Self {
        let message = match input.peek_token() {
            Some(c) => format!("unexpected character {}", describe(c)),
            None => "unexpected end of input".to_owned(),
        };
        PxError {
            span: next_char_span(input),
            message,
        }
    }

    // winnow's default panics in debug builds (e.g. on a `repeat` that stops
    // consuming); user input must never be able to trigger a panic.
    fn assert(input: &Input<'a>, message: &'static str) -> Self {
        PxError {
            span: next_char_span(input),
            message: format!("internal parser error: {message}"),
        }
    }

    fn into_inner(self) -> Result<Self, Self> {
        Ok(self)
    }
}

/// Fails with a committed (non-backtracking) error at `span`.
pub(super) fn cut<T>(span: Span, message: impl Into<String>) -> PResult<T> {
    Err(ErrMode::Cut(PxError {
        span,
        message: message.into(),
    }))
}

/// Current byte offset into the source.
pub(super) fn offset(input: &Input<'_>) -> usize {
    input.current_token_start()
}

/// The next character, without consuming it.
pub(super) fn peek_char(input: &Input<'_>) -> Option<char> {
    input.peek_token()
}

/// Span of the next character (empty at end of input).
pub(super) fn next_char_span(input: &Input<'_>) -> Span {
    let start = offset(input);
    Span::new(start, start + input.peek_token().map_or(0, char::len_utf8))
}

/// A character quoted for an error message; control and invisible
/// characters are escaped so the message stays readable.
pub(super) fn describe(c: char) -> String {
    if c.is_alphanumeric() || c.is_ascii_punctuation() || c == ' ' {
        format!("'{c}'")
    } else {
        format!("'{}'", c.escape_default())
    }
}

/// Skips whitespace (including newlines) and `#` comments.
pub(super) fn trivia(input: &mut Input<'_>) -> PResult<()> {
    repeat(0.., alt((multispace1.void(), comment))).parse_next(input)
}

/// `#` up to (not including) the end of the line.
fn comment(input: &mut Input<'_>) -> PResult<()> {
    ('#', take_till(0.., '\n')).void().parse_next(input)
}

/// First character of an element or property name.
pub(super) fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Characters of a pad name after `element.`; `%` allows templates.
fn is_pad_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '%')
}

/// Characters of the type in a caps media type such as `application/x-rtp`.
pub(super) fn is_media_type_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// Characters of the subtype: `image/svg+xml`, `application/vnd.ms-asf`,
/// `video/*`.
pub(super) fn is_media_subtype_char(c: char) -> bool {
    is_media_type_char(c) || matches!(c, '.' | '+' | '*')
}

/// An element factory or element name: `[A-Za-z_][A-Za-z0-9_-]*`.
pub(super) fn name<'a>(input: &mut Input<'a>) -> PResult<&'a str> {
    (one_of(is_name_start), take_while(0.., is_name_char))
        .take()
        .parse_next(input)
}

/// A property name, optionally a `GstChildProxy` path such as `src::caps`.
pub(super) fn property_name<'a>(input: &mut Input<'a>) -> PResult<&'a str> {
    (name, repeat(0.., ("::", name)).map(|()| ()))
        .take()
        .parse_next(input)
}

/// A pad name after the `.` of a reference (may be empty).
pub(super) fn pad_name<'a>(input: &mut Input<'a>) -> PResult<&'a str> {
    take_while(0.., is_pad_char).parse_next(input)
}

/// A piece of a double-quoted string.
enum Fragment<'a> {
    Text(&'a str),
    Char(char),
}

/// A `"…"` or `'…'` string; returns the unquoted text and the span including
/// the quotes.
///
/// Inside double quotes `\"` and `\\` are escapes and any other backslash is
/// kept literally (so Windows paths survive). Single quotes are fully
/// literal, as in a shell. Strings may span lines.
pub(super) fn quoted(input: &mut Input<'_>) -> PResult<(String, Span)> {
    let start = offset(input);
    let quote = one_of(['"', '\'']).parse_next(input)?;
    let text = if quote == '"' {
        repeat(
            0..,
            alt((
                take_till(1.., ['"', '\\']).map(Fragment::Text),
                preceded('\\', one_of(['"', '\\'])).map(Fragment::Char),
                '\\'.map(Fragment::Char),
            )),
        )
        .fold(String::new, |mut text, fragment| {
            match fragment {
                Fragment::Text(s) => text.push_str(s),
                Fragment::Char(c) => text.push(c),
            }
            text
        })
        .parse_next(input)?
    } else {
        take_till(0.., '\'').parse_next(input)?.to_owned()
    };
    if opt(quote).parse_next(input)?.is_none() {
        return cut(
            Span::new(start, start + 1),
            format!("unterminated string: this {quote} is never closed"),
        );
    }
    Ok((text, Span::new(start, offset(input))))
}

/// Fails unless a quoted token ends here (whitespace, `!` or end of input
/// next), so that `k="a"b` is not silently read as two things.
pub(super) fn end_of_quoted(input: &mut Input<'_>, what: &str) -> PResult<()> {
    match peek_char(input) {
        None | Some('!') => Ok(()),
        Some(c) if c.is_ascii_whitespace() => Ok(()),
        Some(c) => cut(
            next_char_span(input),
            format!(
                "unexpected character {} after quoted {what}; \
                 the closing quote must be followed by a space or '!'",
                describe(c)
            ),
        ),
    }
}

/// Which characters end a run of bare text outside brackets and quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BareText {
    /// A property value: ends at whitespace or `!`.
    Value,
    /// One field of unquoted caps: also ends at `,` and `;`.
    CapsField,
}

/// Unquoted text (possibly empty), returned verbatim.
///
/// `[…]`, `{…}`, `(…)` and `"…"` groups may contain spaces and commas, which
/// is what lets `width=[ 1, 4096 ]` or `format=(string){ I420, NV12 }` be
/// written without quoting the whole caps. A group may not contain `!`, so an
/// unclosed bracket is reported where it opens instead of swallowing the
/// rest of the file.
pub(super) fn bare_text<'a>(input: &mut Input<'a>, kind: BareText) -> PResult<&'a str> {
    (|input: &mut Input<'a>| scan_bare_text(input, kind))
        .take()
        .parse_next(input)
}

fn scan_bare_text(input: &mut Input<'_>, kind: BareText) -> PResult<()> {
    // An explicit stack instead of recursion: nesting depth is user input.
    let mut open: Vec<(char, Span)> = Vec::new();
    while let Some(c) = peek_char(input) {
        let ends_text =
            c.is_ascii_whitespace() || (kind == BareText::CapsField && matches!(c, ',' | ';'));
        if c == '!' || (open.is_empty() && ends_text) {
            break;
        }
        match c {
            '"' => {
                quoted(input)?;
                continue;
            }
            '[' | '{' | '(' => open.push((c, next_char_span(input))),
            ']' | '}' | ')' => {
                if let Some(&(opener, _)) = open.last() {
                    if closer_of(opener) != c {
                        return cut(
                            next_char_span(input),
                            format!(
                                "mismatched '{c}': expected '{}' to close the '{opener}'",
                                closer_of(opener)
                            ),
                        );
                    }
                    open.pop();
                }
            }
            _ => {}
        }
        any.void().parse_next(input)?;
    }
    match open.last() {
        Some(&(opener, span)) => cut(
            span,
            format!(
                "unclosed '{opener}': expected a matching '{}'",
                closer_of(opener)
            ),
        ),
        None => Ok(()),
    }
}

fn closer_of(opener: char) -> char {
    match opener {
        '[' => ']',
        '{' => '}',
        _ => ')',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a, T>(
        source: &'a str,
        mut parser: impl FnMut(&mut Input<'a>) -> PResult<T>,
    ) -> (Result<T, ParseError>, &'a str) {
        let mut input = Input::new(source);
        let result = parser(&mut input).map_err(|e| match e {
            ErrMode::Backtrack(e) | ErrMode::Cut(e) => ParseError::from(e),
            ErrMode::Incomplete(_) => ParseError::new(Span::default(), "incomplete"),
        });
        let rest: &str = &input;
        (result, rest)
    }

    #[test]
    fn trivia_skips_spaces_newlines_and_comments() {
        let (result, rest) = run(" \t\r\n# c ! d\n  # e\nx", trivia);
        assert_eq!(result, Ok(()));
        assert_eq!(rest, "x");
    }

    #[test]
    fn names() {
        assert_eq!(run("num-buffers=1", name), (Ok("num-buffers"), "=1"));
        assert_eq!(run("src::caps=x", property_name), (Ok("src::caps"), "=x"));
        assert_eq!(run("a:b", property_name), (Ok("a"), ":b"));
        assert!(run("9a", name).0.is_err());
        assert_eq!(run("src_%u !", pad_name), (Ok("src_%u"), " !"));
    }

    #[test]
    fn double_quoted_escapes() {
        let (result, rest) = run(r#""a \"b\" \\ C:\dir é" x"#, quoted);
        assert_eq!(
            result,
            Ok((r#"a "b" \ C:\dir é"#.to_owned(), Span::new(0, 22)))
        );
        assert_eq!(rest, " x");
    }

    #[test]
    fn single_quoted_is_literal() {
        let (result, _) = run(r"'a \ b'", quoted);
        assert_eq!(result, Ok((r"a \ b".to_owned(), Span::new(0, 7))));
    }

    #[test]
    fn unterminated_quotes_point_at_the_opening_quote() {
        for source in ["\"abc", "'abc", "\"abc\\\"", "\"abc\\"] {
            let (result, _) = run(source, quoted);
            let error = result.unwrap_err();
            assert_eq!(error.span, Span::new(0, 1), "{source}");
            assert!(error.message.starts_with("unterminated string"), "{source}");
        }
    }

    #[test]
    fn bare_text_groups_allow_spaces() {
        let field = |i: &mut Input<'_>| bare_text(i, BareText::CapsField).map(str::to_owned);
        assert_eq!(
            run("format=(string){ I420, NV12 }, w=1", field).0,
            Ok("format=(string){ I420, NV12 }".to_owned())
        );
        assert_eq!(
            run("width=[ 1, 4096 ] ! x", field).0,
            Ok("width=[ 1, 4096 ]".to_owned())
        );
        assert_eq!(
            run(r#"format="a b, c" x"#, field).0,
            Ok(r#"format="a b, c""#.to_owned())
        );
        let value = |i: &mut Input<'_>| bare_text(i, BareText::Value).map(str::to_owned);
        assert_eq!(run("a,b;c]d x", value).0, Ok("a,b;c]d".to_owned()));
        assert_eq!(run("! x", value).0, Ok(String::new()));
    }

    #[test]
    fn bare_text_bracket_errors() {
        let value = |i: &mut Input<'_>| bare_text(i, BareText::Value).map(str::to_owned);
        let error = run("w=[ 1, 2 ! x", value).0.err();
        assert_eq!(
            error.map(|e| (e.span, e.message)),
            Some((
                Span::new(2, 3),
                "unclosed '[': expected a matching ']'".to_owned()
            ))
        );
        let error = run("w={ 1 ]", value).0.err();
        assert_eq!(error.map(|e| e.span), Some(Span::new(6, 7)));
    }

    #[test]
    fn describe_escapes_invisible_characters() {
        assert_eq!(describe('$'), "'$'");
        assert_eq!(describe('é'), "'é'");
        assert_eq!(describe('\u{a0}'), "'\\u{a0}'");
        assert_eq!(describe('\0'), "'\\u{0}'");
    }
}
