//! TOML text to [`Pact`], keeping every span.
//!
//! The document is parsed once into toml's spanned tree (`DeTable`); each item
//! of each section is then deserialised on its own, so one bad indicator is
//! one finding and the other indicators still load and are checked. The tree
//! stays alive for the whole check so any finding can point at any value by
//! its path ([`Locator`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::diag::{Finding, Place, did_you_mean};
use crate::syntax::Pact;

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A path into the pact document: `responses[3].measures[0].zones[1]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocPath(pub Vec<Seg>);

impl DocPath {
    pub fn k(mut self, key: &'static str) -> DocPath {
        self.0.push(Seg::Key(key));
        self
    }
    pub fn i(mut self, index: usize) -> DocPath {
        self.0.push(Seg::Index(index));
        self
    }
}

/// The top-level sections, in the order the schema lists them.
pub const SECTIONS: [&str; 15] = [
    "pact",
    "activation",
    "parties",
    "intelligence",
    "witnesses",
    "zones",
    "infrastructure",
    "indicators",
    "responses",
    "commitments",
    "depots",
    "stocks",
    "contracts",
    "milestones",
    "reviews",
];

/// What loading produced besides the pact: where each loaded item came from
/// and the ids of items that failed to load (so references to them are not
/// reported a second time as unknown).
#[derive(Debug, Default)]
pub struct Origins {
    /// Per array section: for each loaded item, its index in the document.
    pub index: BTreeMap<&'static str, Vec<usize>>,
    /// Per array section: ids of items that did not load.
    pub broken_ids: BTreeMap<&'static str, BTreeSet<String>>,
    /// Sections where some item did not load: analyses over the whole section
    /// (such as "no response names this indicator") are skipped there.
    pub incomplete: BTreeSet<&'static str>,
}

impl Origins {
    /// The document path of loaded item `idx` of `section`.
    pub fn item(&self, section: &'static str, idx: usize) -> DocPath {
        let doc_idx = self
            .index
            .get(section)
            .and_then(|v| v.get(idx))
            .copied()
            .unwrap_or(idx);
        DocPath::default().k(section).i(doc_idx)
    }

    pub fn is_broken(&self, section: &'static str, id: &str) -> bool {
        self.broken_ids
            .get(section)
            .is_some_and(|ids| ids.contains(id))
    }
}

/// Resolves document paths to spans in the pact's text.
#[derive(Debug)]
pub struct Locator<'i> {
    pub file: String,
    root: &'i Spanned<DeTable<'i>>,
}

impl<'i> Locator<'i> {
    pub fn new(file: &str, root: &'i Spanned<DeTable<'i>>) -> Locator<'i> {
        Locator {
            file: file.to_owned(),
            root,
        }
    }

    /// The span of the value at `path`, or of the deepest part of it that exists.
    pub fn span(&self, path: &DocPath) -> Range<usize> {
        let mut span = self.root.span();
        let mut table: Option<&DeTable<'i>> = Some(self.root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'i>>]> = None;
        for seg in &path.0 {
            let next = match (seg, table, array) {
                (Seg::Key(key), Some(t), _) => t.get(*key),
                (Seg::Index(i), _, Some(a)) => a.get(*i),
                _ => None,
            };
            let Some(value) = next else { break };
            span = value.span();
            table = value.get_ref().as_table();
            array = value.get_ref().as_array().map(|a| &a[..]);
        }
        span
    }

    /// The span of the key itself (for "unknown section" findings).
    pub fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.root
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(k, _)| k.span())
    }

    pub fn at(&self, path: &DocPath) -> Place {
        Place {
            file: self.file.clone(),
            span: self.span(path),
        }
    }
}

/// Parses the TOML text; syntax errors are findings and stop the check.
pub fn parse<'i>(file: &str, text: &'i str) -> Result<Spanned<DeTable<'i>>, Vec<Finding>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Ok(root);
    }
    Err(errors
        .into_iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_owned();
            Finding::error(
                "toml-syntax",
                Place {
                    file: file.to_owned(),
                    span,
                },
                "invalid TOML",
            )
            .label(message)
            .fix("write valid TOML 1.0 (https://toml.io); check quotes, brackets and `=`")
        })
        .collect())
}

/// Deserialises each section (each item of array sections on its own).
pub fn sections(
    file: &str,
    root: &Spanned<DeTable<'_>>,
    findings: &mut Vec<Finding>,
) -> (Pact, Origins) {
    let mut pact = Pact::default();
    let mut origins = Origins::default();
    let mut loader = Loader {
        file,
        findings,
        origins: &mut origins,
    };
    let table = root.get_ref();
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        match name {
            "pact" => loader.table(value, &mut pact.pact),
            "activation" => loader.table(value, &mut pact.activation),
            "intelligence" => loader.table(value, &mut pact.intelligence),
            "witnesses" => loader.table(value, &mut pact.witnesses),
            "infrastructure" => loader.table(value, &mut pact.infrastructure),
            "parties" => loader.items("parties", value, &mut pact.parties),
            "zones" => loader.items("zones", value, &mut pact.zones),
            "indicators" => loader.items("indicators", value, &mut pact.indicators),
            "responses" => loader.items("responses", value, &mut pact.responses),
            "commitments" => loader.items("commitments", value, &mut pact.commitments),
            "depots" => loader.items("depots", value, &mut pact.depots),
            "stocks" => loader.items("stocks", value, &mut pact.stocks),
            "contracts" => loader.items("contracts", value, &mut pact.contracts),
            "milestones" => loader.items("milestones", value, &mut pact.milestones),
            "reviews" => loader.items("reviews", value, &mut pact.reviews),
            other => {
                let place = Place {
                    file: file.to_owned(),
                    span: key.span(),
                };
                let fix = match did_you_mean(other, SECTIONS) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the sections are: {}", SECTIONS.join(", ")),
                };
                loader.findings.push(
                    Finding::error("unknown-field", place, format!("unknown section `{other}`"))
                        .label("not a section of a pact")
                        .fix(fix),
                );
            }
        }
    }
    if !table.iter().any(|(k, _)| k.get_ref() == "pact") {
        findings.push(
            Finding::error("missing-field", Place { file: file.to_owned(), span: 0..0 }, "the pact has no `[pact]` table")
                .label("expected `[pact]` with `id`, `title` and `effective`")
                .fix("add `[pact]` with `id = \"...\"`, `title = \"...\"` and `effective = \"2026-01-01T00:00:00Z\"`"),
        );
    }
    (pact, origins)
}

