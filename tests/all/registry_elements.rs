//! Every built-in element, checked the same way: it registers, its documented defaults
//! are what it really starts with, and each writable property accepts its own default.

use parallax::core::property::PropKind;

#[test]
fn every_element_starts_with_its_documented_defaults() {
    let registry = parallax::default_registry();
    assert!(
        registry.len() >= 21,
        "only {} elements registered",
        registry.len()
    );
    for factory in registry.iter() {
        let info = factory.info();
        let element = factory.create();
        for spec in info.properties.iter().filter(|s| s.readable) {
            let actual = element
                .base()
                .property(spec.name)
                .unwrap_or_else(|e| panic!("{}: {}: {e}", info.name, spec.name));
            // Integers may come back signed or unsigned; compare by value.
            let same = match (&actual, &spec.default) {
                (a, d) if a == d => true,
                (a, d) => a.as_int().is_some() && a.as_int() == d.as_int(),
            };
            assert!(
                same,
                "{}.{}: starts as {actual} but documents {}",
                info.name, spec.name, spec.default
            );
        }
    }
}

#[test]
fn every_writable_property_accepts_its_default_and_refuses_nonsense() {
    let registry = parallax::default_registry();
    for factory in registry.iter() {
        let info = factory.info();
        let mut element = factory.create();
        for spec in info.properties.iter().filter(|s| s.writable) {
            factory
                .set_property(&mut element, spec.name, &spec.default)
                .unwrap_or_else(|e| panic!("{}.{}: {e}", info.name, spec.name));
            let nonsense = match spec.kind {
                PropKind::Str | PropKind::Path | PropKind::Caps => continue,
                _ => "not-a-value-%%",
            };
            assert!(
                factory
                    .set_property_from_str(&mut element, spec.name, nonsense)
                    .is_err(),
                "{}.{} accepted '{nonsense}'",
                info.name,
                spec.name
            );
        }
        let err = factory
            .set_property_from_str(&mut element, "no-such-property", "1")
            .unwrap_err();
        assert!(err.to_string().contains("no property 'no-such-property'"));
    }
}

#[test]
fn every_element_has_pads_docs_and_a_valid_name() {
    for factory in parallax::default_registry().iter() {
        let info = factory.info();
        assert!(
            !info.description.is_empty(),
            "{} has no description",
            info.name
        );
        assert!(!info.pad_templates.is_empty(), "{} has no pads", info.name);
        for spec in &info.properties {
            assert!(
                !spec.doc.is_empty(),
                "{}.{} has no doc",
                info.name,
                spec.name
            );
        }
    }
}
