//! Property values: they arrive as canonical text (already checked by the host against
//! the [`PropSpec`](crate::PropSpec)s); typed helpers parse them.

use crate::{Error, PropSpec};

/// One property value as text, with typed accessors. Parsing failures name the property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropValue<'a> {
    name: &'a str,
    text: &'a str,
}

impl<'a> PropValue<'a> {
    /// A value of property `name`.
    pub fn new(name: &'a str, text: &'a str) -> Self {
        PropValue { name, text }
    }

    /// The property's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The value as text.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    fn bad(&self, what: &str) -> Error {
        Error::new(format!(
            "property {}: {:?} is not {what}",
            self.name, self.text
        ))
    }

    /// The value as a boolean (`true`/`false`, also `1`/`0`, `yes`/`no`).
    ///
    /// # Errors
    /// When the text is none of these.
    pub fn as_bool(&self) -> Result<bool, Error> {
        match self.text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(self.bad("a boolean")),
        }
    }

    /// The value as an integer.
    ///
    /// # Errors
    /// When the text is not a decimal integer that fits in `i64`.
    pub fn as_i64(&self) -> Result<i64, Error> {
        self.text.trim().parse().map_err(|_| self.bad("an integer"))
    }

    /// The value as a float.
    ///
    /// # Errors
    /// When the text is not a finite number.
    pub fn as_f64(&self) -> Result<f64, Error> {
        match self.text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.bad("a number")),
        }
    }

    /// The value as an enumeration: `values` are `(nick, number)`; either form matches.
    ///
    /// # Errors
    /// When the text is neither a nick nor a number of `values`.
    pub fn as_enum(&self, values: &[(&str, i64)]) -> Result<i64, Error> {
        let t = self.text.trim();
        values
            .iter()
            .find(|(nick, v)| *nick == t || t.parse::<i64>() == Ok(*v))
            .map(|(_, v)| *v)
            .ok_or_else(|| self.bad("one of the allowed values"))
    }
}

/// The properties an instance is created with: the values given, falling back to the
/// defaults of the element's [`PropSpec`](crate::PropSpec)s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Props {
    given: Vec<(String, String)>,
    defaults: Vec<(String, String)>,
}

impl Props {
    /// Properties with these given values and the defaults of `specs`.
    pub fn new(given: Vec<(String, String)>, specs: &[PropSpec]) -> Self {
        let defaults = specs
            .iter()
            .map(|s| (s.name.clone(), s.default.clone()))
            .collect();
        Props { given, defaults }
    }

    /// The value of `name`: the given one, else the declared default.
    pub fn get(&self, name: &str) -> Option<PropValue<'_>> {
        self.given
            .iter()
            .rev()
            .chain(self.defaults.iter())
            .find(|(n, _)| n == name)
            .map(|(n, v)| PropValue::new(n, v))
    }

    /// Whether `name` was given (not only defaulted).
    pub fn is_given(&self, name: &str) -> bool {
        self.given.iter().any(|(n, _)| n == name)
    }

    fn require(&self, name: &str) -> Result<PropValue<'_>, Error> {
        self.get(name)
            .ok_or_else(|| Error::new(format!("property {name} has no value and no default")))
    }

    /// `name` as a boolean. See [`PropValue::as_bool`].
    ///
    /// # Errors
    /// When it has no value or the value does not parse.
    pub fn bool(&self, name: &str) -> Result<bool, Error> {
        self.require(name)?.as_bool()
    }

    /// `name` as an integer. See [`PropValue::as_i64`].
    ///
    /// # Errors
    /// When it has no value or the value does not parse.
    pub fn i64(&self, name: &str) -> Result<i64, Error> {
        self.require(name)?.as_i64()
    }

    /// `name` as a float. See [`PropValue::as_f64`].
    ///
    /// # Errors
    /// When it has no value or the value does not parse.
    pub fn f64(&self, name: &str) -> Result<f64, Error> {
        self.require(name)?.as_f64()
    }

    /// `name` as text.
    ///
    /// # Errors
    /// When it has no value.
    pub fn str(&self, name: &str) -> Result<&str, Error> {
        Ok(self.require(name)?.as_str())
    }

    /// The given values, in order.
    pub fn given(&self) -> impl Iterator<Item = (&str, &str)> {
        self.given.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_values_win_over_defaults() {
        let specs = [
            PropSpec::double("volume", 0.0, 10.0, 1.0, "v"),
            PropSpec::bool("mute", false, "m"),
        ];
        let p = Props::new(vec![("mute".into(), "true".into())], &specs);
        assert_eq!(p.f64("volume"), Ok(1.0));
        assert_eq!(p.bool("mute"), Ok(true));
        assert!(p.is_given("mute") && !p.is_given("volume"));
        assert!(p.f64("nope").is_err());
    }

    #[test]
    fn typed_parsing() {
        assert_eq!(PropValue::new("x", "0.5").as_f64(), Ok(0.5));
        assert!(PropValue::new("x", "NaN").as_f64().is_err());
        assert_eq!(PropValue::new("x", "-3").as_i64(), Ok(-3));
        assert_eq!(
            PropValue::new("x", "b").as_enum(&[("a", 1), ("b", 2)]),
            Ok(2)
        );
        assert_eq!(PropValue::new("x", "1").as_enum(&[("a", 1)]), Ok(1));
        let e = PropValue::new("mute", "maybe").as_bool().unwrap_err();
        assert!(e.message().contains("mute"));
    }
}
