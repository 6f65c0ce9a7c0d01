//! Loading WASM components: info, the compilation cache, the import policy.

use parallax::core::element::TrustLevel;
use parallax::core::{PadDirection, PropKind};
use parallax_wasm::{WasmConfig, WasmError, WasmRuntime};

use crate::wasm_support::{guest_path, load, runtime, scratch_dir};

#[test]
fn describe_becomes_element_info_with_host_properties() {
    let plugin = load("passthrough");
    let info = plugin.info();
    assert_eq!(info.name, "passthrough");
    assert_eq!(info.templates(PadDirection::Sink).count(), 1);
    assert_eq!(info.templates(PadDirection::Src).count(), 1);
    assert_eq!(info.hints.trust, TrustLevel::Untrusted);
    for name in parallax_wasm::HOST_PROPERTIES {
        assert!(info.property_spec(name).is_ok(), "{name} missing");
    }
    let deadline = info.property_spec("deadline-ms").unwrap();
    assert!(matches!(deadline.kind, PropKind::UInt { .. }));
    assert!(plugin.is_zero_copy());
    assert!(
        plugin
            .imports()
            .iter()
            .all(|i| !i.starts_with("wasi:filesystem")),
        "{:?}",
        plugin.imports()
    );
}

#[test]
fn second_load_is_a_cache_hit() {
    let dir = scratch_dir("wasm-cache-hit");
    let config = WasmConfig {
        cache_dir: Some(dir.clone()),
        ..WasmConfig::default()
    };
    let first = WasmRuntime::new(config.clone()).unwrap();
    let a = first.load(&guest_path("passthrough")).unwrap();
    assert!(!a.load_report().cache_hit);
    let artifact = a.load_report().cache_path.clone().unwrap();
    assert!(artifact.starts_with(&dir) && artifact.is_file());
    // A new runtime, as a second `parallax run` would make.
    let second = WasmRuntime::new(config).unwrap();
    let b = second.load(&guest_path("passthrough")).unwrap();
    assert!(b.load_report().cache_hit, "{:?}", b.load_report());
    assert_eq!(b.load_report().compile_time, std::time::Duration::ZERO);
    assert_eq!(b.info().name, "passthrough");
}

#[test]
fn filesystem_import_is_refused_at_load_naming_it() {
    let err = runtime().load(&guest_path("hostile_fsimport")).unwrap_err();
    match &err {
        WasmError::ForbiddenImport { import, .. } => {
            assert!(import.starts_with("wasi:filesystem/"), "{import}")
        }
        other => panic!("expected ForbiddenImport, got {other}"),
    }
    assert!(err.to_string().contains("does not grant"), "{err}");
}

#[test]
fn a_missing_file_is_a_clean_error() {
    let err = runtime().load(&guest_path("no_such_guest")).unwrap_err();
    assert!(matches!(err, WasmError::Io { .. }), "{err}");
}

#[test]
fn every_well_behaved_element_loads_under_the_default_policy() {
    for (name, path) in parallax_test_artifacts::ELEMENTS {
        let plugin = runtime()
            .load(std::path::Path::new(path))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            plugin.required_grants(),
            parallax_wasm::Grants::default(),
            "{name} imports {:?}",
            plugin.imports()
        );
        let mut element = plugin.create();
        parallax::core::ElementImpl::start(&mut element).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
