//! The WIT exports, implemented once for every [`Element`]: conversions between the
//! generated types and the SDK's, and the slot checks before `process`.

use std::cell::RefCell;
use std::marker::PhantomData;

use crate::bindings::exports::parallax::element::element::{
    Guest, GuestInstance, Instance, InstanceBorrow,
};
use crate::bindings::exports::parallax::element::handoff;
use crate::bindings::parallax::element::types as wit;
use crate::buffers::{Batch, Produced};
use crate::{
    Caps, DataPath, Element, FlowError, InputBuffer, Meta, Outputs, OwnedOutput, PadDirection,
    PadPresence, PropKind, PropValue, Props, window,
};

/// The component's root type for element `E` (named by [`export_element!`](crate::export_element)).
#[derive(Debug)]
pub struct Component<E>(PhantomData<E>);

/// One instance (the WIT resource): the element behind a `RefCell`, as resource methods
/// take `&self`. Calls never overlap, so a borrow never fails; if one did, it is an error.
#[derive(Debug)]
pub struct InstanceCell<E>(RefCell<E>);

impl<E> InstanceCell<E> {
    fn with<R>(&self, busy: impl FnOnce() -> R, f: impl FnOnce(&mut E) -> R) -> R {
        match self.0.try_borrow_mut() {
            Ok(mut e) => f(&mut e),
            Err(_) => busy(),
        }
    }
}

const BUSY: &str = "element re-entered while busy";

impl<E: Element> Guest for Component<E> {
    type Instance = InstanceCell<E>;

    fn describe() -> wit::ElementInfo {
        info_to_wit(E::info())
    }

    fn reserve_window(bytes: u32) -> Result<u32, String> {
        window::reserve(bytes)
    }
}

impl<E: Element> handoff::Guest for Component<E> {
    fn save_state(element: InstanceBorrow<'_>) -> Option<Vec<u8>> {
        element
            .get::<InstanceCell<E>>()
            .with(|| None, |e| e.save_state())
    }

    fn restore_state(element: InstanceBorrow<'_>, state: Vec<u8>) -> Result<(), String> {
        element.get::<InstanceCell<E>>().with(
            || Err(BUSY.into()),
            |e| e.restore_state(&state).map_err(|e| e.to_string()),
        )
    }
}

impl<E: Element> GuestInstance for InstanceCell<E> {
    fn create(properties: Vec<(String, String)>) -> Result<Instance, String> {
        let props = Props::new(properties, &E::info().properties);
        let el = E::new(&props).map_err(|e| e.to_string())?;
        Ok(Instance::new(InstanceCell(RefCell::new(el))))
    }

    fn set_property(&self, name: String, value: String) -> Result<(), String> {
        self.with(
            || Err(BUSY.into()),
            |e| {
                e.set_property(&name, &PropValue::new(&name, &value))
                    .map_err(|e| e.to_string())
            },
        )
    }

    fn get_property(&self, name: String) -> Option<String> {
        self.with(|| None, |e| e.property(&name))
    }

    fn transform_caps(&self, direction: wit::PadDirection, caps: String) -> String {
        let Ok(caps) = caps.parse::<Caps>() else {
            return Caps::empty().to_string();
        };
        let dir = match direction {
            wit::PadDirection::Sink => PadDirection::Sink,
            wit::PadDirection::Src => PadDirection::Src,
        };
        self.with(
            || Caps::empty().to_string(),
            |e| e.transform_caps(dir, &caps).to_string(),
        )
    }

    fn set_caps(&self, sink: Vec<String>, src: Vec<String>) -> Result<u32, String> {
        let parse = |v: Vec<String>| -> Result<Vec<Caps>, String> {
            v.iter()
                .map(|s| s.parse::<Caps>().map_err(|e| format!("caps {s:?}: {e}")))
                .collect()
        };
        let (sink, src) = (parse(sink)?, parse(src)?);
        self.with(
            || Err(BUSY.into()),
            |e| e.set_caps(&sink, &src).map_err(|e| e.to_string()),
        )
    }

    fn process(
        &self,
        pad: u32,
        input: wit::Slot,
        meta: wit::MetaFlat,
        output: wit::Slot,
    ) -> Result<wit::Produced, wit::FlowError> {
        let meta = Meta::from(meta);
        let batch = window::with_slot(input, output, |data, slot| {
            let mut outs = Outputs::single(slot, meta);
            self.with(
                || Err(FlowError::error(BUSY)),
                |e| e.process(InputBuffer::new(pad, data, meta), &mut outs),
            )?;
            Ok(outs.into_batch())
        })
        .and_then(|r| r);
        batch_to_wit(batch)
    }

    fn generate(&self, output: wit::Slot) -> Result<wit::Produced, wit::FlowError> {
        let batch = window::with_output(output, |slot| {
            let mut outs = Outputs::single(slot, Meta::default());
            self.with(|| Err(FlowError::error(BUSY)), |e| e.generate(&mut outs))?;
            Ok(outs.into_batch())
        })
        .and_then(|r| r);
        batch_to_wit(batch)
    }

