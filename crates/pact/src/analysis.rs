//! The checker's analyses over a loaded pact: references, the ladder's graph,
//! geometry, timing and backing. Each analysis reads the pact and pushes
//! findings; none stops the others, so every finding is reported at once.
//! What the analyses build on the way (zone areas, sites, compiled predicates,
//! clause backing) is kept for the compiled form.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Geometry, MultiPolygon};
use model::{Duration, Time};

use crate::compile::{ClauseBacking, CompiledSite};
use crate::diag::{Finding, Place, Severity, suggest};
use crate::files::{Files, ReadError};
use crate::geometry;
use crate::limits;
use crate::load::{DocPath, Locator, Origins};
use crate::predicate::{INDICATOR_VARIABLES, Predicate, REVIEW_VARIABLES};
use crate::syntax::{MeasureKind, Pact, Trigger, ZoneKind};

/// What the analyses built, for the compiler.
#[derive(Debug, Default)]
pub struct Built {
    pub zone_areas: BTreeMap<String, MultiPolygon<f64>>,
    pub sites: Vec<CompiledSite>,
    /// Per indicator (loaded order): its compiled predicate, if it has one.
    pub predicates: Vec<Option<Predicate>>,
    /// Per review, per performance trigger.
    pub review_predicates: Vec<Vec<Option<Predicate>>>,
    pub backing: Vec<ClauseBacking>,
}

pub struct Ctx<'a, 'i> {
    pub pact: &'a Pact,
    pub origins: &'a Origins,
    pub loc: &'a Locator<'i>,
    pub files: &'a dyn Files,
    /// Prepended to the names of files the pact names, in diagnostics (the pact's directory).
    pub file_prefix: String,
    pub findings: Vec<Finding>,
    /// Texts of the GeoJSON files read, for resolving findings inside them.
    pub file_texts: Vec<(String, String)>,
    pub built: Built,
}

impl std::fmt::Debug for Ctx<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("findings", &self.findings.len())
            .finish()
    }
}

/// Ids declared in a section, for reference checks.
struct Ids<'a> {
    section: &'static str,
    what: &'static str,
    ids: BTreeSet<&'a str>,
}

impl<'a, 'i> Ctx<'a, 'i> {
    pub fn run(mut self) -> (Vec<Finding>, Vec<(String, String)>, Built) {
        self.duplicates();
        self.parties();
        self.zones();
        self.infrastructure();
        self.indicators();
        self.responses();
        self.ladder_graph();
        self.overlaps();
        self.logistics();
        self.milestones();
        self.reviews();
        self.backing();
        (self.findings, self.file_texts, self.built)
    }

    fn at(&self, path: &DocPath) -> Place {
        self.loc.at(path)
    }

