//! The pact language: a security guarantee written as TOML with CEL predicates,
//! parsed, checked (every finding at once, each with file, line, column, an
//! excerpt and a fix), analysed and compiled to the rules later stages run.
//!
//! The crate reads nothing but the pact's own files, through [`Files`]: from
//! disk for `guarantor check`, from memory for the demo's embedded pact.
//!
//! ```text
//! check(files, "pact.toml")
//!   -> load   (TOML -> syntax::Pact, with spans; each item on its own)
//!   -> analysis (references, ladder graph, geometry, timing, backing)
//!   -> compile (zones as polygons, CEL programs, the ladder) when there are no errors
//! ```

pub mod analysis;
pub mod compile;
pub mod diag;
pub mod files;
pub mod geometry;
pub mod limits;
pub mod load;
pub mod predicate;
pub mod syntax;

pub use compile::{ClauseBacking, CompiledIndicator, CompiledPact, CompiledSite, CompiledZone};
pub use diag::{Diagnostic, Severity};
pub use files::{DiskFiles, Files, MemoryFiles, ReadError};
pub use predicate::{EvalError, Predicate};
pub use syntax::Pact;

use diag::{Finding, Sources};

/// The pact itself could not be read: exit status 2 in the CLI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unreadable {
    #[error("cannot read pact `{path}`: {reason}")]
    Read { path: String, reason: ReadError },
    #[error("pact `{path}` is not UTF-8 text (byte {offset})")]
    NotUtf8 { path: String, offset: usize },
}

/// The result of checking a pact.
#[derive(Debug)]
pub struct Checked {
    /// Every finding, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The compiled pact, when no finding is an error.
    pub compiled: Option<CompiledPact>,
}

impl Checked {
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// All diagnostics in the human form, followed by a one-line tally.
    pub fn render(&self) -> String {
        let mut out: String = self.diagnostics.iter().map(|d| d.render() + "\n").collect();
        let n_errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let n_warnings = self.diagnostics.len() - n_errors;
        out.push_str(&format!("{n_errors} error(s), {n_warnings} warning(s)\n"));
        out
    }
}

/// Reads, checks and (when clean of errors) compiles the pact at `pact_path`;
/// the files it names are read through `files` relative to the pact's directory.
pub fn check(files: &dyn Files, pact_path: &str) -> Result<Checked, Unreadable> {
    let dir = pact_path
        .rsplit_once('/')
        .map_or(String::new(), |(dir, _)| dir.to_owned());
    let bytes = files.read(pact_path).map_err(|reason| Unreadable::Read {
        path: pact_path.to_owned(),
        reason,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| Unreadable::NotUtf8 {
        path: pact_path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let relative = Relative { inner: files, dir };
    Ok(check_text(&relative, pact_path, &text))
}

/// Checks pact `text`, shown as `display_name` in diagnostics; files it names are
/// read through `files` under the names the pact gives.
pub fn check_text(files: &dyn Files, display_name: &str, text: &str) -> Checked {
    let mut sources = Sources::default();
    sources.insert(display_name, text.to_owned());
    let mut findings: Vec<Finding> = Vec::new();
    let root = match load::parse(display_name, text) {
        Ok(root) => root,
        Err(syntax) => return finish(sources, syntax, None),
    };
    let (pact, origins) = load::sections(display_name, &root, &mut findings);
    let locator = load::Locator::new(display_name, &root);
    let ctx = analysis::Ctx {
        pact: &pact,
        origins: &origins,
        loc: &locator,
        files,
        file_prefix: display_name
            .rsplit_once('/')
            .map_or(String::new(), |(dir, _)| format!("{dir}/")),
        findings: Vec::new(),
        file_texts: vec![(display_name.to_owned(), text.to_owned())],
        built: analysis::Built::default(),
    };
    let (analysed, file_texts, built) = ctx.run();
    findings.extend(analysed);
    for (file, text) in file_texts.into_iter().skip(1) {
        sources.insert(&file, text);
    }
    let compiled = if analysis::has_errors(&findings) {
        None
    } else {
        Some(compile::compile(pact, built))
    };
    finish(sources, findings, compiled)
}

fn finish(sources: Sources, findings: Vec<Finding>, compiled: Option<CompiledPact>) -> Checked {
    let mut diagnostics: Vec<Diagnostic> =
        findings.into_iter().map(|f| sources.resolve(f)).collect();
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
    });
    diagnostics.dedup();
    if diagnostics.len() > limits::diagnostics_max {
        let n_left_out = diagnostics.len() - limits::diagnostics_max;
        diagnostics.truncate(limits::diagnostics_max);
        if let Some(last) = diagnostics.last_mut() {
            last.message
                .push_str(&format!(" (and {n_left_out} more findings not shown)"));
        }
    }
    Checked {
        diagnostics,
        compiled,
    }
}

/// Reads the pact's files relative to its directory.
struct Relative<'a> {
    inner: &'a dyn Files,
    dir: String,
}

impl Files for Relative<'_> {
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        if self.dir.is_empty() {
            self.inner.read(path)
        } else {
            self.inner.read(&format!("{}/{path}", self.dir))
        }
    }
}

/// The JSON Schema of a pact, generated from the types.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Pact);
    let mut value = serde_json::to_value(&schema).unwrap_or_default();
    // Keys sorted at every level, so the text is the same whether or not another crate in
    // the build turns on serde_json's `preserve_order` (feature unification would otherwise
    // change the committed schema's bytes with the set of crates being built).
    sort_keys(&mut value);
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn sort_keys(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}
