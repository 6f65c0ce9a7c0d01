//! Every accepted form of the language, with exact trees.

use super::*;

fn element(ast: &PipelineAst, chain: usize, node: usize) -> &ElementNode {
    match &ast.chains[chain].nodes[node] {
        Node::Element(element) => element,
        other => panic!("expected an element, got {other:?}"),
    }
}

#[test]
fn linear_chain_with_exact_spans() {
    let source = "fakesrc num-buffers=10 ! identity ! fakesink";
    let expected = PipelineAst {
        chains: vec![Chain {
            nodes: vec![
                Node::Element(ElementNode {
                    factory: "fakesrc".into(),
                    factory_span: Span::new(0, 7),
                    properties: vec![PropertyAssignment {
                        name: "num-buffers".into(),
                        value: "10".into(),
                        name_span: Span::new(8, 19),
                        value_span: Span::new(20, 22),
                        quoted: false,
                    }],
                    span: Span::new(0, 22),
                }),
                Node::Element(ElementNode {
                    factory: "identity".into(),
                    factory_span: Span::new(25, 33),
                    properties: vec![],
                    span: Span::new(25, 33),
                }),
                Node::Element(ElementNode {
                    factory: "fakesink".into(),
                    factory_span: Span::new(36, 44),
                    properties: vec![],
                    span: Span::new(36, 44),
                }),
            ],
        }],
    };
    assert_eq!(ok(source), expected);
}

#[test]
fn links_need_no_spaces() {
    assert_shape("a!b", &[&["a", "b"]]);
    assert_shape("a k=1!b", &[&["a k=<1>", "b"]]);
    assert_shape("a k=\"1\"!b", &[&["a k=\"<1>\"", "b"]]);
    assert_shape("a !\n\n  b", &[&["a", "b"]]);
    assert_shape("a\n  ! b\n  ! c", &[&["a", "b", "c"]]);
}

#[test]
fn names_with_dashes_underscores_and_digits() {
    assert_shape(
        "my_src-2 _x ! x264enc",
        &[&["my_src-2"], &["_x", "x264enc"]],
    );
}

#[test]
fn quoted_property_values() {
    let source = r#"filesrc location="/tmp/a b ! #c.mp4" title='single # ! quoted' d="say \"hi\" \\ C:\x" e="""#;
    assert_shape(
        source,
        &[&[
            r#"filesrc location="</tmp/a b ! #c.mp4>" title="<single # ! quoted>" d="<say "hi" \ C:\x>" e="<>""#,
        ]],
    );
    let ast = ok(source);
    let location = &element(&ast, 0, 0).properties[0];
    assert_eq!(location.name_span, Span::new(8, 16));
    assert_eq!(location.value_span, Span::new(17, 36));
    assert_eq!(&source[17..36], "\"/tmp/a b ! #c.mp4\"");
}

#[test]
fn bare_property_values_keep_punctuation() {
    assert_shape(
        "capsfilter caps=video/x-raw,width=640 location=/tmp/a.b uri=file:///x.mp4 \
         v=-1.5e+3 r=[1,2] s={a,b} c=#fff t=a=b z=x\"y z\"",
        &[&[
            "capsfilter caps=<video/x-raw,width=640> location=</tmp/a.b> uri=<file:///x.mp4> \
             v=<-1.5e+3> r=<[1,2]> s=<{a,b}> c=<#fff> t=<a=b> z=<x\"y z\">",
        ]],
    );
}

#[test]
fn bare_property_values_allow_spaces_inside_brackets() {
    assert_shape(
        "capsfilter caps=video/x-raw,width=[ 1, 4096 ],format={ I420, NV12 } ! b",
        &[&[
            "capsfilter caps=<video/x-raw,width=[ 1, 4096 ],format={ I420, NV12 }>",
            "b",
        ]],
    );
}

#[test]
fn child_proxy_property_names() {
    assert_shape("bin src::num-buffers=3", &[&["bin src::num-buffers=<3>"]]);
}

#[test]
fn properties_may_continue_on_later_lines() {
    assert_shape(
        "x264enc\n  bitrate=500 # kbit/s\n  tune=zerolatency\n! fakesink",
        &[&["x264enc bitrate=<500> tune=<zerolatency>", "fakesink"]],
    );
}

