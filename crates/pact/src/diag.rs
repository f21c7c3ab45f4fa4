//! Diagnostics: every finding names its file, line and column, shows the line
//! with a caret under the offending text, and says the fix.
//!
//! The renderer is written here rather than taken from a crate (annotate-snippets,
//! codespan-reporting): a finding has exactly one span and one help line, which
//! is twenty lines of formatting, and the JSON form must carry the same excerpt
//! and caret the human form shows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// Where a finding points before it is resolved to a line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub span: Range<usize>,
}

/// One finding, resolved against its source text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case name of the analysis (`unknown-reference`).
    pub code: &'static str,
    pub message: String,
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// The source line the finding is on.
    pub excerpt: String,
    /// Spaces and carets under `excerpt`.
    pub caret: String,
    /// What the caret marks.
    pub label: String,
    /// The suggested fix.
    pub fix: Option<String>,
}

/// A finding as the analyses produce it; [`Sources::resolve`] turns it into a [`Diagnostic`].
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub place: Place,
    pub label: String,
    pub fix: Option<String>,
}

impl Finding {
    pub fn error(code: &'static str, place: Place, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Error,
            code,
            message: message.into(),
            place,
            label: String::new(),
            fix: None,
        }
    }

    pub fn warning(code: &'static str, place: Place, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, place, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = label.into();
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

/// The texts findings point into, by file name.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    texts: BTreeMap<String, String>,
}

impl Sources {
    pub fn insert(&mut self, file: &str, text: String) {
        self.texts.insert(file.to_owned(), text);
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.texts.get(file).map(String::as_str)
    }

    pub fn resolve(&self, finding: Finding) -> Diagnostic {
        let text = self.get(&finding.place.file).unwrap_or("");
        let start = clamp_to_char(text, finding.place.span.start);
        let end = clamp_to_char(text, finding.place.span.end.max(start));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let excerpt = text[line_start..line_end]
            .trim_end_matches('\r')
            .replace('\t', " ");
        let column = text[line_start..start].chars().count() + 1;
        // Underline to the end of the span or of the line, whichever is first; at least one caret.
        let width = text[start..end.min(line_end)].chars().count().max(1);
        let caret = format!("{}{}", " ".repeat(column - 1), "^".repeat(width));
        Diagnostic {
            severity: finding.severity,
            code: finding.code,
            message: finding.message,
            file: finding.place.file,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            excerpt,
            caret,
            label: finding.label,
            fix: finding.fix,
        }
    }
}

fn clamp_to_char(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl Diagnostic {
    /// The rustc-like human form.
    pub fn render(&self) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let mut out = String::new();
        let _ = writeln!(out, "{severity}[{}]: {}", self.code, self.message);
        let _ = writeln!(
            out,
            "{gutter}--> {}:{}:{}",
            self.file, self.line, self.column
        );
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{number} | {}", self.excerpt);
        let label = if self.label.is_empty() {
            String::new()
        } else {
            format!(" {}", self.label)
        };
        let _ = writeln!(out, "{gutter} | {}{label}", self.caret);
        if let Some(fix) = &self.fix {
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{gutter} = help: {fix}");
        }
        out
    }
}

/// The nearest of `candidates` to `name`, if one is near enough to be a typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(name, candidate);
        if score >= 0.8 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

/// "did you mean `x`?" or a list of what exists, for a fix line.
pub fn suggest<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    match did_you_mean(name, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None if candidates.is_empty() => format!("declare the {what} first"),
        None => {
            let shown: Vec<String> = candidates
                .iter()
                .take(8)
                .map(|c| format!("`{c}`"))
                .collect();
            let more = if candidates.len() > 8 { ", ..." } else { "" };
            format!("use a declared {what}: {}{more}", shown.join(", "))
        }
    }
}
