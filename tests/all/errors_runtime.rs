//! Failures while running: errors and panics are reported with the element's name, the
//! host keeps going, and async elements are driven like sync ones.

use std::sync::atomic::Ordering;

use parallax::{Message, PipelineError};
use parallax_tests::{AsyncCount, parse};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_element_error_stops_the_run_and_names_the_element() {
    let mut p = parse("fakesrc num-buffers=100 ! identity error-after=5 ! fakesink").unwrap();
    let mut bus = p.bus();
    let err = p.run().await.unwrap_err();
    match &err {
        PipelineError::Element { element, error } => {
            assert_eq!(element, "identity0");
            assert!(error.message.contains("error-after=5"), "{error}");
        }
        other => panic!("unexpected error {other}"),
    }
    let mut errors = 0;
    while let Some(m) = bus.try_recv() {
        errors += usize::from(matches!(m, Message::Error { .. }));
    }
    assert_eq!(errors, 1, "one failure, one error message");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_element_is_contained_and_reported() {
    let mut p = parse("fakesrc num-buffers=100 ! queue ! testpanic after=3 ! fakesink").unwrap();
    let err = p.run().await.unwrap_err().to_string();
    assert!(err.contains("testpanic0"), "{err}");
    assert!(
        err.contains("panicked: deliberate test panic after 3 buffers"),
        "{err}"
    );
    // The host survived and the pipeline can be reset and used again.
    assert_eq!(p.state(), parallax::State::Suspended);
    p.set_property("testpanic0", "after", "1000").unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_sources_and_sinks_run_on_the_pipeline_runtime() {
    let mut p = parse("testasyncsrc num-buffers=40 ! identity ! testasyncsink name=sink").unwrap();
    let count = p.handle::<AsyncCount>("sink").unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("sink"), Some(40));
    assert_eq!(count.buffers.load(Ordering::Relaxed), 40);
    assert_eq!(count.eos.load(Ordering::Relaxed), 1);
}

#[test]
fn async_elements_work_without_a_caller_runtime() {
    // No tokio runtime on this thread: the engine starts one for the async elements.
    let mut p = parse("testasyncsrc num-buffers=5 ! testasyncsink name=sink").unwrap();
    let count = p.handle::<AsyncCount>("sink").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Prepare outside the runtime so the engine has to bring its own.
    p.prepare().unwrap();
    runtime.block_on(p.run()).unwrap();
    assert_eq!(count.buffers.load(Ordering::Relaxed), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_before_running_name_the_problem() {
    let unlinked = parse("fakesrc ! identity")
        .unwrap()
        .validate()
        .unwrap_err()
        .to_string();
    assert_eq!(
        unlinked,
        "pad 'identity0.src' is not linked (nothing consumes its output)"
    );
    let taken = parse("fakesrc ! fakesink name=s  fakesrc ! s.")
        .unwrap_err()
        .to_string();
    assert!(
        taken.contains("cannot link") && taken.contains("test.px:1:"),
        "{taken}"
    );
    let no_pad = parse("fakesrc ! fakesink name=s  fakesrc ! s.video")
        .unwrap_err()
        .to_string();
    assert!(
        no_pad.contains("'s' has no sink pad 'video' (its sink pads: sink)"),
        "{no_pad}"
    );
    let cycle = parse("fakesrc ! funnel name=f ! identity ! f.")
        .unwrap_err()
        .to_string();
    assert!(cycle.contains("would make a cycle"), "{cycle}");
    let unknown_ref = parse("fakesrc ! nowhere.").unwrap_err().to_string();
    assert!(
        unknown_ref.contains("no element named 'nowhere'"),
        "{unknown_ref}"
    );
    let dup = parse("fakesrc name=x ! fakesink name=x")
        .unwrap_err()
        .to_string();
    assert!(dup.contains("two elements are named 'x'"), "{dup}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syntax_errors_point_at_line_and_column() {
    let text = "# comment\nfakesrc num-buffers=10\n  ! idenity\n  ! fakesink\n";
    let err = parse(text).unwrap_err().to_string();
    assert_eq!(
        err,
        "test.px:3:5: error: no element 'idenity' (did you mean 'identity'?)\n   3 |   ! idenity\n     |     ^^^^^^^"
    );
    let err = parse("fakesrc num-buffers=lots ! fakesink")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "test.px:1:21: error: fakesrc: property 'num-buffers' expects an integer, got 'lots'"
        ),
        "{err}"
    );
    let err = parse("fakesrc ! video/x-raw,width=[1, ! fakesink")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("test.px:1:"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_path_needs_a_resolver() {
    let err = parallax::Pipeline::parse_with_components(
        parallax_tests::test_registry(),
        None,
        "fakesrc ! \"x/grayscale.wasm\" ! fakesink",
        "test.px",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("test.px:1:11"), "{err}");
    assert!(
        err.contains("WebAssembly components need Parallax built with the 'wasm' feature"),
        "{err}"
    );
}
