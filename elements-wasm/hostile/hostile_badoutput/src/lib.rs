//! `hostilebadoutput` (test guest): answers every buffer with `written(99, 1 << 30)`, an
//! output slot index and a length it was never given. It bypasses the SDK (which would
//! refuse to build such an answer). The host must reject the output, not read past a slot.

#![cfg(target_arch = "wasm32")]

use parallax_guest::bindings::parallax::element::types::OutputData;

const NAME: &str = "hostilebadoutput";
const DESCRIPTION: &str = "Returns an output slot and length it was never given";

include!("../../raw_common.rs");

fn hostile_process(_input: Slot, meta: MetaFlat, _output: Slot) -> Result<Produced, FlowError> {
    Ok(Produced::One(OutputFlat {
        pad: 0,
        data: OutputData::Written((99, 1 << 30)),
        meta,
    }))
}
