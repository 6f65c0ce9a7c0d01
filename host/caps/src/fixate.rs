//! Fixation: turning ranges and lists into single values, either by GStreamer's
//! default (first list entry, range minimum) or towards a value an element prefers.
//!
//! Key design decision: the `fixate_field_*` helpers search *inside* lists, ranges
//! included, and respect integer steps, so `{ [ 1, 100 ], 1920 }` fixated towards 640
//! gives 640 rather than GStreamer's answer of 1920 (which only looks at list entries
//! that are already fixed). Ties keep the earlier, preferred, alternative.

use super::intersect::Progression;
use super::{CapsValue, Fraction, Structure};

impl CapsValue {
    /// A single value from this one, GStreamer's default way: a list's first entry
    /// (fixated in turn), a range's minimum. Fixed values are returned unchanged, and
    /// so is an empty list, which has nothing to choose.
    pub fn fixate(&self) -> CapsValue {
        match self {
            CapsValue::List(items) => items.first().map_or_else(|| self.clone(), Self::fixate),
            CapsValue::IntRange { min, .. } => CapsValue::Int(*min),
            CapsValue::DoubleRange { min, .. } => CapsValue::Double(*min),
            CapsValue::FractionRange { min, .. } => CapsValue::Fraction(*min),
            other => other.clone(),
        }
    }
}

/// The member of `v` closest to `target`, or `None` if `v` holds no integer.
fn nearest_int(v: &CapsValue, target: i64) -> Option<i64> {
    match v {
        CapsValue::Int(i) => Some(*i),
        CapsValue::IntRange { min, max, step } => {
            let p = Progression::new(*min, *max, *step)?;
            let t = target.clamp(p.min, p.last);
            let (t, min, step) = (i128::from(t), i128::from(p.min), i128::from(p.step));
            let below = min + (t - min) / step * step;
            let above = below + step;
            let pick = if above <= i128::from(p.last) && above - t < t - below {
                above
            } else {
                below
            };
            // `pick` is a member of the progression, hence within i64.
            i64::try_from(pick).ok()
        }
        CapsValue::List(items) => items
            .iter()
            .filter_map(|item| nearest_int(item, target))
            // `min_by_key` keeps the first of equal keys, i.e. the preferred entry.
            .min_by_key(|c| (i128::from(*c) - i128::from(target)).abs()),
        _ => None,
    }
}

/// `|a - b|` as an exact rational `(numerator, denominator)`, or `None` when either
/// fraction has a zero denominator.
fn fraction_distance(a: Fraction, b: Fraction) -> Option<(i128, i128)> {
    let (an, ad) = a.normalized();
    let (bn, bd) = b.normalized();
    if ad == 0 || bd == 0 {
        return None;
    }
    let num = i128::from(an) * i128::from(bd) - i128::from(bn) * i128::from(ad);
    Some((num.abs(), i128::from(ad) * i128::from(bd)))
}

/// The member of `v` closest to `target`, or `None` if `v` holds no fraction.
fn nearest_fraction(v: &CapsValue, target: Fraction) -> Option<Fraction> {
    match v {
        CapsValue::Fraction(f) => Some(*f),
        CapsValue::FractionRange { min, max } if min <= max => Some(target.clamp(*min, *max)),
        CapsValue::List(items) => {
            let mut best: Option<(Fraction, Option<(i128, i128)>)> = None;
            for candidate in items.iter().filter_map(|i| nearest_fraction(i, target)) {
                let dist = fraction_distance(candidate, target);
                let closer = match (&best, dist) {
                    (None, _) => true,
                    // Numerators are below 2^64 and denominators below 2^62, so the
                    // cross products stay below 2^126.
                    (Some((_, Some((bn, bd)))), Some((n, d))) => n * bd < bn * d,
                    // A valid distance beats an unmeasurable one.
                    (Some((_, None)), Some(_)) => true,
                    (Some(_), None) => false,
                };
                if closer {
                    best = Some((candidate, dist));
                }
            }
            best.map(|(f, _)| f)
        }
        _ => None,
    }
}

