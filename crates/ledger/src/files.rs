//! Writing published files durably: write to a temporary file, fsync it, rename it into
//! place, and fsync every directory touched, so a reader never sees a torn file.
//!
//! A checkpoint writes hundreds of tiles and bundles at once, and one fsync after another
//! costs a journal commit each (about 780 commits per 100,000 entries). So the writes of a
//! [`DurableWriter`] are staged in memory, then written to their temporary files and
//! fsynced from several threads together (the filesystem folds concurrent fsyncs into
//! shared commits), and only then renamed into place in the order they were given. The
//! order per file is unchanged: its data is durable before its name appears, and its
//! directory is fsynced before `finish` returns.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{LedgerError, Result};
use crate::limits::{STAGED_BYTES_MAX, STAGED_FILES_MAX, SYNC_THREADS_MAX};

/// Temporary files live here until renamed; whatever is left after a crash is removed on
/// open, so half-written files are never served.
pub const TMP_DIR: &str = "private/tmp";

/// A set of durable writes whose files and directories are fsynced together.
#[derive(Debug)]
pub struct DurableWriter<'a> {
    root: &'a Path,
    dirs: BTreeSet<PathBuf>,
    counter: u64,
    private_tmp: bool,
    /// Not yet written: the temporary path, the target and the bytes, in write order.
    staged: Vec<(PathBuf, PathBuf, Vec<u8>)>,
    staged_bytes: usize,
}

impl<'a> DurableWriter<'a> {
    /// Writes under the log folder `root`, with temporary files in its `private/tmp`.
    pub fn new(root: &'a Path) -> DurableWriter<'a> {
        DurableWriter {
            root,
            dirs: BTreeSet::new(),
            counter: 0,
            private_tmp: true,
            staged: Vec::new(),
            staged_bytes: 0,
        }
    }

    /// Writes under a folder that is not ours (a witness's state, another party's copy of
    /// the log): temporary files sit beside their target as `<name>.<pid>.<n>.tmp`.
    pub fn beside(root: &'a Path) -> DurableWriter<'a> {
        DurableWriter {
            root,
            dirs: BTreeSet::new(),
            counter: 0,
            private_tmp: false,
            staged: Vec::new(),
            staged_bytes: 0,
        }
    }

    /// Writes `bytes` to `root/relative` with write-temp, fsync, rename; all three may wait
    /// for more writes (up to [`STAGED_FILES_MAX`] files or [`STAGED_BYTES_MAX`] bytes) or
    /// for `finish`.
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
            // The counter keeps two staged writes of one target apart.
            let name = target.file_name().expect("a file").to_string_lossy();
            parent.join(format!(
                "{name}.{}.{}.tmp",
                std::process::id(),
                self.counter
            ))
        };
        self.staged.push((tmp, target, bytes.to_vec()));
        self.staged_bytes += bytes.len();
        self.dirs.insert(parent);
        if self.staged.len() >= STAGED_FILES_MAX || self.staged_bytes >= STAGED_BYTES_MAX {
            self.sync_and_rename()?;
        }
        Ok(())
    }

    /// Writes and fsyncs the staged files from several threads, then renames each into place
    /// in write order.
    fn sync_and_rename(&mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.staged);
        self.staged_bytes = 0;
        if staged.is_empty() {
            return Ok(());
        }
        let threads = staged.len().min(SYNC_THREADS_MAX);
        let per_thread = staged.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = staged
                .chunks(per_thread)
                .map(|chunk| {
                    scope.spawn(move || {
                        for (tmp, _, bytes) in chunk {
                            let io = |e| LedgerError::io(tmp, e);
                            let mut file = File::create(tmp).map_err(io)?;
                            file.write_all(bytes).map_err(io)?;
                            file.sync_data().map_err(io)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().expect("a writer thread does not panic"))
        })?;
        for (tmp, target, _) in staged {
            std::fs::rename(&tmp, &target).map_err(|e| LedgerError::io(&target, e))?;
        }
        Ok(())
    }

    /// Fsyncs and renames what is staged, then fsyncs every directory a write touched; the
    /// writes are durable when this returns.
    pub fn finish(mut self) -> Result<()> {
        self.sync_and_rename()?;
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
