//! Turning a parsed `.px` file into a graph: create elements, set properties, link.
//!
//! Two passes, so a chain may refer to an element named later in the file
//! (`t. ! fakesink  fakesrc ! tee name=t`), as gst-launch allows. Every error points at
//! the offending text with file:line:column and a caret.

use std::sync::Arc;

use parallax_core::{ElementFactory, Registry};

use super::{Graph, NodeId};
use crate::error::PipelineError;
use crate::parse::{Diagnostic, Node as AstNode, PipelineAst, Span, is_component_path};

/// Makes element factories for components given by path in pipeline text
/// (`"plugins/grayscale.wasm"`); the WASM runtime implements it.
pub trait ComponentResolver: Send + Sync {
    /// The factory of the component at `path`.
    ///
    /// # Errors
    ///
    /// A message saying why the component cannot be used (unreadable, invalid, refused
    /// imports).
    fn resolve(&self, path: &str) -> Result<ElementFactory, String>;
}

/// The factory used for caps filters written inline (`! video/x-raw,width=640 !`).
const CAPSFILTER: &str = "capsfilter";

/// Builds a graph from `ast`; `file` and `source` are for error messages.
///
/// # Errors
///
/// [`PipelineError::Syntax`] with a rendered diagnostic for unknown elements, bad
/// properties, unknown references and impossible links.
pub fn build_from_ast(
    registry: &Arc<Registry>,
    components: Option<&dyn ComponentResolver>,
    ast: &PipelineAst,
    file: &str,
    source: &str,
) -> Result<Graph, PipelineError> {
    let fail = |span: Span, message: String| {
        PipelineError::Syntax(
            Diagnostic {
                file,
                source,
                span,
                message,
            }
            .to_string(),
        )
    };
    let mut graph = Graph::new();

    // Pass 1: create every element; remember which AST node made which graph node.
    let mut created: Vec<Vec<Option<NodeId>>> = Vec::with_capacity(ast.chains.len());
    for chain in &ast.chains {
        let mut ids = Vec::with_capacity(chain.nodes.len());
        for node in &chain.nodes {
            ids.push(match node {
                AstNode::Element(e) => {
                    Some(create_element(registry, components, &mut graph, e, &fail)?)
                }
                AstNode::Caps(c) => {
                    let factory = registry.get(CAPSFILTER).ok_or_else(|| {
                        fail(
                            c.span,
                            "caps filters need the 'capsfilter' element, which is not registered"
                                .into(),
                        )
                    })?;
                    let mut element = factory.create();
                    let value = factory
                        .set_property_from_str(&mut element, "caps", &c.text)
                        .map_err(|e| fail(c.span, format!("bad caps filter: {e}")))?;
                    let name = graph.unique_name(CAPSFILTER);
                    let id = graph
                        .add(name, factory.clone(), element, vec![("caps".into(), value)])
                        .map_err(|e| fail(c.span, e.to_string()))?;
                    Some(id)
                }
                AstNode::Ref(_) => None,
            });
        }
        created.push(ids);
    }

    // Pass 2: resolve references and link consecutive nodes.
    for (chain, ids) in ast.chains.iter().zip(&created) {
        // The upstream end of the next link: node, optional src pad name, and its span.
        let mut upstream: Option<(NodeId, Option<String>, Span)> = None;
        for (node, id) in chain.nodes.iter().zip(ids) {
            let (this, sink_pad, src_pad, span) = match (node, id) {
                (AstNode::Ref(r), _) => {
                    let target = graph.find(&r.element).ok_or_else(|| {
                        fail(
                            r.span,
                            format!("no element named '{}' in this pipeline", r.element),
                        )
                    })?;
                    (target, r.pad.clone(), r.pad.clone(), r.span)
                }
                (AstNode::Element(e), Some(id)) => (*id, None, None, e.span),
                (AstNode::Caps(c), Some(id)) => (*id, None, None, c.span),
                _ => continue,
            };
            if let Some((from, from_pad, from_span)) = upstream.take() {
                graph
                    .link(from, from_pad.as_deref(), this, sink_pad.as_deref())
                    .map_err(|e| {
                        let span = Span {
                            start: from_span.start,
                            end: span.end,
                        };
                        fail(span, format!("cannot link: {e}"))
                    })?;
            }
            upstream = Some((this, src_pad, span));
        }
    }
    Ok(graph)
}

fn create_element(
    registry: &Arc<Registry>,
    components: Option<&dyn ComponentResolver>,
    graph: &mut Graph,
    e: &crate::parse::ElementNode,
    fail: &impl Fn(Span, String) -> PipelineError,
) -> Result<NodeId, PipelineError> {
    let factory: ElementFactory = match registry.get(&e.factory) {
        Some(factory) => factory.clone(),
        None if is_component_path(&e.factory) => match components {
            Some(resolver) => resolver.resolve(&e.factory).map_err(|why| {
                fail(
                    e.factory_span,
                    format!("cannot use component '{}': {why}", e.factory),
                )
            })?,
            None => {
                return Err(fail(
                    e.factory_span,
                    "WebAssembly components need Parallax built with the 'wasm' feature".into(),
                ));
            }
        },
        None => {
            let hint = registry
                .suggest(&e.factory)
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return Err(fail(
                e.factory_span,
                format!("no element '{}'{hint}", e.factory),
            ));
        }
    };
    let factory = &factory;
    let mut element = factory.create();
    let mut name = None;
    let mut properties = Vec::new();
    for prop in &e.properties {
        if prop.name == "name" {
            if prop.value.is_empty() {
                return Err(fail(
                    prop.value_span,
                    "an element name cannot be empty".into(),
                ));
            }
            name = Some(prop.value.clone());
            continue;
        }
        let value = factory
            .set_property_from_str(&mut element, &prop.name, &prop.value)
            .map_err(|err| {
                let span = match err {
                    parallax_core::PropertyError::Unknown { .. } => prop.name_span,
                    _ => prop.value_span,
                };
                fail(span, format!("{}: {err}", e.factory))
            })?;
        properties.push((prop.name.clone(), value));
    }
    let name = name.unwrap_or_else(|| graph.unique_name(&factory.info().name));
    graph
        .add(name, factory.clone(), element, properties)
        .map_err(|err| fail(e.span, err.to_string()))
}
