//! The UI's typed call layer must be the one the Rust types generate today.

use std::path::Path;

#[test]
fn the_committed_typescript_bindings_are_current() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = dir.path().join("bindings.ts");
    headtail_app::export_bindings(&fresh).expect("export bindings");
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(headtail_app::BINDINGS_PATH);
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    let fresh = std::fs::read_to_string(&fresh).expect("read fresh bindings");
    assert!(
        committed == fresh,
        "{} is stale: regenerate it with `cargo run -- bindings` and commit it",
        committed_path.display()
    );
}
