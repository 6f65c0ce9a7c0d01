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
    // Samples are i32: the frame decoder sends 33-bit subframes to `decode_wide`.
    if bits > 32 || wasted >= 32 {
        return Err(FrameError::Unsupported("subframe of more than 32 bits"));
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

/// A subframe of 33 bits per sample (the side channel of a 32-bit stream) into i64
/// samples: rare, so the plain way.
pub(super) fn decode_wide(
    r: &mut BitReader<'_>,
    bits: u32,
    out: &mut [i64],
) -> Result<(), FrameError> {
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
    let mut coefs = [0i64; 32];
    let (coefs, shift) = match kind {
        0 => {
            out.fill(r.read_signed_wide(bits)?);
            (&coefs[..0], 0)
        }
        1 => {
            for o in out.iter_mut() {
                *o = r.read_signed_wide(bits)?;
            }
            (&coefs[..0], 0)
        }
        8..=12 => {
            let order = (kind - 8) as usize;
            warm_up_wide(r, bits, order, out)?;
            (predict::FIXED_COEFS[order], 0)
        }
        32..=63 => {
            let order = (kind - 31) as usize;
            warm_up_wide(r, bits, order, out)?;
            let precision = r.read(4)? + 1;
            if precision == 16 {
                return Err(FrameError::Corrupt("invalid LPC coefficient precision"));
            }
            let shift = r.read_signed(5)?;
            if shift < 0 {
                return Err(FrameError::Corrupt("negative LPC shift"));
            }
            for c in &mut coefs[..order] {
                *c = i64::from(r.read_signed(precision)?);
            }
            (&coefs[..order], shift as u32)
        }
        _ => return Err(FrameError::Corrupt("reserved subframe type")),
    };
    if kind >= 8 {
        residual_with(r, coefs.len(), out, |r, coding, dst| {
            for o in dst {
                *o = match coding {
                    Coding::Rice(k) => r.read_rice_wide(k)?,
                    Coding::Raw(n) => i64::from(r.read_signed(n)?),
                };
            }
            Ok(())
        })?;
        predict::restore_wide(coefs, shift, out);
    }
    for o in out.iter_mut() {
        *o <<= wasted;
    }
    Ok(())
}

fn warm_up_wide(
    r: &mut BitReader<'_>,
    bits: u32,
    order: usize,
    out: &mut [i64],
) -> Result<(), FrameError> {
    let Some(warm) = out.get_mut(..order) else {
        return Err(FrameError::Corrupt("predictor order above the block size"));
    };
    for o in warm {
        *o = r.read_signed_wide(bits)?;
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

/// How one residual partition is coded.
#[derive(Debug, Clone, Copy)]
enum Coding {
    /// Rice codes with this parameter.
    Rice(u32),
    /// The escape: plain signed numbers of this many bits.
    Raw(u32),
}

/// The partitioned Rice residual after `order` warm-up samples, into `out[order..]`.
fn residual(r: &mut BitReader<'_>, order: usize, out: &mut [i32]) -> Result<(), FrameError> {
    residual_with(r, order, out, |r, coding, dst| match coding {
        Coding::Rice(k) => r.read_rice(k, dst),
        Coding::Raw(n) => {
            for o in dst {
                *o = r.read_signed(n)?;
            }
            Ok(())
        }
    })
}

/// The partition structure of a residual; `part` reads one partition's samples.
fn residual_with<T>(
    r: &mut BitReader<'_>,
    order: usize,
    out: &mut [T],
    mut part: impl FnMut(&mut BitReader<'_>, Coding, &mut [T]) -> Result<(), FrameError>,
) -> Result<(), FrameError> {
    let param_bits = match r.read(2)? {
        0 => 4,
        1 => 5,
        _ => return Err(FrameError::Corrupt("reserved residual coding method")),
    };
    let escape = (1 << param_bits) - 1;
    let partition_order = r.read(4)?;
    let n = out.len();
    let len = n >> partition_order;
    if len == 0 || len << partition_order != n || len < order {
        return Err(FrameError::Corrupt(
            "residual partitions do not fit the block",
        ));
    }
    let mut at = order;
    for dst in out.chunks_mut(len) {
        let dst = &mut dst[at..];
        at = 0;
        let k = r.read(param_bits)?;
        let coding = if k == escape {
            Coding::Raw(r.read(5)?)
        } else {
            Coding::Rice(k)
        };
        part(r, coding, dst)?;
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
