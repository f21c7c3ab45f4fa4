//! Integration tests of the simulator: one binary, modules by topic.

mod determinism;
mod faults;
mod geometry;
mod scenarios;

use std::path::{Path, PathBuf};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn scenario_path(name: &str) -> PathBuf {
    workspace_root().join("scenarios").join(name)
}

/// A fresh, empty output folder under the target directory.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = workspace_root().join("target/sim-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
