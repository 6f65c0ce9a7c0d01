//! `stats`: a sink. Counts the buffers and bytes it receives and, at end of stream, posts
//! `stats/summary, buffers=(int)N, bytes=(int)M, monotonic=(boolean)B` on the bus, where
//! `monotonic` says whether every pts was later than the one before.

use parallax_guest::prelude::*;

/// The element.
#[derive(Debug, Default)]
struct Stats {
    buffers: u64,
    bytes: u64,
    last_pts: Option<u64>,
    monotonic: bool,
}

impl Stats {
    fn fresh() -> Self {
        Stats {
            monotonic: true,
            ..Stats::default()
        }
    }

    fn record(&mut self, len: usize, pts: Option<u64>) {
        self.buffers += 1;
        self.bytes += len as u64;
        if let Some(pts) = pts {
            if self.last_pts.is_some_and(|last| pts <= last) {
                self.monotonic = false;
            }
            self.last_pts = Some(pts);
        }
    }

    fn summary(&self) -> String {
        format!(
            "stats/summary, buffers=(int){}, bytes=(int){}, monotonic=(boolean){}",
            self.buffers, self.bytes, self.monotonic
        )
    }
}

impl Element for Stats {
    fn info() -> Info {
        Info::new(
            "stats",
            "Sink/Analyzer",
            "Counts buffers and bytes and posts a summary at end of stream",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink("ANY"))
        .hints(Hints {
            cpu_bound: false,
            rt_safe: true,
        })
    }

    fn new(_props: &Props) -> Result<Self, Error> {
        Ok(Stats::fresh())
    }

    fn process(
        &mut self,
        input: InputBuffer<'_>,
        _outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        self.record(input.len(), input.meta().pts);
        Ok(())
    }

    fn drain(&mut self) -> Result<Vec<OwnedOutput>, FlowError> {
        post_message(&self.summary());
        Ok(Vec::new())
    }

    fn flush(&mut self) {
        *self = Stats::fresh();
    }
}

parallax_guest::export_element!(Stats);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_checks_order() {
        let mut s = Stats::fresh();
        s.record(8, Some(1));
        s.record(4, Some(2));
        assert_eq!(
            s.summary(),
            "stats/summary, buffers=(int)2, bytes=(int)12, monotonic=(boolean)true"
        );
        s.record(1, Some(2));
        assert!(!s.monotonic);
    }
}
