//! Building pipelines in code.

use std::sync::Arc;

use parallax_core::Registry;

use super::Pipeline;
use crate::error::{GraphError, PipelineError};
use crate::graph::Graph;

/// Adds elements and links one call at a time; the first error is reported by
/// [`PipelineBuilder::build`].
pub struct PipelineBuilder {
    registry: Arc<Registry>,
    graph: Graph,
    error: Option<PipelineError>,
}

impl PipelineBuilder {
    /// A builder using the elements of `registry`.
    pub fn new(registry: Arc<Registry>) -> Self {
        PipelineBuilder {
            registry,
            graph: Graph::new(),
            error: None,
        }
    }

    /// Adds an element made by `factory` under `name` (empty: a generated name), with
    /// properties given as text, as in a `.px` file.
    pub fn element(mut self, factory: &str, name: &str, properties: &[(&str, &str)]) -> Self {
        if self.error.is_none()
            && let Err(e) = self.try_element(factory, name, properties)
        {
            self.error = Some(e);
        }
        self
    }

    fn try_element(
        &mut self,
        factory_name: &str,
        name: &str,
        properties: &[(&str, &str)],
    ) -> Result<(), PipelineError> {
        let factory =
            self.registry
                .get(factory_name)
                .ok_or_else(|| GraphError::UnknownElement {
                    name: factory_name.to_owned(),
                    suggestion: self.registry.suggest(factory_name),
                })?;
        let mut element = factory.create();
        let name = if name.is_empty() {
            self.graph.unique_name(factory_name)
        } else {
            name.to_owned()
        };
        let mut set = Vec::with_capacity(properties.len());
        for (key, text) in properties {
            let value = factory
                .set_property_from_str(&mut element, key, text)
                .map_err(|error| PipelineError::Property {
                    element: name.clone(),
                    error,
                })?;
            set.push(((*key).to_owned(), value));
        }
        self.graph.add(name, factory.clone(), element, set)?;
        Ok(())
    }

    /// Links `from` to `to`. Each may name a pad as `element.pad` (`tee.src_1`); without
    /// one the first free pad is used or a request pad is created.
    pub fn link(mut self, from: &str, to: &str) -> Self {
        if self.error.is_none()
            && let Err(e) = self.try_link(from, to)
        {
            self.error = Some(e);
        }
        self
    }

    /// Links each element of `names` to the next.
    pub fn chain(mut self, names: &[&str]) -> Self {
        for pair in names.windows(2) {
            self = self.link(pair[0], pair[1]);
        }
        self
    }

    fn try_link(&mut self, from: &str, to: &str) -> Result<(), PipelineError> {
        let (from_element, from_pad) = split_pad(from);
        let (to_element, to_pad) = split_pad(to);
        let src = self
            .graph
            .find(from_element)
            .ok_or_else(|| PipelineError::NoSuchElement(from_element.to_owned()))?;
        let sink = self
            .graph
            .find(to_element)
            .ok_or_else(|| PipelineError::NoSuchElement(to_element.to_owned()))?;
        self.graph.link(src, from_pad, sink, to_pad)?;
        Ok(())
    }

    /// The pipeline.
    ///
    /// # Errors
    ///
    /// The first error of any earlier call.
    pub fn build(self) -> Result<Pipeline, PipelineError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(Pipeline::from_graph(self.graph)),
        }
    }
}

fn split_pad(endpoint: &str) -> (&str, Option<&str>) {
    match endpoint.split_once('.') {
        Some((element, pad)) if !pad.is_empty() => (element, Some(pad)),
        Some((element, _)) => (element, None),
        None => (endpoint, None),
    }
}
