//! Embedding 1: parse a pipeline, run it to end of stream, read the counters.
//!
//! `cargo run -p parallax --example embed_01_run`

use parallax::Pipeline;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pipeline = Pipeline::parse(
        "videotestsrc num-buffers=30 ! video/x-raw,format=RGBA,width=64,height=48 ! identity ! fakesink",
    )?;
    let summary = pipeline.run().await?;
    let frames = summary.buffers("fakesink0").unwrap_or(0);
    let bytes = summary.bytes("fakesink0").unwrap_or(0);
    println!("{frames} frames, {bytes} bytes in {:?}", summary.elapsed);
    assert_eq!(frames, 30);
    assert_eq!(bytes, 30 * 64 * 48 * 4);
    Ok(())
}
