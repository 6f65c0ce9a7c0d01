//! A pad chosen by name through a property (`active-pad` of the selectors).
//!
//! Properties are set while parsing, before linking has created the request pads, so the
//! name is kept as text and resolved to a pad index once the element learns its pads in
//! `configure_pads`; after that, a name that is no pad of the element is refused.

use parallax_core::{ElementError, PropertyError};

/// The name a property chose, and the pad index it resolves to.
#[derive(Debug, Clone, Default)]
pub(crate) struct PadChoice {
    /// The name as set; empty means the first pad.
    name: String,
    /// The element's pads of that direction, in index order (empty until configured).
    pads: Vec<String>,
    /// Index of the chosen pad within `pads`.
    index: usize,
}

impl PadChoice {
    /// Chooses pad `name` for property `property`; `prefix` is the request template's
    /// name before `%u` (`sink_`), used to refuse impossible names before pads exist.
    ///
    /// # Errors
    ///
    /// [`PropertyError::BadValue`] for a name that is not of the template's form, or,
    /// once pads are known, not one of them.
    pub(crate) fn set(
        &mut self,
        property: &str,
        prefix: &str,
        name: &str,
    ) -> Result<(), PropertyError> {
        if name.is_empty() {
            self.name.clear();
            self.index = 0;
            return Ok(());
        }
        if !self.pads.is_empty() {
            let Some(index) = self.pads.iter().position(|p| p == name) else {
                return Err(PropertyError::BadValue {
                    name: property.to_owned(),
                    expected: format!("one of the element's pads ({})", self.pads.join(", ")),
                    got: name.to_owned(),
                });
            };
            self.index = index;
        } else if !is_numbered(prefix, name) {
            return Err(PropertyError::BadValue {
                name: property.to_owned(),
                expected: format!("a pad name such as {prefix}0, or empty for the first pad"),
                got: name.to_owned(),
            });
        }
        name.clone_into(&mut self.name);
        Ok(())
    }

    /// Learns the element's pads and resolves the chosen name against them.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (settings) when a name was chosen and no pad has it.
    pub(crate) fn configure(
        &mut self,
        property: &str,
        pads: &[String],
    ) -> Result<(), ElementError> {
        self.pads = pads.to_vec();
        if self.name.is_empty() {
            self.index = 0;
            return Ok(());
        }
        match pads.iter().position(|p| *p == self.name) {
            Some(index) => {
                self.index = index;
                Ok(())
            }
            None => Err(ElementError::settings(format!(
                "{property} '{}' is not a pad of this element (its pads: {})",
                self.name,
                if pads.is_empty() {
                    "none".to_owned()
                } else {
                    pads.join(", ")
                }
            ))),
        }
    }

    /// Index of the chosen pad (0, the first, unless a name was chosen).
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// The chosen pad's name: the name set, else the first pad's name once pads are
    /// known, else empty.
    pub(crate) fn name(&self) -> &str {
        if self.name.is_empty() {
            self.pads.first().map_or("", String::as_str)
        } else {
            &self.name
        }
    }
}

/// Whether `name` is `prefix` followed by a decimal number (`sink_3`).
fn is_numbered(prefix: &str, name: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::PadChoice;

    #[test]
    fn resolves_names_once_pads_are_known() {
        let mut choice = PadChoice::default();
        assert!(choice.set("active-pad", "sink_", "src_1").is_err());
        choice.set("active-pad", "sink_", "sink_1").unwrap();
        let pads = ["sink_0".to_owned(), "sink_1".to_owned()];
        choice.configure("active-pad", &pads).unwrap();
        assert_eq!(choice.index(), 1);
        assert!(choice.set("active-pad", "sink_", "sink_7").is_err());
        assert_eq!(choice.index(), 1);
        choice.set("active-pad", "sink_", "").unwrap();
        assert_eq!((choice.index(), choice.name()), (0, "sink_0"));
    }

    #[test]
    fn refuses_a_name_no_pad_has() {
        let mut choice = PadChoice::default();
        choice.set("active-pad", "src_", "src_4").unwrap();
        assert!(
            choice
                .configure("active-pad", &["src_0".to_owned()])
                .is_err()
        );
    }
}
