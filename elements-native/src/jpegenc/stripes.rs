//! How a frame is cut into horizontal stripes that are encoded on several threads.
//!
//! A key design decision: JPEG's restart markers reset the entropy coder's state (the DC
//! predictions) every `interval` MCUs, so stripes of a whole number of MCU rows can be
//! encoded independently and concatenated with `RSTn` markers between them; with a
//! `DRI` segment saying how many MCUs a stripe holds, the result is one baseline JPEG
//! that every decoder reads, the same picture as a single-threaded encode.

/// How a frame is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Plan {
    /// MCU rows in every stripe but the last.
    pub(super) mcu_rows: usize,
    /// Number of stripes.
    pub(super) count: usize,
}

impl Plan {
    /// MCUs per stripe: the restart interval (`plan` keeps it within 16 bits).
    pub(super) fn interval(&self, mcu_cols: usize) -> u16 {
        u16::try_from(self.mcu_rows * mcu_cols).unwrap_or(u16::MAX)
    }
}

/// Pictures with fewer MCUs than this are not worth a thread (256x256 at 4:2:0).
const MIN_MCUS: usize = 256;

/// The plan for a picture of `mcu_cols` x `mcu_rows` MCUs on `threads` threads; `None`
/// when one stripe is best. Two stripes per thread: threads claim them one by one
/// (`pool.rs`), so a thread that gets less of the machine takes fewer.
pub(super) fn plan(mcu_cols: usize, mcu_rows: usize, threads: usize) -> Option<Plan> {
    if threads < 2 || mcu_cols * mcu_rows < MIN_MCUS {
        return None;
    }
    // The interval is 16 bits; caps keep mcu_cols <= 2048, so at least 31 rows fit.
    let max_rows = usize::from(u16::MAX) / mcu_cols;
    let per = mcu_rows.div_ceil(2 * threads).min(max_rows).max(1);
    let count = mcu_rows.div_ceil(per);
    (count > 1).then_some(Plan {
        mcu_rows: per,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cut_whole_mcu_rows() {
        assert_eq!(plan(4, 3, 2), None);
        // 1280x720 at 4:2:0: 80 x 45 MCUs, 12 + 12 + 12 + 9 rows.
        let p = plan(80, 45, 2).expect("four stripes");
        assert_eq!((p.mcu_rows, p.count, p.interval(80)), (12, 4, 12 * 80));
        assert_eq!(plan(80, 45, 1), None);
        // 16384 wide: 1024 MCUs per row, at most 63 rows per stripe.
        let p = plan(1024, 256, 2).expect("stripes");
        assert_eq!((p.mcu_rows, p.count), (63, 5));
        // 8x8 MCUs (gray): 2048 per row, at most 31 rows.
        assert_eq!(plan(2048, 16, 2).map(|p| p.mcu_rows), Some(4));
        assert_eq!(plan(2048, 256, 2).map(|p| p.mcu_rows), Some(31));
    }
}
