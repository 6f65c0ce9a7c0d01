//! Shared control state between the application and the streaming threads.
//!
//! A key design decision: streaming threads look at one counter per buffer. Every change
//! (pause, resume, stop, flush, end-of-stream request, property change) bumps
//! `generation`; a thread whose cached generation still matches knows nothing changed and
//! takes the fast path, so control costs one relaxed load per buffer.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use parallax_core::{ElementError, Notice, Value};

use super::clock::Clock;
use super::parker::Parker;
use crate::bus::{Bus, Message};

pub(crate) const RUNNING: u8 = 1;
pub(crate) const PAUSED: u8 = 2;

/// A property change waiting to be applied by the thread that owns the element.
#[derive(Debug)]
pub(crate) struct PropertyCommand {
    pub(crate) element: String,
    pub(crate) name: String,
    pub(crate) value: Value,
}

#[derive(Debug)]
pub(crate) struct Control {
    pub(crate) generation: AtomicU64,
    pub(crate) state: AtomicU8,
    /// Raised when the pipeline stops (error or shutdown): every wait gives up.
    pub(crate) cancel: AtomicBool,
    pub(crate) eos_requested: AtomicBool,
    pub(crate) flush_epoch: AtomicU64,
    pub(crate) commands: Mutex<Vec<PropertyCommand>>,
    pub(crate) parkers: Mutex<Vec<Arc<Parker>>>,
    pub(crate) clock: Clock,
    pub(crate) bus: Bus,
    pub(crate) sinks_remaining: AtomicUsize,
    pub(crate) failed: AtomicBool,
    /// The first failure, kept for callers that subscribe to the bus after it happened.
    pub(crate) first_error: Mutex<Option<(String, ElementError)>>,
    /// Every sink has received end of stream (also kept for late subscribers).
    pub(crate) eos: AtomicBool,
}

impl Control {
    pub(crate) fn new(bus: Bus, sinks: usize) -> Self {
        Control {
            generation: AtomicU64::new(0),
            state: AtomicU8::new(PAUSED),
            cancel: AtomicBool::new(false),
            eos_requested: AtomicBool::new(false),
            flush_epoch: AtomicU64::new(0),
            commands: Mutex::new(Vec::new()),
            parkers: Mutex::new(Vec::new()),
            clock: Clock::new(),
            bus,
            sinks_remaining: AtomicUsize::new(sinks),
            failed: AtomicBool::new(false),
            first_error: Mutex::new(None),
            eos: AtomicBool::new(false),
        }
    }

    /// Tells every streaming thread to look at the control state now.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for parker in self
            .parkers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            parker.unpark();
        }
    }

    pub(crate) fn set_running(&self, running: bool) {
        if running {
            self.clock.resume();
            self.state.store(RUNNING, Ordering::Release);
        } else {
            self.state.store(PAUSED, Ordering::Release);
            self.clock.pause();
        }
        self.changed();
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.state.load(Ordering::Acquire) == PAUSED
    }

    pub(crate) fn stop(&self) {
        self.cancel.store(true, Ordering::Release);
        self.changed();
    }

    /// Posts an element's failure and stops the pipeline.
    pub(crate) fn fail(&self, element: &str, error: ElementError) {
        // Only the first failure is reported; the rest are consequences of the stop.
        if !self.failed.swap(true, Ordering::AcqRel) {
            *self.first_error.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((element.to_owned(), error.clone()));
            self.bus.post(Message::Error {
                element: element.to_owned(),
                error,
            });
        }
        self.stop();
    }

    pub(crate) fn post_notices(&self, element: &str, notices: Vec<Notice>) {
        for notice in notices {
            self.bus.post(match notice {
                Notice::Message(structure) => Message::Element {
                    element: element.to_owned(),
                    structure,
                },
                Notice::Warning(message) => Message::Warning {
                    element: element.to_owned(),
                    message,
                },
            });
        }
    }

    /// How the run ended, if it has: end of stream, or the first failure.
    pub(crate) fn ending(&self) -> Option<Result<(), (String, ElementError)>> {
        if let Some(failure) = self
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Some(Err(failure));
        }
        self.eos.load(Ordering::Acquire).then_some(Ok(()))
    }

    /// A sink finished; the last one posts end of stream.
    pub(crate) fn sink_done(&self) {
        if self.sinks_remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.eos.store(true, Ordering::Release);
            self.bus.post(Message::Eos);
        }
    }
}

impl parallax_core::PipelineClock for Control {
    fn running_time(&self) -> parallax_core::ClockTime {
        self.clock.running_time()
    }
}
