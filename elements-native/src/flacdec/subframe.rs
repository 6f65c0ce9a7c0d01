//! One subframe (one channel of a frame): CONSTANT, VERBATIM, FIXED or LPC, with
//! wasted bits and partitioned Rice residuals decoded straight into the channel buffer,
//! then restored in place.

use super::bits::BitReader;
use super::error::FrameError;
use super::predict;

/// Decodes a subframe of `bits` bits per sample into `out` (one sample per element).
pub(super) fn decode(r: &mut BitReader<'_>, bits: u32, out: &mut [i32]) -> Result<(), FrameError> {
    let head = r.read(8)?;
    if head & 0x80 != 0 {
        return Err(FrameError::Corrupt("subframe padding bit set"));
    }
    let kind = (head >> 1) & 0x3f;
    let wasted = if head & 1 != 0 {
        r.read_unary(bits)? + 1
    } else {
        0
    };
    if wasted >= bits {
        return Err(FrameError::Corrupt("wasted bits exceed the sample size"));
    }
    let bits = bits - wasted;
    // Samples are i32: a 33-bit side channel fits only with no wasted bit dropped
    // below bit 32 either.
    if bits > 32 || wasted >= 32 {
        return Err(FrameError::Unsupported(
            "33-bit side channel of a 32-bit stream",
        ));
    }
    match kind {
        0 => out.fill(r.read_signed(bits)?),
        1 => {
            for o in out.iter_mut() {
                *o = r.read_signed(bits)?;
            }
        }
        8..=12 => {
            let order = (kind - 8) as usize;
            warm_up(r, bits, order, out)?;
            residual(r, order, out)?;
            predict::fixed(order, out);
        }
        32..=63 => {
            let order = (kind - 31) as usize;
            warm_up(r, bits, order, out)?;
            let precision = r.read(4)? + 1;
            if precision == 16 {
                return Err(FrameError::Corrupt("invalid LPC coefficient precision"));
            }
            let shift = r.read_signed(5)?;
            if shift < 0 {
                return Err(FrameError::Corrupt("negative LPC shift"));
            }
            let mut coefs = [0i32; 32];
            for c in &mut coefs[..order] {
                *c = r.read_signed(precision)?;
            }
            residual(r, order, out)?;
            predict::lpc(&coefs[..order], shift as u32, out);
        }
        _ => return Err(FrameError::Corrupt("reserved subframe type")),
    }
    if wasted > 0 {
        for o in out.iter_mut() {
            *o <<= wasted;
        }
    }
    Ok(())
}

fn warm_up(
    r: &mut BitReader<'_>,
    bits: u32,
    order: usize,
    out: &mut [i32],
) -> Result<(), FrameError> {
    let Some(warm) = out.get_mut(..order) else {
        return Err(FrameError::Corrupt("predictor order above the block size"));
    };
    for o in warm {
        *o = r.read_signed(bits)?;
    }
    Ok(())
}

/// The partitioned Rice residual after `order` warm-up samples, into `out[order..]`.
fn residual(r: &mut BitReader<'_>, order: usize, out: &mut [i32]) -> Result<(), FrameError> {
    let param_bits = match r.read(2)? {
        0 => 4,
        1 => 5,
        _ => return Err(FrameError::Corrupt("reserved residual coding method")),
    };
    let escape = (1 << param_bits) - 1;
    let partition_order = r.read(4)?;
    let n = out.len();
    let part = n >> partition_order;
    if part << partition_order != n || part < order {
        return Err(FrameError::Corrupt(
            "residual partitions do not fit the block",
        ));
    }
    let mut at = order;
    for dst in out.chunks_mut(part) {
        let dst = &mut dst[at..];
        at = 0;
        let k = r.read(param_bits)?;
        if k == escape {
            let raw = r.read(5)?;
            for o in dst {
                *o = r.read_signed(raw)?;
            }
        } else {
            r.read_rice(k, dst)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::flacdec::bits::BitReader;
    use crate::flacdec::error::FrameError;

    #[test]
    fn constant_and_wasted_bits() {
        // CONSTANT with 2 wasted bits (unary "01"), 6-bit value -3 -> -12.
        let data = [0b0000_0001, 0b0111_1101, 0];
        let mut out = [0; 4];
        decode(&mut BitReader::new(&data), 8, &mut out).unwrap();
        assert_eq!(out, [-12; 4]);
        // Found by fuzzing: 32 wasted bits of a 33-bit side channel.
        let mut data = vec![0b0000_0001, 0, 0, 0, 0b0000_0001, 0xff];
        data.resize(16, 0);
        assert!(matches!(
            decode(&mut BitReader::new(&data), 33, &mut out),
            Err(FrameError::Unsupported(_))
        ));
    }
}
