//! Set algebra on single field values: [`CapsValue::intersect`] and
//! [`CapsValue::is_subset`], following GStreamer's rules.
//!
//! Key design decision: an integer range is treated as the arithmetic progression
//! `min, min + step, …` and two ranges intersect by solving the congruences exactly
//! (extended Euclid in `i128`), so stepped ranges that GStreamer would refuse to build
//! (e.g. odd numbers `[ 1, 9, 2 ]`) still intersect correctly and nothing overflows.

use std::cmp::Ordering;

use super::{CapsValue, Fraction};

/// A non-empty integer progression `min, min + step, …, last`, with `last <= max`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progression {
    pub(crate) min: i64,
    pub(crate) last: i64,
    pub(crate) step: i64,
}

impl Progression {
    /// The members of `[min, max, step]`, or `None` when that set is empty.
    pub(crate) fn new(min: i64, max: i64, step: i64) -> Option<Self> {
        if step <= 0 || min > max {
            return None;
        }
        let span = i128::from(max) - i128::from(min);
        let last = i128::from(min) + span / i128::from(step) * i128::from(step);
        // `last` lies in `[min, max]`, so it fits.
        let last = i64::try_from(last).ok()?;
        Some(Progression { min, last, step })
    }

    pub(crate) fn contains(&self, v: i64) -> bool {
        v >= self.min
            && v <= self.last
            && (i128::from(v) - i128::from(self.min)) % i128::from(self.step) == 0
    }

    fn is_single(&self) -> bool {
        self.min == self.last
    }

    fn is_subset(&self, of: &Progression) -> bool {
        if self.is_single() {
            return of.contains(self.min);
        }
        of.contains(self.min) && self.last <= of.last && self.step % of.step == 0
    }

    /// The common members of two progressions, as the smallest value that holds them.
    fn intersect(&self, other: &Progression) -> Option<CapsValue> {
        let (a_min, a_step) = (i128::from(self.min), i128::from(self.step));
        let (b_min, b_step) = (i128::from(other.min), i128::from(other.step));
        let (g, p, _) = extended_gcd(a_step, b_step);
        let diff = b_min - a_min;
        if diff % g != 0 {
            return None;
        }
        // Solve x = a_min (mod a_step), x = b_min (mod b_step). Reducing both factors
        // modulo `m` first keeps every product below 2^126.
        let m = b_step / g;
        let t = (diff / g).rem_euclid(m) * p.rem_euclid(m) % m;
        let x0 = a_min + a_step * t;
        let lcm = a_step / g * b_step;
        let lo = a_min.max(b_min);
        let hi = i128::from(self.last.min(other.last));
        let first = lo + (x0 - lo).rem_euclid(lcm);
        if first > hi {
            return None;
        }
        let last = first + (hi - first) / lcm * lcm;
        let (first, last) = (i64::try_from(first).ok()?, i64::try_from(last).ok()?);
        if first == last {
            return Some(CapsValue::Int(first));
        }
        match i64::try_from(lcm) {
            Ok(step) => Some(CapsValue::IntRange {
                min: first,
                max: last,
                step,
            }),
            // A step this large leaves room for exactly two members in an i64 span.
            Err(_) => Some(CapsValue::List(vec![
                CapsValue::Int(first),
                CapsValue::Int(last),
            ])),
        }
    }
}

/// Returns `(g, p, q)` with `a * p + b * q == g == gcd(a, b)`, for positive inputs.
fn extended_gcd(a: i128, b: i128) -> (i128, i128, i128) {
    let (mut old_r, mut r) = (a, b);
    let (mut old_s, mut s) = (1i128, 0i128);
    let (mut old_t, mut t) = (0i128, 1i128);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
        (old_t, t) = (t, old_t - q * t);
    }
    (old_r, old_s, old_t)
}

