//! Deterministic randomized robustness test: token soup must never panic,
//! errors must carry sane spans, and accepted input must round-trip.

use super::*;

/// xorshift64: tiny, deterministic and good enough to shuffle tokens.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

const TOKENS: &[&str] = &[
    "!",
    "!",
    "!",
    "=",
    "\"",
    "'",
    "#",
    ".",
    "/",
    ",",
    ";",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "\\",
    " ",
    " ",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "name=t",
    "t.",
    "t.src_1",
    "mux.",
    "fakesrc",
    "fakesink",
    "queue",
    "k=",
    "num-buffers=10",
    "video/x-raw",
    "audio/x-raw,rate=48000",
    ", width=[ 1, 2 ]",
    "format={ I420, NV12 }",
    "\"quoted ! value\"",
    "'single'",
    "# comment\n",
    "é",
    "日本",
    "\u{a0}",
    "\0",
    "::",
];

fn random_source(rng: &mut XorShift) -> String {
    let mut source = String::new();
    for _ in 0..rng.below(24) {
        if rng.below(8) == 0 {
            // Any byte sequence a file could contain, made valid UTF-8 the
            // way a lossy reader would.
            let bytes: Vec<u8> = (0..rng.below(4)).map(|_| rng.next() as u8).collect();
            source += &String::from_utf8_lossy(&bytes);
        } else {
            source += TOKENS[rng.below(TOKENS.len())];
        }
    }
    source
}

const ELEMENTS: &[&str] = &["fakesrc", "queue", "tee", "x264enc", "_e-1"];
const PROPERTIES: &[&str] = &[
    "name=t",
    "num-buffers=10",
    "k=\"a ! b # c\"",
    "k='x y'",
    "caps=video/x-raw,w=[ 1, 2 ]",
    "l=/tmp/é",
    "e=\"\"",
    "s=\"\\\"\\\\\"",
    "c::p=1",
    "v=x\"y z\"",
];
const LINKED: &[&str] = &[
    "video/x-raw",
    "video/x-raw, format={ I420, NV12 } ,width=[ 1, 9 ]",
    "\"ANY\"",
    "'a/b, c=d'",
    "t.",
    "t.src_%u",
    "mux.video_0",
    "v/x(memory:X, y:Z);a/b",
];
const GAPS: &[&str] = &[" ", "  ", "\n", "\r\n", "\t", " # comment\n", "\n\n"];

/// A mostly well-formed pipeline, occasionally with one token mangled, to
/// reach the deeper parts of the grammar that pure soup rarely does.
fn structured_source(rng: &mut XorShift) -> String {
    let mut source = String::new();
    for _ in 0..=rng.below(3) {
        source += rng.pick(GAPS);
        source += rng.pick(ELEMENTS);
        for _ in 0..rng.below(3) {
            source += rng.pick(GAPS);
            source += rng.pick(PROPERTIES);
        }
        for _ in 0..rng.below(4) {
            source += rng.pick(GAPS);
            source += "!";
            source += rng.pick(GAPS);
            source += rng.pick(LINKED);
            source += rng.pick(GAPS);
            source += "! ";
            source += rng.pick(ELEMENTS);
        }
    }
    source
}

/// `source` with one token inserted at a random character boundary.
fn mutate(rng: &mut XorShift, source: &str) -> String {
    let boundaries: Vec<usize> = source
        .char_indices()
        .map(|(i, _)| i)
        .chain([source.len()])
        .collect();
    let at = boundaries[rng.below(boundaries.len())];
    let token = TOKENS[rng.below(TOKENS.len())];
    format!("{}{token}{}", &source[..at], &source[at..])
}

fn assert_span_valid(source: &str, span: Span, what: &dyn std::fmt::Debug) {
    assert!(
        span.start <= span.end
            && span.end <= source.len()
            && source.is_char_boundary(span.start)
            && source.is_char_boundary(span.end),
        "bad span {span:?} for {what:?} in {source:?}"
    );
}

