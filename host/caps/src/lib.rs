//! Caps: what media formats a pad can produce or accept, GStreamer-compatible.
//!
//! [`Caps`] is `ANY`, `EMPTY`, or an ordered list of [`Structure`]s (alternatives,
//! preferred first). A structure is a media type such as `video/x-raw` with named
//! fields whose [`CapsValue`]s are fixed values, ranges or lists. Negotiation
//! intersects the caps of two pads, then [fixates](Caps::fixate) the result to one
//! concrete format; when the intersection is empty,
//! [`explain_mismatch`](Caps::explain_mismatch) says why in plain words.
//!
//! The text form is GStreamer's (`gst-launch` syntax), so existing pipelines' caps
//! strings work unchanged:
//!
//! ```text
//! video/x-raw, format=(string){ I420, NV12 }, width=[ 1, 4096 ], framerate=30/1
//! audio/x-raw, rate=(int){ 44100, 48000 }, channels=2; audio/x-alaw
//! ```
//!
//! Key design decision: semantics follow GStreamer (a missing field is
//! unconstrained, lists are alternatives, ranges are inclusive, `Int` and `Double`
//! never meet) with one deliberate choice: [`Caps::intersect`] keeps `self`'s order
//! (GStreamer's `INTERSECT_FIRST` mode), so the side asking keeps its preferences.
//!
//! ```
//! use parallax_caps::{Caps, Fraction};
//!
//! let src: Caps = "video/x-raw, format={ NV12, RGBA }, width=[ 1, 4096 ], framerate=30/1"
//!     .parse()
//!     .unwrap();
//! let sink: Caps = "video/x-raw, format=RGBA, width=640".parse().unwrap();
//! let common = src.intersect(&sink);
//! assert!(common.is_fixed());
//! let s = common.structure(0).unwrap();
//! assert_eq!(s.get_str("format"), Some("RGBA"));
//! assert_eq!(s.get_fraction("framerate"), Some(Fraction::new(30, 1)));
//! assert_eq!(common.to_string(), "video/x-raw, format=RGBA, width=640, framerate=30/1");
//!
//! let audio: Caps = "audio/x-raw".parse().unwrap();
//! let why = src.explain_mismatch(&audio);
//! assert_eq!(why[0].to_string(), "media type: video/x-raw vs audio/x-raw");
//! ```

#![warn(missing_docs)]

mod explain;
mod fixate;
mod fraction;
mod intersect;
mod literal;
mod parse;
mod print;
mod structure;
mod value;

pub use explain::CapsConflict;
pub use fraction::Fraction;
pub use parse::CapsParseError;
pub use structure::Structure;
pub use value::CapsValue;

/// The set of media formats a pad can handle: `ANY`, `EMPTY`, or alternatives.
///
/// Alternatives are ordered, preferred first. Equality is structural (same
/// alternatives in the same order). Parse with [`str::parse`]; `Display` prints text
/// that parses back to an equal value.
#[derive(Debug, Clone, PartialEq)]
pub struct Caps {
    inner: Inner,
}

#[derive(Debug, Clone, PartialEq)]
enum Inner {
    Any,
    /// Alternatives; none means EMPTY.
    Structures(Vec<Structure>),
}

impl Caps {
    /// Caps that accept every format.
    pub fn any() -> Caps {
        Caps { inner: Inner::Any }
    }

    /// Caps that accept nothing; the result of a failed intersection.
    pub fn empty() -> Caps {
        Caps::from_structures(Vec::new())
    }

    /// Caps with a single alternative.
    pub fn new(s: Structure) -> Caps {
        Caps::from_structures(vec![s])
    }

    /// Caps with these alternatives, preferred first; no alternatives is EMPTY.
    pub fn from_structures(structures: Vec<Structure>) -> Caps {
        Caps {
            inner: Inner::Structures(structures),
        }
    }

    /// Starts single-structure caps: `Caps::builder("audio/x-raw").field("rate", 48000).build()`.
    pub fn builder(media_type: impl Into<String>) -> CapsBuilder {
        CapsBuilder {
            structure: Structure::new(media_type),
        }
    }

    /// True for ANY.
    pub fn is_any(&self) -> bool {
        matches!(self.inner, Inner::Any)
    }

    /// True for EMPTY (no alternatives).
    pub fn is_empty(&self) -> bool {
        matches!(&self.inner, Inner::Structures(v) if v.is_empty())
    }

    /// True when these caps name exactly one format: one structure, all fields fixed.
    pub fn is_fixed(&self) -> bool {
        matches!(&self.inner, Inner::Structures(v) if v.len() == 1 && v.iter().all(Structure::is_fixed))
    }