/// True when the value denotes no value at all (an inverted range, an empty list).
fn is_empty_set(v: &CapsValue) -> bool {
    match v {
        CapsValue::IntRange { min, max, step } => Progression::new(*min, *max, *step).is_none(),
        // A NaN bound compares as `None`, which makes the range empty too.
        CapsValue::DoubleRange { min, max } => min.partial_cmp(max).is_none_or(Ordering::is_gt),
        CapsValue::FractionRange { min, max } => min > max,
        CapsValue::List(items) => items.iter().all(is_empty_set),
        _ => false,
    }
}

/// Gathers per-entry intersections into one value: nested lists are flattened,
/// duplicates dropped, a single survivor unwrapped and no survivor means no overlap.
fn collect_list(parts: impl Iterator<Item = Option<CapsValue>>) -> Option<CapsValue> {
    let mut out: Vec<CapsValue> = Vec::new();
    let mut push = |v: CapsValue| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    for part in parts.flatten() {
        match part {
            CapsValue::List(items) => items.into_iter().for_each(&mut push),
            v => push(v),
        }
    }
    match out.len() {
        0 => None,
        1 => out.pop(),
        _ => Some(CapsValue::List(out)),
    }
}

fn in_double_range(v: f64, min: f64, max: f64) -> bool {
    min <= v && v <= max
}

fn in_fraction_range(v: Fraction, min: Fraction, max: Fraction) -> bool {
    min <= v && v <= max
}

impl CapsValue {
    /// The values allowed by both `self` and `other`, or `None` if there are none.
    ///
    /// Follows GStreamer: a fixed value meets a range when it lies inside it (and on its
    /// step), two ranges meet in their overlap (collapsed to a fixed value when that is a
    /// single point), a list meets anything entry by entry (keeping the list's order and
    /// unwrapping a single survivor), and values of different types (`Int` and `Double`
    /// included) never meet.
    pub fn intersect(&self, other: &CapsValue) -> Option<CapsValue> {
        use CapsValue as V;
        match (self, other) {
            (V::List(items), _) => collect_list(items.iter().map(|v| v.intersect(other))),
            (_, V::List(items)) => collect_list(items.iter().map(|v| self.intersect(v))),
            (V::Int(a), V::Int(b)) => (a == b).then_some(V::Int(*a)),
            (V::Int(v), V::IntRange { min, max, step })
            | (V::IntRange { min, max, step }, V::Int(v)) => Progression::new(*min, *max, *step)
                .filter(|p| p.contains(*v))
                .map(|_| V::Int(*v)),
            (
                V::IntRange { min, max, step },
                V::IntRange {
                    min: min2,
                    max: max2,
                    step: step2,
                },
            ) => {
                let a = Progression::new(*min, *max, *step)?;
                let b = Progression::new(*min2, *max2, *step2)?;
                a.intersect(&b)
            }
            (V::Double(a), V::Double(b)) => (a == b).then_some(V::Double(*a)),
            (V::Double(v), V::DoubleRange { min, max })
            | (V::DoubleRange { min, max }, V::Double(v)) => {
                in_double_range(*v, *min, *max).then_some(V::Double(*v))
            }
            (
                V::DoubleRange { min, max },
                V::DoubleRange {
                    min: min2,
                    max: max2,
                },
            ) => {
                let (lo, hi) = (min.max(*min2), max.min(*max2));
                if lo.partial_cmp(&hi).is_none_or(Ordering::is_gt)
                    || is_empty_set(self)
                    || is_empty_set(other)
                {
                    None
                } else if lo == hi {
                    Some(V::Double(lo))
                } else {
                    Some(V::DoubleRange { min: lo, max: hi })
                }
            }
            (V::Fraction(a), V::Fraction(b)) => (a == b).then_some(V::Fraction(*a)),
            (V::Fraction(v), V::FractionRange { min, max })
            | (V::FractionRange { min, max }, V::Fraction(v)) => {
                in_fraction_range(*v, *min, *max).then_some(V::Fraction(*v))
            }
            (
                V::FractionRange { min, max },
                V::FractionRange {
                    min: min2,
                    max: max2,
                },
            ) => {
                let (lo, hi) = ((*min).max(*min2), (*max).min(*max2));
                if lo > hi {
                    None
                } else if lo == hi {
                    Some(V::Fraction(lo))
                } else {
                    Some(V::FractionRange { min: lo, max: hi })
                }
            }
            (V::Str(a), V::Str(b)) => (a == b).then(|| V::Str(a.clone())),
            (V::Bool(a), V::Bool(b)) => (a == b).then_some(V::Bool(*a)),
            _ => None,
        }
    }

