//! Drops ID3v2 tags at the start of a stream before typefinding, as GStreamer's
//! id3demux does: behind a tag may be MP3 or ADTS (AAC), which only the bytes after it
//! tell apart, and a tag of many MiB (cover art) is neither held nor handed on.

use parallax_core::Buffer;

use crate::util::id3v2;

/// Where the start of the stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LeadTag {
    /// Too few bytes held to tell whether a tag starts here.
    Looking,
    /// Inside a tag: this many bytes of it are still to come and be dropped.
    Skipping(u64),
    /// No (more) tag: the held bytes are the stream.
    Done,
}

impl LeadTag {
    /// Takes an input buffer that arrives before typefinding: drops what belongs to a
    /// leading tag and appends the rest to `held`.
    pub(super) fn push(&mut self, buffer: Buffer, held: &mut Vec<Buffer>) {
        let mut buffer = Some(buffer);
        if let LeadTag::Skipping(left) = self
            && let Some(b) = buffer.take()
        {
            let drop = usize::try_from(*left).unwrap_or(usize::MAX).min(b.len());
            *left -= drop as u64;
            if *left == 0 {
                *self = LeadTag::Looking;
            }
            buffer = b.slice(drop..b.len());
        }
        if let Some(b) = buffer.filter(|b| !b.is_empty()) {
            held.push(b);
        }
        self.look(held);
    }

    /// Whether typefinding may look at the held bytes.
    pub(super) fn done(self) -> bool {
        self == LeadTag::Done
    }

    fn look(&mut self, held: &mut Vec<Buffer>) {
        while *self == LeadTag::Looking {
            let mut head = Vec::with_capacity(10);
            for b in held.iter() {
                let n = (10 - head.len()).min(b.len());
                head.extend_from_slice(&b.data()[..n]);
            }
            match id3v2::tag_len(&head) {
                None => *self = LeadTag::Done,
                Some(None) => return,
                Some(Some(len)) => {
                    let mut left = len;
                    while left > 0 && !held.is_empty() {
                        let first = held.remove(0);
                        if first.len() > left {
                            if let Some(rest) = first.slice(left..first.len()) {
                                held.insert(0, rest);
                            }
                            left = 0;
                        } else {
                            left -= first.len();
                        }
                    }
                    if left > 0 {
                        *self = LeadTag::Skipping(left as u64);
                    }
                }
            }
        }
    }
}
