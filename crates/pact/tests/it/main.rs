//! The pact crate's one integration-test binary.

mod broken;
mod examples;
mod fuzz;
mod predicates;

use std::path::{Path, PathBuf};

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Compares `actual` with the file at `expected_path`; `UPDATE_EXPECT=1` rewrites it.
pub fn expect_file(expected_path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(expected_path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs (UPDATE_EXPECT=1 to regenerate)\n--- expected\n{expected}\n--- actual\n{actual}",
        expected_path.display()
    );
}
