//! Explaining failed negotiation: [`Caps::explain_mismatch`] lists, in plain words, why
//! two caps have no common format.
//!
//! Key design decision: the explanation is structured data ([`CapsConflict`]), not a
//! string, so the engine can point at the exact field in a `.px` file; its `Display`
//! gives the plain sentence. When some media types match, only field conflicts between
//! those are reported: "format: RGBA vs { I420, NV12 }" is what a user can act on,
//! while listing every unrelated media type pair would bury it.

use std::fmt;

use super::{Caps, CapsValue};

/// One reason two caps do not intersect.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum CapsConflict {
    /// The two sides share no media type at all.
    MediaType {
        /// Media types offered by our side (`["ANY"]` for ANY caps, empty for EMPTY).
        ours: Vec<String>,
        /// Media types offered by their side (`["ANY"]` for ANY caps, empty for EMPTY).
        theirs: Vec<String>,
    },
    /// A field of a shared media type has no common value.
    Field {
        /// The media type the field belongs to, e.g. `video/x-raw`.
        media_type: String,
        /// The field name, e.g. `format`.
        field: String,
        /// Our value.
        ours: CapsValue,
        /// Their value.
        theirs: CapsValue,
    },
}

fn write_types(f: &mut fmt::Formatter<'_>, types: &[String]) -> fmt::Result {
    if types.is_empty() {
        return f.write_str("nothing (EMPTY)");
    }
    f.write_str(&types.join(" or "))
}

impl fmt::Display for CapsConflict {
    /// `media type: video/x-raw vs audio/x-raw`, or
    /// `format: RGBA vs { I420, NV12 } (video/x-raw)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapsConflict::MediaType { ours, theirs } => {
                f.write_str("media type: ")?;
                write_types(f, ours)?;
                f.write_str(" vs ")?;
                write_types(f, theirs)
            }
            CapsConflict::Field {
                media_type,
                field,
                ours,
                theirs,
            } => {
                write!(f, "{field}: {ours} vs {theirs} ({media_type})")
            }
        }
    }
}

fn media_types(caps: &Caps) -> Vec<String> {
    if caps.is_any() {
        return vec!["ANY".to_owned()];
    }
    let mut out: Vec<String> = Vec::new();
    for s in caps.structures() {
        if !out.iter().any(|t| t == s.name()) {
            out.push(s.name().to_owned());
        }
    }
    out
}

impl Caps {
    /// Why `self` and `other` have no common format, in the order of `self`'s
    /// preferences; empty when they do intersect.
    ///
    /// Reports a [`CapsConflict::MediaType`] when no media type is shared (or one side
    /// is `EMPTY`), otherwise one [`CapsConflict::Field`] per field that fails between
    /// structures of the same media type.
    pub fn explain_mismatch(&self, other: &Caps) -> Vec<CapsConflict> {
        if self.can_intersect(other) {
            return Vec::new();
        }
        let (ours, theirs) = (self.structures(), other.structures());
        let shared = ours
            .iter()
            .any(|a| theirs.iter().any(|b| a.name() == b.name()));
        // ANY only gets here against EMPTY, which shares nothing, so it lands below.
        if !shared {
            return vec![CapsConflict::MediaType {
                ours: media_types(self),
                theirs: media_types(other),
            }];
        }
        let mut conflicts = Vec::new();
        for a in ours {
            for b in theirs.iter().filter(|b| b.name() == a.name()) {
                for (field, v) in a.fields() {
                    let Some(w) = b.get(field) else { continue };
                    if v.intersect(w).is_some() {
                        continue;
                    }
                    let conflict = CapsConflict::Field {
                        media_type: a.name().to_owned(),
                        field: field.to_owned(),
                        ours: v.clone(),
                        theirs: w.clone(),
                    };
                    if !conflicts.contains(&conflict) {
                        conflicts.push(conflict);
                    }
                }
            }
        }
        conflicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(s: &str) -> Caps {
        s.parse().expect("valid caps")
    }

    fn explain(a: &str, b: &str) -> Vec<String> {
        caps(a)
            .explain_mismatch(&caps(b))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn compatible_caps_have_no_conflicts() {
        assert!(explain("video/x-raw, format=RGBA", "video/x-raw").is_empty());
        assert!(explain("ANY", "audio/x-raw").is_empty());
        assert!(explain("video/x-raw; audio/x-raw", "audio/x-raw").is_empty());
    }

    #[test]
    fn media_type_mismatch() {
        assert_eq!(
            explain("video/x-raw", "audio/x-raw"),
            ["media type: video/x-raw vs audio/x-raw"]
        );
        assert_eq!(
            explain(
                "video/x-raw, width=1; image/jpeg",
                "audio/x-raw; audio/x-alaw"
            ),
            ["media type: video/x-raw or image/jpeg vs audio/x-raw or audio/x-alaw"]
        );
        assert_eq!(
            explain("EMPTY", "audio/x-raw"),
            ["media type: nothing (EMPTY) vs audio/x-raw"]
        );
        assert_eq!(
            explain("ANY", "EMPTY"),
            ["media type: ANY vs nothing (EMPTY)"]
        );
    }

    #[test]
    fn field_mismatch() {
        let got = caps("video/x-raw, format=RGBA, width=640").explain_mismatch(&caps(
            "video/x-raw, format={ I420, NV12 }, width=[ 1, 4096 ]",
        ));
        assert_eq!(
            got,
            [CapsConflict::Field {
                media_type: "video/x-raw".into(),
                field: "format".into(),
                ours: CapsValue::from("RGBA"),
                theirs: CapsValue::list(["I420", "NV12"]),
            }]
        );
        assert_eq!(
            got[0].to_string(),
            "format: RGBA vs { I420, NV12 } (video/x-raw)"
        );
    }

    #[test]
    fn every_failing_field_is_reported_once() {
        assert_eq!(
            explain(
                "video/x-raw, format=RGBA, width=640, framerate=30/1; audio/x-raw",
                "video/x-raw, format=I420, width=[ 1, 320 ], framerate=30/1; \
                 video/x-raw, format=I420, width=800",
            ),
            [
                "format: RGBA vs I420 (video/x-raw)",
                "width: 640 vs [ 1, 320 ] (video/x-raw)",
                "width: 640 vs 800 (video/x-raw)",
            ]
        );
    }
}
