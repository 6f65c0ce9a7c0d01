//! The y4m stream as a state machine over arbitrary chunks: stream header line, then per
//! frame a `FRAME` line and the packed planes.
//!
//! A key design decision: the parser never holds frame data itself. It says how many
//! bytes of the chunk belong to the current frame and the element copies them straight
//! into the output slot, so a frame is copied exactly once whatever the chunk sizes.

use crate::util::y4m::{FRAME, Header, MAX_LINE};

/// What the parser is waiting for.
#[derive(Debug)]
enum Want {
    /// The stream header line.
    StreamHeader,
    /// A frame header line.
    FrameHeader,
    /// This many more bytes of frame data.
    Data(usize),
}

/// One step of progress through a chunk.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// The stream header was read.
    Header(Header),
    /// A frame starts: its data follows.
    FrameStart,
    /// `n` bytes of frame data at the front of the remaining chunk; `true` when they
    /// complete the frame.
    Data(usize, bool),
    /// The chunk is used up.
    NeedMore,
}

#[derive(Debug)]
pub(super) struct Parser {
    want: Want,
    /// A header line collected across chunks.
    line: Vec<u8>,
    /// Stream offset of the next unread byte.
    offset: u64,
    frame_size: usize,
    max_dimension: usize,
}

impl Parser {
    pub(super) fn new(max_dimension: usize) -> Self {
        Parser {
            want: Want::StreamHeader,
            line: Vec::new(),
            offset: 0,
            frame_size: 0,
            max_dimension,
        }
    }

    /// Stream offset of the next unread byte.
    pub(super) fn offset(&self) -> u64 {
        self.offset
    }

    /// Sets the packed frame size once the element has checked the header.
    pub(super) fn set_frame_size(&mut self, size: usize) {
        self.frame_size = size;
    }

    /// Whether the stream ends cleanly here (between frames).
    pub(super) fn at_frame_boundary(&self) -> bool {
        matches!(self.want, Want::FrameHeader) && self.line.is_empty()
    }

    /// Bytes of the current frame still missing, if one is in progress.
    pub(super) fn missing(&self) -> Option<usize> {
        match self.want {
            Want::Data(n) => Some(n),
            _ => None,
        }
    }

    /// Advances over the front of `chunk`; returns the event and how many bytes it used.
    ///
    /// # Errors
    ///
    /// What is wrong, with the byte offset, as text for an element error.
    pub(super) fn step(&mut self, chunk: &[u8]) -> Result<(Event, usize), String> {
        if chunk.is_empty() {
            return Ok((Event::NeedMore, 0));
        }
        match self.want {
            Want::Data(left) => {
                let n = left.min(chunk.len());
                self.offset += n as u64;
                let done = n == left;
                self.want = if done {
                    Want::FrameHeader
                } else {
                    Want::Data(left - n)
                };
                Ok((Event::Data(n, done), n))
            }
            Want::StreamHeader | Want::FrameHeader => {
                let start = self.offset - self.line.len() as u64;
                let Some(end) = chunk.iter().position(|&b| b == b'\n') else {
                    self.take_line_part(chunk, start)?;
                    return Ok((Event::NeedMore, chunk.len()));
                };
                self.take_line_part(&chunk[..end], start)?;
                // The newline is consumed too.
                self.offset += 1;
                let line = std::mem::take(&mut self.line);
                let event = self.line_done(&line, start)?;
                Ok((event, end + 1))
            }
        }
    }

    fn take_line_part(&mut self, part: &[u8], start: u64) -> Result<(), String> {
        if self.line.len() + part.len() > MAX_LINE {
            return Err(format!(
                "no end of header line within {MAX_LINE} bytes at byte offset {start}"
            ));
        }
        self.line.extend_from_slice(part);
        self.offset += part.len() as u64;
        Ok(())
    }

    fn line_done(&mut self, line: &[u8], start: u64) -> Result<Event, String> {
        match self.want {
            Want::StreamHeader => {
                let header = Header::parse(line, self.max_dimension)
                    .map_err(|e| format!("bad y4m header at byte offset {start}: {e}"))?;
                self.want = Want::FrameHeader;
                Ok(Event::Header(header))
            }
            _ => {
                // `FRAME` may carry parameters after a space; none change the layout.
                let is_frame =
                    line.starts_with(FRAME) && matches!(line.get(FRAME.len()), None | Some(b' '));
                if !is_frame {
                    let shown = String::from_utf8_lossy(&line[..line.len().min(16)]).into_owned();
                    return Err(format!(
                        "expected FRAME at byte offset {start}, found {shown:?}"
                    ));
                }
                self.want = Want::Data(self.frame_size);
                Ok(Event::FrameStart)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `stream` in chunks of `size`, counting frame bytes per frame.
    fn frames(stream: &[u8], size: usize) -> Result<Vec<usize>, String> {
        let mut p = Parser::new(16384);
        let mut out = Vec::new();
        for mut chunk in stream.chunks(size) {
            loop {
                let (event, used) = p.step(chunk)?;
                chunk = &chunk[used..];
                match event {
                    Event::Header(h) => p.set_frame_size(h.width * h.height * 3 / 2),
                    Event::FrameStart => out.push(0),
                    Event::Data(n, _) => *out.last_mut().expect("frame") += n,
                    Event::NeedMore => break,
                }
            }
        }
        Ok(out)
    }

    #[test]
    fn any_chunking_gives_the_same_frames() {
        let mut s = b"YUV4MPEG2 W4 H2 F25:1 C420jpeg\n".to_vec();
        for _ in 0..3 {
            s.extend_from_slice(b"FRAME\n");
            s.extend_from_slice(&[7u8; 12]);
        }
        for size in [1, 2, 5, 13, 1000] {
            assert_eq!(frames(&s, size), Ok(vec![12, 12, 12]), "chunks of {size}");
        }
        s.extend_from_slice(b"FRAMX\n");
        let err = frames(&s, 7).expect_err("bad frame header");
        assert!(err.contains("byte offset 85"), "{err}");
    }
}
