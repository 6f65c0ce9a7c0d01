//! Every refused form: message, span, line/column and rendering.

use super::*;

/// Asserts the error's line, column, underlined text and message.
#[track_caller]
fn assert_error(source: &str, (line, column): (usize, usize), underlined: &str, message: &str) {
    let error = err(source);
    assert_eq!(
        (error.line(source), error.column(source)),
        (line, column),
        "position of {error:?} in {source:?}"
    );
    assert_eq!(
        source.get(error.span.start..error.span.end),
        Some(underlined),
        "span of {error:?} in {source:?}"
    );
    assert_eq!(error.message, message, "message for {source:?}");
}

#[test]
fn empty_pipelines() {
    for source in ["", "   \n\t", "# only a comment", "# one\r\n\r\n  # two\n"] {
        assert_error(source, (1, 1), "", "the pipeline is empty");
    }
    assert_eq!(
        err("").render("empty.px", ""),
        "empty.px:1:1: error: the pipeline is empty\n   1 | \n     | ^"
    );
}

#[test]
fn misplaced_bangs() {
    assert_error("! fakesink", (1, 1), "!", "'!' must come after an element");
    assert_error(
        "fakesrc ! ! fakesink",
        (1, 11),
        "!",
        "'!' must be followed by an element, not another '!'",
    );
    assert_error(
        "fakesrc !",
        (1, 9),
        "!",
        "'!' must be followed by an element",
    );
    assert_error(
        "fakesrc ! # nothing follows\n\n",
        (1, 9),
        "!",
        "'!' must be followed by an element",
    );
    assert_error(
        "a ! b\n! ! c",
        (2, 3),
        "!",
        "'!' must be followed by an element, not another '!'",
    );
    let source = "fakesrc !! fakesink";
    assert_eq!(
        err(source).render("p.px", source),
        "p.px:1:10: error: '!' must be followed by an element, not another '!'\n   \
         1 | fakesrc !! fakesink\n     \
         |          ^"
    );
}

#[test]
fn unterminated_strings_point_at_the_opening_quote() {
    let message = "unterminated string: this \" is never closed";
    assert_error(
        "filesrc location=\"/tmp/x ! fakesink",
        (1, 18),
        "\"",
        message,
    );
    assert_error(
        "a ! b k='x\n\nmore",
        (1, 9),
        "'",
        "unterminated string: this ' is never closed",
    );
    assert_error("a ! \"video/x-raw ! b", (1, 5), "\"", message);
    assert_error("a ! v/x,f=\"x ! b", (1, 11), "\"", message);
    assert_error("a k=\"ends in backslash\\\"", (1, 5), "\"", message);
    let source = "# pipeline\nfilesrc location=\"/tmp/x\n! fakesink";
    assert_eq!(
        err(source).render("u.px", source),
        "u.px:2:18: error: unterminated string: this \" is never closed\n   \
         2 | filesrc location=\"/tmp/x\n     \
         |                  ^"
    );
}

#[test]
fn properties_without_value_or_name() {
    assert_error(
        "fakesrc num-buffers=",
        (1, 9),
        "num-buffers=",
        "property 'num-buffers' has no value",
    );
    assert_error(
        "fakesrc k=! fakesink",
        (1, 9),
        "k=",
        "property 'k' has no value",
    );
    assert_error(
        "fakesrc k= 10",
        (1, 9),
        "k=",
        "property 'k' has no value (write 'name=value' with no space after '=')",
    );
    let no_name = "'=' without a property name (write 'name=value', with no spaces around '=')";
    assert_error("=v", (1, 1), "=", no_name);
    assert_error(
        "fakesrc ! name=t",
        (1, 11),
        "name=",
        "property 'name' has no element; properties follow an element, as in 'fakesrc name=…'",
    );
    assert_error(
        "src::caps=x ! b",
        (1, 1),
        "src::caps=",
        "property 'src::caps' has no element; \
         properties follow an element, as in 'fakesrc src::caps=…'",
    );
    assert_error("fakesrc =v", (1, 9), "=", no_name);
    assert_error("fakesrc k =v", (1, 11), "=", no_name);
    assert_error("a ! = ! b", (1, 5), "=", no_name);
}

