//! Embedding 4: control a live pipeline from another task: pause, resume, then end it.
//!
//! `cargo run -p parallax --example embed_04_pause_resume`

use std::time::Duration;

use parallax::{Message, Pipeline, State};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A live source produces frames in real time (here 100 fps).
    let mut pipeline = Pipeline::parse(
        "videotestsrc is-live=true ! video/x-raw,width=32,height=24,framerate=100/1 ! fakesink",
    )?;
    let controller = pipeline.controller();
    let mut bus = pipeline.bus();
    let control = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        controller.pause()?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        controller.resume()?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        controller.send_eos();
        Ok::<_, parallax::PipelineError>(())
    });
    let summary = pipeline.run().await?;
    control.await??;

    let mut states = Vec::new();
    while let Some(message) = bus.try_recv() {
        if let Message::StateChanged { new, .. } = message {
            states.push(new);
        }
    }
    println!("states: {states:?}");
    println!(
        "frames: {:?} in {:?}",
        summary.buffers("fakesink0"),
        summary.elapsed
    );
    assert!(states.contains(&State::Idle) && states.ends_with(&[State::Suspended]));
    Ok(())
}
