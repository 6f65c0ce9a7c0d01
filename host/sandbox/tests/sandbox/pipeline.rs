//! Isolation through the registry, in real pipelines.

use std::sync::Arc;

use parallax_engine::{Message, Pipeline};
use parallax_sandbox::{Isolation, isolating_registry};

use crate::{TestResult, check};

fn run(
    text: &str,
    mode: &Isolation,
) -> Result<(Result<parallax_engine::RunSummary, String>, Vec<Message>), String> {
    let base = crate::elements::registry().map_err(|e| e.to_string())?;
    let registry = isolating_registry(&base, mode, Arc::new(crate::isolated::config(3)))
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut pipeline =
            Pipeline::parse_with(Arc::new(registry), text, "test").map_err(|e| e.to_string())?;
        let mut bus = pipeline.bus();
        let result = pipeline.run().await.map_err(|e| e.to_string());
        let mut messages = Vec::new();
        while let Some(m) = bus.try_recv() {
            messages.push(m);
        }
        Ok((result, messages))
    })
}

pub(crate) fn crash_mid_stream_is_reported_and_stream_continues() -> TestResult {
    // sbxhostile says it is untrusted, so it is isolated without being asked.
    let (result, messages) = run(
        "fakesrc num-buffers=20 ! sbxhostile name=bad attack=segv at=5 ! fakesink name=sink",
        &Isolation::Auto,
    )?;
    let summary = result?;
    check!(
        summary.buffers("sink") == Some(17),
        "20 buffers, one lost per crash: {:?}",
        summary.buffers("sink")
    );
    let crashes: Vec<_> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Element { element, structure } if structure.name() == "sandbox-crash" => {
                Some((
                    element.clone(),
                    structure.get_str("signal-name").map(str::to_owned),
                ))
            }
            _ => None,
        })
        .collect();
    check!(crashes.len() == 3, "three crashes reported: {crashes:?}");
    check!(
        crashes
            .iter()
            .all(|(e, s)| e == "bad" && s.as_deref() == Some("SIGSEGV")),
        "{crashes:?}"
    );
    Ok(())
}

pub(crate) fn patterns_choose_what_is_isolated() -> TestResult {
    // `identity` is trusted and stays in-process unless a pattern names it; a fork inside
    // it would then be denied. Here we only check the choice through the registry.
    let base = crate::elements::registry().map_err(|e| e.to_string())?;
    let config = Arc::new(crate::isolated::config(0));
    let patterns = Isolation::Patterns(vec!["ident*".into()]);
    let is_proxy = |registry: &parallax_core::Registry, name: &str| {
        registry
            .get(name)
            .map(|f| format!("{:?}", f.create()))
            .is_some_and(|_| true)
    };
    let isolated =
        isolating_registry(&base, &patterns, Arc::clone(&config)).map_err(|e| e.to_string())?;
    check!(is_proxy(&isolated, "identity"), "identity is registered");
    check!(
        parallax_sandbox::isolate::is_isolated(
            base.get("identity").ok_or("identity")?.info(),
            &patterns
        ),
        "pattern matches"
    );
    check!(
        !parallax_sandbox::isolate::is_isolated(
            base.get("identity").ok_or("identity")?.info(),
            &Isolation::Auto
        ),
        "trusted stays in-process"
    );
    check!(
        parallax_sandbox::isolate::is_isolated(
            base.get("sbxhostile").ok_or("sbx")?.info(),
            &Isolation::Auto
        ),
        "untrusted is isolated automatically"
    );
    check!(
        !parallax_sandbox::isolate::is_isolated(
            base.get("sbxhostile").ok_or("sbx")?.info(),
            &Isolation::InProcess
        ),
        "explicit override"
    );
    let (result, _) = run(
        "fakesrc num-buffers=50 ! identity ! fakesink name=sink",
        &patterns,
    )?;
    check!(
        result?.buffers("sink") == Some(50),
        "isolated identity passes every buffer"
    );
    Ok(())
}

pub(crate) fn death_in_an_upstream_caps_change_is_reported() -> TestResult {
    let registry = Arc::new(crate::elements::registry().map_err(|e| e.to_string())?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (summary, messages) = runtime.block_on(async {
        let mut pipeline = Pipeline::parse_with(
            registry,
            "appsrc name=in caps=\"application/x-test, n=(int)1\" \
             ! sbxhostile name=bad attack=caps-segv ! fakesink name=sink",
            "test",
        )
        .map_err(|e| e.to_string())?;
        pipeline
            .set_sandbox_config(crate::isolated::config(3))
            .map_err(|e| e.to_string())?;
        let mut bus = pipeline.bus();
        pipeline.prepare().map_err(|e| e.to_string())?;
        let src = pipeline
            .handle::<parallax_elements::AppSrcHandle>("in")
            .ok_or("no appsrc")?;
        let changed: parallax_core::Caps = "application/x-test, n=(int)2"
            .parse()
            .map_err(|e| format!("{e}"))?;
        let producer = std::thread::spawn(move || {
            for _ in 0..3 {
                src.push_buffer(&[1u8; 64])?;
            }
            src.set_caps(changed)?;
            for _ in 0..3 {
                src.push_buffer(&[2u8; 64])?;
            }
            src.end_of_stream();
            Ok::<_, parallax_elements::AppSrcError>(())
        });
        let summary = pipeline.run().await.map_err(|e| e.to_string())?;
        producer
            .join()
            .map_err(|_| "producer panicked")?
            .map_err(|e| e.to_string())?;
        let mut messages = Vec::new();
        while let Some(m) = bus.try_recv() {
            messages.push(m);
        }
        Ok::<_, String>((summary, messages))
    })?;
    let crashes: Vec<_> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Element { element, structure } if structure.name() == "sandbox-crash" => {
                Some((
                    element.clone(),
                    structure.get_str("signal-name").map(str::to_owned),
                ))
            }
            _ => None,
        })
        .collect();
    check!(
        crashes == [("bad".to_owned(), Some("SIGSEGV".to_owned()))],
        "the death in set_caps is reported: {crashes:?}"
    );
    check!(
        summary.buffers("sink") == Some(6),
        "no buffer was in flight, none is lost: {:?}",
        summary.buffers("sink")
    );
    Ok(())
}
