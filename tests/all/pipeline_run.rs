//! Running simple pipelines end to end.

use parallax::Pipeline;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fakesrc_identity_fakesink_counts_every_buffer() {
    let mut p =
        Pipeline::parse("fakesrc num-buffers=1000 sizetype=fixed sizemax=64 ! identity ! fakesink")
            .unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(1000));
    assert_eq!(summary.bytes("fakesink0"), Some(64_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_moves_every_buffer_across_threads() {
    let mut p =
        Pipeline::parse("fakesrc num-buffers=5000 sizetype=fixed sizemax=16 ! queue ! fakesink")
            .unwrap();
    let summary = p.run().await.unwrap();
    assert_eq!(summary.buffers("fakesink0"), Some(5000));
}
