//! The JavaScript guests (componentize-js, copying path): `jsonpick` on JSON lines split
//! across buffers, its failure reported like a Rust guest's, and `jspassthrough`.

use parallax::Message;
use parallax::core::BufferMeta;
use parallax_wasm::WasmHandle;

use crate::wasm_support::{pipeline, push_through, sample_inputs};

const NDJSON: &str = "appsrc name=in caps=\"application/x-ndjson\"";

fn chunks(parts: &[&str]) -> Vec<(Vec<u8>, BufferMeta)> {
    parts
        .iter()
        .map(|p| (p.as_bytes().to_vec(), BufferMeta::default()))
        .collect()
}

fn text(out: &[parallax::core::Buffer]) -> String {
    out.iter()
        .map(|b| String::from_utf8(b.data().to_vec()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonpick_keeps_the_listed_keys_of_lines_split_across_buffers() {
    let mut p = pipeline(
        &["jsonpick"],
        &format!("{NDJSON} ! jsonpick name=j keys=\"b, a\" ! appsink name=out"),
    );
    let handle = p.handle::<WasmHandle>("j").unwrap();
    // A line split in two buffers, a multi-byte character split in two, and a last line
    // without a newline (emitted by drain at end of stream).
    let inputs = chunks(&[
        "{\"a\":1,\"b\":2,\"c\":3}\n{\"a\":4,",
        "\"b\":\"\u{e9}t\u{e9}\"}\n\n{\"c\":7,\"b\":[1,2]}\n{\"b\":\"\u{20ac}",
        "\u{20ac}\"}",
    ]);
    let mut split = inputs.clone();
    // Cut the euro sign of the last buffer in the middle of its UTF-8 bytes.
    let euro = split[2].0.clone();
    split[1].0.extend_from_slice(&euro[..1]);
    split[2].0 = euro[1..].to_vec();
    let out = push_through(&mut p, &split).await;
    assert_eq!(
        text(&out),
        "{\"b\":2,\"a\":1}\n{\"b\":\"\u{e9}t\u{e9}\",\"a\":4}\n{\"b\":[1,2]}\n{\"b\":\"\u{20ac}\u{20ac}\"}\n"
    );
    assert_eq!(handle.buffers_in(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_that_is_not_an_object_fails_the_element_like_a_rust_error() {
    let mut p = pipeline(
        &["jsonpick"],
        &format!("{NDJSON} ! jsonpick name=j ! appsink name=out"),
    );
    let src = p.handle::<parallax::elements::AppSrcHandle>("in").unwrap();
    let producer = std::thread::spawn(move || {
        // Pushing may fail once the pipeline has stopped on the error.
        let _ = src.push_buffer_with_meta(b"{\"a\":1}\n[1,2]\n", BufferMeta::default());
        src.end_of_stream();
    });
    let err = p.run().await.unwrap_err().to_string();
    producer.join().unwrap();
    assert!(err.contains("not a JSON object: [1,2]"), "{err}");
    assert!(err.contains("'j'"), "names the element: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_invalid_drops_bad_lines_and_counts_them_at_end_of_stream() {
    let mut p = pipeline(
        &["jsonpick"],
        &format!("{NDJSON} ! jsonpick drop-invalid=true ! appsink name=out"),
    );
    let mut bus = p.bus();
    let out = push_through(&mut p, &chunks(&["{\"a\":1}\nnope\n42\n{\"b\":2}\n"])).await;
    assert_eq!(text(&out), "{\"a\":1}\n{\"b\":2}\n");
    let dropped: Vec<_> = std::iter::from_fn(|| bus.try_recv())
        .filter_map(|m| match m {
            Message::Element { structure, .. } if structure.name() == "jsonpick/dropped" => {
                structure.get_int("lines")
            }
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jspassthrough_returns_every_buffer_unchanged_with_its_meta() {
    let mut p = pipeline(
        &["jspassthrough"],
        "appsrc name=in caps=\"application/octet-stream\" ! jspassthrough ! appsink name=out",
    );
    let inputs = sample_inputs(10, &[0, 5, 65536]);
    let out = push_through(&mut p, &inputs).await;
    assert_eq!(out.len(), inputs.len());
    for (i, (buffer, (data, meta))) in out.iter().zip(&inputs).enumerate() {
        assert_eq!(buffer.data(), &data[..], "buffer {i}");
        let got = buffer.meta();
        assert_eq!(
            (
                got.pts,
                got.dts,
                got.duration,
                got.offset,
                got.offset_end,
                got.flags
            ),
            (
                meta.pts,
                meta.dts,
                meta.duration,
                meta.offset,
                meta.offset_end,
                meta.flags
            ),
            "buffer {i}"
        );
    }
}
