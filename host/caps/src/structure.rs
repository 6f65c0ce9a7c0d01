//! [`Structure`]: one media type (`video/x-raw`) with its named fields, the building
//! block of [`Caps`](super::Caps).
//!
//! Key design decision: fields live in a small ordered `Vec`, not a map. Caps have a
//! handful of fields, a linear scan beats hashing at that size, and keeping insertion
//! order makes printed caps read the way they were written. Equality ignores that
//! order, as GStreamer's does.

use super::{CapsValue, Fraction};

/// A media type and its fields, e.g. `video/x-raw, format=RGBA, width=[ 1, 4096 ]`.
///
/// Field names are unique; setting an existing field replaces its value in place. A
/// field that is absent places no constraint. Two structures are equal when they have
/// the same name and the same fields with equal values, in any order.
///
/// The text form round-trips (`s.to_string().parse() == Ok(s)`) as long as the name
/// looks like `type/subtype` and field names start with a letter and use only
/// letters, digits and `_-+/:.` — which is all the parser can produce.
#[derive(Debug, Clone)]
pub struct Structure {
    name: String,
    fields: Vec<(String, CapsValue)>,
}

impl Structure {
    /// A structure with this media type and no fields.
    pub fn new(name: impl Into<String>) -> Self {
        Structure {
            name: name.into(),
            fields: Vec::new(),
        }
    }

    /// The media type, e.g. `video/x-raw`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Builder form of [`Structure::set`].
    #[must_use]
    pub fn with(mut self, field: &str, v: impl Into<CapsValue>) -> Self {
        self.set(field, v);
        self
    }

    /// Sets a field, replacing its value in place if it exists, else appending it.
    pub fn set(&mut self, field: &str, v: impl Into<CapsValue>) {
        let v = v.into();
        match self.fields.iter_mut().find(|(name, _)| name == field) {
            Some((_, slot)) => *slot = v,
            None => self.fields.push((field.to_owned(), v)),
        }
    }

    /// Removes a field; does nothing if it is absent.
    pub fn remove(&mut self, field: &str) {
        self.fields.retain(|(name, _)| name != field);
    }

    /// The value of a field.
    pub fn get(&self, field: &str) -> Option<&CapsValue> {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, v)| v)
    }

    /// Whether the field is present.
    pub fn has_field(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// The fields in order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &CapsValue)> {
        self.fields.iter().map(|(name, v)| (name.as_str(), v))
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The field's value if it is a fixed integer.
    pub fn get_int(&self, f: &str) -> Option<i64> {
        self.get(f).and_then(CapsValue::as_int)
    }

    /// The field's value if it is a fixed string.
    pub fn get_str(&self, f: &str) -> Option<&str> {
        self.get(f).and_then(CapsValue::as_str)
    }

    /// The field's value if it is a fixed fraction.
    pub fn get_fraction(&self, f: &str) -> Option<Fraction> {
        self.get(f).and_then(CapsValue::as_fraction)
    }

    /// The field's value if it is a fixed double.
    pub fn get_double(&self, f: &str) -> Option<f64> {
        self.get(f).and_then(CapsValue::as_double)
    }

    /// The field's value if it is a fixed boolean.
    pub fn get_bool(&self, f: &str) -> Option<bool> {
        self.get(f).and_then(CapsValue::as_bool)
    }

    /// True when every field holds a single value (no ranges, no lists).
    pub fn is_fixed(&self) -> bool {
        self.fields.iter().all(|(_, v)| v.is_fixed())
    }

    /// The structure both sides accept, or `None` when the names differ or some shared
    /// field has no common value. A field present on one side only is kept as is,
    /// since the other side does not constrain it. Fields keep `self`'s order, then
    /// `other`'s extra fields follow.
    pub fn intersect(&self, other: &Structure) -> Option<Structure> {
        if self.name != other.name {
            return None;
        }
        let mut fields = Vec::with_capacity(self.fields.len() + other.fields.len());
        for (name, ours) in &self.fields {
            let value = match other.get(name) {
                Some(theirs) => ours.intersect(theirs)?,
                None => ours.clone(),
            };
            fields.push((name.clone(), value));
        }
        for (name, theirs) in &other.fields {
            if !self.has_field(name) {
                fields.push((name.clone(), theirs.clone()));
            }
        }
        Some(Structure {
            name: self.name.clone(),
            fields,
        })
    }

    /// Whether the two structures have a common value: [`Structure::intersect`] without
    /// building the result.
    pub fn can_intersect(&self, other: &Structure) -> bool {
        self.name == other.name
            && self.fields.iter().all(|(name, ours)| {
                other
                    .get(name)
                    .is_none_or(|theirs| ours.intersect(theirs).is_some())
            })
    }

    /// True when everything `self` allows, `superset` allows too: same name, and every
    /// field of `superset` is present in `self` with a value inside it.
    pub fn is_subset(&self, superset: &Structure) -> bool {
        self.name == superset.name
            && superset
                .fields
                .iter()
                .all(|(name, sup)| self.get(name).is_some_and(|v| v.is_subset(sup)))
    }
}

