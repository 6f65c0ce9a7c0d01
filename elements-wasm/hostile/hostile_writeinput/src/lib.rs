//! `hostilewriteinput` (test guest): writes a byte into its input slot, which the host
//! mapped read-only, so the write must trap. It bypasses the SDK (whose input view is a
//! `&[u8]`) and is the one element with `unsafe`, on purpose.

#![cfg(target_arch = "wasm32")]
#![allow(
    unsafe_code,
    reason = "the point of this test guest is an illegal write"
)]

const NAME: &str = "hostilewriteinput";
const DESCRIPTION: &str = "Writes into its read-only input slot";

include!("../../raw_common.rs");

fn hostile_process(input: Slot, meta: MetaFlat, _output: Slot) -> Result<Produced, FlowError> {
    // SAFETY: none; this is the attack. The address is the host's input slot, inside linear
    // memory and mapped read-only, so the store traps (MemoryOutOfBounds) and never returns.
    unsafe { core::ptr::write_volatile(input.offset as usize as *mut u8, 0xEE) };
    Ok(Produced::One(OutputFlat {
        pad: 0,
        data: parallax_guest::bindings::parallax::element::types::OutputData::Input,
        meta,
    }))
}
