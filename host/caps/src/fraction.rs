//! [`Fraction`]: an exact `num/den` rational, the value type of framerates and pixel
//! aspect ratios.
//!
//! Key design decision: equality and ordering are by *value* (cross-multiplication in
//! `i64`), not by representation, so `30/1 == 60/2`. That matches how GStreamer
//! compares fractions and lets ranges and intersections work without reducing first.

use std::cmp::Ordering;
use std::fmt;

/// An exact rational number `num/den`, as used by `framerate` and `pixel-aspect-ratio`.
///
/// Compared by value: `Fraction::new(30, 1) == Fraction::new(60, 2)`. A zero
/// denominator is invalid (the parser rejects it); such values still compare totally,
/// as `-inf` (`n/0`, `n < 0`), `+inf` (`n > 0`) and `0/0` (above everything), so sorting
/// and ranges never panic.
#[derive(Debug, Clone, Copy)]
pub struct Fraction {
    /// Numerator.
    pub num: i32,
    /// Denominator; zero is invalid.
    pub den: i32,
}

impl Fraction {
    /// Creates `num/den` as given, without reducing it (so it prints back the same).
    pub const fn new(num: i32, den: i32) -> Self {
        Fraction { num, den }
    }

    /// The value as a float; `den == 0` gives an infinity or NaN.
    pub fn to_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }

    /// Numerator and denominator widened to `i64` with the sign moved onto the
    /// numerator, so cross-multiplication compares correctly without overflow.
    pub(crate) fn normalized(self) -> (i64, i64) {
        let (n, d) = (i64::from(self.num), i64::from(self.den));
        if d < 0 { (-n, -d) } else { (n, d) }
    }

    /// Rank used to order invalid (zero-denominator) fractions totally.
    fn class(self) -> u8 {
        match (self.den, self.num.signum()) {
            (0, -1) => 0,
            (0, 1) => 2,
            (0, _) => 3,
            _ => 1,
        }
    }
}

impl PartialEq for Fraction {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Fraction {}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> Ordering {
        let (ca, cb) = (self.class(), other.class());
        if ca != 1 || cb != 1 {
            return ca.cmp(&cb);
        }
        let (an, ad) = self.normalized();
        let (bn, bd) = other.normalized();
        // |n| <= 2^31 and d <= 2^31 after normalising, so each product fits in i64.
        (an * bd).cmp(&(bn * ad))
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_by_value() {
        assert_eq!(Fraction::new(30, 1), Fraction::new(60, 2));
        assert_eq!(Fraction::new(1, -2), Fraction::new(-1, 2));
        assert_ne!(Fraction::new(30000, 1001), Fraction::new(30, 1));
    }

    #[test]
    fn ordered_by_value() {
        assert!(Fraction::new(30000, 1001) < Fraction::new(30, 1));
        assert!(Fraction::new(-1, 2) < Fraction::new(0, 1));
        assert!(Fraction::new(1, -2) < Fraction::new(1, 3));
        let extreme = Fraction::new(i32::MIN, 1);
        assert!(extreme < Fraction::new(i32::MAX, 1));
        assert!(Fraction::new(i32::MIN, -1) > Fraction::new(i32::MAX, 1));
    }

    #[test]
    fn zero_denominator_is_totally_ordered() {
        let neg_inf = Fraction::new(-1, 0);
        let pos_inf = Fraction::new(5, 0);
        let nan = Fraction::new(0, 0);
        assert!(neg_inf < Fraction::new(i32::MIN, 1));
        assert!(pos_inf > Fraction::new(i32::MAX, 1));
        assert!(nan > pos_inf);
        assert_eq!(Fraction::new(1, 0), Fraction::new(7, 0));
        assert_eq!(nan, nan);
    }

    #[test]
    fn display_keeps_representation() {
        assert_eq!(Fraction::new(30, 1).to_string(), "30/1");
        assert_eq!(Fraction::new(60, 2).to_string(), "60/2");
        assert_eq!(Fraction::new(30000, 1001).to_f64(), 30000.0 / 1001.0);
    }
}