    fn process_copy(
        &self,
        pad: u32,
        data: Vec<u8>,
        meta: wit::BufferMeta,
    ) -> Result<Vec<wit::CopiedOutput>, wit::FlowError> {
        let input = InputBuffer::new(pad, &data, meta.into());
        self.with(|| Err(FlowError::error(BUSY)), |e| e.process_copy(input))
            .map(|v| v.into_iter().map(owned_to_wit).collect())
            .map_err(flow_to_wit)
    }

    fn drain(&self) -> Result<Vec<wit::CopiedOutput>, wit::FlowError> {
        self.with(|| Err(FlowError::error(BUSY)), |e| e.drain())
            .map(|v| v.into_iter().map(owned_to_wit).collect())
            .map_err(flow_to_wit)
    }

    fn flush(&self) {
        self.with(|| (), |e| e.flush());
    }
}

/// `nothing` and `one` are fixed-size: the usual call allocates nothing.
fn batch_to_wit(batch: Result<Batch, FlowError>) -> Result<wit::Produced, wit::FlowError> {
    match batch {
        Ok(Batch::Nothing) => Ok(wit::Produced::Nothing),
        Ok(Batch::One(p)) => Ok(wit::Produced::One(produced_to_flat(p))),
        Ok(Batch::Many(v)) => Ok(wit::Produced::Many(
            v.into_iter().map(produced_to_wit).collect(),
        )),
        Err(e) => Err(flow_to_wit(e)),
    }
}

fn flow_to_wit(e: FlowError) -> wit::FlowError {
    match e {
        FlowError::Eos => wit::FlowError::Eos,
        FlowError::Flushing => wit::FlowError::Flushing,
        FlowError::NotNegotiated => wit::FlowError::NotNegotiated,
        FlowError::Error(m) => wit::FlowError::Error(m),
    }
}

fn produced_to_wit(p: Produced) -> wit::Output {
    match p {
        Produced::Input { pad, meta } => wit::Output {
            pad,
            data: wit::OutputData::Input,
            meta: meta.into(),
        },
        Produced::Written {
            pad,
            index,
            len,
            meta,
        } => wit::Output {
            pad,
            data: wit::OutputData::Written((index, len)),
            meta: meta.into(),
        },
    }
}

fn produced_to_flat(p: Produced) -> wit::OutputFlat {
    match p {
        Produced::Input { pad, meta } => wit::OutputFlat {
            pad,
            data: wit::OutputData::Input,
            meta: meta.into(),
        },
        Produced::Written {
            pad,
            index,
            len,
            meta,
        } => wit::OutputFlat {
            pad,
            data: wit::OutputData::Written((index, len)),
            meta: meta.into(),
        },
    }
}

fn owned_to_wit(o: OwnedOutput) -> wit::CopiedOutput {
    wit::CopiedOutput {
        pad: o.pad,
        data: o.data,
        meta: o.meta.into(),
    }
}

fn info_to_wit(i: crate::Info) -> wit::ElementInfo {
    wit::ElementInfo {
        name: i.name,
        classification: i.classification,
        description: i.description,
        version: i.version,
        pads: i
            .pads
            .into_iter()
            .map(|p| wit::PadTemplate {
                name: p.name,
                direction: match p.direction {
                    PadDirection::Sink => wit::PadDirection::Sink,
                    PadDirection::Src => wit::PadDirection::Src,
                },
                presence: match p.presence {
                    PadPresence::Always => wit::PadPresence::Always,
                    PadPresence::Sometimes => wit::PadPresence::Sometimes,
                    PadPresence::Request => wit::PadPresence::Request,
                },
                caps: p.caps,
            })
            .collect(),
        properties: i
            .properties
            .into_iter()
            .map(|s| wit::PropSpec {
                name: s.name,
                kind: match s.kind {
                    PropKind::Boolean => wit::PropKind::Boolean,
                    PropKind::Integer(a, b) => wit::PropKind::Integer((a, b)),
                    PropKind::Double(a, b) => wit::PropKind::Double((a, b)),
                    PropKind::Text => wit::PropKind::Text,
                    PropKind::Enumeration(v) => wit::PropKind::Enumeration(
                        v.into_iter()
                            .map(|(nick, value, doc)| wit::EnumValue { nick, value, doc })
                            .collect(),
                    ),
                },
                default: s.default,
                doc: s.doc,
                mutable_while_running: s.mutable_while_running,
            })
            .collect(),
        hints: wit::Hints {
            cpu_bound: i.hints.cpu_bound,
            rt_safe: i.hints.rt_safe,
        },
        data_path: match i.data_path {
            DataPath::ZeroCopy => wit::DataPath::ZeroCopy,
            DataPath::Copy => wit::DataPath::Copy,
        },
    }
}
