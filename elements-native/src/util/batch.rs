//! Outputs of one call gathered into one allocation.
//!
//! A key design decision: an element's arenas have a fixed number of slots per size
//! class, and every output of a call is held until the call returns, so an element that
//! may complete many units in one call (a demuxer fed a large input buffer) must not
//! allocate one slot per unit: it would wait for a slot that only its own unreleased
//! outputs hold. Units are staged here and leave as slices of a single buffer.

use parallax_core::{BufferMeta, FlowError, ProcessContext};

#[derive(Debug, Default)]
pub(crate) struct Batch {
    pending: Vec<(usize, BufferMeta, Vec<u8>)>,
    /// Emptied vectors kept for reuse, so the steady state does not allocate.
    spare: Vec<Vec<u8>>,
}

impl Batch {
    /// An empty vector to fill (reused when possible).
    pub(crate) fn vec(&mut self) -> Vec<u8> {
        self.spare.pop().unwrap_or_default()
    }

    /// Stages `data` for src pad `pad` with `meta`.
    pub(crate) fn add(&mut self, pad: usize, meta: BufferMeta, data: Vec<u8>) {
        self.pending.push((pad, meta, data));
    }

    /// Copies everything staged into one buffer and pushes a slice per unit, in order.
    pub(crate) fn flush(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let total: usize = self.pending.iter().map(|(_, _, d)| d.len()).sum();
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut out = ctx.allocate(total.max(1))?;
        out.set_len(total);
        let mut at = 0;
        for (_, _, data) in &self.pending {
            out.data_mut()[at..at + data.len()].copy_from_slice(data);
            at += data.len();
        }
        let out = out.freeze();
        let mut at = 0;
        for (pad, meta, mut data) in self.pending.drain(..) {
            let len = data.len();
            if let Some(mut slice) = out.slice(at..at + len) {
                *slice.meta_mut() = meta;
                ctx.push_to(pad, slice);
            }
            at += len;
            data.clear();
            self.spare.push(data);
        }
        Ok(())
    }
}
