//! Writing published files durably: write to a temporary file, fsync it, rename it into
//! place, and fsync every directory touched, so a reader never sees a torn file.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{LedgerError, Result};

/// Temporary files live here until renamed; whatever is left after a crash is removed on
/// open, so half-written files are never served.
pub const TMP_DIR: &str = "private/tmp";

/// A set of durable writes whose directories are fsynced together at the end.
#[derive(Debug)]
pub struct DurableWriter<'a> {
    root: &'a Path,
    dirs: BTreeSet<PathBuf>,
    counter: u64,
    private_tmp: bool,
}

impl<'a> DurableWriter<'a> {
    /// Writes under the log folder `root`, with temporary files in its `private/tmp`.
    pub fn new(root: &'a Path) -> DurableWriter<'a> {
        DurableWriter {
            root,
            dirs: BTreeSet::new(),
            counter: 0,
            private_tmp: true,
        }
    }

    /// Writes under a folder that is not ours (a witness's state, another party's copy of
    /// the log): temporary files sit beside their target as `<name>.<pid>.tmp`.
    pub fn beside(root: &'a Path) -> DurableWriter<'a> {
        DurableWriter {
            root,
            dirs: BTreeSet::new(),
            counter: 0,
            private_tmp: false,
        }
    }

    /// Writes `bytes` to `root/relative` with write-temp, fsync, rename.
    pub fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        let target = self.root.join(relative);
        let parent = target
            .parent()
            .expect("relative paths name a file")
            .to_path_buf();
        if !parent.is_dir() {
            std::fs::create_dir_all(&parent).map_err(|e| LedgerError::io(&parent, e))?;
            // New directories are entries in their parents: make those durable too.
            let mut dir = parent.as_path();
            while dir != self.root {
                self.dirs.insert(dir.to_path_buf());
                dir = dir.parent().expect("inside the root");
            }
            self.dirs.insert(self.root.to_path_buf());
        }
        self.counter += 1;
        let tmp = if self.private_tmp {
            self.root
                .join(TMP_DIR)
                .join(format!("{}.tmp", self.counter))
        } else {
            let name = target.file_name().expect("a file").to_string_lossy();
            parent.join(format!("{name}.{}.tmp", std::process::id()))
        };
        let mut file = File::create(&tmp).map_err(|e| LedgerError::io(&tmp, e))?;
        file.write_all(bytes)
            .map_err(|e| LedgerError::io(&tmp, e))?;
        file.sync_data().map_err(|e| LedgerError::io(&tmp, e))?;
        std::fs::rename(&tmp, &target).map_err(|e| LedgerError::io(&target, e))?;
        self.dirs.insert(parent);
        Ok(())
    }

    /// Fsyncs every directory a write touched; the writes are durable when this returns.
    pub fn finish(self) -> Result<()> {
        for dir in &self.dirs {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| LedgerError::io(dir, e))?;
        }
        Ok(())
    }
}

/// Empties the temporary directory (creating it if needed).
pub fn reset_tmp(root: &Path) -> Result<()> {
    let tmp = root.join(TMP_DIR);
    if tmp.is_dir() {
        std::fs::remove_dir_all(&tmp).map_err(|e| LedgerError::io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| LedgerError::io(&tmp, e))
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| LedgerError::io(path, e))
}
