//! How long one side of the mailbox spins for the next message before it sleeps.
//!
//! Sleeping on the doorbell costs a system call on each side and, on an idle machine, the
//! wake-up of a halted vCPU (tens of µs, twice per round trip). Spinning avoids both but
//! burns a core, and on two loaded cores it can keep the peer from running at all (the
//! experiment in `native-deps.md` §2.6 saw a 435 µs round trip). So the budget follows the
//! measured gaps: it covers twice the recent gap while gaps stay short, is never more
//! than [`SPIN_MAX_NS`], and drops to zero (pure blocking) when spins keep running out,
//! probing again after an exponentially growing number of waits.
//!
//! The gap of a message is measured from the sender's publish stamp, not from our
//! wake-up, so a wait that slept still tells how long a spin would have needed. On the
//! host the stamp comes from the worker and is not trusted: a lying one can only move the
//! budget within `0..=SPIN_MAX_NS`.

/// The longest spin, in ns.
pub const SPIN_MAX_NS: u64 = 40_000;
/// Spin at least this long when spinning at all (covers the peer's own reply work).
const SPIN_MIN_NS: u64 = 4_000;
/// Consecutive spins that ran out before spinning stops.
const GIVE_UP_AFTER: u32 = 2;
/// Waits without spinning after the first give-up; doubles on each further give-up.
const HOLD_OFF_FIRST: u32 = 8;
const HOLD_OFF_MAX: u32 = 1024;

/// The adaptive spin budget of one waiting side.
#[derive(Debug, Clone)]
pub struct Spin {
    off: bool,
    budget_ns: u64,
    failures: u32,
    hold_off: u32,
    next_hold_off: u32,
}

impl Default for Spin {
    fn default() -> Self {
        Spin {
            off: false,
            budget_ns: SPIN_MIN_NS,
            failures: 0,
            hold_off: 0,
            next_hold_off: HOLD_OFF_FIRST,
        }
    }
}

impl Spin {
    /// A side that never spins (always sleeps on the doorbell).
    pub fn never() -> Self {
        Spin {
            off: true,
            budget_ns: 0,
            failures: 0,
            hold_off: 0,
            next_hold_off: HOLD_OFF_FIRST,
        }
    }

    /// How long to spin for the next message, in ns (0: sleep at once).
    pub fn budget_ns(&self) -> u64 {
        self.budget_ns
    }

    /// A spin caught the message `gap_ns` after the wait began.
    pub fn caught(&mut self, gap_ns: u64) {
        if self.off {
            return;
        }
        self.failures = 0;
        self.next_hold_off = HOLD_OFF_FIRST;
        // Grow at once to cover the gap twice; shrink slowly, so one short gap among
        // longer ones does not make the next long one miss.
        let wanted = gap_ns.saturating_mul(2).clamp(SPIN_MIN_NS, SPIN_MAX_NS);
        let decayed = self.budget_ns - self.budget_ns / 8;
        self.budget_ns = wanted.max(decayed);
    }

    /// The side slept, and the message came `gap_ns` after the wait began (by the
    /// sender's stamp); `spun` says whether a spin ran out first.
    pub fn slept(&mut self, gap_ns: u64, spun: bool) {
        if self.off {
            return;
        }
        if spun {
            self.failures += 1;
            if self.failures >= GIVE_UP_AFTER {
                // Spinning does not pay (long gaps, or it starves the peer): block for a
                // while, then try again.
                self.failures = 0;
                self.budget_ns = 0;
                self.hold_off = self.next_hold_off;
                self.next_hold_off = self.next_hold_off.saturating_mul(2).min(HOLD_OFF_MAX);
                return;
            }
        }
        if self.hold_off > 0 {
            self.hold_off -= 1;
            return;
        }
        if gap_ns <= SPIN_MAX_NS {
            // A spin would have caught this one: try it next time.
            self.budget_ns = gap_ns.saturating_mul(2).clamp(SPIN_MIN_NS, SPIN_MAX_NS);
        } else if !spun {
            self.budget_ns = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_gaps_keep_a_budget_that_covers_them() {
        let mut spin = Spin::default();
        for _ in 0..100 {
            spin.caught(3_000);
        }
        assert!(spin.budget_ns() >= 6_000, "{}", spin.budget_ns());
        // One short gap does not collapse the budget a 13 µs gap needs.
        spin.caught(13_000);
        spin.caught(500);
        assert!(spin.budget_ns() >= 20_000, "{}", spin.budget_ns());
        assert!(spin.budget_ns() <= SPIN_MAX_NS);
    }

    #[test]
    fn failing_spins_back_off_to_blocking_then_probe_again() {
        let mut spin = Spin::default();
        spin.caught(10_000);
        // The peer never answers within the budget (a loaded machine).
        spin.slept(30_000, true);
        spin.slept(30_000, true);
        assert_eq!(spin.budget_ns(), 0);
        for _ in 0..HOLD_OFF_FIRST {
            assert_eq!(spin.budget_ns(), 0);
            spin.slept(1_000, false);
        }
        // After the hold-off a short gap turns spinning back on.
        spin.slept(1_000, false);
        assert_eq!(spin.budget_ns(), SPIN_MIN_NS);
        // Failing again holds off twice as long.
        spin.slept(30_000, true);
        spin.slept(30_000, true);
        let mut waits = 0;
        while spin.budget_ns() == 0 {
            spin.slept(1_000, false);
            waits += 1;
        }
        assert_eq!(waits, 2 * HOLD_OFF_FIRST + 1);
    }

    #[test]
    fn long_gaps_mean_no_spinning() {
        let mut spin = Spin::default();
        spin.slept(5_000_000, false);
        assert_eq!(spin.budget_ns(), 0);
        let mut never = Spin::never();
        never.slept(1_000, false);
        never.caught(1_000);
        assert_eq!(never.budget_ns(), 0);
    }
}