    fn item(&self, section: &'static str, idx: usize) -> DocPath {
        self.origins.item(section, idx)
    }

    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn ids(&self, section: &'static str, what: &'static str) -> Ids<'a> {
        let p = self.pact;
        let ids: BTreeSet<&'a str> = match section {
            "parties" => p.parties.iter().map(|x| x.id.as_str()).collect(),
            "zones" => p.zones.iter().map(|x| x.id.as_str()).collect(),
            "indicators" => p.indicators.iter().map(|x| x.id.as_str()).collect(),
            "responses" => p.responses.iter().map(|x| x.id.as_str()).collect(),
            "commitments" => p.commitments.iter().map(|x| x.id.as_str()).collect(),
            "depots" => p.depots.iter().map(|x| x.id.as_str()).collect(),
            "milestones" => p.milestones.iter().map(|x| x.id.as_str()).collect(),
            _ => BTreeSet::new(),
        };
        Ids { section, what, ids }
    }

    /// A reference to an id of `ids`: a finding if it names nothing.
    fn reference(&mut self, ids: &Ids<'_>, name: &str, path: DocPath, from: &str) -> bool {
        if ids.ids.contains(name) || self.origins.is_broken(ids.section, name) {
            return true;
        }
        let fix = suggest(name, ids.what, ids.ids.iter().copied());
        let finding = Finding::error(
            "unknown-reference",
            self.at(&path),
            format!("{from} names {} `{name}`, which does not exist", ids.what),
        )
        .label(format!("no such {}", ids.what))
        .fix(fix);
        self.push(finding);
        false
    }

    fn duplicates(&mut self) {
        let p = self.pact;
        let sections: [(&'static str, Vec<&str>); 10] = [
            ("parties", p.parties.iter().map(|x| x.id.as_str()).collect()),
            ("zones", p.zones.iter().map(|x| x.id.as_str()).collect()),
            (
                "indicators",
                p.indicators.iter().map(|x| x.id.as_str()).collect(),
            ),
            (
                "responses",
                p.responses.iter().map(|x| x.id.as_str()).collect(),
            ),
            (
                "commitments",
                p.commitments.iter().map(|x| x.id.as_str()).collect(),
            ),
            ("depots", p.depots.iter().map(|x| x.id.as_str()).collect()),
            ("stocks", p.stocks.iter().map(|x| x.id.as_str()).collect()),
            (
                "contracts",
                p.contracts.iter().map(|x| x.id.as_str()).collect(),
            ),
            (
                "milestones",
                p.milestones.iter().map(|x| x.id.as_str()).collect(),
            ),
            ("reviews", p.reviews.iter().map(|x| x.id.as_str()).collect()),
        ];
        for (section, ids) in sections {
            let mut first: BTreeMap<&str, usize> = BTreeMap::new();
            for (idx, id) in ids.iter().enumerate() {
                if let Some(&earlier) = first.get(id) {
                    let path = self.item(section, idx).k("id");
                    let earlier_path = self.item(section, earlier);
                    let line = self.line_of(&earlier_path);
                    let finding = Finding::error(
                        "duplicate-id",
                        self.at(&path),
                        format!("`{id}` is declared twice in `{section}`"),
                    )
                    .label(format!("first declared on line {line}"))
                    .fix("give each item its own id");
                    self.push(finding);
                } else {
                    first.insert(id, idx);
                }
            }
        }
    }

    fn line_of(&self, path: &DocPath) -> usize {
        let span = self.loc.span(path);
        self.loc_text().map_or(0, |t| {
            t[..span.start.min(t.len())].matches('\n').count() + 1
        })
    }

    fn loc_text(&self) -> Option<&str> {
        self.file_texts.first().map(|(_, t)| t.as_str())
    }

    fn parties(&mut self) {
        use base64::Engine as _;
        let parties = self.ids("parties", "party");
        for (idx, party) in self.pact.parties.iter().enumerate() {
            let decoded = base64::engine::general_purpose::STANDARD.decode(party.public_key.trim());
            let problem = match decoded {
                Err(e) => Some(format!("not base64: {e}")),
                Ok(bytes) if bytes.len() != 32 => Some(format!("{} bytes, not 32", bytes.len())),
                Ok(_) => None,
            };
            if let Some(problem) = problem {
                let path = self.item("parties", idx).k("public_key");
                self.push(
                    Finding::error(
                        "invalid-key",
                        self.at(&path),
                        format!("party `{}` has no valid Ed25519 public key", party.id),
                    )
                    .label(problem)
                    .fix("give the 32-byte Ed25519 public key in standard base64 (44 characters)"),
                );
            }
        }
        let intel = &self.pact.intelligence;
        for (idx, id) in intel.sharing.iter().enumerate() {
            let path = DocPath::default().k("intelligence").k("sharing").i(idx);
            self.reference(&parties, id, path, "the intelligence compact");
        }
        if !(0.0..=1.0).contains(&intel.min_confidence) {
            let path = DocPath::default().k("intelligence").k("min_confidence");
            self.push(confidence_finding(self.at(&path), intel.min_confidence));
        }
        let witnesses = &self.pact.witnesses;
        for (idx, id) in witnesses.parties.iter().enumerate() {
            let path = DocPath::default().k("witnesses").k("parties").i(idx);
            self.reference(&parties, id, path, "the witness list");
        }
        let n_witnesses = witnesses.parties.len();
        if n_witnesses > 0 && (witnesses.quorum == 0 || witnesses.quorum as usize > n_witnesses) {
            let path = DocPath::default().k("witnesses").k("quorum");
            self.push(
                Finding::error(
                    "invalid-value",
                    self.at(&path),
                    "the witness quorum cannot be met",
                )
                .label(format!(
                    "quorum {} of {n_witnesses} witnesses",
                    witnesses.quorum
                ))
                .fix(format!("set a quorum between 1 and {n_witnesses}")),
            );
        }
        let activation = &self.pact.activation;
        if activation.mode == crate::syntax::ActivationMode::Consultation
            && activation.decision_delay.is_none()
        {
            let path = DocPath::default().k("activation").k("mode");
            self.push(
                Finding::error(
                    "missing-field",
                    self.at(&path),
                    "a consultation that decides needs a modelled decision delay",
                )
                .label("`decision_delay` is missing")
                .fix("add `decision_delay = \"96h\"` (or the delay the negotiators assume)"),
            );
        }
    }

    fn zones(&mut self) {
        for (idx, zone) in self.pact.zones.iter().enumerate() {
            let path = self.item("zones", idx);
            let geometry = match (&zone.file, &zone.geometry) {
                (Some(_), Some(_)) | (None, None) => {
                    self.push(
                        Finding::error("invalid-value", self.at(&path.clone().k("id")), format!("zone `{}` needs exactly one of `file` or `geometry`", zone.id))
                            .label("give the shape once")
                            .fix("write `file = \"data/zones/<id>.geojson\"` or an inline `geometry = { type = \"Polygon\", coordinates = [...] }`"),
                    );
                    continue;
                }
                (Some(file), None) => self.zone_from_file(&path, file, zone.feature.as_deref()),
                (None, Some(value)) => match geometry::from_json(value) {
                    Ok(g) => Some(g),
                    Err(message) => {
                        self.push(geometry_finding(
                            self.at(&path.clone().k("geometry")),
                            &zone.id,
                            &message,
                        ));
                        None
                    }
                },
            };
            let Some(geometry) = geometry else { continue };
            let at_path = if zone.file.is_some() {
                path.clone().k("file")
            } else {
                path.clone().k("geometry")
            };
            let problems = geometry::problems(&geometry);
            if let Some(first) = problems.first() {
                self.push(
                    Finding::error("invalid-geometry", self.at(&at_path), format!("zone `{}` has an invalid geometry", zone.id))
                        .label(first.clone())
                        .fix("make each ring simple and closed ([lon, lat], first point repeated last), e.g. with `ogr2ogr -makevalid`"),
                );
                continue;
            }
            match geometry::to_area(geometry) {
                Ok(area) => {
                    self.built.zone_areas.insert(zone.id.clone(), area);
                }
                Err(message) => self.push(geometry_finding(self.at(&at_path), &zone.id, &message)),
            }
        }
    }

    /// Reads a file the pact names; a finding (at `path`) when it cannot.
    fn read_file(&mut self, path: &DocPath, file: &str) -> Option<String> {
        let refused = file.starts_with('/') || file.split(['/', '\\']).any(|part| part == "..");
        let result = if refused {
            Err("a pact reads only files under its own directory".to_owned())
        } else if self.file_texts.len() > limits::files_max {
            Err(format!("more than {} files", limits::files_max))
        } else {
            match self.files.read(file) {
                Ok(bytes) => String::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned()),
                Err(ReadError::NotFound) => Err("not found".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        };
        match result {
            Ok(text) => {
                self.file_texts
                    .push((format!("{}{file}", self.file_prefix), text.clone()));
                Some(text)
            }
            Err(why) => {
                self.push(
                    Finding::error(
                        "unreadable-file",
                        self.at(path),
                        format!("cannot read `{file}`"),
                    )
                    .label(why)
                    .fix("name a GeoJSON file relative to the pact's directory"),
                );
                None
            }
        }
    }

    fn json_error(&mut self, file: &str, e: &geometry::JsonError) {
        let shown = format!("{}{file}", self.file_prefix);
        let text = self
            .file_texts
            .iter()
            .rev()
            .find(|(f, _)| *f == shown)
            .map(|(_, t)| t.as_str());
        let offset = text.map_or(0, |t| {
            let line_start: usize = t
                .split_inclusive('\n')
                .take(e.line.saturating_sub(1))
                .map(str::len)
                .sum();
            (line_start + e.column.saturating_sub(1)).min(t.len())
        });
        let place = Place {
            file: shown,
            span: offset..offset + 1,
        };
        self.push(
            Finding::error(
                "invalid-geojson",
                place,
                format!("`{file}` is not valid GeoJSON"),
            )
            .label(e.message.clone())
            .fix("write RFC 7946 GeoJSON: a FeatureCollection, a Feature or a Geometry"),
        );
    }

    fn zone_from_file(
        &mut self,
        path: &DocPath,
        file: &str,
        feature: Option<&str>,
    ) -> Option<Geometry<f64>> {
        let file_path = path.clone().k("file");
        let text = self.read_file(&file_path, file)?;
        let parsed = match geometry::parse_file(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.json_error(file, &e);
                return None;
            }
        };
        let features: Vec<geojson::Feature> = match parsed {
            geojson::GeoJson::FeatureCollection(fc) => fc.features,
            geojson::GeoJson::Feature(f) => vec![f],
            geojson::GeoJson::Geometry(g) => vec![geojson::Feature {
                geometry: Some(g),
                ..Default::default()
            }],
        };
        let chosen: Vec<&geojson::Feature> = match feature {
            None => features.iter().collect(),
            Some(wanted) => features
                .iter()
                .filter(|f| feature_id(f).as_deref() == Some(wanted))
                .collect(),
        };
        if chosen.is_empty() {
            let ids: Vec<String> = features.iter().filter_map(feature_id).collect();
            let fix = suggest(
                feature.unwrap_or(""),
                "feature",
                ids.iter().map(String::as_str),
            );
            let at = if feature.is_some() {
                path.clone().k("feature")
            } else {
                file_path
            };
            self.push(
                Finding::error(
                    "unknown-reference",
                    self.at(&at),
                    format!("`{file}` has no feature `{}`", feature.unwrap_or("")),
                )
                .label("no such feature")
                .fix(fix),
            );
            return None;
        }
        let mut polygons = Vec::new();
        for f in chosen {
            let converted = f
                .geometry
                .as_ref()
                .ok_or_else(|| "a feature has no geometry".to_owned())
                .and_then(geometry::to_geo);
            match converted {
                Ok(Geometry::Polygon(p)) => polygons.push(p),
                Ok(Geometry::MultiPolygon(mp)) => polygons.extend(mp.0),
                Ok(other) => {
                    let message = format!(
                        "feature {} is a {}, not a polygon",
                        feature_id(f).unwrap_or_default(),
                        geometry::kind_name(&other)
                    );
                    self.push(geometry_finding(self.at(&file_path), file, &message));
                    return None;
                }
                Err(message) => {
                    self.push(geometry_finding(self.at(&file_path), file, &message));
                    return None;
                }
            }
        }
        Some(Geometry::MultiPolygon(MultiPolygon::new(polygons)))
    }

    fn infrastructure(&mut self) {
        let infra = &self.pact.infrastructure;
        for (idx, file) in infra.files.iter().enumerate() {
            let path = DocPath::default().k("infrastructure").k("files").i(idx);
            self.sites_from_file(&path, file);
        }
        for (idx, site) in infra.sites.iter().enumerate() {
            let path = DocPath::default().k("infrastructure").k("sites").i(idx);
            let geometry = match geometry::from_json(&site.geometry) {
                Ok(g) => g,
                Err(message) => {
                    self.push(geometry_finding(
                        self.at(&path.clone().k("geometry")),
                        &site.id,
                        &message,
                    ));
                    continue;
                }
            };
            self.add_site(
                &path.clone().k("geometry"),
                CompiledSite {
                    id: site.id.clone(),
                    name: site.name.clone(),
                    kind: site.kind,
                    owner: site.owner.clone(),
                    buffer_m: site.buffer_m,
                    geometry,
                },
            );
        }
    }

    fn sites_from_file(&mut self, path: &DocPath, file: &str) {
        let Some(text) = self.read_file(path, file) else {
            return;
        };
        let features = match geometry::parse_file(&text) {
            Ok(geojson::GeoJson::FeatureCollection(fc)) => fc.features,
            Ok(geojson::GeoJson::Feature(f)) => vec![f],
            Ok(geojson::GeoJson::Geometry(_)) => {
                self.push(geometry_finding(
                    self.at(path),
                    file,
                    "an infrastructure file must hold features with properties",
                ));
                return;
            }
            Err(e) => {
                self.json_error(file, &e);
                return;
            }
        };
        for (n, feature) in features.iter().enumerate() {
            let properties =
                serde_json::Value::Object(feature.properties.clone().unwrap_or_default());
            let props: Result<SiteProperties, _> = serde_json::from_value(properties);
            let geometry = feature
                .geometry
                .as_ref()
                .ok_or_else(|| "no geometry".to_owned())
                .and_then(geometry::to_geo);
            match (props, geometry) {
                (Ok(p), Ok(geometry)) => self.add_site(
                    path,
                    CompiledSite {
                        id: p.id,
                        name: p.name,
                        kind: p.kind,
                        owner: p.owner,
                        buffer_m: p.buffer_m,
                        geometry,
                    },
                ),
                (Err(e), _) => self.push(
                    Finding::error(
                        "invalid-value",
                        self.at(path),
                        format!("feature {n} of `{file}` is not an infrastructure site"),
                    )
                    .label(e.to_string())
                    .fix(
                        "give each feature properties `id`, `name`, `kind`, `owner` and `buffer_m`",
                    ),
                ),
                (_, Err(message)) => self.push(geometry_finding(
                    self.at(path),
                    file,
                    &format!("feature {n}: {message}"),
                )),
            }
        }
    }

    fn add_site(&mut self, path: &DocPath, site: CompiledSite) {
        let problems = geometry::problems(&site.geometry);
        let allowed = matches!(
            site.geometry,
            Geometry::Point(_)
                | Geometry::MultiPoint(_)
                | Geometry::LineString(_)
                | Geometry::MultiLineString(_)
                | Geometry::Polygon(_)
                | Geometry::MultiPolygon(_)
        );
        if let Some(first) = problems.first() {
            self.push(
                Finding::error(
                    "invalid-geometry",
                    self.at(path),
                    format!("site `{}` has an invalid geometry", site.id),
                )
                .label(first.clone())
                .fix("give a valid Point, LineString or Polygon in [lon, lat]"),
            );
        } else if !allowed {
            let message = format!(
                "a site is a point, line or polygon, not a {}",
                geometry::kind_name(&site.geometry)
            );
            self.push(geometry_finding(self.at(path), &site.id, &message));
        } else if !(site.buffer_m.is_finite() && site.buffer_m >= 0.0) {
            self.push(
                Finding::error(
                    "invalid-value",
                    self.at(path),
                    format!("site `{}` has buffer_m {}", site.id, site.buffer_m),
                )
                .label("a buffer is a distance in metres, zero or more")
                .fix("set `buffer_m` to the protection buffer in metres"),
            );
        } else if self.built.sites.iter().any(|s| s.id == site.id) {
            self.push(
                Finding::error(
                    "duplicate-id",
                    self.at(path),
                    format!("site `{}` is registered twice", site.id),
                )
                .label("a second site with this id")
                .fix("give each site its own id"),
            );
        } else {
            self.built.sites.push(site);
        }
    }

    fn indicators(&mut self) {
        let zones = self.ids("zones", "zone");
        for (idx, indicator) in self.pact.indicators.iter().enumerate() {
            let path = self.item("indicators", idx);
            for (z, zone) in indicator.zones.iter().enumerate() {
                self.reference(
                    &zones,
                    zone,
                    path.clone().k("zones").i(z),
                    &format!("indicator `{}`", indicator.id),
                );
            }
            let predicate = indicator.when.as_deref().and_then(|source| {
                self.predicate(&path.clone().k("when"), source, &INDICATOR_VARIABLES)
            });
            self.built.predicates.push(predicate);
            let t = &indicator.threshold;
            let tpath = path.clone().k("threshold");
            let shape_ok = match (t.count, &t.sum, t.at_least) {
                (Some(n), None, None) => n > 0,
                (None, Some(_), Some(v)) => v.is_finite() && v > 0.0,
                _ => false,
            };
            if !shape_ok {
                self.push(
                    Finding::error("invalid-threshold", self.at(&tpath), format!("indicator `{}` has no usable threshold", indicator.id))
                        .label("expected `count = N` (N ≥ 1), or `sum = \"field\"` with `at_least = X` (X > 0)")
                        .fix("write `threshold = { count = 1, within = \"1h\" }` or `{ sum = \"count\", at_least = 10, within = \"2h\" }`"),
                );
            }
            if t.within <= Duration::ZERO {
                self.push(
                    Finding::error(
                        "invalid-threshold",
                        self.at(&tpath.clone().k("within")),
                        "the window is empty",
                    )
                    .label(format!("within {}", t.within))
                    .fix("give a positive window such as \"1h\""),
                );
            }
            if let Some(c) = indicator
                .min_confidence
                .filter(|c| !(0.0..=1.0).contains(c))
            {
                self.push(confidence_finding(
                    self.at(&path.clone().k("min_confidence")),
                    c,
                ));
            }
        }
    }

    /// Compiles a CEL predicate at `path`; findings point into the string.
    fn predicate(&mut self, path: &DocPath, source: &str, variables: &[&str]) -> Option<Predicate> {
        let span = self.loc.span(path);
        let text = self.loc_text().unwrap_or("");
        let raw = text.get(span.clone()).unwrap_or("");
        // Offsets inside the predicate map into the file past the opening quote(s)
        // when the string has no escapes; otherwise to the string's start.
        let body_start = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
            span.start + 3 + usize::from(raw[3..].starts_with('\n'))
        } else {
            span.start + 1
        };
        let exact = !raw.starts_with('"') || !raw.contains('\\');
        let place_at = |offset: usize, len: usize| {
            let start = if exact {
                body_start + offset
            } else {
                span.start
            };
            Place {
                file: self_file(self.loc),
                span: start..start + len.max(1),
            }
        };
        match Predicate::compile(source) {
            Err(e) => {
                let finding = Finding::error("invalid-cel", place_at(e.offset, 1), "the predicate is not valid CEL")
                    .label(e.message)
                    .fix("see the CEL language definition (https://cel.dev); strings in single quotes inside a TOML string");
                self.push(finding);
                None
            }
            Ok(predicate) => {
                let mut ok = true;
                for name in predicate.variables() {
                    if variables.contains(&name.as_str()) {
                        continue;
                    }
                    let offset = find_word(source, &name).unwrap_or(0);
                    let fix = suggest(&name, "variable", variables.iter().copied());
                    let finding = Finding::error(
                        "unknown-variable",
                        place_at(offset, name.len()),
                        format!("the predicate reads `{name}`, which is not defined"),
                    )
                    .label(format!("the variables are {}", variables.join(", ")))
                    .fix(fix);
                    self.push(finding);
                    ok = false;
                }
                ok.then_some(predicate)
            }
        }
    }

    fn responses(&mut self) {
        let parties = self.ids("parties", "party");
        let zones = self.ids("zones", "zone");
        let indicators = self.ids("indicators", "indicator");
        let responses = self.ids("responses", "response");
        let milestones = self.ids("milestones", "milestone");
        for (idx, response) in self.pact.responses.iter().enumerate() {
            let path = self.item("responses", idx);
            let from = format!("response `{}`", response.id);
            self.trigger(
                &indicators,
                &response.trigger,
                path.clone().k("trigger"),
                &from,
                0,
            );
            if let Some(phase) = &response.from_phase {
                self.reference(&milestones, phase, path.clone().k("from_phase"), &from);
            }
            if response.deadline <= Duration::ZERO {
                self.push(
                    Finding::error(
                        "invalid-value",
                        self.at(&path.clone().k("deadline")),
                        format!("{from} has no time to act"),
                    )
                    .label(format!("deadline {}", response.deadline))
                    .fix("give a positive deadline such as \"4h\""),
                );
            }
            if let Some(consultation) = &response.consultation {
                let cpath = path.clone().k("consultation");
                for (p, party) in consultation.parties.iter().enumerate() {
                    self.reference(
                        &parties,
                        party,
                        cpath.clone().k("parties").i(p),
                        &format!("the consultation of {from}"),
                    );
                }
                if consultation.window > response.deadline {
                    self.push(
                        Finding::error("consultation-too-long", self.at(&cpath.clone().k("window")), format!("the consultation of {from} outlasts its deadline"))
                            .label(format!("window {} > deadline {}", consultation.window, response.deadline))
                            .fix(format!("shorten the window to at most {}: consultations coordinate, they must not delay the response", response.deadline)),
                    );
                }
            }
            if let Some(escalation) = &response.escalation {
                let epath = path.clone().k("escalation");
                self.reference(
                    &responses,
                    &escalation.to,
                    epath.clone().k("to"),
                    &format!("the escalation of {from}"),
                );
                if let Some(when) = &escalation.when {
                    self.trigger(&indicators, when, epath.clone().k("when"), &from, 0);
                }
            }
            for (m, measure) in response.measures.iter().enumerate() {
                let mpath = path.clone().k("measures").i(m);
                let mfrom = format!("a measure of {from}");
                self.reference(&parties, &measure.party, mpath.clone().k("party"), &mfrom);
                for (z, zone) in measure.zones.iter().enumerate() {
                    self.reference(&zones, zone, mpath.clone().k("zones").i(z), &mfrom);
                }
                for (z, zone) in measure.no_go.iter().enumerate() {
                    let zpath = mpath.clone().k("no_go").i(z);
                    if !self.reference(&zones, zone, zpath.clone(), &mfrom) {
                        continue;
                    }
                    let kind = self
                        .pact
                        .zones
                        .iter()
                        .find(|x| &x.id == zone)
                        .map(|x| x.kind);
                    if kind.is_some_and(|k| k != ZoneKind::NoGoArea) {
                        self.push(
                            Finding::error("wrong-zone-kind", self.at(&zpath), format!("`{zone}` is listed as a no-go area but is not one"))
                                .label(format!("its kind is `{}`", kind.map_or(String::new(), zone_kind_name)))
                                .fix(format!("declare `{zone}` with `kind = \"no_go_area\"`, or list it under `zones`")),
                        );
                    }
                }
            }
        }
    }

    /// Checks a trigger expression's references and depth.
    fn trigger(
        &mut self,
        indicators: &Ids<'_>,
        trigger: &Trigger,
        path: DocPath,
        from: &str,
        depth: usize,
    ) {
        if depth > limits::trigger_depth_max {
            self.push(
                Finding::error(
                    "invalid-value",
                    self.at(&path),
                    format!("the trigger of {from} is nested too deep"),
                )
                .label(format!("more than {} levels", limits::trigger_depth_max))
                .fix("flatten the expression: `any` and `all` take lists"),
            );
            return;
        }
        match trigger {
            Trigger::Indicator(id) => {
                self.reference(indicators, id, path, from);
            }
            Trigger::Any { any: list } | Trigger::All { all: list } => {
                let key = if matches!(trigger, Trigger::Any { .. }) {
                    "any"
                } else {
                    "all"
                };
                if list.is_empty() {
                    self.push(
                        Finding::error(
                            "unreachable-response",
                            self.at(&path),
                            format!("the trigger of {from} has an empty `{key}`"),
                        )
                        .label(format!("`{key}` of nothing"))
                        .fix("list the indicators it combines"),
                    );
                }
                for (i, t) in list.iter().enumerate() {
                    self.trigger(indicators, t, path.clone().k(key).i(i), from, depth + 1);
                }
            }
            Trigger::Not { not } => self.trigger(indicators, not, path.k("not"), from, depth + 1),
        }
    }

    /// Unreachable responses, unused indicators, escalation cycles.
    fn ladder_graph(&mut self) {
        let pact = self.pact;
        let known: BTreeSet<&str> = pact.indicators.iter().map(|i| i.id.as_str()).collect();
        let index: BTreeMap<&str, usize> = pact
            .responses
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut reachable: Vec<bool> = pact
            .responses
            .iter()
            .map(|r| can_fire(&r.trigger, &known))
            .collect();
        // Escalation reaches its target from a reachable rung: propagate to a fixpoint.
        let mut changed = true;
        while changed {
            changed = false;
            for (i, r) in pact.responses.iter().enumerate() {
                let target = r
                    .escalation
                    .as_ref()
                    .and_then(|e| index.get(e.to.as_str()).copied());
                if let Some(t) = target.filter(|&t| reachable[i] && !reachable[t]) {
                    reachable[t] = true;
                    changed = true;
                }
            }
        }
        for (i, r) in pact.responses.iter().enumerate() {
            if !reachable[i] && !has_unknown(&r.trigger, &known) {
                let path = self.item("responses", i).k("trigger");
                self.push(
                    Finding::error("unreachable-response", self.at(&path), format!("no indicator can reach response `{}`", r.id))
                        .label("this trigger can never be met by an indicator firing")
                        .fix("trigger it with at least one indicator outside a `not`, or escalate to it from a reachable rung"),
                );
            }
        }
        let mut used: BTreeSet<&str> = BTreeSet::new();
        for r in &pact.responses {
            collect(&r.trigger, &mut used);
            if let Some(when) = r.escalation.as_ref().and_then(|e| e.when.as_ref()) {
                collect(when, &mut used);
            }
        }
        let complete = !self.origins.incomplete.contains("responses");
        for (i, indicator) in pact.indicators.iter().enumerate() {
            if complete && !used.contains(indicator.id.as_str()) {
                let path = self.item("indicators", i).k("id");
                self.push(
                    Finding::warning(
                        "unused-indicator",
                        self.at(&path),
                        format!("indicator `{}` reaches no response", indicator.id),
                    )
                    .label("no trigger names it")
                    .fix("name it in a response's `trigger`, or remove it"),
                );
            }
        }
        self.escalation_cycles(&index);
    }

    fn escalation_cycles(&mut self, index: &BTreeMap<&str, usize>) {
        let pact = self.pact;
        let next: Vec<Option<usize>> = pact
            .responses
            .iter()
            .map(|r| {
                r.escalation
                    .as_ref()
                    .and_then(|e| index.get(e.to.as_str()).copied())
            })
            .collect();
        // Each rung escalates to at most one other, so the graph is functional: walk
        // each chain once, colouring rungs on the current walk, and a walk that meets
        // its own colour has found a cycle. Linear in the number of rungs.
        const UNSEEN: usize = usize::MAX;
        const DONE: usize = usize::MAX - 1;
        let mut walk_of: Vec<usize> = vec![UNSEEN; next.len()];
        for start in 0..next.len() {
            if walk_of[start] != UNSEEN {
                continue;
            }
            let mut path: Vec<usize> = Vec::new();
            let mut at = Some(start);
            while let Some(n) = at {
                if walk_of[n] == DONE {
                    break;
                }
                if walk_of[n] == start {
                    let pos = path.iter().position(|&p| p == n).unwrap_or(0);
                    let cycle = &path[pos..];
                    let first = cycle.iter().copied().min().unwrap_or(n);
                    let from = cycle.iter().position(|&c| c == first).unwrap_or(0);
                    let ordered: Vec<&str> = cycle[from..]
                        .iter()
                        .chain(&cycle[..from])
                        .map(|&c| pact.responses[c].id.as_str())
                        .collect();
                    let path_to = self.item("responses", first).k("escalation").k("to");
                    self.push(
                        Finding::error(
                            "escalation-cycle",
                            self.at(&path_to),
                            "the escalation ladder has a cycle",
                        )
                        .label(format!("{} → {}", ordered.join(" → "), ordered[0]))
                        .fix("escalate only upward, to a higher rung; the top rung escalates to nothing"),
                    );
                    break;
                }
                walk_of[n] = start;
                path.push(n);
                at = next[n];
            }
            for n in path {
                walk_of[n] = DONE;
            }
        }
    }

    /// Military measures whose engagement zones overlap a no-go area (the measure's own
    /// or any the pact declares).
    fn overlaps(&mut self) {
        let pact = self.pact;
        let pact_no_go: Vec<&str> = pact
            .zones
            .iter()
            .filter(|z| z.kind == ZoneKind::NoGoArea)
            .map(|z| z.id.as_str())
            .collect();
        let mut cache: BTreeMap<(&str, &str), f64> = BTreeMap::new();
        for (r, response) in pact.responses.iter().enumerate() {
            for (m, measure) in response.measures.iter().enumerate() {
                if measure.kind != MeasureKind::Military {
                    continue;
                }
                let mut no_go: Vec<&str> = measure.no_go.iter().map(String::as_str).collect();
                no_go.extend(pact_no_go.iter().copied());
                no_go.sort_unstable();
                no_go.dedup();
                for (z, zone) in measure.zones.iter().enumerate() {
                    // Engagement zones are where effectors fire; patrol and protected
                    // areas may enclose a no-go area the measure then keeps out of.
                    let kind = pact.zones.iter().find(|x| &x.id == zone).map(|x| x.kind);
                    if kind != Some(ZoneKind::EngagementZone) {
                        continue;
                    }
                    for &area in &no_go {
                        let key = (zone.as_str(), area);
                        let overlap = match cache.get(&key) {
                            Some(&o) => o,
                            None => {
                                let o = match (
                                    self.built.zone_areas.get(zone),
                                    self.built.zone_areas.get(area),
                                ) {
                                    (Some(a), Some(b)) if zone != area => {
                                        geometry::overlap_area(a, b)
                                    }
                                    _ => 0.0,
                                };
                                cache.insert(key, o);
                                o
                            }
                        };
                        if overlap > geometry::OVERLAP_M2_MIN {
                            let path = self.item("responses", r).k("measures").i(m).k("zones").i(z);
                            self.push(
                                Finding::error("no-go-overlap", self.at(&path), format!("a measure of response `{}` may act inside no-go area `{area}`", response.id))
                                    .label(format!("`{zone}` overlaps `{area}` by {:.1} km²", overlap / 1e6))
                                    .fix(format!("shrink `{zone}` so it stays out of `{area}`, or drop it from this measure")),
                            );
                        }
                    }
                }
            }
        }
    }

    fn logistics(&mut self) {
        let parties = self.ids("parties", "party");
        let zones = self.ids("zones", "zone");
        let depots = self.ids("depots", "depot");
        let commitments = self.ids("commitments", "commitment");
        let milestones = self.ids("milestones", "milestone");
        let mut places = zones.ids.clone();
        places.extend(depots.ids.iter().copied());
        let places = Ids {
            section: "zones",
            what: "zone or depot",
            ids: places,
        };
        let pact = self.pact;
        for (idx, c) in pact.commitments.iter().enumerate() {
            let path = self.item("commitments", idx);
            let from = format!("commitment `{}`", c.id);
            self.reference(&parties, &c.party, path.clone().k("party"), &from);
            if let Some(at) =
                c.at.as_ref()
                    .filter(|at| !self.origins.is_broken("depots", at))
            {
                self.reference(&places, at, path.clone().k("at"), &from);
            }
            if let Some(phase) = &c.phase {
                self.reference(&milestones, phase, path.clone().k("phase"), &from);
            }
            if c.until.is_some_and(|u| u <= c.by) {
                self.push(
                    Finding::error(
                        "invalid-value",
                        self.at(&path.clone().k("until")),
                        format!("{from} ends before it starts"),
                    )
                    .label(format!(
                        "until {} is not after by {}",
                        c.until.unwrap_or(c.by),
                        c.by
                    ))
                    .fix("set `until` after `by`"),
                );
            }
        }
        for (idx, d) in pact.depots.iter().enumerate() {
            let path = self.item("depots", idx);
            let from = format!("depot `{}`", d.id);
            self.reference(&parties, &d.party, path.clone().k("party"), &from);
            self.reference(&zones, &d.zone, path.clone().k("zone"), &from);
        }
        for (idx, s) in pact.stocks.iter().enumerate() {
            let path = self.item("stocks", idx);
            let from = format!("stock `{}`", s.id);
            self.reference(&parties, &s.party, path.clone().k("party"), &from);
            self.reference(&depots, &s.depot, path.clone().k("depot"), &from);
        }
        for (idx, contract) in pact.contracts.iter().enumerate() {
            let path = self.item("contracts", idx);
            let from = format!("contract `{}`", contract.id);
            self.reference(&parties, &contract.party, path.clone().k("party"), &from);
            if contract.to <= contract.from {
                self.push(
                    Finding::error(
                        "invalid-value",
                        self.at(&path.clone().k("to")),
                        format!("{from} ends before it starts"),
                    )
                    .label(format!(
                        "to {} is not after from {}",
                        contract.to, contract.from
                    ))
                    .fix("set `to` after `from`"),
                );
            }
            for (b, id) in contract.backs.iter().enumerate() {
                let bpath = path.clone().k("backs").i(b);
                if !self.reference(&commitments, id, bpath.clone(), &from) {
                    continue;
                }
                let Some(c) = pact.commitments.iter().find(|c| &c.id == id) else {
                    continue;
                };
                let short = match c.until {
                    Some(until) => contract.to < until,
                    None => true,
                };
                if short {
                    let end = c
                        .until
                        .map_or("never (open-ended)".to_owned(), |u| u.to_string());
                    self.push(
                        Finding::error("unbacked-commitment", self.at(&bpath), format!("{from} ends before commitment `{id}` does"))
                            .label(format!("production ends {}, the commitment ends {end}", contract.to))
                            .fix(format!("extend the contract to at least the commitment's end, or end `{id}` by {}", contract.to)),
                    );
                }
            }
        }
    }

    fn milestones(&mut self) {
        let commitments = self.ids("commitments", "commitment");
        for (idx, milestone) in self.pact.milestones.iter().enumerate() {
            let path = self.item("milestones", idx);
            if milestone.to <= milestone.from {
                self.push(
                    Finding::error(
                        "invalid-value",
                        self.at(&path.clone().k("to")),
                        format!("milestone `{}` ends before it starts", milestone.id),
                    )
                    .label(format!("from {} to {}", milestone.from, milestone.to))
                    .fix("set `to` after `from`, e.g. from = \"0d\", to = \"90d\""),
                );
            }
            if milestone.deliverables.is_empty() {
                self.push(
                    Finding::error("empty-phase", self.at(&path.clone().k("id")), format!("phase `{}` has no deliverables", milestone.id))
                        .label("nothing verifiable is promised in this phase")
                        .fix("add `[[milestones.deliverables]]` pairing a promise with its effect and commitments"),
                );
            }
            for (d, deliverable) in milestone.deliverables.iter().enumerate() {
                let dpath = path.clone().k("deliverables").i(d);
                if deliverable.commitments.is_empty() {
                    self.push(
                        Finding::error(
                            "empty-deliverable",
                            self.at(&dpath.clone().k("id")),
                            format!("deliverable `{}` references nothing", deliverable.id),
                        )
                        .label("no commitment delivers it")
                        .fix("list the commitments that deliver it: `commitments = [\"...\"]`"),
                    );
                }
                for (c, id) in deliverable.commitments.iter().enumerate() {
                    let from = format!("deliverable `{}`", deliverable.id);
                    self.reference(&commitments, id, dpath.clone().k("commitments").i(c), &from);
                }
            }
        }
    }

    fn reviews(&mut self) {
        let commitments = self.ids("commitments", "commitment");
        for (idx, review) in self.pact.reviews.iter().enumerate() {
            let path = self.item("reviews", idx);
            let mut predicates = Vec::new();
            for (t, trigger) in review.triggers.iter().enumerate() {
                let tpath = path.clone().k("triggers").i(t);
                predicates.push(self.predicate(
                    &tpath.clone().k("when"),
                    &trigger.when,
                    &REVIEW_VARIABLES,
                ));
                for (c, id) in trigger.commitments.iter().enumerate() {
                    let from = format!("review `{}`", review.id);
                    self.reference(&commitments, id, tpath.clone().k("commitments").i(c), &from);
                }
                if !(trigger.factor.is_finite() && trigger.factor >= 0.0) {
                    self.push(
                        Finding::error(
                            "invalid-value",
                            self.at(&tpath.clone().k("factor")),
                            "the factor is not a scale",
                        )
                        .label(format!("factor {}", trigger.factor))
                        .fix("give a factor of zero or more (0.5 halves, 1.5 extends by half)"),
                    );
                }
            }
            self.built.review_predicates.push(predicates);
        }
    }

    /// Unbacked clauses: assets a measure uses that its party has not committed
    /// in that quantity, or not before the phase in which the response can fire.
    fn backing(&mut self) {
        let pact = self.pact;
        let effective = pact.pact.effective;
        for (r, response) in pact.responses.iter().enumerate() {
            let phase = response
                .from_phase
                .as_ref()
                .and_then(|p| pact.milestones.iter().find(|m| &m.id == p));
            let phase_start = effective + phase.map_or(Duration::ZERO, |m| m.from);
            let phase_name = phase.map_or("day 0".to_owned(), |m| format!("phase `{}`", m.id));
            for (m, measure) in response.measures.iter().enumerate() {
                for (a, used) in measure.assets.iter().enumerate() {
                    let path = self
                        .item("responses", r)
                        .k("measures")
                        .i(m)
                        .k("assets")
                        .i(a)
                        .k("asset");
                    let theirs: Vec<&crate::syntax::Commitment> = pact
                        .commitments
                        .iter()
                        .filter(|c| c.party == measure.party)
                        .collect();
                    let of_asset: Vec<&&crate::syntax::Commitment> =
                        theirs.iter().filter(|c| c.asset == used.asset).collect();
                    if of_asset.is_empty() {
                        let party_known = pact.parties.iter().any(|p| p.id == measure.party);
                        if !party_known || self.origins.incomplete.contains("commitments") {
                            continue;
                        }
                        let mut assets: Vec<&str> =
                            theirs.iter().map(|c| c.asset.as_str()).collect();
                        assets.dedup();
                        let fix = suggest(&used.asset, "asset", assets.iter().copied());
                        self.push(
                            Finding::error(
                                "unknown-reference",
                                self.at(&path),
                                format!(
                                    "party `{}` commits no asset `{}`",
                                    measure.party, used.asset
                                ),
                            )
                            .label("not committed by this party")
                            .fix(fix),
                        );
                        continue;
                    }
                    let total: u64 = of_asset.iter().map(|c| u64::from(c.quantity)).sum();
                    let in_time: u64 = of_asset
                        .iter()
                        .filter(|c| in_place(c, phase_start))
                        .map(|c| u64::from(c.quantity))
                        .sum();
                    let needed = u64::from(used.quantity);
                    let backed = in_time >= needed;
                    self.built.backing.push(ClauseBacking {
                        response: response.id.clone(),
                        party: measure.party.clone(),
                        asset: used.asset.clone(),
                        needed,
                        committed: in_time,
                        from: phase_start,
                        backed,
                    });
                    if backed {
                        continue;
                    }
                    let (label, fix) = if total < needed {
                        (
                            format!("needs {needed}, {} commits {total} in all", measure.party),
                            format!(
                                "commit {} more `{}`, or use fewer",
                                needed - total,
                                used.asset
                            ),
                        )
                    } else {
                        (
                            format!(
                                "needs {needed} from {phase_start}, only {in_time} are in place by then"
                            ),
                            format!(
                                "commit them by {phase_start}, or let the response fire from a later phase"
                            ),
                        )
                    };
                    self.push(
                        Finding::error(
                            "unbacked-clause",
                            self.at(&path),
                            format!(
                                "response `{}` uses more `{}` than are committed by {phase_name}",
                                response.id, used.asset
                            ),
                        )
                        .label(label)
                        .fix(fix),
                    );
                }
            }
        }
    }
}