    /// The alternatives, preferred first; none for ANY and EMPTY.
    pub fn structures(&self) -> &[Structure] {
        match &self.inner {
            Inner::Any => &[],
            Inner::Structures(v) => v,
        }
    }

    /// The alternative at `i`.
    pub fn structure(&self, i: usize) -> Option<&Structure> {
        self.structures().get(i)
    }

    /// The alternatives, for editing in place; none for ANY.
    pub fn structures_mut(&mut self) -> &mut [Structure] {
        match &mut self.inner {
            Inner::Any => &mut [],
            Inner::Structures(v) => v,
        }
    }

    /// Adds a least-preferred alternative. ANY already holds it, so stays ANY.
    pub fn push(&mut self, s: Structure) {
        if let Inner::Structures(v) = &mut self.inner {
            v.push(s);
        }
    }

    /// Adds `other`'s alternatives after this one's; anything appended to or from ANY
    /// is ANY.
    pub fn append(&mut self, other: Caps) {
        match (&mut self.inner, other.inner) {
            (Inner::Any, _) => {}
            (this, Inner::Any) => *this = Inner::Any,
            (Inner::Structures(v), Inner::Structures(w)) => v.extend(w),
        }
    }

    /// The formats both sides accept. ANY meets anything as that thing; otherwise
    /// every pair of alternatives is intersected, in `self`'s preference order, and a
    /// result already covered by an earlier one is dropped.
    pub fn intersect(&self, other: &Caps) -> Caps {
        let (ours, theirs) = match (&self.inner, &other.inner) {
            (Inner::Any, _) => return other.clone(),
            (_, Inner::Any) => return self.clone(),
            (Inner::Structures(a), Inner::Structures(b)) => (a, b),
        };
        let mut out: Vec<Structure> = Vec::new();
        for a in ours {
            for b in theirs {
                if let Some(s) = a.intersect(b)
                    && !out.iter().any(|kept| s.is_subset(kept))
                {
                    out.push(s);
                }
            }
        }
        Caps::from_structures(out)
    }

    /// Whether [`Caps::intersect`] would be non-empty, without building it.
    pub fn can_intersect(&self, other: &Caps) -> bool {
        match (&self.inner, &other.inner) {
            (Inner::Any, _) => !other.is_empty(),
            (_, Inner::Any) => !self.is_empty(),
            (Inner::Structures(a), Inner::Structures(b)) => {
                a.iter().any(|x| b.iter().any(|y| x.can_intersect(y)))
            }
        }
    }

    /// True when every format `self` allows, `superset` allows too. EMPTY is a subset
    /// of everything; only ANY is a superset of ANY.
    pub fn is_subset(&self, superset: &Caps) -> bool {
        match (&self.inner, &superset.inner) {
            (_, Inner::Any) => true,
            (Inner::Any, _) => false,
            (Inner::Structures(a), Inner::Structures(b)) => {
                a.iter().all(|x| b.iter().any(|y| x.is_subset(y)))
            }
        }
    }

    /// One concrete format: the first alternative with every field fixated the default
    /// way ([`CapsValue::fixate`]). ANY and EMPTY fixate to themselves.
    pub fn fixate(&self) -> Caps {
        match self.structures().first() {
            Some(s) => Caps::new(s.fixate()),
            None => self.clone(),
        }
    }
}

impl From<Structure> for Caps {
    fn from(s: Structure) -> Self {
        Caps::new(s)
    }
}

/// Builds single-structure [`Caps`]; see [`Caps::builder`].
#[derive(Debug, Clone)]
pub struct CapsBuilder {
    structure: Structure,
}

impl CapsBuilder {
    /// Sets a field.
    #[must_use]
    pub fn field(mut self, name: &str, v: impl Into<CapsValue>) -> Self {
        self.structure.set(name, v);
        self
    }