/// `preferred` if `v` allows it, else the first string `v` holds.
fn pick_str(v: &CapsValue, preferred: &str) -> Option<String> {
    let preferred_value = CapsValue::Str(preferred.to_owned());
    if preferred_value.is_subset(v) {
        return Some(preferred.to_owned());
    }
    first_str(v).map(str::to_owned)
}

fn first_str(v: &CapsValue) -> Option<&str> {
    match v {
        CapsValue::Str(s) => Some(s),
        CapsValue::List(items) => items.iter().find_map(first_str),
        _ => None,
    }
}

impl Structure {
    /// A copy with every field fixated the default way ([`CapsValue::fixate`]).
    pub fn fixate(&self) -> Structure {
        let mut out = Structure::new(self.name());
        for (name, v) in self.fields() {
            out.set(name, v.fixate());
        }
        out
    }

    /// Fixates an integer field to the allowed value nearest `target` (clamped into a
    /// range, rounded onto its step, or the closest list entry; ties keep the lower /
    /// earlier one). Returns `false`, changing nothing, if the field is absent or holds
    /// no integer.
    pub fn fixate_field_nearest_int(&mut self, f: &str, target: i64) -> bool {
        let Some(v) = self.get(f).and_then(|v| nearest_int(v, target)) else {
            return false;
        };
        self.set(f, v);
        true
    }

    /// Fixates a fraction field to the allowed value nearest `target`, like
    /// [`Structure::fixate_field_nearest_int`]. Returns `false`, changing nothing, if
    /// the field is absent or holds no fraction.
    pub fn fixate_field_nearest_fraction(&mut self, f: &str, target: Fraction) -> bool {
        let Some(v) = self.get(f).and_then(|v| nearest_fraction(v, target)) else {
            return false;
        };
        self.set(f, v);
        true
    }

