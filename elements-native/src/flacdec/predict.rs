//! Restoring samples from residuals: the FIXED polynomial predictors and LPC.
//!
//! A key design decision: the predictor runs in place over the channel buffer (warm-up
//! samples, then residuals), specialised by order so the coefficients and the last
//! samples stay in registers. LPC sums in i64 whatever the sample size: scalar i64
//! multiplies cost what i32 ones do, and the i32 version that libFLAC picks when the
//! sums cannot overflow was slower here (LLVM vectorised its history into SSE2 shuffles
//! on the loop-carried chain; measured in docs/benchmarks.md). All arithmetic wraps, so
//! a corrupt stream gives wrong samples, never a panic.

/// FIXED predictor of `order` (0..=4) over `s`, whose first `order` samples are warm-up.
pub(super) fn fixed(order: usize, s: &mut [i32]) {
    match order {
        1 => fixed_n::<1>([1], s),
        2 => fixed_n::<2>([2, -1], s),
        3 => fixed_n::<3>([3, -3, 1], s),
        4 => fixed_n::<4>([4, -6, 4, -1], s),
        _ => {}
    }
}

/// The FIXED predictors have small integer coefficients and no shift, so i32 wrapping
/// arithmetic gives the exact result whenever the result fits (always, on valid input).
fn fixed_n<const N: usize>(c: [i32; N], s: &mut [i32]) {
    let Some((warm, rest)) = s.split_at_mut_checked(N) else {
        return;
    };
    // hist[j] is the sample j + 1 before the current one.
    let mut hist = [0i32; N];
    for (h, w) in hist.iter_mut().zip(warm.iter().rev()) {
        *h = *w;
    }
    for x in rest {
        let mut p = 0i32;
        for j in 0..N {
            p = p.wrapping_add(c[j].wrapping_mul(hist[j]));
        }
        let v = x.wrapping_add(p);
        *x = v;
        for j in (1..N).rev() {
            hist[j] = hist[j - 1];
        }
        hist[0] = v;
    }
}

/// LPC with `coefs` (order 1..=32, `coefs[0]` for the previous sample) and `shift`
/// (0..=15) over `s`, whose first `coefs.len()` samples are warm-up.
pub(super) fn lpc(coefs: &[i32], shift: u32, s: &mut [i32]) {
    macro_rules! by_order {
        ($($n:literal)*) => {
            match coefs.len() {
                $($n => {
                    let mut c = [0i32; $n];
                    c.copy_from_slice(coefs);
                    lpc_n::<$n>(&c, shift, s)
                })*
                _ => lpc_any(coefs, shift, s),
            }
        };
    }
    by_order!(1 2 3 4 5 6 7 8 9 10 11 12);
}

fn lpc_n<const N: usize>(c: &[i32; N], shift: u32, s: &mut [i32]) {
    let Some((warm, rest)) = s.split_at_mut_checked(N) else {
        return;
    };
    let c = c.map(i64::from);
    // hist[j] is the sample j + 1 before the current one.
    let mut hist = [0i64; N];
    for (h, w) in hist.iter_mut().zip(warm.iter().rev()) {
        *h = i64::from(*w);
    }
    for x in rest {
        // The oldest terms first: the newest sample's product ends the sum, so the
        // loop-carried chain is one multiply and one add.
        let mut p = 0i64;
        for j in (0..N).rev() {
            p = p.wrapping_add(c[j].wrapping_mul(hist[j]));
        }
        let v = x.wrapping_add((p >> shift) as i32);
        *x = v;
        for j in (1..N).rev() {
            hist[j] = hist[j - 1];
        }
        hist[0] = i64::from(v);
    }
}

/// Any order, in i64: the rare orders above 12.
fn lpc_any(coefs: &[i32], shift: u32, s: &mut [i32]) {
    let n = coefs.len();
    for i in n..s.len() {
        let p = coefs
            .iter()
            .zip(s[i - n..i].iter().rev())
            .fold(0i64, |p, (&c, &x)| {
                p.wrapping_add(i64::from(c).wrapping_mul(i64::from(x)))
            });
        s[i] = s[i].wrapping_add((p >> shift) as i32);
    }
}

/// A predictor over i64 samples, the plain way: the 33-bit side channel of a 32-bit
/// stream (FIXED is `coefs` [1], [2, -1], ... with shift 0).
pub(super) fn restore_wide(coefs: &[i64], shift: u32, s: &mut [i64]) {
    let n = coefs.len();
    for i in n..s.len() {
        let p = coefs
            .iter()
            .zip(s[i - n..i].iter().rev())
            .fold(0i64, |p, (&c, &x)| p.wrapping_add(c.wrapping_mul(x)));
        s[i] = s[i].wrapping_add(p >> shift);
    }
}

/// The FIXED predictor of `order` (0..=4) as LPC coefficients.
pub(super) const FIXED_COEFS: [&[i64]; 5] = [&[], &[1], &[2, -1], &[3, -3, 1], &[4, -6, 4, -1]];

#[cfg(test)]
mod tests {
    use super::{fixed, lpc};

    /// The predictors written the plain way, in i64.
    fn reference(coefs: &[i64], shift: u32, s: &mut [i32]) {
        for i in coefs.len()..s.len() {
            let p: i64 = (0..coefs.len())
                .map(|j| coefs[j] * i64::from(s[i - 1 - j]))
                .sum();
            s[i] += (p >> shift) as i32;
        }
    }

    fn signal(len: usize) -> Vec<i32> {
        let mut x = 12345u32;
        (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 20) as i32 - 2048
            })
            .collect()
    }

    #[test]
    fn every_order_matches_the_plain_predictor() {
        let fixed_coefs: [&[i64]; 5] = [&[], &[1], &[2, -1], &[3, -3, 1], &[4, -6, 4, -1]];
        for (order, c) in fixed_coefs.iter().enumerate() {
            let mut a = signal(300);
            let mut b = a.clone();
            let mut w: Vec<i64> = a.iter().map(|&x| i64::from(x)).collect();
            fixed(order, &mut a);
            reference(c, 0, &mut b);
            assert_eq!(a, b, "fixed order {order}");
            super::restore_wide(super::FIXED_COEFS[order], 0, &mut w);
            // Order 4 over noise outgrows 32 bits; FIXED is exact modulo 2^32.
            assert!(
                w.iter().zip(&a).all(|(&w, &a)| w as i32 == a),
                "wide fixed {order}"
            );
        }
        for order in 1..=32usize {
            let coefs: Vec<i32> = (0..order).map(|j| (j as i32 * 37 % 29) - 14).collect();
            let wide: Vec<i64> = coefs.iter().map(|&c| i64::from(c)).collect();
            for len in [200, 201, order + 1, order, 1] {
                let mut a = signal(len);
                let mut b = a.clone();
                let mut w: Vec<i64> = a.iter().map(|&x| i64::from(x)).collect();
                lpc(&coefs, 9, &mut a);
                reference(&wide, 9, &mut b);
                super::restore_wide(&wide, 9, &mut w);
                assert!(
                    w.iter().zip(&a).all(|(&w, &a)| w == i64::from(a)),
                    "wide lpc {order}"
                );
                assert_eq!(a, b, "lpc order {order}, {len} samples");
            }
        }
    }
}
