//! `counter`: a source. Emits `num-buffers` buffers (-1: forever), each the buffer's
//! number as an 8-byte little-endian `u64`, with pts = n ms, duration 1 ms and offset n.

use parallax_guest::prelude::*;

const CAPS: &str = "application/x-counter";
/// Bytes per buffer.
const SIZE: usize = 8;
/// Nanoseconds per buffer.
const STEP_NS: u64 = 1_000_000;
const DEFAULT_NUM_BUFFERS: i64 = 10;

/// The element.
struct Counter {
    /// Buffers to emit; `None` for no limit.
    limit: Option<u64>,
    /// The next buffer's number.
    next: u64,
}

impl Counter {
    /// The meta of buffer `n`.
    fn meta(n: u64) -> Meta {
        Meta {
            pts: Some(n * STEP_NS),
            duration: Some(STEP_NS),
            offset: Some(n),
            offset_end: Some(n + 1),
            flags: if n == 0 {
                Flags::DISCONT
            } else {
                Flags::empty()
            },
            ..Meta::default()
        }
    }
}

impl Element for Counter {
    fn info() -> Info {
        Info::new(
            "counter",
            "Source",
            "Emits 8-byte little-endian counters with pts = n ms",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::src(CAPS))
        .property(PropSpec::int(
            "num-buffers",
            -1,
            i64::from(i32::MAX),
            DEFAULT_NUM_BUFFERS,
            "Buffers to emit before end of stream (-1: no limit)",
        ))
        .hints(Hints {
            cpu_bound: false,
            rt_safe: true,
        })
    }

    fn new(props: &Props) -> Result<Self, Error> {
        let n = props.i64("num-buffers")?;
        Ok(Counter {
            limit: u64::try_from(n).ok(),
            next: 0,
        })
    }

    fn property(&self, name: &str) -> Option<String> {
        (name == "num-buffers").then(|| self.limit.map_or(-1, |l| l as i64).to_string())
    }

    fn set_caps(&mut self, _sink: &[Caps], _src: &[Caps]) -> Result<u32, Error> {
        Ok(SIZE as u32)
    }

    fn generate(&mut self, outputs: &mut Outputs<'_>) -> Result<(), FlowError> {
        let n = self.next;
        if self.limit.is_some_and(|l| n >= l) {
            return Err(FlowError::Eos);
        }
        outputs.write(0, Counter::meta(n), |buf| {
            buf[..SIZE].copy_from_slice(&n.to_le_bytes());
            SIZE
        })?;
        self.next += 1;
        Ok(())
    }

    fn flush(&mut self) {
        self.next = 0;
    }

    /// A hot-reloaded counter goes on from where its predecessor stopped.
    fn save_state(&self) -> Option<Vec<u8>> {
        let mut state = STATE_TAG.to_vec();
        state.extend_from_slice(&self.next.to_le_bytes());
        Some(state)
    }

    fn restore_state(&mut self, state: &[u8]) -> Result<(), Error> {
        let next = state
            .strip_prefix(STATE_TAG)
            .and_then(|n| <[u8; 8]>::try_from(n).ok())
            .ok_or_else(|| Error::new("not a counter/1 state"))?;
        self.next = u64::from_le_bytes(next);
        Ok(())
    }
}

/// Version tag of the handed-over state (`save_state`).
const STATE_TAG: &[u8] = b"counter/1:";

parallax_guest::export_element!(Counter);

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_guest::Produced;

    #[test]
    fn counts_then_ends() {
        let mut c = Counter {
            limit: Some(2),
            next: 0,
        };
        for n in 0..2u64 {
            let mut slot = [0u8; 16];
            let mut out = Outputs::new(vec![&mut slot], Meta::default());
            c.generate(&mut out).unwrap();
            let p = out.into_produced();
            assert!(
                matches!(p[..], [Produced::Written { len: 8, meta, .. }] if meta.pts == Some(n * STEP_NS))
            );
            assert_eq!(u64::from_le_bytes(slot[..8].try_into().unwrap()), n);
        }
        let mut slot = [0u8; 16];
        let mut out = Outputs::new(vec![&mut slot], Meta::default());
        assert_eq!(c.generate(&mut out), Err(FlowError::Eos));
    }

    #[test]
    fn state_round_trips_and_foreign_state_is_refused() {
        let old = Counter {
            limit: None,
            next: 41,
        };
        let mut new = Counter {
            limit: None,
            next: 0,
        };
        new.restore_state(&old.save_state().unwrap()).unwrap();
        assert_eq!(new.next, 41);
        assert!(new.restore_state(b"counter/2:12345678").is_err());
        assert!(new.restore_state(b"counter/1:short").is_err());
        assert_eq!(new.next, 41);
    }
}