#[test]
fn bare_caps_filters() {
    assert_shape(
        "videotestsrc ! video/x-raw,format=RGBA,width=320,framerate=30/1 ! fakesink",
        &[&[
            "videotestsrc",
            "caps<video/x-raw,format=RGBA,width=320,framerate=30/1>",
            "fakesink",
        ]],
    );
    assert_shape(
        "a ! audio/x-raw ! application/octet-stream ! image/svg+xml ! b",
        &[&[
            "a",
            "caps<audio/x-raw>",
            "caps<application/octet-stream>",
            "caps<image/svg+xml>",
            "b",
        ]],
    );
}

#[test]
fn bare_caps_with_gst_style_spacing() {
    let source = "v4l2src ! video/x-raw, format=(string){ YUY2, NV12 }, width=[ 320, 1920 ] ! tee";
    let ast = ok(source);
    let Node::Caps(caps) = &ast.chains[0].nodes[1] else {
        panic!("expected caps");
    };
    assert_eq!(
        caps.text,
        "video/x-raw, format=(string){ YUY2, NV12 }, width=[ 320, 1920 ]"
    );
    assert_eq!(caps.span, Span::new(10, 73));
    assert_eq!(&source[caps.span.start..caps.span.end], caps.text);
}

#[test]
fn bare_caps_with_features_structures_and_quoted_fields() {
    assert_shape(
        "a ! video/x-raw(memory:DMABuf, meta:Foo),format=NV12 ; video/x-raw ,\n width=1 ! b",
        &[&[
            "a",
            "caps<video/x-raw(memory:DMABuf, meta:Foo),format=NV12 ; video/x-raw ,\n width=1>",
            "b",
        ]],
    );
    assert_shape(
        r#"a ! text/x-raw,format="utf8, really" ! b"#,
        &[&["a", r#"caps<text/x-raw,format="utf8, really">"#, "b"]],
    );
}

#[test]
fn quoted_caps_filters() {
    let source = r#"a ! "video/x-raw, format=(string){ I420, NV12 }, width=[ 1, 4096 ]" ! b"#;
    let ast = ok(source);
    assert_eq!(
        ast.chains[0].nodes[1],
        Node::Caps(CapsNode {
            text: "video/x-raw, format=(string){ I420, NV12 }, width=[ 1, 4096 ]".into(),
            span: Span::new(4, 67),
        })
    );
    assert_shape(
        "a ! 'audio/x-raw, rate=48000' ! \"text/x-raw,format=\\\"utf8\\\"\" ! b",
        &[&[
            "a",
            "caps<audio/x-raw, rate=48000>",
            "caps<text/x-raw,format=\"utf8\">",
            "b",
        ]],
    );
    // Quoted caps are handed to the caps parser whatever they say.
    assert_shape("a ! \"ANY\" ! b", &[&["a", "caps<ANY>", "b"]]);
}

#[test]
fn tee_with_references() {
    let source = "tee name=t  t. ! queue ! fakesink  t.src_1 ! queue ! fakesink";
    assert_shape(
        source,
        &[
            &["tee name=<t>"],
            &["ref<t.>", "queue", "fakesink"],
            &["ref<t.src_1>", "queue", "fakesink"],
        ],
    );
    let ast = ok(source);
    assert_eq!(
        ast.chains[2].nodes[0],
        Node::Ref(RefNode {
            element: "t".into(),
            pad: Some("src_1".into()),
            span: Span::new(35, 42),
        })
    );
}

#[test]
fn chains_may_start_and_end_with_references() {
    assert_shape(
        "audiomixer name=mix ! fakesink\nfakesrc ! mix.\nt.src_%u ! mux.video_0\nx ! t. ! y",
        &[
            &["audiomixer name=<mix>", "fakesink"],
            &["fakesrc", "ref<mix.>"],
            &["ref<t.src_%u>", "ref<mux.video_0>"],
            &["x", "ref<t.>", "y"],
        ],
    );
}

#[test]
fn adjacent_elements_start_new_chains() {
    assert_shape(
        "fakesrc ! fakesink  fakesrc ! fakesink",
        &[&["fakesrc", "fakesink"], &["fakesrc", "fakesink"]],
    );
    assert_shape("a b c", &[&["a"], &["b"], &["c"]]);
    assert_shape("a k=v b", &[&["a k=<v>"], &["b"]]);
}

#[test]
fn multi_line_files_with_comments_blank_lines_and_crlf() {
    let source = "# header comment\r\n\r\nfakesrc num-buffers=3 # trailing\r\n  ! \"video/x-raw\" # why\r\n\r\n  ! fakesink\r\n# end";
    assert_shape(
        source,
        &[&["fakesrc num-buffers=<3>", "caps<video/x-raw>", "fakesink"]],
    );
    let ast = ok(source);
    let sink = element(&ast, 0, 2);
    assert_eq!(line_col(source, sink.span.start), (6, 5));
}

#[test]
fn hash_inside_quotes_is_not_a_comment() {
    assert_shape(
        "a k=\"x # y\" ! 'b/c # d' ! e",
        &[&["a k=\"<x # y>\"", "caps<b/c # d>", "e"]],
    );
}

#[test]
fn non_ascii_values_keep_byte_spans() {
    let source = "textoverlay text=\"héllo wörld\" font=日本 ! fakesink";
    let ast = ok(source);
    let overlay = element(&ast, 0, 0);
    assert_eq!(overlay.properties[0].value, "héllo wörld");
    let font = &overlay.properties[1];
    assert_eq!(font.value, "日本");
    assert_eq!(&source[font.value_span.start..font.value_span.end], "日本");
    assert_eq!(line_col(source, font.value_span.start), (1, 37));
}

#[test]
fn display_prints_canonical_px_that_parses_back() {
    let source = "v ! video/x-raw, width=[ 1, 2 ] ! tee name=t \
                  t.src_0 ! f location=\"/a b\" k=\"q\\\"\" e=\"\" ! mux.\n\
                  mux name='m x'";
    let ast = ok(source);
    let printed = ast.to_string();
    assert_eq!(
        printed,
        "v ! \"video/x-raw, width=[ 1, 2 ]\" ! tee name=t\n\
         t.src_0 ! f location=\"/a b\" k=\"q\\\"\" e=\"\" ! mux.\n\
         mux name=\"m x\""
    );
    assert_eq!(shape(&ok(&printed)), shape(&ast));
}

#[test]
fn deep_brackets_and_long_inputs_are_fine() {
    let deep = format!("a k={}{} ! b", "[".repeat(50_000), "]".repeat(50_000));
    assert_eq!(ok(&deep).chains[0].nodes.len(), 2);

    let long = "identity ! ".repeat(20_000) + "fakesink";
    assert_eq!(ok(&long).chains[0].nodes.len(), 20_001);
}

#[test]
fn module_doc_example_parses() {
    let source = "# a camera preview, plus a recording branch\n\
        v4l2src ! video/x-raw, format=(string){ YUY2, NV12 }, width=[ 320, 1920 ] ! tee name=t\n\
        t. ! queue ! autovideosink\n\
        t.src_1 ! queue ! x264enc tune=zerolatency ! mux.video_0\n\
        mp4mux name=mux ! filesink location=\"/tmp/my recording.mp4\"\n";
    assert_shape(
        source,
        &[
            &[
                "v4l2src",
                "caps<video/x-raw, format=(string){ YUY2, NV12 }, width=[ 320, 1920 ]>",
                "tee name=<t>",
            ],
            &["ref<t.>", "queue", "autovideosink"],
            &[
                "ref<t.src_1>",
                "queue",
                "x264enc tune=<zerolatency>",
                "ref<mux.video_0>",
            ],
            &[
                "mp4mux name=<mux>",
                "filesink location=\"</tmp/my recording.mp4>\"",
            ],
        ],
    );
}

#[test]
fn a_quoted_wasm_path_is_an_element_with_properties() {
    let ast = parse("fakesrc ! \"my plugins/gray scale.wasm\" ! fakesink").unwrap();
    assert!(
        matches!(&ast.chains[0].nodes[1], Node::Element(e) if e.factory == "my plugins/gray scale.wasm")
    );
    let ast =
        parse("fakesrc ! \"plugins/grayscale.wasm\" on-error=restart deadline-ms=5 ! fakesink")
            .unwrap();
    let Node::Element(e) = &ast.chains[0].nodes[1] else {
        panic!("expected an element, got {:?}", ast.chains[0].nodes[1]);
    };
    assert_eq!(e.factory, "plugins/grayscale.wasm");
    assert_eq!(e.properties.len(), 2);
    assert_eq!(e.properties[0].name, "on-error");
    assert_eq!(
        e.span.end,
        "fakesrc ! \"plugins/grayscale.wasm\" on-error=restart deadline-ms=5".len()
    );
    // Printing keeps the quotes, so the text parses back to the same tree.
    assert_eq!(parse(&ast.to_string()).unwrap(), ast);
}
