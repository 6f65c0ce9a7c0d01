//! Safe views of one `process` call: the input buffer and the output slots.
//!
//! They hold ordinary slices: the SDK forms them (in `window`) only after checking the
//! host's offsets, and tests build them over their own `Vec`s with [`InputBuffer::new`]
//! and [`Outputs::new`].

use crate::{FlowError, Meta};

/// The buffer being processed: read-only bytes, its timing and the sink pad it came on.
#[derive(Debug, Clone, Copy)]
pub struct InputBuffer<'a> {
    pad: u32,
    data: &'a [u8],
    meta: Meta,
}

impl<'a> InputBuffer<'a> {
    /// A buffer over `data` (the SDK makes these; tests may too).
    pub fn new(pad: u32, data: &'a [u8], meta: Meta) -> Self {
        InputBuffer { pad, data, meta }
    }

    /// The bytes. On the zero-copy path they are the host's arena slot, mapped read-only:
    /// no copy was made.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Timing and flags.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The sink pad index it arrived on (0 for single-input elements).
    pub fn pad(&self) -> u32 {
        self.pad
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// One buffer an element produced in `process`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Produced {
    /// The input, forwarded unchanged.
    Input {
        /// Src pad index.
        pad: u32,
        /// Timing and flags.
        meta: Meta,
    },
    /// Bytes written into output slot `index`.
    Written {
        /// Src pad index.
        pad: u32,
        /// Index of the slot (0: the host lends one slot per call).
        index: u32,
        /// Bytes written.
        len: u32,
        /// Timing and flags.
        meta: Meta,
    },
}

/// The empty writable slots of one `process` call, and what the element produced.
///
/// Each slot can be filled once ([`Outputs::write`] or [`Outputs::next_slot`]); the input
/// can be forwarded any number of times without a copy ([`Outputs::forward_input`]).
#[derive(Debug)]
pub struct Outputs<'a> {
    slots: Slots<'a>,
    input_meta: Meta,
    /// The first output, while it is the only one (no allocation for the usual call).
    first: Option<Produced>,
    /// Every output, once there are two or more (`first` is then `None`).
    more: Vec<Produced>,
}

