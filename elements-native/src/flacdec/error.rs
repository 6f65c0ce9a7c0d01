//! Why a frame could not be decoded.

/// A frame that is not complete in the data seen so far, or that is corrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FrameError {
    /// The data ends inside the frame: wait for more, or at end of stream, truncated.
    Truncated,
    /// The frame breaks the format (or a checksum); the text says how.
    Corrupt(&'static str),
    /// Valid FLAC that this decoder does not handle.
    Unsupported(&'static str),
}
