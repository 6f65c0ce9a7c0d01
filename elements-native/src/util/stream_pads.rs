//! The src pads of a demuxer, named `video_N` / `audio_N` in the pipeline text: which
//! kind of stream each asks for and the how-manieth of that kind (`qtdemux`, `tsdemux`).

use parallax_core::ElementError;

/// The kind of stream a pad name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKind {
    Video,
    Audio,
}

/// A linked src pad: the N-th stream of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamPad {
    pub(crate) kind: StreamKind,
    pub(crate) number: usize,
}

/// `video_N` or `audio_N`; `None` for any other name.
pub(crate) fn parse(name: &str) -> Option<StreamPad> {
    let (kind, n) = if let Some(n) = name.strip_prefix("video_") {
        (StreamKind::Video, n)
    } else {
        (StreamKind::Audio, name.strip_prefix("audio_")?)
    };
    Some(StreamPad {
        kind,
        number: n.parse().ok()?,
    })
}

/// Every pad of `src` (as `configure_pads` gives them), refusing other names for
/// `element`.
pub(crate) fn parse_all(element: &str, src: &[String]) -> Result<Vec<StreamPad>, ElementError> {
    src.iter()
        .map(|name| {
            parse(name).ok_or_else(|| {
                ElementError::settings(format!(
                    "{element} has no pad '{name}' (use video_N or audio_N)"
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_kind_and_number() {
        assert_eq!(
            parse("audio_2"),
            Some(StreamPad {
                kind: StreamKind::Audio,
                number: 2
            })
        );
        assert_eq!(parse("video_0").map(|p| p.kind), Some(StreamKind::Video));
        assert_eq!(parse("src_0"), None);
        assert_eq!(parse("video_x"), None);
        let err = parse_all("qtdemux", &["video_0".into(), "sub_0".into()]).unwrap_err();
        assert!(err.to_string().contains("qtdemux has no pad 'sub_0'"));
    }
}