#[test]
fn quoted_text_must_end_the_token() {
    assert_error(
        "a k=\"x\"y ! b",
        (1, 8),
        "y",
        "unexpected character 'y' after quoted value; \
         the closing quote must be followed by a space or '!'",
    );
    assert_error(
        "a ! \"b/c\"d ! e",
        (1, 10),
        "d",
        "unexpected character 'd' after quoted caps; \
         the closing quote must be followed by a space or '!'",
    );
}

#[test]
fn bad_characters() {
    assert_error("fakesrc $ ! b", (1, 9), "$", "unexpected character '$'");
    assert_error("fakesrc ! 9lives", (1, 11), "9", "unexpected character '9'");
    assert_error("a ! b, c", (1, 6), ",", "unexpected character ','");
    assert_error("a ] b", (1, 3), "]", "unexpected character ']'");
    assert_error("a ! t./x ! b", (1, 7), "/", "unexpected character '/'");
    assert_error(
        "a \u{1} b",
        (1, 3),
        "\u{1}",
        "unexpected character '\\u{1}'",
    );
    assert_error(
        "a\u{a0}! b",
        (1, 2),
        "\u{a0}",
        "unexpected character '\\u{a0}'",
    );
    // Columns count characters, spans count bytes.
    let source = "# é ü ö\nfakesrc ! 日本 ! fakesink";
    assert_error(source, (2, 11), "日", "unexpected character '日'");
    assert_eq!(
        err(source).render("nonascii.px", source),
        "nonascii.px:2:11: error: unexpected character '日'\n   \
         2 | fakesrc ! 日本 ! fakesink\n     \
         |           ^"
    );
}

#[test]
fn bins_are_not_supported() {
    let message = "bins '(...)' are not supported";
    assert_error("( fakesrc ! fakesink )", (1, 1), "(", message);
    assert_error("a ! ( b )", (1, 5), "(", message);
    assert_error("a ! b )", (1, 7), ")", message);
}

#[test]
fn caps_must_sit_between_elements() {
    let at_start = "a caps filter must come between two elements, as in \
                    'videotestsrc ! video/x-raw ! fakesink'";
    assert_error("video/x-raw ! fakesink", (1, 1), "video/x-raw", at_start);
    assert_error("\"video/x-raw\" ! b", (1, 1), "\"video/x-raw\"", at_start);
    assert_error("a video/x-raw ! b", (1, 3), "video/x-raw", at_start);
    assert_error(
        "a ! video/x-raw",
        (1, 5),
        "video/x-raw",
        "a caps filter must be followed by '!' and an element",
    );
    assert_error(
        "a ! video/x-raw,width=640 height=480 ! b",
        (1, 5),
        "video/x-raw,width=640",
        "a caps filter must be followed by '!' and an element \
         (caps with spaces outside brackets must be quoted)",
    );
}

#[test]
fn malformed_caps() {
    assert_error(
        "a ! video/ ! b",
        (1, 5),
        "video/",
        "caps media type 'video/' has no subtype, as in 'video/x-raw'",
    );
    assert_error(
        "a ! video/x-raw, ! b",
        (1, 16),
        ",",
        "expected a caps field after ','",
    );
    assert_error(
        "a ! video/x-raw;",
        (1, 16),
        ";",
        "expected a caps field after ';'",
    );
    assert_error(
        "a ! video/x-raw,width=[ 1, 4096 ! b",
        (1, 23),
        "[",
        "unclosed '[': expected a matching ']'",
    );
    assert_error(
        "a ! video/x-raw,format={ I420, NV12 ] ! b",
        (1, 37),
        "]",
        "mismatched ']': expected '}' to close the '{'",
    );
    assert_error("a ! \"\" ! b", (1, 5), "\"\"", "empty caps filter");
    assert_error("a ! ' \n ' ! b", (1, 5), "' \n '", "empty caps filter");
}

#[test]
fn references_need_a_name_and_a_link() {
    assert_error(
        ".src ! fakesink",
        (1, 1),
        ".src",
        "reference '.src' has no element name; write 'name.src'",
    );
    assert_error(
        "a ! .",
        (1, 5),
        ".",
        "reference '.' has no element name; write 'name.'",
    );
    assert_error(
        "tee name=t\nt.",
        (2, 1),
        "t.",
        "reference 't.' is not linked to anything; write 't. ! …' or '… ! t.'",
    );
}

#[test]
fn display_of_parse_error_is_the_bare_message() {
    let error = err("a !");
    assert_eq!(error.to_string(), "'!' must be followed by an element");
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert_eq!(boxed.to_string(), "'!' must be followed by an element");
}
