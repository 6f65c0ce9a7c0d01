//! The pads of one element, created from its templates.

use parallax_core::registry::ElementInfo;
use parallax_core::{PadDirection, PadPresence};

use crate::error::GraphError;

#[derive(Debug, Clone)]
struct Pad {
    name: String,
    /// Number of a request pad (`src_3` → 3), for ordering.
    number: Option<u32>,
    linked: bool,
}

/// The pads of one direction of one element.
#[derive(Debug, Clone)]
pub(crate) struct PadSet {
    direction: PadDirection,
    pads: Vec<Pad>,
}

impl PadSet {
    /// The always-pads of `info` in `direction`.
    pub(crate) fn new(info: &ElementInfo, direction: PadDirection) -> Self {
        let pads = info
            .templates(direction)
            .filter(|t| t.presence == PadPresence::Always)
            .map(|t| Pad {
                name: t.name.to_string(),
                number: None,
                linked: false,
            })
            .collect();
        PadSet { direction, pads }
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.pads.iter().map(|p| p.name.clone()).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.pads.len()
    }

    /// Marks a pad linked and returns its index: the named pad (created from a request
    /// template if needed), or the first free always-pad, or a new request pad.
    pub(crate) fn claim(
        &mut self,
        info: &ElementInfo,
        element: &str,
        wanted: Option<&str>,
    ) -> Result<usize, GraphError> {
        let index = match wanted {
            Some(name) => match self.pads.iter().position(|p| p.name == name) {
                Some(i) => i,
                None => self.request(info, element, Some(name))?,
            },
            None => match self.pads.iter().position(|p| !p.linked) {
                Some(i) => i,
                None => self.request(info, element, None)?,
            },
        };
        let pad = &mut self.pads[index];
        if pad.linked {
            return Err(GraphError::PadTaken {
                element: element.to_owned(),
                pad: pad.name.clone(),
            });
        }
        pad.linked = true;
        Ok(index)
    }

    fn request(
        &mut self,
        info: &ElementInfo,
        element: &str,
        wanted: Option<&str>,
    ) -> Result<usize, GraphError> {
        for template in info.templates(self.direction) {
            // A sometimes pad (a demuxer's `video_%u`) exists only when the `.px` text
            // names it: the graph is fixed before running, so linking it by name is how a
            // pipeline says which of the element's streams it wants.
            let by_name = template.presence == PadPresence::Sometimes && wanted.is_some();
            if template.presence != PadPresence::Request && !by_name {
                continue;
            }
            let (name, number) = match wanted {
                Some(name) => match template.matches(name) {
                    Some(number) => (name.to_owned(), number),
                    None => continue,
                },
                None => {
                    let next = self
                        .pads
                        .iter()
                        .filter_map(|p| p.number)
                        .max()
                        .map_or(0, |n| n.saturating_add(1));
                    (template.pad_name(next), Some(next))
                }
            };
            self.pads.push(Pad {
                name,
                number,
                linked: false,
            });
            return Ok(self.pads.len() - 1);
        }
        Err(match wanted {
            Some(pad) => GraphError::NoSuchPad {
                element: element.to_owned(),
                pad: pad.to_owned(),
                direction: self.direction,
                available: self.available(info),
            },
            None => GraphError::NoFreePad {
                element: element.to_owned(),
                direction: self.direction,
            },
        })
    }

    fn available(&self, info: &ElementInfo) -> Vec<String> {
        info.templates(self.direction)
            .map(|t| t.name.to_string())
            .collect()
    }

    pub(crate) fn release(&mut self, index: usize) {
        if let Some(pad) = self.pads.get_mut(index) {
            pad.linked = false;
        }
    }

    /// Sorts request pads after always-pads by number; returns old index → new index.
    pub(crate) fn sort(&mut self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.pads.len()).collect();
        order.sort_by_key(|&i| (self.pads[i].number.is_some(), self.pads[i].number, i));
        let mut map = vec![0; self.pads.len()];
        for (new, &old) in order.iter().enumerate() {
            map[old] = new;
        }
        let old = std::mem::take(&mut self.pads);
        self.pads = order.iter().map(|&i| old[i].clone()).collect();
        map
    }

    pub(crate) fn first_unlinked(&self) -> Option<String> {
        self.pads
            .iter()
            .find(|p| !p.linked && p.number.is_none())
            .map(|p| p.name.clone())
    }
}
