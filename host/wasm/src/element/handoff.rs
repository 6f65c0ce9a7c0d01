//! State handoff during a hot reload: the old guest's `save-state` into the new guest's
//! `restore-state`, both optional exports (`handoff` in `wit/element.wit`).

use super::instance::Live;
use super::limits::CallLimits;

/// Most bytes of state handed over; more is refused (the new guest starts fresh).
pub(crate) const MAX_STATE: usize = 1 << 20;

/// What happened to the state.
#[derive(Debug)]
pub(crate) enum Handoff {
    /// Both sides support it and the new instance took the state.
    Done,
    /// One side does not export `handoff`, or the old one had nothing to hand over.
    Nothing,
    /// It failed; the new instance keeps the state `create` gave it. `poisoned`: the
    /// new instance trapped and must not be used.
    Failed { reason: String, poisoned: bool },
}

/// Moves the state of `old` into `new`, under the element's call limits.
pub(crate) fn transfer(old: &mut Live, new: &mut Live, limits: &CallLimits) -> Handoff {
    let (Some(save), Some(restore)) = (old.handoff.as_ref(), new.handoff.as_ref()) else {
        return Handoff::Nothing;
    };
    limits.arm(&mut old.store);
    let state = match save.call_save_state(&mut old.store, old.handle) {
        Ok(Some(state)) => state,
        Ok(None) => return Handoff::Nothing,
        Err(e) => {
            return Handoff::Failed {
                reason: format!("the old instance's save-state failed: {e:#}"),
                poisoned: false,
            };
        }
    };
    if state.len() > MAX_STATE {
        return Handoff::Failed {
            reason: format!(
                "the old instance saved {} bytes of state, more than the {MAX_STATE} allowed",
                state.len()
            ),
            poisoned: false,
        };
    }
    limits.arm(&mut new.store);
    match restore.call_restore_state(&mut new.store, new.handle, &state) {
        Ok(Ok(())) => Handoff::Done,
        Ok(Err(message)) => Handoff::Failed {
            reason: format!("the new instance refused the old one's state: {message}"),
            poisoned: false,
        },
        Err(e) => Handoff::Failed {
            reason: format!("the new instance's restore-state failed: {e:#}"),
            poisoned: true,
        },
    }
}
