//! Hot reload from the embedding API: replacing a running WASM element's component.
//!
//! The slow part (reading, compiling or loading the cached component, instantiating it
//! with the element's properties and caps) runs in the caller's thread; the element's
//! streaming thread only swaps the ready instance in before its next buffer and the bus
//! then reports [`Message::Replaced`]. A component that does not load or does not fit is
//! refused with a bus warning, and the element keeps running the one it had.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parallax_wasm::WasmHandle;

use super::Pipeline;
use super::controller::{PipelineController, Shared};
use crate::bus::Message;
use crate::error::PipelineError;

impl Shared {
    fn wasm_handle(&self, element: &str) -> Result<Arc<WasmHandle>, PipelineError> {
        let known = self
            .infos
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(element);
        if !known {
            return Err(PipelineError::NoSuchElement(element.to_owned()));
        }
        self.handle(element)
            .and_then(|h| h.downcast::<WasmHandle>().ok())
            .ok_or_else(|| PipelineError::Reload {
                element: element.to_owned(),
                reason: "it is not a WebAssembly element; only those can be replaced".into(),
            })
    }

    pub(super) fn reload(&self, element: &str, path: &Path) -> Result<(), PipelineError> {
        let handle = self.wasm_handle(element)?;
        let refused = |reason: String| {
            let message = format!("kept the running component: {reason}");
            tracing::warn!(element, "{message}");
            self.bus.post(Message::Warning {
                element: element.to_owned(),
                message,
            });
            PipelineError::Reload {
                element: element.to_owned(),
                reason,
            }
        };
        let runtime = crate::components::runtime().map_err(&refused)?;
        let plugin = runtime.load(path).map_err(|e| refused(e.to_string()))?;
        let bus = self.bus.clone();
        let name = element.to_owned();
        handle
            .replace(&plugin, move |report| {
                bus.post(Message::Replaced {
                    element: name,
                    old_hash: report.old_hash,
                    new_hash: report.new_hash,
                    pause: report.pause,
                    state_handed_over: report.state_handed_over,
                });
            })
            .map_err(|e| refused(e.to_string()))
    }

    fn wasm_elements(&self) -> Vec<(String, PathBuf)> {
        let handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        let mut elements: Vec<_> = handles
            .iter()
            .filter_map(|(name, h)| {
                Arc::clone(h)
                    .downcast::<WasmHandle>()
                    .ok()
                    .map(|h| (name.clone(), h.path()))
            })
            .collect();
        elements.sort();
        elements
    }
}

impl PipelineController {
    /// Replaces the component of WASM element `element` with the one at `path`, between
    /// two buffers, without stopping the pipeline: no buffer is lost or duplicated. The
    /// new component is compiled (or loaded from the cache) and instantiated with the
    /// element's properties and negotiated caps in this thread; the element's streaming
    /// thread swaps it in before its next buffer and the bus reports
    /// [`Message::Replaced`]. Blocking: call it off any async executor's hot path.
    ///
    /// # Errors
    ///
    /// [`PipelineError::NoSuchElement`], or [`PipelineError::Reload`] (also posted on
    /// the bus as a warning) when the element is not a WASM element or the component
    /// fails to load, is another element, has other pads, or refuses the current
    /// properties or caps. The element then keeps running its current component.
    pub fn reload_element(
        &self,
        element: &str,
        path: impl AsRef<Path>,
    ) -> Result<(), PipelineError> {
        self.shared.reload(element, path.as_ref())
    }

    /// The WASM elements of the pipeline and the component file each runs now.
    pub fn wasm_elements(&self) -> Vec<(String, PathBuf)> {
        self.shared.wasm_elements()
    }
}

impl Pipeline {
    /// See [`PipelineController::reload_element`].
    ///
    /// # Errors
    ///
    /// As [`PipelineController::reload_element`].
    pub fn reload_element(
        &self,
        element: &str,
        path: impl AsRef<Path>,
    ) -> Result<(), PipelineError> {
        self.shared.reload(element, path.as_ref())
    }
}
