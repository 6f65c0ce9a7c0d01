//! Caps negotiation over whole graphs, and its failures in plain words.

use parallax::core::{Caps, Fraction};

fn link_caps(pipeline: &parallax::Pipeline, src: &str) -> Caps {
    pipeline
        .links()
        .into_iter()
        .find(|l| l.src_element == src)
        .and_then(|l| l.caps)
        .expect("link is negotiated")
}

#[test]
fn downstream_constraints_reach_the_source_before_fixation() {
    // The second filter narrows the range; the source side must fixate inside both.
    let mut p = parallax::Pipeline::parse(
        "fakesrc ! video/x-raw,format={I420,RGBA},width=[1,100] ! video/x-raw,format=RGBA,width=[50,200] ! fakesink",
    )
    .unwrap();
    p.validate().unwrap();
    let caps = link_caps(&p, "fakesrc0");
    let s = caps.structure(0).unwrap();
    assert_eq!(s.get_str("format"), Some("RGBA"));
    assert_eq!(s.get_int("width"), Some(50));
    assert!(caps.is_fixed());
    // Every link carries the same fixed caps through passthrough elements.
    assert_eq!(link_caps(&p, "capsfilter1"), caps);
}

#[test]
fn a_failure_names_both_elements_pads_and_fields() {
    let mut p = parallax::Pipeline::parse(
        "fakesrc ! video/x-raw,format=RGBA,framerate=30/1 ! video/x-raw,format=I420 ! fakesink",
    )
    .unwrap();
    let err = p.validate().unwrap_err().to_string();
    assert!(err.contains("capsfilter0.src"), "{err}");
    assert!(err.contains("capsfilter1.sink"), "{err}");
    assert!(err.contains("format: RGBA vs I420"), "{err}");
}

#[test]
fn media_type_mismatch_is_explained() {
    let mut p =
        parallax::Pipeline::parse("fakesrc ! audio/x-raw ! video/x-raw ! fakesink").unwrap();
    let err = p.validate().unwrap_err().to_string();
    assert!(
        err.contains("audio/x-raw") && err.contains("video/x-raw"),
        "{err}"
    );
}

#[test]
fn tee_branches_must_agree() {
    let mut p = parallax::Pipeline::parse(
        "fakesrc ! tee name=t  t. ! queue ! video/x-raw,width=10 ! fakesink  t. ! queue ! video/x-raw,width=20 ! fakesink",
    )
    .unwrap();
    let err = p.validate().unwrap_err().to_string();
    assert!(err.contains("the branches after 't' cannot agree"), "{err}");
    assert!(err.contains("width"), "{err}");
}

#[test]
fn fractions_and_ranges_fixate_to_the_lowest_allowed() {
    let mut p = parallax::Pipeline::parse(
        "fakesrc ! \"video/x-raw, framerate=(fraction)[ 10/1, 60/1 ]\" ! fakesink",
    )
    .unwrap();
    p.validate().unwrap();
    let caps = link_caps(&p, "fakesrc0");
    assert_eq!(
        caps.structure(0).unwrap().get_fraction("framerate"),
        Some(Fraction { num: 10, den: 1 })
    );
}
