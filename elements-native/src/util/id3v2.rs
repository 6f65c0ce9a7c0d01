//! ID3v2 tags (id3.org, ID3v2.4 main structure §3.1): metadata that MP3 and ADTS files
//! may carry before (or between) their frames. Parsers skip a tag whole by its declared
//! length, so cover art inside it is never scanned as audio.

/// Length of an ID3v2 tag at the start of `d`, footer included: `Some(None)` if more
/// bytes are needed to tell, `None` if there is no tag.
pub(crate) fn tag_len(d: &[u8]) -> Option<Option<usize>> {
    if !b"ID3".starts_with(&d[..d.len().min(3)]) {
        return None;
    }
    let Some(h) = d.get(..10) else {
        return Some(None);
    };
    // Version and revision are never 0xff; the size is four 7-bit (syncsafe) bytes.
    if h[3] == 0xff || h[4] == 0xff || h[6..10].iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    let size = h[6..10]
        .iter()
        .fold(0usize, |s, &b| s << 7 | usize::from(b));
    let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
    Some(Some(10 + size + footer))
}

/// The warning for a stream that ended inside a tag `queue` was skipping (`seen`: where
/// the stream ended), or `None` when no skip is pending.
#[cfg(feature = "audiodec")]
pub(crate) fn truncated_tag(queue: &super::byte_queue::ByteQueue, seen: u64) -> Option<String> {
    let missing = queue.skip_left();
    (missing > 0).then(|| {
        format!(
            "truncated ID3v2 tag: the stream ended at byte offset {seen}, {missing} bytes before the tag's end"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::tag_len;

    #[test]
    fn header_gives_the_whole_length() {
        assert_eq!(
            tag_len(b"ID3\x04\x00\x00\x00\x00\x02\x01"),
            Some(Some(10 + 257))
        );
        // Footer flag: ten more bytes.
        assert_eq!(tag_len(b"ID3\x04\x00\x10\x00\x00\x00\x05"), Some(Some(25)));
        assert_eq!(tag_len(b"ID3\x04"), Some(None));
        assert_eq!(tag_len(b"I"), Some(None));
        assert_eq!(tag_len(b"ID3\x04\x00\x00\x80\x00\x00\x00"), None);
        assert_eq!(tag_len(&[0xff, 0xf1]), None);
    }
}
