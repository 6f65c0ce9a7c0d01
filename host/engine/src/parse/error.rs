//! Parse errors and compiler-style diagnostics for `.px` sources.
//!
//! Design decision: errors store only a byte [`Span`] and a message; line,
//! column and the quoted source line are computed when rendering. That keeps
//! the parser cheap and lets semantic passes (which only have spans from the
//! AST) render errors identically through [`Diagnostic`].

use std::fmt;

use super::ast::Span;

/// A syntax error in a `.px` source, with the exact offending text.
///
/// `Display` prints only the message; use [`ParseError::render`] to get
/// `file:line:column`, the source line and a caret underline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// The offending source text (may be empty, e.g. at end of input).
    pub span: Span,
    /// Plain-English description, without location information.
    pub message: String,
}

impl ParseError {
    /// Creates an error for `span`.
    #[must_use]
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
        }
    }

    /// 1-based line of the error in `source`.
    #[must_use]
    pub fn line(&self, source: &str) -> usize {
        line_col(source, self.span.start).0
    }

    /// 1-based column (in `char`s) of the error in `source`.
    #[must_use]
    pub fn column(&self, source: &str) -> usize {
        line_col(source, self.span.start).1
    }

    /// The error as a [`Diagnostic`] for `file`, whose contents are `source`.
    #[must_use]
    pub fn diagnostic<'a>(&self, file: &'a str, source: &'a str) -> Diagnostic<'a> {
        Diagnostic {
            file,
            source,
            span: self.span,
            message: self.message.clone(),
        }
    }

    /// Renders the error like a compiler does (see [`Diagnostic`]).
    #[must_use]
    pub fn render(&self, file: &str, source: &str) -> String {
        self.diagnostic(file, source).to_string()
    }
}

/// A message about a span of a `.px` source, rendered as
///
/// ```text
/// pipeline.px:3:9: error: unknown property 'num-bufers'
///    3 | fakesrc num-bufers=10 ! fakesink
///      |         ^^^^^^^^^^
/// ```
///
/// Used for syntax errors and for the engine's semantic errors alike. Spans
/// that are out of range or not on `char` boundaries are clamped, never a
/// panic. A span running over several lines is underlined on its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic<'a> {
    /// File name shown in the header (any label, e.g. `<command line>`).
    pub file: &'a str,
    /// The complete source text that `span` points into.
    pub source: &'a str,
    /// The text to underline.
    pub span: Span,
    /// Plain-English description.
    pub message: String,
}

impl fmt::Display for Diagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self.source;
        let start = floor_boundary(source, self.span.start);
        let end = floor_boundary(source, self.span.end).max(start);
        let (line, column) = line_col(source, start);

        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let text = source[line_start..line_end]
            .strip_suffix('\r')
            .unwrap_or(&source[line_start..line_end]);

        // Copy tabs from the source so the caret lines up in any terminal.
        let padding: String = source[line_start..start]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = source[start..end.min(line_end)].chars().count().max(1);

        let width = line.to_string().len().max(4);
        writeln!(f, "{}:{line}:{column}: error: {}", self.file, self.message)?;
        writeln!(f, "{line:>width$} | {text}")?;
        write!(f, "{:>width$} | {padding}{}", "", "^".repeat(carets))
    }
}

/// The 1-based line and 1-based column (counted in `char`s) of byte `offset`.
///
/// Lines are separated by `\n` (so CRLF works too). An offset past the end
/// or inside a multi-byte character is clamped to the preceding boundary.
#[must_use]
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_boundary(source, offset);
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The largest `char` boundary of `source` that is `<= offset`.
fn floor_boundary(source: &str, offset: usize) -> usize {
    source.floor_char_boundary(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let source = "ab\ncdé f\r\nxyz";
        assert_eq!(line_col(source, 0), (1, 1));
        assert_eq!(line_col(source, 2), (1, 3));
        assert_eq!(line_col(source, 3), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_col(source, 7), (2, 4));
        assert_eq!(line_col(source, 10), (2, 7));
        assert_eq!(line_col(source, 11), (3, 1));
        assert_eq!(line_col(source, source.len()), (3, 4));
    }

    #[test]
    fn line_col_clamps_bad_offsets() {
        let source = "é";
        assert_eq!(line_col(source, 1), (1, 1));
        assert_eq!(line_col(source, 99), (1, 2));
        assert_eq!(line_col("", 5), (1, 1));
    }

    #[test]
    fn renders_header_source_line_and_carets() {
        let source = "# test\n\nfakesrc num-bufers=10 ! fakesink\n";
        let diagnostic = Diagnostic {
            file: "pipeline.px",
            source,
            span: Span::new(16, 26),
            message: "unknown property 'num-bufers'".into(),
        };
        assert_eq!(
            diagnostic.to_string(),
            "pipeline.px:3:9: error: unknown property 'num-bufers'\n   \
             3 | fakesrc num-bufers=10 ! fakesink\n     \
             |         ^^^^^^^^^^"
        );
    }

    #[test]
    fn renders_non_ascii_crlf_and_tabs() {
        let source = "\tdéjà ! x\r\nnext";
        let start = source.find('x').unwrap_or_default();
        let error = ParseError::new(Span::new(start, start + 1), "boom");
        assert_eq!(error.line(source), 1);
        assert_eq!(error.column(source), 9);
        assert_eq!(
            error.render("f.px", source),
            "f.px:1:9: error: boom\n   1 | \tdéjà ! x\n     | \t       ^"
        );
    }

    #[test]
    fn renders_empty_and_out_of_range_spans() {
        let error = ParseError::new(Span::new(0, 0), "the pipeline is empty");
        assert_eq!(
            error.render("e.px", ""),
            "e.px:1:1: error: the pipeline is empty\n   1 | \n     | ^"
        );
        // Garbage spans are clamped rather than panicking.
        let error = ParseError::new(Span::new(40, 2), "weird");
        assert_eq!(
            error.render("e.px", "aé\nb"),
            "e.px:2:2: error: weird\n   2 | b\n     |  ^"
        );
        let error = ParseError::new(Span::new(2, 3), "mid-char");
        assert_eq!(error.column("aé"), 2);
    }

    #[test]
    fn multi_line_span_is_underlined_on_its_first_line() {
        let source = "ab\ncd";
        let diagnostic = Diagnostic {
            file: "m.px",
            source,
            span: Span::new(1, 5),
            message: "spans lines".into(),
        };
        assert_eq!(
            diagnostic.to_string(),
            "m.px:1:2: error: spans lines\n   1 | ab\n     |  ^"
        );
    }

    #[test]
    fn wide_line_numbers_keep_the_gutter_aligned() {
        let source = "\n".repeat(12_345) + "bad";
        let error = ParseError::new(Span::new(12_345, 12_348), "x");
        assert_eq!(
            error.render("w.px", &source),
            "w.px:12346:1: error: x\n12346 | bad\n      | ^^^"
        );
    }
}
