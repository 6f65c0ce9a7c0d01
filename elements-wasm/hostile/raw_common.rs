// Shared by the hostile guests that bypass the SDK (included with `include!`): an
// `element-info` for a passthrough-shaped element named `$NAME`, and the resource
// methods that do nothing harmful. Each guest then writes its own `process`.

use parallax_guest::bindings::exports::parallax::element::element::{
    Guest, GuestInstance, Instance, InstanceBorrow,
};
use parallax_guest::bindings::exports::parallax::element::handoff;
use parallax_guest::bindings::parallax::element::types::{
    BufferMeta, CopiedOutput, DataPath, ElementInfo, FlowError, Hints, MetaFlat, OutputFlat,
    PadDirection, PadPresence, PadTemplate, Produced, Slot,
};

/// The component's root type.
struct Component;

/// The (stateless) instance.
struct Raw;

fn pad(name: &str, direction: PadDirection) -> PadTemplate {
    PadTemplate {
        name: name.into(),
        direction,
        presence: PadPresence::Always,
        caps: "ANY".into(),
    }
}

impl Guest for Component {
    type Instance = Raw;

    fn describe() -> ElementInfo {
        ElementInfo {
            name: NAME.into(),
            classification: "Testing".into(),
            description: DESCRIPTION.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            pads: vec![pad("sink", PadDirection::Sink), pad("src", PadDirection::Src)],
            properties: Vec::new(),
            hints: Hints {
                cpu_bound: true,
                rt_safe: false,
            },
            data_path: DataPath::ZeroCopy,
        }
    }

    fn reserve_window(bytes: u32) -> Result<u32, String> {
        let pages = (bytes as usize).div_ceil(65536);
        match core::arch::wasm32::memory_grow::<0>(pages) {
            usize::MAX => Err("cannot grow".into()),
            old => Ok((old * 65536) as u32),
        }
    }
}

// The SDK's world exports `handoff`; these guests have no state to hand over.
impl handoff::Guest for Component {
    fn save_state(_element: InstanceBorrow<'_>) -> Option<Vec<u8>> {
        None
    }

    fn restore_state(_element: InstanceBorrow<'_>, _state: Vec<u8>) -> Result<(), String> {
        Ok(())
    }
}

impl GuestInstance for Raw {
    fn create(_properties: Vec<(String, String)>) -> Result<Instance, String> {
        Ok(Instance::new(Raw))
    }
    fn set_property(&self, name: String, _value: String) -> Result<(), String> {
        Err(format!("no property {name}"))
    }
    fn get_property(&self, _name: String) -> Option<String> {
        None
    }
    fn transform_caps(&self, _direction: PadDirection, caps: String) -> String {
        caps
    }
    fn set_caps(&self, _sink: Vec<String>, _src: Vec<String>) -> Result<u32, String> {
        Ok(0)
    }
    fn process(
        &self,
        _pad: u32,
        input: Slot,
        meta: MetaFlat,
        output: Slot,
    ) -> Result<Produced, FlowError> {
        hostile_process(input, meta, output)
    }
    fn generate(&self, _output: Slot) -> Result<Produced, FlowError> {
        Err(FlowError::Error("not a source".into()))
    }
    fn process_copy(
        &self,
        _pad: u32,
        _data: Vec<u8>,
        _meta: BufferMeta,
    ) -> Result<Vec<CopiedOutput>, FlowError> {
        Err(FlowError::Error("zero-copy only".into()))
    }
    fn drain(&self) -> Result<Vec<CopiedOutput>, FlowError> {
        Ok(Vec::new())
    }
    fn flush(&self) {}
}

parallax_guest::bindings::export!(Component with_types_in parallax_guest::bindings);
