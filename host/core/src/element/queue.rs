//! Limits of a thread-boundary link (what `queue`'s properties configure).

use crate::buffer::ClockTime;

/// What a full queue does with new data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Leaky {
    /// Block the producer until there is room (backpressure).
    #[default]
    No,
    /// Drop the new buffer.
    Upstream,
    /// Drop the oldest queued buffer.
    Downstream,
}

/// Limits of a bounded link; a zero limit is disabled. The link is full when any enabled
/// limit is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueLimits {
    /// Maximum number of queued buffers.
    pub max_buffers: u32,
    /// Maximum number of queued bytes.
    pub max_bytes: u64,
    /// Maximum span of queued timestamps.
    pub max_time: ClockTime,
    /// What to do when full.
    pub leaky: Leaky,
}

impl QueueLimits {
    /// GStreamer `queue`'s defaults: 200 buffers, 10 MB, one second, not leaky.
    pub const DEFAULT: QueueLimits = QueueLimits {
        max_buffers: 200,
        max_bytes: 10 * 1024 * 1024,
        max_time: ClockTime::SECOND,
        leaky: Leaky::No,
    };
}

impl Default for QueueLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