fn zone_kind_name(kind: ZoneKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn in_place(c: &crate::syntax::Commitment, at: Time) -> bool {
    c.by <= at && c.until.is_none_or(|u| u > at)
}

fn self_file(loc: &Locator<'_>) -> String {
    loc.file.clone()
}

fn confidence_finding(place: Place, value: f64) -> Finding {
    Finding::error("invalid-value", place, "a confidence is a probability")
        .label(format!("{value} is outside 0..=1"))
        .fix("give a value between 0 and 1, e.g. 0.8")
}

fn geometry_finding(place: Place, what: &str, message: &str) -> Finding {
    Finding::error(
        "invalid-geometry",
        place,
        format!("`{what}` has an unusable geometry"),
    )
    .label(message.to_owned())
    .fix("give RFC 7946 GeoJSON in [lon, lat] degrees")
}

/// A feature's id: the GeoJSON `id`, or its `id` property.
fn feature_id(f: &geojson::Feature) -> Option<String> {
    match &f.id {
        Some(geojson::feature::Id::String(s)) => Some(s.clone()),
        Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
        None => f.property("id").and_then(|v| v.as_str()).map(str::to_owned),
    }
}

#[derive(serde::Deserialize)]
struct SiteProperties {
    id: String,
    #[serde(default)]
    name: String,
    kind: crate::syntax::InfrastructureKind,
    #[serde(default)]
    owner: String,
    buffer_m: f64,
}

/// Whether some set of firing indicators can meet the trigger.
fn can_fire(trigger: &Trigger, known: &BTreeSet<&str>) -> bool {
    match trigger {
        Trigger::Indicator(id) => known.contains(id.as_str()),
        Trigger::Any { any } => any.iter().any(|t| can_fire(t, known)),
        Trigger::All { all } => {
            !all.is_empty()
                && all
                    .iter()
                    .all(|t| can_fire(t, known) || matches!(t, Trigger::Not { .. }))
                && all.iter().any(|t| can_fire(t, known))
        }
        // A `not` alone holds only while nothing fires: no indicator reaches it.
        Trigger::Not { .. } => false,
    }
}

fn has_unknown(trigger: &Trigger, known: &BTreeSet<&str>) -> bool {
    match trigger {
        Trigger::Indicator(id) => !known.contains(id.as_str()),
        Trigger::Any { any: list } | Trigger::All { all: list } => {
            list.iter().any(|t| has_unknown(t, known))
        }
        Trigger::Not { not } => has_unknown(not, known),
    }
}

fn collect<'t>(trigger: &'t Trigger, out: &mut BTreeSet<&'t str>) {
    match trigger {
        Trigger::Indicator(id) => {
            out.insert(id.as_str());
        }
        Trigger::Any { any: list } | Trigger::All { all: list } => {
            list.iter().for_each(|t| collect(t, out))
        }
        Trigger::Not { not } => collect(not, out),
    }
}

/// The byte offset of `word` as a whole identifier in `source`.
fn find_word(source: &str, word: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    source.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = source[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !is_ident(c) && c != '.');
        let after = source[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_ident(c));
        before && after
    })
}

/// Findings are errors unless an analysis says otherwise.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