struct Loader<'a> {
    file: &'a str,
    findings: &'a mut Vec<Finding>,
    origins: &'a mut Origins,
}

impl Loader<'_> {
    fn table<T: DeserializeOwned>(&mut self, value: &Spanned<DeValue<'_>>, out: &mut T) {
        if let Some(loaded) = self.one(value) {
            *out = loaded;
        }
    }

    fn items<T: DeserializeOwned>(
        &mut self,
        section: &'static str,
        value: &Spanned<DeValue<'_>>,
        out: &mut Vec<T>,
    ) {
        let Some(array) = value.get_ref().as_array() else {
            let place = Place {
                file: self.file.to_owned(),
                span: value.span(),
            };
            self.findings.push(
                Finding::error(
                    "invalid-value",
                    place,
                    format!("`{section}` must be an array of tables"),
                )
                .label(format!("found {}", value.get_ref().type_str()))
                .fix(format!("write each item as a `[[{section}]]` table")),
            );
            return;
        };
        for (doc_idx, item) in array.iter().enumerate() {
            match self.one::<T>(item) {
                Some(loaded) => {
                    out.push(loaded);
                    self.origins.index.entry(section).or_default().push(doc_idx);
                }
                None => {
                    self.origins.incomplete.insert(section);
                    let id = item.get_ref().get("id").and_then(|v| v.get_ref().as_str());
                    if let Some(id) = id {
                        self.origins
                            .broken_ids
                            .entry(section)
                            .or_default()
                            .insert(id.to_owned());
                    }
                }
            }
        }
    }

    fn one<T: DeserializeOwned>(&mut self, value: &Spanned<DeValue<'_>>) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(loaded) => Some(loaded),
            Err(err) => {
                let span = err.span().unwrap_or(value.span());
                self.findings
                    .push(serde_finding(self.file, span, err.message()));
                None
            }
        }
    }
}

/// A serde error as a finding, with the fix serde's message implies.
fn serde_finding(file: &str, span: Range<usize>, message: &str) -> Finding {
    let place = Place {
        file: file.to_owned(),
        span,
    };
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let fix = match did_you_mean(name, names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if names.is_empty() => "remove it: this table has no fields".to_owned(),
            None => format!("remove it, or use one of: {}", names.join(", ")),
        };
        return Finding::error("unknown-field", place, format!("unknown field `{name}`"))
            .label("not a field here")
            .fix(fix);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return Finding::error("missing-field", place, format!("missing field `{name}`"))
            .label(format!("this table needs `{name}`"))
            .fix(format!(
                "add `{name} = ...`; `guarantor schema` lists every field"
            ));
    }
    if message.contains("untagged enum Trigger") {
        return Finding::error("invalid-value", place, "not a trigger expression")
            .label(
                "expected an indicator id or `{ any = [...] }`, `{ all = [...] }`, `{ not = ... }`",
            )
            .fix("write e.g. `trigger = { any = [\"state-drone-entry\", \"mass-incursion\"] }`");
    }
    let fix = if message.contains("unknown variant") {
        match message.split_once("expected ") {
            Some((_, expected)) => format!("use {expected}"),
            None => "use one of the values the schema lists".to_owned(),
        }
    } else {
        "give a value of the type the schema expects (`guarantor schema`)".to_owned()
    };
    Finding::error("invalid-value", place, "invalid value")
        .label(message.replace('\n', " "))
        .fix(fix)
}
