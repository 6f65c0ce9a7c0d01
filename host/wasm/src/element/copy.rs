//! The copying data path (`process-copy`, and `drain` for every element): bytes cross as
//! `list<u8>`, for guests that cannot address linear memory (Python, JavaScript).
//!
//! Outputs are allocated from the element's own arenas (`ProcessContext::allocate`) and
//! filled from the returned lists; every byte that crosses is counted in the stats.

use parallax_core::{Buffer, BufferMeta, ElementError, ProcessContext};

use super::limits::{Failure, trap_failure};
use super::meta;
use super::zero_copy::{Call, MAX_OUTPUTS};
use super::{Live, Outcome, flow_outcome};
use crate::bindings::guest;

/// Processes one buffer through the guest's `process-copy`.
pub(crate) fn process(
    live: &mut Live,
    call: &Call<'_>,
    input: Buffer,
    ctx: &mut ProcessContext<'_>,
) -> Result<(), Outcome> {
    call.stats.add_copied(input.len());
    call.limits.arm(&mut live.store);
    let result = live
        .world
        .parallax_element_element()
        .instance()
        .call_process_copy(
            &mut live.store,
            live.handle,
            call.pad as u32,
            input.data(),
            meta::to_guest(input.meta()),
        );
    let results = match result {
        Err(e) => {
            return Err(Outcome::Failed(trap_failure(
                call.element,
                "process-copy",
                &e,
                &live.store,
                &call.limits,
                call.memory_limit,
            )));
        }
        Ok(Err(flow)) => return Err(flow_outcome(call.element, flow)),
        Ok(Ok(results)) => results,
    };
    push_copied(call, results, input.meta(), ctx)
}

/// Drains the guest at end of stream.
pub(crate) fn drain(
    live: &mut Live,
    call: &Call<'_>,
    ctx: &mut ProcessContext<'_>,
) -> Result<(), Outcome> {
    call.limits.arm(&mut live.store);
    let result = live
        .world
        .parallax_element_element()
        .instance()
        .call_drain(&mut live.store, live.handle);
    let results = match result {
        Err(e) => {
            return Err(Outcome::Failed(trap_failure(
                call.element,
                "drain",
                &e,
                &live.store,
                &call.limits,
                call.memory_limit,
            )));
        }
        Ok(Err(flow)) => return Err(flow_outcome(call.element, flow)),
        Ok(Ok(results)) => results,
    };
    push_copied(call, results, &BufferMeta::default(), ctx)
}

/// Validates copied outputs (count, pads) and pushes them as fresh buffers.
fn push_copied(
    call: &Call<'_>,
    results: Vec<guest::CopiedOutput>,
    input_meta: &BufferMeta,
    ctx: &mut ProcessContext<'_>,
) -> Result<(), Outcome> {
    let refuse = |message: String| {
        Outcome::Failed(Failure::reported(ElementError::stream(format!(
            "WASM element '{}' returned an invalid result: {message}",
            call.element
        ))))
    };
    if results.len() > MAX_OUTPUTS {
        return Err(refuse(format!(
            "{} outputs (at most {MAX_OUTPUTS})",
            results.len()
        )));
    }
    if let Some(out) = results.iter().find(|o| o.pad as usize >= call.n_src) {
        return Err(refuse(format!(
            "src pad {} does not exist ({} pads)",
            out.pad, call.n_src
        )));
    }
    for out in results {
        let mut buffer = ctx.allocate(out.data.len()).map_err(Outcome::Flow)?;
        buffer.data_mut().copy_from_slice(&out.data);
        *buffer.meta_mut() = meta::from_guest(&out.meta, input_meta);
        call.stats.add_copied(out.data.len());
        call.stats.add_out(1);
        ctx.push_to(out.pad as usize, buffer.freeze());
    }
    Ok(())
}