    /// The finished caps.
    pub fn build(self) -> Caps {
        Caps::new(self.structure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(s: &str) -> Caps {
        s.parse().expect("valid caps")
    }

    #[test]
    fn any_and_empty() {
        let v = caps("video/x-raw, width=640");
        assert_eq!(Caps::any().intersect(&v), v);
        assert_eq!(v.intersect(&Caps::any()), v);
        assert!(Caps::any().intersect(&Caps::any()).is_any());
        assert!(Caps::empty().intersect(&v).is_empty());
        assert!(v.intersect(&Caps::empty()).is_empty());
        assert!(Caps::any().intersect(&Caps::empty()).is_empty());
        assert!(Caps::any().can_intersect(&v));
        assert!(!Caps::any().can_intersect(&Caps::empty()));
        assert!(!v.can_intersect(&Caps::empty()));
        assert!(!Caps::any().is_fixed() && !Caps::empty().is_fixed());
        assert!(Caps::any().structures().is_empty());
        assert_eq!(Caps::from_structures(vec![]), Caps::empty());
    }

    #[test]
    fn intersection_prefers_self_order() {
        let ours =
            caps("video/x-raw, format=NV12; video/x-raw, format=RGBA; video/x-raw, format=I420");
        let theirs = caps("video/x-raw, format={ I420, RGBA }");
        assert_eq!(
            ours.intersect(&theirs),
            caps("video/x-raw, format=RGBA; video/x-raw, format=I420")
        );
        assert_eq!(
            theirs.intersect(&ours),
            caps("video/x-raw, format=RGBA; video/x-raw, format=I420")
        );
        let theirs = caps("video/x-raw, format=I420; video/x-raw, format=RGBA");
        assert_eq!(
            ours.intersect(&theirs),
            caps("video/x-raw, format=RGBA; video/x-raw, format=I420")
        );
    }

    #[test]
    fn intersection_mixes_media_types_and_drops_covered_results() {
        let ours = caps("audio/x-raw, rate=[ 1, 96000 ]; video/x-raw, width=[ 1, 100 ]");
        let theirs = caps("video/x-raw, width=50; audio/x-raw, rate=48000, channels=2");
        assert_eq!(
            ours.intersect(&theirs),
            caps("audio/x-raw, rate=48000, channels=2; video/x-raw, width=50")
        );
        // The second result lies inside the first and is dropped.
        let ours = caps("video/x-raw; video/x-raw, width=640");
        let theirs = caps("video/x-raw, width=[ 1, 4096 ]");
        assert_eq!(ours.intersect(&theirs), theirs);
        assert!(!caps("video/x-raw").can_intersect(&caps("audio/x-raw")));
        assert!(
            caps("video/x-raw")
                .intersect(&caps("audio/x-raw"))
                .is_empty()
        );
    }

    #[test]
    fn subset() {
        let wide = caps("video/x-raw, width=[ 1, 4096 ]; audio/x-raw");
        assert!(caps("video/x-raw, width=640").is_subset(&wide));
        assert!(caps("audio/x-raw, rate=48000; video/x-raw, width=1").is_subset(&wide));
        assert!(!caps("video/x-raw, width=0").is_subset(&wide));
        assert!(
            !caps("video/x-raw").is_subset(&wide),
            "missing field is unconstrained"
        );
        assert!(Caps::empty().is_subset(&wide));
        assert!(wide.is_subset(&Caps::any()));
        assert!(!Caps::any().is_subset(&wide));
        assert!(Caps::any().is_subset(&Caps::any()));
        assert!(!wide.is_subset(&Caps::empty()));
    }

    #[test]
    fn fixate() {
        let c = caps(
            "video/x-raw, format={ NV12, RGBA }, width=[ 16, 4096 ], framerate=[ 1/1, 60/1 ]; audio/x-raw",
        );
        let fixed = c.fixate();
        assert!(fixed.is_fixed());
        assert_eq!(
            fixed,
            caps("video/x-raw, format=NV12, width=16, framerate=1/1")
        );
        assert!(Caps::any().fixate().is_any());
        assert!(Caps::empty().fixate().is_empty());
        assert!(caps("video/x-raw; audio/x-raw").fixate().is_fixed());
        assert!(!caps("video/x-raw; audio/x-raw").is_fixed());
    }

    #[test]
    fn builder_and_editing() {
        let mut c = Caps::builder("audio/x-raw")
            .field("rate", 48000)
            .field("channels", 2)
            .build();
        assert_eq!(c, caps("audio/x-raw, rate=48000, channels=2"));
        assert_eq!(c.structure(0).and_then(|s| s.get_int("rate")), Some(48000));
        assert_eq!(c.structure(1), None);
        c.structures_mut()[0].set("rate", 44100);
        c.push(Structure::new("audio/x-alaw"));
        assert_eq!(
            c.to_string(),
            "audio/x-raw, rate=44100, channels=2; audio/x-alaw"
        );
        c.append(caps("audio/x-mulaw"));
        assert_eq!(c.structures().len(), 3);
        c.append(Caps::any());
        assert!(c.is_any());
        c.push(Structure::new("video/x-raw"));
        assert!(c.is_any() && c.structures_mut().is_empty());
        let mut e = Caps::empty();
        e.append(caps("video/x-raw"));
        assert_eq!(e, Caps::from(Structure::new("video/x-raw")));
    }
}
