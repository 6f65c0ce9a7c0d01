//! Embedding 2: build a pipeline in code and watch its bus.
//!
//! `cargo run -p parallax --example embed_02_builder_and_bus`

use parallax::{Message, Pipeline};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pipeline = Pipeline::builder()
        .element(
            "fakesrc",
            "src",
            &[("num-buffers", "5"), ("silent", "false")],
        )
        .element("tee", "split", &[])
        .element("queue", "q1", &[])
        .element("queue", "q2", &[])
        .element("fakesink", "left", &[])
        .element("fakesink", "right", &[])
        .chain(&["src", "split"])
        .chain(&["split.src_0", "q1", "left"])
        .chain(&["split.src_1", "q2", "right"])
        .build()?;
    let mut bus = pipeline.bus();
    let summary = pipeline.run().await?;

    let mut element_messages = 0;
    while let Some(message) = bus.try_recv() {
        match message {
            Message::StateChanged { old, new } => println!("state: {old} -> {new}"),
            Message::Element { element, structure } => {
                element_messages += 1;
                println!("{element}: {structure}");
            }
            Message::Eos => println!("end of stream"),
            _ => {}
        }
    }
    assert_eq!(
        element_messages, 5,
        "fakesrc silent=false posts one message per buffer"
    );
    assert_eq!(summary.buffers("left"), Some(5));
    assert_eq!(summary.buffers("right"), Some(5));
    Ok(())
}