/// The slots of one call: the one the host lends (no allocation), or any list (tests).
#[derive(Debug)]
enum Slots<'a> {
    One(Option<&'a mut [u8]>),
    Many(Vec<Option<&'a mut [u8]>>),
}

impl<'a> Slots<'a> {
    fn as_slice(&self) -> &[Option<&'a mut [u8]>] {
        match self {
            Slots::One(s) => core::slice::from_ref(s),
            Slots::Many(v) => v,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Option<&'a mut [u8]>] {
        match self {
            Slots::One(s) => core::slice::from_mut(s),
            Slots::Many(v) => v,
        }
    }
}

/// What one call produced, in the form the WIT result takes (`nothing` / `one` / `many`).
#[derive(Debug)]
pub(crate) enum Batch {
    /// No output.
    Nothing,
    /// Exactly one.
    One(Produced),
    /// Two or more, in order.
    Many(Vec<Produced>),
}

impl<'a> Outputs<'a> {
    /// Outputs over these slots for an input with `input_meta` (the SDK makes these;
    /// tests may too).
    pub fn new(slots: Vec<&'a mut [u8]>, input_meta: Meta) -> Self {
        Outputs {
            slots: Slots::Many(slots.into_iter().map(Some).collect()),
            input_meta,
            first: None,
            more: Vec::new(),
        }
    }

    /// Outputs over the one slot the host lent, without allocating.
    pub(crate) fn single(slot: &'a mut [u8], input_meta: Meta) -> Self {
        Outputs {
            slots: Slots::One(Some(slot)),
            input_meta,
            first: None,
            more: Vec::new(),
        }
    }

    fn push(&mut self, p: Produced) {
        if self.more.is_empty() && self.first.is_none() {
            self.first = Some(p);
        } else {
            if let Some(first) = self.first.take() {
                self.more.push(first);
            }
            self.more.push(p);
        }
    }

    /// What was produced, as the WIT result needs it.
    pub(crate) fn into_batch(self) -> Batch {
        match self.first {
            Some(p) => Batch::One(p),
            None if self.more.is_empty() => Batch::Nothing,
            None => Batch::Many(self.more),
        }
    }

    /// Forwards the input unchanged on src pad 0 with its own meta: zero-copy passthrough.
    ///
    /// # Errors
    /// Never; the `Result` lets `process` end with `outputs.forward_input()`.
    pub fn forward_input(&mut self) -> Result<(), FlowError> {
        let meta = self.input_meta;
        self.forward_input_to(0, meta)
    }

    /// Forwards the input unchanged on src pad `pad` with `meta`.
    ///
    /// # Errors
    /// Never; see [`Outputs::forward_input`].
    pub fn forward_input_to(&mut self, pad: u32, meta: Meta) -> Result<(), FlowError> {
        self.push(Produced::Input { pad, meta });
        Ok(())
    }

    /// The first unfilled slot, if any.
    pub fn next_slot(&mut self) -> Option<OutputSlot<'_, 'a>> {
        let index = self.slots.as_slice().iter().position(Option::is_some)?;
        Some(OutputSlot {
            outputs: self,
            index,
        })
    }

    /// Fills the next slot: `f` gets its writable bytes (the slot's whole capacity) and
    /// returns how many it wrote; the buffer goes to src pad `pad` with `meta`. Returns the
    /// length written.
    ///
    /// # Errors
    /// When no slot is left or `f` returns more than the slot's capacity.
    pub fn write(
        &mut self,
        pad: u32,
        meta: Meta,
        f: impl FnOnce(&mut [u8]) -> usize,
    ) -> Result<usize, FlowError> {
        let mut slot = self
            .next_slot()
            .ok_or_else(|| FlowError::error("no output slot left"))?;
        let len = f(slot.as_mut_slice());
        slot.commit(pad, len, meta)?;
        Ok(len)
    }

    /// Capacity of the next unfilled slot, if any.
    pub fn next_capacity(&self) -> Option<usize> {
        self.slots
            .as_slice()
            .iter()
            .flatten()
            .next()
            .map(|s| s.len())
    }

    /// How many slots are still unfilled.
    pub fn slots_left(&self) -> usize {
        self.slots.as_slice().iter().flatten().count()
    }

    /// The input's timing and flags.
    pub fn input_meta(&self) -> &Meta {
        &self.input_meta
    }

    /// What was produced so far, in order.
    pub fn produced(&self) -> &[Produced] {
        match &self.first {
            Some(p) => core::slice::from_ref(p),
            None => &self.more,
        }
    }

    /// What was produced, in order (the SDK hands this to the host).
    pub fn into_produced(self) -> Vec<Produced> {
        match self.into_batch() {
            Batch::Nothing => Vec::new(),
            Batch::One(p) => vec![p],
            Batch::Many(v) => v,
        }
    }
}

/// An unfilled output slot: write into [`as_mut_slice`](OutputSlot::as_mut_slice), then
/// [`commit`](OutputSlot::commit). Dropping it without a commit leaves the slot unfilled.
#[derive(Debug)]
pub struct OutputSlot<'o, 'a> {
    outputs: &'o mut Outputs<'a>,
    index: usize,
}

impl OutputSlot<'_, '_> {
    /// The slot's writable bytes (its whole capacity; contents are unspecified).
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        match self.outputs.slots.as_mut_slice().get_mut(self.index) {
            Some(Some(s)) => s,
            // `next_slot` only makes an `OutputSlot` for an unfilled slot.
            _ => &mut [],
        }
    }

    /// Bytes that may be written.
    pub fn capacity(&self) -> usize {
        match self.outputs.slots.as_slice().get(self.index) {
            Some(Some(s)) => s.len(),
            _ => 0,
        }
    }

    /// Hands the first `len` bytes to src pad `pad` with `meta`.
    ///
    /// # Errors
    /// When `len` exceeds the capacity.
    pub fn commit(self, pad: u32, len: usize, meta: Meta) -> Result<(), FlowError> {
        let cap = self.capacity();
        if len > cap {
            return Err(FlowError::error(format!(
                "wrote {len} bytes into an output slot of {cap}"
            )));
        }
        let (index, len) = match (u32::try_from(self.index), u32::try_from(len)) {
            (Ok(i), Ok(l)) => (i, l),
            _ => return Err(FlowError::error("output slot index or length too large")),
        };
        if let Some(s) = self.outputs.slots.as_mut_slice().get_mut(self.index) {
            *s = None;
        }
        self.outputs.push(Produced::Written {
            pad,
            index,
            len,
            meta,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_fill_once_in_order() {
        let (mut a, mut b) = ([0u8; 4], [0u8; 8]);
        let mut out = Outputs::new(vec![&mut a, &mut b], Meta::default());
        assert_eq!(out.next_capacity(), Some(4));
        assert_eq!(
            out.write(0, Meta::default(), |buf| {
                buf[..2].copy_from_slice(b"hi");
                2
            }),
            Ok(2)
        );
        assert_eq!(out.slots_left(), 1);
        assert!(
            out.write(1, Meta::default(), |_| 9).is_err(),
            "9 > capacity 8"
        );
        out.forward_input().unwrap();
        let p = out.into_produced();
        assert_eq!(p.len(), 2);
        assert!(matches!(
            p[0],
            Produced::Written {
                index: 0,
                len: 2,
                ..
            }
        ));
        assert!(matches!(p[1], Produced::Input { pad: 0, .. }));
        assert_eq!(&a[..2], b"hi");
    }

    #[test]
    fn one_output_stays_inline_and_more_spill_in_order() {
        let mut a = [0u8; 4];
        let mut out = Outputs::single(&mut a, Meta::default());
        assert!(matches!(out.produced(), []));
        out.write(0, Meta::default(), |_| 3).unwrap();
        assert_eq!(out.produced().len(), 1);
        assert!(out.next_slot().is_none(), "the one slot is used");
        out.forward_input().unwrap();
        out.forward_input_to(1, Meta::default()).unwrap();
        let p = out.produced().to_vec();
        assert!(matches!(
            p[0],
            Produced::Written {
                index: 0,
                len: 3,
                ..
            }
        ));
        assert!(matches!(p[2], Produced::Input { pad: 1, .. }));
        assert!(matches!(out.into_batch(), Batch::Many(v) if v == p));
        let mut b = [0u8; 1];
        let mut one = Outputs::single(&mut b, Meta::default());
        one.forward_input().unwrap();
        assert!(matches!(
            one.into_batch(),
            Batch::One(Produced::Input { pad: 0, .. })
        ));
        let mut c = [0u8; 1];
        assert!(matches!(
            Outputs::single(&mut c, Meta::default()).into_batch(),
            Batch::Nothing
        ));
    }

    #[test]
    fn no_slot_left_is_an_error() {
        let mut out = Outputs::new(Vec::new(), Meta::default());
        assert!(out.next_slot().is_none());
        assert!(out.write(0, Meta::default(), |_| 0).is_err());
    }
}
