//! How the pact crate reads the pact's own files, and nothing else: through
//! [`Files`], so the CLI reads from disk and the demo from an in-memory map of
//! files embedded in the binary.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("not found")]
    NotFound,
    #[error("larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("{0}")]
    Io(String),
}

/// Reads a file named by the pact, by its path relative to the pact's directory
/// (`/` separated). Implementations enforce `limits::file_bytes_max`.
pub trait Files {
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError>;
}

/// Files on disk, under a root directory (the pact's directory).
#[derive(Debug, Clone)]
pub struct DiskFiles {
    root: PathBuf,
}

impl DiskFiles {
    pub fn new(root: impl Into<PathBuf>) -> DiskFiles {
        DiskFiles { root: root.into() }
    }
}

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        use std::io::Read;
        let max = crate::limits::file_bytes_max;
        let file = std::fs::File::open(self.root.join(path)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e.to_string()),
        })?;
        let mut bytes = Vec::new();
        // Read one byte past the limit so an oversized file is refused without reading it all.
        file.take(max as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::Io(e.to_string()))?;
        if bytes.len() > max {
            return Err(ReadError::TooLarge { max });
        }
        Ok(bytes)
    }
}

/// Files held in memory: the demo's embedded pact, and tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemoryFiles {
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    pub fn with(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> MemoryFiles {
        self.files.insert(path.to_owned(), bytes.into());
        self
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let bytes = self.files.get(path).ok_or(ReadError::NotFound)?;
        let max = crate::limits::file_bytes_max;
        if bytes.len() > max {
            return Err(ReadError::TooLarge { max });
        }
        Ok(bytes.clone())
    }
}