    /// True when every value `self` allows is also allowed by `other`.
    ///
    /// Conservative like GStreamer's: a range counts as a subset of a list only when one
    /// list entry covers it whole, not when several entries cover it together.
    pub fn is_subset(&self, other: &CapsValue) -> bool {
        use CapsValue as V;
        if is_empty_set(self) {
            return true;
        }
        match (self, other) {
            (V::List(items), _) => items.iter().all(|v| v.is_subset(other)),
            (_, V::List(items)) => items.iter().any(|v| self.is_subset(v)),
            (V::Int(a), V::Int(b)) => a == b,
            (V::Int(v), V::IntRange { min, max, step }) => {
                Progression::new(*min, *max, *step).is_some_and(|p| p.contains(*v))
            }
            (V::IntRange { min, max, step }, V::Int(v)) => {
                Progression::new(*min, *max, *step).is_some_and(|p| p.is_single() && p.min == *v)
            }
            (
                V::IntRange { min, max, step },
                V::IntRange {
                    min: min2,
                    max: max2,
                    step: step2,
                },
            ) => match (
                Progression::new(*min, *max, *step),
                Progression::new(*min2, *max2, *step2),
            ) {
                (Some(a), Some(b)) => a.is_subset(&b),
                _ => false,
            },
            (V::Double(a), V::Double(b)) => a == b,
            (V::Double(v), V::DoubleRange { min, max }) => in_double_range(*v, *min, *max),
            (V::DoubleRange { min, max }, V::Double(v)) => min == max && min == v,
            (
                V::DoubleRange { min, max },
                V::DoubleRange {
                    min: min2,
                    max: max2,
                },
            ) => min2 <= min && max <= max2,
            (V::Fraction(a), V::Fraction(b)) => a == b,
            (V::Fraction(v), V::FractionRange { min, max }) => in_fraction_range(*v, *min, *max),
            (V::FractionRange { min, max }, V::Fraction(v)) => min == max && min == v,
            (
                V::FractionRange { min, max },
                V::FractionRange {
                    min: min2,
                    max: max2,
                },
            ) => min2 <= min && max <= max2,
            (V::Str(a), V::Str(b)) => a == b,
            (V::Bool(a), V::Bool(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(n: i32, d: i32) -> Fraction {
        Fraction::new(n, d)
    }

    fn int(v: i64) -> CapsValue {
        CapsValue::Int(v)
    }

    fn range(min: i64, max: i64) -> CapsValue {
        CapsValue::int_range(min, max)
    }

    fn stepped(min: i64, max: i64, step: i64) -> CapsValue {
        CapsValue::int_range_step(min, max, step)
    }

    fn s(v: &str) -> CapsValue {
        CapsValue::from(v)
    }

    /// Checks `a ∩ b` and, since intersection is commutative as a set, `b ∩ a` up to
    /// list order.
    fn check(a: &CapsValue, b: &CapsValue, want: Option<CapsValue>) {
        assert_eq!(a.intersect(b), want, "{a} ∩ {b}");
        let back = b.intersect(a);
        assert_eq!(back.is_some(), want.is_some(), "{b} ∩ {a}");
    }

    #[test]
    fn int_table() {
        check(&int(5), &int(5), Some(int(5)));
        check(&int(5), &int(6), None);
        check(&int(5), &range(1, 10), Some(int(5)));
        check(&int(11), &range(1, 10), None);
        check(&int(4), &stepped(0, 10, 2), Some(int(4)));
        check(&int(5), &stepped(0, 10, 2), None);
        check(&range(1, 10), &range(5, 20), Some(range(5, 10)));
        check(&range(1, 5), &range(5, 20), Some(int(5)));
        check(&range(1, 4), &range(5, 20), None);
        check(&stepped(0, 100, 2), &range(1, 10), Some(stepped(2, 10, 2)));
        check(
            &stepped(0, 100, 4),
            &stepped(0, 100, 6),
            Some(stepped(0, 96, 12)),
        );
        check(&stepped(1, 99, 2), &stepped(0, 100, 2), None);
        check(
            &stepped(1, 9, 2),
            &stepped(0, 30, 3),
            Some(stepped(3, 9, 6)),
        );
        check(&range(i64::MIN, i64::MAX), &range(i64::MIN, i64::MAX), {
            Some(range(i64::MIN, i64::MAX))
        });
    }

    #[test]
    fn huge_steps_do_not_overflow() {
        let a = stepped(i64::MIN, i64::MAX, i64::MAX);
        let b = stepped(i64::MIN, i64::MAX, i64::MAX - 1);
        // Both contain i64::MIN; their lcm is far beyond i64, so nothing else is shared.
        check(&a, &b, Some(int(i64::MIN)));
        let c = stepped(i64::MIN + 1, i64::MAX, i64::MAX);
        check(&a, &c, None);
        // lcm = 1.5 * 2^63: two members fit, but no i64 step can describe them.
        let quarter = stepped(i64::MIN, i64::MAX, 1 << 62);
        let three_eighths = stepped(i64::MIN, i64::MAX, 3 << 61);
        check(&quarter, &three_eighths, {
            Some(CapsValue::list([i64::MIN, 1 << 62]))
        });
        let wide = stepped(-(1 << 62), 1 << 62, 1);
        check(&wide, &stepped(-(1 << 62), 1 << 62, 1 << 62), {
            Some(stepped(-(1 << 62), 1 << 62, 1 << 62))
        });
    }

    #[test]
    fn empty_ranges_meet_nothing() {
        check(&range(5, 1), &range(0, 10), None);
        check(&stepped(0, 10, 0), &int(0), None);
        check(&stepped(0, 10, -1), &int(0), None);
        let dr = CapsValue::double_range(2.0, 1.0);
        check(&dr, &CapsValue::double_range(0.0, 3.0), None);
        check(
            &CapsValue::double_range(f64::NAN, 1.0),
            &CapsValue::Double(0.5),
            None,
        );
    }

    #[test]
    fn double_table() {
        let d = CapsValue::Double;
        check(&d(0.5), &d(0.5), Some(d(0.5)));
        check(&d(0.5), &d(0.25), None);
        check(&d(0.5), &CapsValue::double_range(0.0, 1.0), Some(d(0.5)));
        check(&d(1.5), &CapsValue::double_range(0.0, 1.0), None);
        check(
            &CapsValue::double_range(0.0, 1.0),
            &CapsValue::double_range(0.5, 2.0),
            Some(CapsValue::double_range(0.5, 1.0)),
        );
        check(
            &CapsValue::double_range(0.0, 1.0),
            &CapsValue::double_range(1.0, 2.0),
            Some(d(1.0)),
        );
        check(&d(1.0), &int(1), None);
        check(&range(0, 2), &CapsValue::double_range(0.0, 2.0), None);
    }

    #[test]
    fn fraction_table() {
        let f = |n, d| CapsValue::Fraction(fr(n, d));
        let any_rate = CapsValue::fraction_range(fr(0, 1), fr(i32::MAX, 1));
        check(&f(30, 1), &f(60, 2), Some(f(30, 1)));
        check(&f(30, 1), &f(25, 1), None);
        check(&f(30000, 1001), &any_rate, Some(f(30000, 1001)));
        check(&f(-1, 1), &any_rate, None);
        check(
            &CapsValue::fraction_range(fr(0, 1), fr(30, 1)),
            &CapsValue::fraction_range(fr(25, 1), fr(60, 1)),
            Some(CapsValue::fraction_range(fr(25, 1), fr(30, 1))),
        );
        check(
            &CapsValue::fraction_range(fr(0, 1), fr(30, 1)),
            &CapsValue::fraction_range(fr(30, 1), fr(60, 1)),
            Some(f(30, 1)),
        );
        check(&f(30, 1), &int(30), None);
    }

    #[test]
    fn string_and_bool_table() {
        check(&s("RGBA"), &s("RGBA"), Some(s("RGBA")));
        check(&s("RGBA"), &s("I420"), None);
        check(&s("1"), &int(1), None);
        let t = CapsValue::Bool(true);
        check(&t, &t, Some(t.clone()));
        check(&t, &CapsValue::Bool(false), None);
    }

    #[test]
    fn list_table() {
        let yuv = CapsValue::list(["I420", "NV12", "YUY2"]);
        check(&yuv, &s("NV12"), Some(s("NV12")));
        check(&yuv, &s("RGBA"), None);
        // Order follows the left operand.
        let other = CapsValue::list(["YUY2", "I420", "RGBA"]);
        assert_eq!(
            yuv.intersect(&other),
            Some(CapsValue::list(["I420", "YUY2"]))
        );
        assert_eq!(
            other.intersect(&yuv),
            Some(CapsValue::list(["YUY2", "I420"]))
        );
        // Ranges inside lists, duplicates dropped, nested lists flattened.
        let rates = CapsValue::list([int(44100), int(48000), int(96000)]);
        assert_eq!(
            rates.intersect(&range(1, 48000)),
            Some(CapsValue::list([44100, 48000]))
        );
        let mixed = CapsValue::List(vec![range(1, 10), int(5), CapsValue::list([7, 8])]);
        assert_eq!(
            mixed.intersect(&CapsValue::list([5, 7])),
            Some(CapsValue::list([5, 7]))
        );
        check(&CapsValue::List(vec![]), &int(1), None);
    }

    #[test]
    fn subset_table() {
        assert!(int(5).is_subset(&range(1, 10)));
        assert!(!int(5).is_subset(&stepped(0, 10, 2)));
        assert!(range(2, 4).is_subset(&range(1, 10)));
        assert!(!range(2, 40).is_subset(&range(1, 10)));
        assert!(stepped(0, 8, 4).is_subset(&stepped(0, 10, 2)));
        assert!(!stepped(0, 9, 3).is_subset(&stepped(0, 10, 2)));
        assert!(stepped(4, 5, 2).is_subset(&int(4)));
        assert!(!range(4, 5).is_subset(&int(4)));
        assert!(
            range(5, 1).is_subset(&int(0)),
            "an empty range is in everything"
        );
        assert!(s("NV12").is_subset(&CapsValue::list(["I420", "NV12"])));
        assert!(CapsValue::list(["NV12"]).is_subset(&CapsValue::list(["I420", "NV12"])));
        assert!(!CapsValue::list(["NV12", "RGBA"]).is_subset(&CapsValue::list(["NV12"])));
        assert!(range(1, 4).is_subset(&CapsValue::List(vec![int(0), range(0, 8)])));
        assert!(!range(1, 4).is_subset(&CapsValue::List(vec![range(1, 2), range(3, 4)])));
        let dr = CapsValue::double_range(0.0, 1.0);
        assert!(CapsValue::Double(0.5).is_subset(&dr));
        assert!(CapsValue::double_range(0.25, 0.5).is_subset(&dr));
        assert!(!dr.is_subset(&CapsValue::Double(0.0)));
        let rates = CapsValue::fraction_range(fr(0, 1), fr(60, 1));
        assert!(CapsValue::Fraction(fr(30, 1)).is_subset(&rates));
        assert!(CapsValue::fraction_range(fr(1, 1), fr(30, 1)).is_subset(&rates));
        assert!(!rates.is_subset(&CapsValue::Fraction(fr(30, 1))));
        assert!(!int(1).is_subset(&CapsValue::Double(1.0)));
        assert!(CapsValue::Bool(true).is_subset(&CapsValue::Bool(true)));
    }
}
