//! Embedding 3: feed data from the application with `appsrc` and take the results back
//! with `appsink`.
//!
//! `cargo run -p parallax --example embed_03_appsrc_appsink`

use std::time::Duration;

use parallax::Pipeline;
use parallax::elements::{AppSinkHandle, AppSrcHandle};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pipeline = Pipeline::parse("appsrc name=in ! queue ! identity ! appsink name=out")?;
    let input = pipeline.handle::<AppSrcHandle>("in").ok_or("no appsrc")?;
    let output = pipeline
        .handle::<AppSinkHandle>("out")
        .ok_or("no appsink")?;

    // The application side runs on its own thread while the pipeline runs.
    let producer = std::thread::spawn(move || {
        for i in 0..10u8 {
            input
                .push_buffer(&[i; 100])
                .expect("the pipeline accepts data");
        }
        input.end_of_stream();
    });
    let consumer = std::thread::spawn(move || {
        let mut received = Vec::new();
        while let Some(buffer) = output.pull_sample(Duration::from_secs(5)) {
            received.push(buffer.data()[0]);
        }
        received
    });

    pipeline.run().await?;
    producer.join().map_err(|_| "producer panicked")?;
    let received = consumer.join().map_err(|_| "consumer panicked")?;
    println!("received {} buffers: {received:?}", received.len());
    assert_eq!(received, (0..10).collect::<Vec<u8>>());
    Ok(())
}