/// Checks everything that must hold for a successfully parsed source.
fn check_accepted(source: &str, ast: &PipelineAst) {
    assert!(!ast.chains.is_empty(), "{source:?}");
    for chain in &ast.chains {
        assert!(!chain.nodes.is_empty(), "{source:?}");
        assert!(
            !matches!(chain.nodes.first(), Some(Node::Caps(_))),
            "{source:?}"
        );
        assert!(
            !matches!(chain.nodes.last(), Some(Node::Caps(_))),
            "{source:?}"
        );
        for node in &chain.nodes {
            assert_span_valid(source, node.span(), node);
            let text = |span: Span| source.get(span.start..span.end);
            match node {
                Node::Element(element) => {
                    assert_eq!(text(element.factory_span), Some(element.factory.as_str()));
                    for property in &element.properties {
                        assert_eq!(text(property.name_span), Some(property.name.as_str()));
                        assert_span_valid(source, property.value_span, property);
                        if !property.quoted {
                            assert_eq!(text(property.value_span), Some(property.value.as_str()));
                        }
                    }
                }
                Node::Caps(caps) => assert!(!caps.text.trim().is_empty(), "{source:?}"),
                Node::Ref(reference) => {
                    assert_eq!(text(reference.span), Some(reference.to_string().as_str()));
                }
            }
        }
    }
    // The printer and parser must agree on the language.
    let printed = ast.to_string();
    match parse(&printed) {
        Ok(reparsed) => assert_eq!(
            unquoted_shape(reparsed),
            unquoted_shape(ast.clone()),
            "{source:?} -> {printed:?}"
        ),
        Err(error) => panic!(
            "{source:?} printed as {printed:?} does not parse:\n{}",
            error.render("printed.px", &printed)
        ),
    }
}

/// [`shape`] without the `quoted` flags, which printing may change.
fn unquoted_shape(mut ast: PipelineAst) -> Vec<Vec<String>> {
    for chain in &mut ast.chains {
        for node in &mut chain.nodes {
            if let Node::Element(element) = node {
                for property in &mut element.properties {
                    property.quoted = false;
                }
            }
        }
    }
    shape(&ast)
}

#[test]
fn random_token_soup_never_panics() {
    let mut rng = XorShift(0x5eed_cafe_f00d_beef);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let source = match rng.below(4) {
            0 | 1 => random_source(&mut rng),
            2 => structured_source(&mut rng),
            _ => {
                let valid = structured_source(&mut rng);
                mutate(&mut rng, &valid)
            }
        };
        match parse(&source) {
            Ok(ast) => {
                accepted += 1;
                check_accepted(&source, &ast);
            }
            Err(error) => {
                refused += 1;
                assert_span_valid(&source, error.span, &error);
                assert!(!error.message.is_empty());
                assert!(
                    !error.message.starts_with("internal"),
                    "{source:?}: {error:?}"
                );
                let (line, column) = line_col(&source, error.span.start);
                let rendered = error.render("fuzz.px", &source);
                assert!(
                    rendered.starts_with(&format!("fuzz.px:{line}:{column}: error: ")),
                    "{rendered}"
                );
                assert_eq!(rendered.lines().count(), 3, "{rendered:?}");
            }
        }
    }
    // Guards against the generator drifting into testing only one side.
    assert!(
        accepted > 4_000 && refused > 4_000,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn every_prefix_of_a_rich_pipeline_is_handled() {
    let source = "# demo\r\nv4l2src device=\"/dev/video0\" ! video/x-raw, width=[ 1, 2 ], \
                  format={ A, B } ! tee name=t\nt. ! queue ! 'video/x-raw' ! fakesink \
                  t.src_1 ! mux.video_0 mp4mux name=mux ! filesink location='/tmp/é x'";
    for (end, _) in source.char_indices() {
        let prefix = &source[..end];
        match parse(prefix) {
            Ok(ast) => check_accepted(prefix, &ast),
            Err(error) => assert_span_valid(prefix, error.span, &error),
        }
    }
    check_accepted(source, &ok(source));
}
