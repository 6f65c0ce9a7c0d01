//! The [`Element`] trait: what an untrusted element implements.

use crate::{
    Caps, Error, FlowError, Info, InputBuffer, Outputs, OwnedOutput, PadDirection, PropValue, Props,
};

/// An element. Implement it on a struct and export it with
/// [`export_element!`](crate::export_element). Every method but [`info`](Element::info) and
/// [`new`](Element::new) has a default; a zero-copy element implements
/// [`process`](Element::process), a copying one [`process_copy`](Element::process_copy)
/// (and says so with [`Info::data_path`]). A source (no sink pads) implements
/// [`generate`](Element::generate); a sink (no src pads) implements `process` and produces
/// nothing, and gets end of stream as [`drain`](Element::drain).
///
/// Calls never overlap: the host calls one method at a time. A panic traps the instance
/// (guests build with `panic = "abort"`); return errors instead.
pub trait Element: Sized + 'static {
    /// Describes the element: names, pads, properties, hints, data path. Called once per
    /// component, and by the SDK when creating an instance (for property defaults).
    fn info() -> Info;

    /// Creates an instance. `props` holds the values given (already checked by the host
    /// against [`Info::properties`]) and falls back to the declared defaults.
    ///
    /// # Errors
    /// When the instance cannot be created; the message is for users.
    fn new(props: &Props) -> Result<Self, Error>;

    /// Changes a property between two buffers (the host checked name and value; only
    /// properties marked [`mutable`](crate::PropSpec::mutable) change while running).
    ///
    /// # Errors
    /// The default refuses every property.
    fn set_property(&mut self, name: &str, value: &PropValue<'_>) -> Result<(), Error> {
        let _ = value;
        Err(Error::new(format!("property {name} cannot be changed")))
    }

    /// The current value of a property as text; the default knows none.
    fn property(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// Given caps on a pad of `direction`, the caps the other side can have. The default
    /// is a passthrough; a converter rewrites (RGBA → GRAY8); return [`Caps::empty`] to
    /// refuse.
    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        let _ = direction;
        caps.clone()
    }

    /// The fixed caps negotiated on the sink and src pads. Returns the largest output
    /// buffer the element will write in bytes (0: the input's size), so the host can size
    /// its output slots. The default accepts anything and returns 0. Called again,
    /// between two buffers, when caps change mid-stream (a new frame size, say).
    ///
    /// # Errors
    /// To refuse the caps.
    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<u32, Error> {
        let _ = (sink, src);
        Ok(0)
    }

    /// Zero-copy path: processes `input` (read-only, in place) into `outputs` (forward the
    /// input, or fill empty slots).
    ///
    /// # Errors
    /// A [`FlowError`]; the default says the element has no zero-copy path.
    fn process(
        &mut self,
        input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let _ = (input, outputs);
        Err(FlowError::error(
            "this element implements no zero-copy process",
        ))
    }

    /// Sources only (elements without sink pads): writes the next buffer into the slot
    /// of `outputs` ([`Outputs::write`] on src pad 0, with the buffer's own meta:
    /// sources set their timestamps). Writing nothing means "no data right now" (the host
    /// asks again later). Sinks (no src pads) implement [`process`](Element::process) and
    /// produce nothing.
    ///
    /// # Errors
    /// [`FlowError::Eos`] at end of stream, which is the default (no data at all).
    fn generate(&mut self, outputs: &mut Outputs<'_>) -> Result<(), FlowError> {
        let _ = outputs;
        Err(FlowError::Eos)
    }

    /// Copying path (used mainly by other languages): processes `input` (bytes copied in)
    /// and returns buffers by value.
    ///
    /// # Errors
    /// A [`FlowError`]; the default says the element has no copying path.
    fn process_copy(&mut self, input: InputBuffer<'_>) -> Result<Vec<OwnedOutput>, FlowError> {
        let _ = input;
        Err(FlowError::error(
            "this element implements no copying process",
        ))
    }

    /// End of stream: returns what was held back. The default holds nothing.
    ///
    /// # Errors
    /// A [`FlowError`].
    fn drain(&mut self) -> Result<Vec<OwnedOutput>, FlowError> {
        Ok(Vec::new())
    }

    /// Drops anything held inside (a flush or seek happened). The default does nothing.
    fn flush(&mut self) {}

    /// The state to hand to the version that replaces this one in a running pipeline
    /// (hot reload); `None` (the default) when there is none worth keeping. Keep it
    /// small (the host refuses more than 1 MiB) and versioned: the successor may be
    /// another release of the element.
    fn save_state(&self) -> Option<Vec<u8>> {
        None
    }

    /// Takes over what a predecessor's [`Element::save_state`] returned; called after
    /// `new` and `set_caps`, before the first buffer. An error keeps `self` as it is
    /// (the host posts a warning). The default ignores the state.
    fn restore_state(&mut self, state: &[u8]) -> Result<(), Error> {
        let _ = state;
        Ok(())
    }
}
