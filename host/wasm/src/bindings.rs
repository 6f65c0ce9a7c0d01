//! Host bindings generated from `wit/element.wit`, and the host side of its imports.
//!
//! A key design decision: only the superset world `clocked-element-world` is bound; the
//! `clock` interface is added to a linker only when the element was granted it, so a
//! component of either world instantiates through the same generated code. Imports are
//! `trappable`: a host function that fails traps the guest instead of panicking.

mod generated {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "parallax:element/clocked-element-world",
        imports: { default: trappable },
    });
}

/// The optional `handoff` export, bound on its own so that components without it still
/// instantiate through [`ElementPre`]; its indices are looked up per component.
mod generated_handoff {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "parallax:element/stateful-clocked-element-world",
        imports: { default: trappable },
        with: {
            "parallax:element/types": super::generated::parallax::element::types,
            "parallax:element/host": super::generated::parallax::element::host,
            "parallax:element/clock": super::generated::parallax::element::clock,
        },
    });
}

pub(crate) use generated::ClockedElementWorld as ElementWorld;
pub(crate) use generated::ClockedElementWorldIndices as ElementIndices;
pub(crate) use generated::ClockedElementWorldPre as ElementPre;
pub(crate) use generated::exports::parallax::element::element as guest;
pub(crate) use generated::parallax::element::{clock, host, types};
pub(crate) use generated_handoff::exports::parallax::element::handoff;

use parallax_core::{Notice, Structure};

use crate::state::HostState;

/// Longest log line or message kept from a guest.
const MAX_TEXT: usize = 4096;
/// Most notices a guest may post between two drains (the rest are counted, not kept).
const MAX_NOTICES: usize = 64;

fn clip(mut s: String) -> String {
    if s.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

impl types::Host for HostState {}

impl host::Host for HostState {
    fn log(&mut self, level: types::LogLevel, message: String) -> wasmtime::Result<()> {
        let element = &self.element;
        let message = clip(message);
        match level {
            types::LogLevel::Error => tracing::error!(element, "{message}"),
            types::LogLevel::Warning => tracing::warn!(element, "{message}"),
            types::LogLevel::Info => tracing::info!(element, "{message}"),
            types::LogLevel::Debug => tracing::debug!(element, "{message}"),
            types::LogLevel::Trace => tracing::trace!(element, "{message}"),
        }
        Ok(())
    }

    fn post_message(&mut self, structure: String) -> wasmtime::Result<()> {
        let structure = clip(structure);
        let notice = match structure.parse::<Structure>() {
            Ok(s) => Notice::Message(s),
            Err(e) => Notice::Warning(format!("malformed element message '{structure}': {e}")),
        };
        self.push_notice(notice);
        Ok(())
    }
}

impl clock::Host for HostState {
    fn running_time(&mut self) -> wasmtime::Result<types::ClockTime> {
        Ok(match &self.pipeline_clock {
            Some(clock) => clock.running_time().0,
            None => u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX),
        })
    }
}

impl HostState {
    pub(crate) fn push_notice(&mut self, notice: Notice) {
        if self.notices.len() < MAX_NOTICES {
            self.notices.push(notice);
        } else {
            self.dropped_notices = self.dropped_notices.saturating_add(1);
        }
    }
}