    /// Fixates a string field to `preferred` if allowed, else to its first string.
    /// Returns `false`, changing nothing, if the field is absent or holds no string.
    pub fn fixate_field_str(&mut self, f: &str, preferred: &str) -> bool {
        let Some(v) = self.get(f).and_then(|v| pick_str(v, preferred)) else {
            return false;
        };
        self.set(f, v);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(n: i32, d: i32) -> Fraction {
        Fraction::new(n, d)
    }

    #[test]
    fn default_fixate() {
        assert_eq!(CapsValue::int_range(16, 4096).fixate(), CapsValue::Int(16));
        assert_eq!(
            CapsValue::double_range(0.5, 1.0).fixate(),
            CapsValue::Double(0.5)
        );
        let rates = CapsValue::fraction_range(fr(1, 1), fr(60, 1));
        assert_eq!(rates.fixate(), CapsValue::Fraction(fr(1, 1)));
        assert_eq!(
            CapsValue::list(["NV12", "I420"]).fixate(),
            CapsValue::from("NV12")
        );
        let nested = CapsValue::List(vec![CapsValue::int_range(8, 9), CapsValue::Int(1)]);
        assert_eq!(nested.fixate(), CapsValue::Int(8));
        assert_eq!(CapsValue::List(vec![]).fixate(), CapsValue::List(vec![]));
        assert_eq!(CapsValue::from("x").fixate(), CapsValue::from("x"));
    }

    #[test]
    fn structure_fixate() {
        let s = Structure::new("video/x-raw")
            .with("format", vec!["I420", "NV12"])
            .with("width", CapsValue::int_range(1, 4096))
            .with("framerate", fr(25, 1));
        let fixed = s.fixate();
        assert!(fixed.is_fixed());
        assert_eq!(
            fixed,
            Structure::new("video/x-raw")
                .with("format", "I420")
                .with("width", 1)
                .with("framerate", fr(25, 1))
        );
    }

    fn nearest(v: CapsValue, target: i64) -> Option<i64> {
        let mut s = Structure::new("a/b").with("x", v);
        s.fixate_field_nearest_int("x", target)
            .then(|| s.get_int("x"))
            .flatten()
    }

    #[test]
    fn nearest_int() {
        assert_eq!(nearest(CapsValue::int_range(1, 4096), 640), Some(640));
        assert_eq!(nearest(CapsValue::int_range(1, 4096), 10_000), Some(4096));
        assert_eq!(nearest(CapsValue::int_range(16, 4096), 0), Some(16));
        assert_eq!(nearest(CapsValue::int_range_step(0, 100, 16), 30), Some(32));
        assert_eq!(
            nearest(CapsValue::int_range_step(0, 100, 16), 24),
            Some(16),
            "tie"
        );
        assert_eq!(
            nearest(CapsValue::int_range_step(0, 100, 16), 100),
            Some(96)
        );
        assert_eq!(
            nearest(CapsValue::int_range_step(5, 9, 2), i64::MIN),
            Some(5)
        );
        assert_eq!(
            nearest(CapsValue::int_range(i64::MIN, i64::MAX), i64::MAX),
            { Some(i64::MAX) }
        );
        assert_eq!(
            nearest(CapsValue::list([44100, 48000, 96000]), 47000),
            Some(48000)
        );
        assert_eq!(
            nearest(CapsValue::list([10, 20]), 15),
            Some(10),
            "tie keeps first"
        );
        let mixed = CapsValue::List(vec![CapsValue::int_range(1, 100), CapsValue::Int(1920)]);
        assert_eq!(nearest(mixed, 640), Some(100));
        assert_eq!(nearest(CapsValue::Int(7), 640), Some(7));
        assert_eq!(nearest(CapsValue::from("x"), 640), None);
        assert_eq!(nearest(CapsValue::int_range(9, 1), 5), None);
        let mut s = Structure::new("a/b");
        assert!(!s.fixate_field_nearest_int("missing", 1));
    }

    fn nearest_frac(v: CapsValue, target: Fraction) -> Option<Fraction> {
        let mut s = Structure::new("a/b").with("x", v);
        s.fixate_field_nearest_fraction("x", target)
            .then(|| s.get_fraction("x"))
            .flatten()
    }

    #[test]
    fn nearest_fraction() {
        let any = CapsValue::fraction_range(fr(0, 1), fr(i32::MAX, 1));
        assert_eq!(nearest_frac(any, fr(30, 1)), Some(fr(30, 1)));
        let low = CapsValue::fraction_range(fr(1, 1), fr(25, 1));
        assert_eq!(nearest_frac(low, fr(30, 1)), Some(fr(25, 1)));
        let list = CapsValue::list([fr(24, 1), fr(30000, 1001), fr(60, 1)]);
        assert_eq!(nearest_frac(list.clone(), fr(30, 1)), Some(fr(30000, 1001)));
        assert_eq!(
            nearest_frac(list, fr(1, 0)),
            Some(fr(24, 1)),
            "bad target: first"
        );
        let tie = CapsValue::list([fr(20, 1), fr(40, 1)]);
        assert_eq!(nearest_frac(tie, fr(30, 1)), Some(fr(20, 1)));
        let extreme = CapsValue::list([fr(i32::MIN, 1), fr(i32::MAX, 1)]);
        assert_eq!(
            nearest_frac(extreme, fr(1, i32::MAX)),
            Some(fr(i32::MAX, 1))
        );
        assert_eq!(nearest_frac(CapsValue::Int(3), fr(1, 1)), None);
    }

    #[test]
    fn fixate_str() {
        let mut s = Structure::new("video/x-raw").with("format", vec!["I420", "NV12"]);
        assert!(s.fixate_field_str("format", "NV12"));
        assert_eq!(s.get_str("format"), Some("NV12"));
        let mut s = Structure::new("video/x-raw").with("format", vec!["I420", "NV12"]);
        assert!(s.fixate_field_str("format", "RGBA"));
        assert_eq!(s.get_str("format"), Some("I420"));
        let mut s = Structure::new("video/x-raw").with("width", 5);
        assert!(!s.fixate_field_str("width", "RGBA"));
        assert!(!s.fixate_field_str("format", "RGBA"));
    }
}
