//! Extensible buffer metadata (`ExtraMeta`) across the boundary, both ways.
//!
//! It travels beside the fixed fields (which stay a `Copy` struct of plain words, so a
//! buffer without extra metadata costs nothing more), as key/value entries, bounded per
//! buffer and per message. The receiving side checks the bounds again: a worker that sends
//! more is treated as one that broke the protocol.

use std::borrow::Cow;

use rkyv::{Archive, Deserialize, Serialize};

use parallax_core::buffer::{ExtraMeta, MetaValue};

/// Most entries per buffer.
pub const MAX_ENTRIES: usize = 32;
/// Longest key, in bytes.
pub const MAX_KEY: usize = 64;
/// Most bytes of keys and values per buffer.
pub const MAX_BYTES: usize = 4096;
/// Most bytes of keys and values per message (the mailbox area is 60 KiB).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;

/// One value, as `MetaValue` has them.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Value {
    /// `MetaValue::Int`.
    Int(i64),
    /// `MetaValue::Double`.
    Double(f64),
    /// `MetaValue::Str`.
    Str(String),
    /// `MetaValue::Bytes`.
    Bytes(Vec<u8>),
}

/// One entry.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Entry {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Value,
}

/// The extra metadata of output `output` of a `Done` reply.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ForOutput {
    /// Index in the reply's outputs.
    pub output: u32,
    /// Entries.
    pub entries: Vec<Entry>,
}

fn value_bytes(value: &Value) -> usize {
    match value {
        Value::Int(_) | Value::Double(_) => 8,
        Value::Str(s) => s.len(),
        Value::Bytes(b) => b.len(),
    }
}

/// Bytes `entries` count against the bounds, or why they break them.
///
/// # Errors
///
/// A message naming the bound that is exceeded.
pub fn check(entries: &[Entry]) -> Result<usize, String> {
    if entries.len() > MAX_ENTRIES {
        return Err(format!(
            "{} extra metadata entries on one buffer (at most {MAX_ENTRIES})",
            entries.len()
        ));
    }
    let mut total = 0usize;
    for entry in entries {
        if entry.key.is_empty() || entry.key.len() > MAX_KEY {
            return Err(format!(
                "extra metadata key of {} bytes (1 to {MAX_KEY})",
                entry.key.len()
            ));
        }
        total = total
            .saturating_add(entry.key.len())
            .saturating_add(value_bytes(&entry.value));
    }
    if total > MAX_BYTES {
        return Err(format!(
            "{total} bytes of extra metadata on one buffer (at most {MAX_BYTES})"
        ));
    }
    Ok(total)
}

/// `extra` as entries, checked against the bounds; `Ok(empty)` when there is none.
///
/// # Errors
///
/// As [`check`], or for a kind of value this version cannot carry.
pub fn encode(extra: Option<&ExtraMeta>) -> Result<Vec<Entry>, String> {
    let Some(extra) = extra else {
        return Ok(Vec::new());
    };
    let entries = extra
        .iter()
        .map(|(key, value)| {
            let value = match value {
                MetaValue::Int(v) => Value::Int(*v),
                MetaValue::Double(v) => Value::Double(*v),
                MetaValue::Str(v) => Value::Str(v.clone()),
                MetaValue::Bytes(v) => Value::Bytes(v.clone()),
                other => {
                    return Err(format!(
                        "extra metadata {key:?} cannot cross the sandbox boundary: {other:?}"
                    ));
                }
            };
            Ok(Entry {
                key: key.to_owned(),
                value,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    check(&entries)?;
    Ok(entries)
}

/// Entries back into `ExtraMeta` (`None` for none), checked against the bounds.
///
/// # Errors
///
/// As [`check`].
pub fn decode(entries: Vec<Entry>) -> Result<Option<Box<ExtraMeta>>, String> {
    if entries.is_empty() {
        return Ok(None);
    }
    check(&entries)?;
    let mut extra = ExtraMeta::default();
    for entry in entries {
        let value = match entry.value {
            Value::Int(v) => MetaValue::Int(v),
            Value::Double(v) => MetaValue::Double(v),
            Value::Str(v) => MetaValue::Str(v),
            Value::Bytes(v) => MetaValue::Bytes(v),
        };
        extra.set(Cow::Owned(entry.key), value);
    }
    Ok(Some(Box::new(extra)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_value_round_trips_in_order() {
        let mut extra = ExtraMeta::default();
        extra.set("a", MetaValue::Int(-7));
        extra.set("b", MetaValue::Double(0.25));
        extra.set("c", MetaValue::Str("text".into()));
        extra.set("d", MetaValue::Bytes(vec![1, 2, 3]));
        let entries = encode(Some(&extra)).unwrap();
        assert_eq!(entries.len(), 4);
        let back = decode(entries).unwrap().unwrap();
        assert_eq!(*back, extra);
        assert!(decode(Vec::new()).unwrap().is_none());
        assert!(encode(None).unwrap().is_empty());
    }

    #[test]
    fn oversized_metadata_is_refused_both_ways() {
        let mut big = ExtraMeta::default();
        big.set("blob", MetaValue::Bytes(vec![0; MAX_BYTES]));
        assert!(encode(Some(&big)).unwrap_err().contains("at most 4096"));
        let many: Vec<Entry> = (0..=MAX_ENTRIES)
            .map(|i| Entry {
                key: format!("k{i}"),
                value: Value::Int(0),
            })
            .collect();
        assert!(decode(many).unwrap_err().contains("entries"));
        let long_key = vec![Entry {
            key: "k".repeat(MAX_KEY + 1),
            value: Value::Int(0),
        }];
        assert!(decode(long_key).unwrap_err().contains("key"));
        let empty_key = vec![Entry {
            key: String::new(),
            value: Value::Int(0),
        }];
        assert!(check(&empty_key).is_err());
    }
}