impl PartialEq for Structure {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.fields.len() == other.fields.len()
            && self
                .fields
                .iter()
                .all(|(name, v)| other.get(name) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video() -> Structure {
        Structure::new("video/x-raw")
            .with("format", "RGBA")
            .with("width", CapsValue::int_range(1, 4096))
            .with("framerate", Fraction::new(30, 1))
    }

    #[test]
    fn fields_are_ordered_and_unique() {
        let mut s = video();
        s.set("width", 640);
        s.set("height", 480);
        let names: Vec<_> = s.fields().map(|(n, _)| n).collect();
        assert_eq!(names, ["format", "width", "framerate", "height"]);
        assert_eq!(s.get_int("width"), Some(640));
        s.remove("format");
        s.remove("missing");
        assert_eq!(s.len(), 3);
        assert!(!s.has_field("format"));
        assert!(Structure::new("a/b").is_empty());
    }

    #[test]
    fn typed_getters() {
        let s = video().with("flag", true).with("gain", 0.5);
        assert_eq!(s.name(), "video/x-raw");
        assert_eq!(s.get_str("format"), Some("RGBA"));
        assert_eq!(s.get_int("width"), None, "a range is not a fixed int");
        assert_eq!(s.get_fraction("framerate"), Some(Fraction::new(30, 1)));
        assert_eq!(s.get_bool("flag"), Some(true));
        assert_eq!(s.get_double("gain"), Some(0.5));
        assert_eq!(s.get_str("width"), None);
        assert!(s.get("nope").is_none());
    }

    #[test]
    fn equality_ignores_field_order() {
        let a = Structure::new("a/b").with("x", 1).with("y", 2);
        let b = Structure::new("a/b").with("y", 2).with("x", 1);
        assert_eq!(a, b);
        assert_ne!(a, b.clone().with("z", 3));
        assert_ne!(a, Structure::new("a/c").with("x", 1).with("y", 2));
    }

    #[test]
    fn fixedness() {
        assert!(!video().is_fixed());
        assert!(video().with("width", 640).is_fixed());
        assert!(Structure::new("a/b").is_fixed());
    }

    #[test]
    fn intersect_keeps_one_sided_fields() {
        let theirs = Structure::new("video/x-raw")
            .with("width", 640)
            .with("height", CapsValue::int_range(1, 1080));
        let got = video().intersect(&theirs).expect("compatible");
        let want = video()
            .with("width", 640)
            .with("height", CapsValue::int_range(1, 1080));
        assert_eq!(got, want);
        let names: Vec<_> = got.fields().map(|(n, _)| n).collect();
        assert_eq!(names, ["format", "width", "framerate", "height"]);
        assert!(video().can_intersect(&theirs));
    }

    #[test]
    fn intersect_fails_on_name_or_field() {
        assert_eq!(video().intersect(&Structure::new("audio/x-raw")), None);
        let i420 = Structure::new("video/x-raw").with("format", "I420");
        assert_eq!(video().intersect(&i420), None);
        assert!(!video().can_intersect(&i420));
        assert!(!video().can_intersect(&Structure::new("audio/x-raw")));
    }

    #[test]
    fn subset() {
        let fixed = video().with("width", 640);
        assert!(fixed.is_subset(&video()));
        assert!(!video().is_subset(&fixed));
        assert!(video().is_subset(&Structure::new("video/x-raw")));
        assert!(!Structure::new("video/x-raw").is_subset(&video()));
        assert!(!video().is_subset(&Structure::new("audio/x-raw")));
    }
}
