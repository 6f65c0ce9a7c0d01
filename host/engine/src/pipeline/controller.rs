//! A cloneable handle that controls a pipeline from anywhere (another task, a signal
//! handler) while `run().await` holds the pipeline itself.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{PropertyError, Value};

use crate::bus::{Bus, Message};
use crate::error::PipelineError;
use crate::executor::{Control, PropertyCommand};
use crate::state::State;

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) bus: Bus,
    pub(crate) state: Mutex<State>,
    pub(crate) control: Mutex<Option<Arc<Control>>>,
    /// End of stream requested before the threads existed.
    pub(crate) pending_eos: std::sync::atomic::AtomicBool,
    pub(crate) infos: Mutex<HashMap<String, Arc<ElementInfo>>>,
    /// Application handles of the elements that have one (appsrc, appsink, WASM).
    pub(crate) handles: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

impl Shared {
    pub(crate) fn new(bus: Bus) -> Self {
        Shared {
            bus,
            state: Mutex::new(State::Suspended),
            control: Mutex::new(None),
            pending_eos: std::sync::atomic::AtomicBool::new(false),
            infos: Mutex::new(HashMap::new()),
            handles: Mutex::new(HashMap::new()),
        }
    }

    /// The state; a prepared pipeline one of whose elements failed is in `Error` until
    /// it is suspended.
    pub(crate) fn state(&self) -> State {
        let state = *self.state.lock().unwrap_or_else(|p| p.into_inner());
        let failed = self
            .control()
            .is_some_and(|c| c.failed.load(Ordering::Acquire));
        if failed && matches!(state, State::Idle | State::Running) {
            State::Error
        } else {
            state
        }
    }

    pub(crate) fn set_state(&self, new: State) {
        let old = std::mem::replace(
            &mut *self.state.lock().unwrap_or_else(|p| p.into_inner()),
            new,
        );
        if old != new {
            self.bus.post(Message::StateChanged { old, new });
        }
    }

    pub(crate) fn handle(&self, name: &str) -> Option<Arc<dyn Any + Send + Sync>> {
        self.handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    pub(crate) fn control(&self) -> Option<Arc<Control>> {
        self.control
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Controls a pipeline while it runs.
#[derive(Debug, Clone)]
pub struct PipelineController {
    pub(crate) shared: Arc<Shared>,
}

impl PipelineController {
    /// The current state.
    pub fn state(&self) -> State {
        self.shared.state()
    }

    /// Asks every source to end its stream: data already produced drains to the sinks,
    /// then the pipeline reports end of stream (what Ctrl-C does in the CLI).
    pub fn send_eos(&self) {
        self.shared.pending_eos.store(true, Ordering::Release);
        if let Some(control) = self.shared.control() {
            control.eos_requested.store(true, Ordering::Release);
            control.changed();
        }
    }

    /// Pauses a running pipeline (Running → Idle): threads stop at the next buffer
    /// boundary, the clock stops, nothing is lost.
    ///
    /// # Errors
    ///
    /// [`PipelineError::State`] unless the pipeline is running.
    pub fn pause(&self) -> Result<(), PipelineError> {
        self.transition(State::Running, State::Idle, "pause")
    }

    /// Resumes a paused pipeline (Idle → Running).
    ///
    /// # Errors
    ///
    /// [`PipelineError::State`] unless the pipeline is prepared and idle.
    pub fn resume(&self) -> Result<(), PipelineError> {
        self.transition(State::Idle, State::Running, "resume")
    }

    fn transition(
        &self,
        from: State,
        to: State,
        action: &'static str,
    ) -> Result<(), PipelineError> {
        let state = self.shared.state();
        let control = self.shared.control();
        match control {
            Some(control) if state == from => {
                control.set_running(to == State::Running);
                self.shared.set_state(to);
                Ok(())
            }
            _ => Err(PipelineError::State { action, state }),
        }
    }

    /// Drops all data queued between elements and inside them (as a GStreamer flush).
    pub fn flush(&self) {
        if let Some(control) = self.shared.control() {
            control.flush_epoch.fetch_add(1, Ordering::AcqRel);
            control.changed();
        }
    }

    /// Changes a property of a prepared or running element, from text. The change is
    /// applied by the element's streaming thread between two buffers.
    ///
    /// # Errors
    ///
    /// [`PipelineError::NoSuchElement`], or [`PipelineError::Property`] for an unknown
    /// property, a bad value, or a property that cannot change in this state.
    pub fn set_property(&self, element: &str, name: &str, text: &str) -> Result<(), PipelineError> {
        let info = self
            .shared
            .infos
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(element)
            .cloned()
            .ok_or_else(|| PipelineError::NoSuchElement(element.to_owned()))?;
        let property_error = |error| PipelineError::Property {
            element: element.to_owned(),
            error,
        };
        let spec = info.property_spec(name).map_err(property_error)?;
        let value: Value = spec.parse(text).map_err(property_error)?;
        let state = self.shared.state();
        let allowed = match spec.mutability {
            Mutability::Playing => true,
            Mutability::Ready => state != State::Running,
            Mutability::Construct => false,
        };
        if !allowed {
            return Err(property_error(PropertyError::NotMutable {
                name: name.to_owned(),
                state: state.to_string(),
            }));
        }
        let Some(control) = self.shared.control() else {
            return Err(PipelineError::State {
                action: "change a property through the controller",
                state,
            });
        };
        control
            .commands
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(PropertyCommand {
                element: element.to_owned(),
                name: name.to_owned(),
                value,
            });
        control.changed();
        Ok(())
    }

    /// A receiver of every bus message from now on.
    pub fn bus(&self) -> crate::bus::BusReceiver {
        self.shared.bus.subscribe()
    }
}
