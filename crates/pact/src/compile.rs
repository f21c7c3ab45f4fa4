//! The compiled pact: what the triggers and readiness stages run on. Zones are
//! `geo` polygons, indicators carry compiled CEL programs, responses are
//! ordered into the escalation ladder, and each clause says whether it is backed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{Geometry, MultiPolygon};
use model::{Duration, Incident, IncidentKind, Time};

use crate::analysis::Built;
use crate::predicate::{EvalError, Predicate};
use crate::syntax::{
    Activation, ActivationMode, Commitment, Contract, Depot, InfrastructureKind, Intelligence,
    Milestone, Pact, Party, Response, Review, Stock, Threshold, Witnesses, ZoneKind,
};

#[derive(Debug, Clone)]
pub struct CompiledPact {
    pub id: String,
    pub title: String,
    pub effective: Time,
    pub activation: Activation,
    pub parties: Vec<Party>,
    pub intelligence: Intelligence,
    pub witnesses: Witnesses,
    pub zones: Vec<CompiledZone>,
    pub sites: Vec<CompiledSite>,
    pub indicators: Vec<CompiledIndicator>,
    /// Responses ordered by rung (then id): the escalation ladder.
    pub ladder: Vec<Response>,
    pub commitments: Vec<Commitment>,
    pub depots: Vec<Depot>,
    pub stocks: Vec<Stock>,
    pub contracts: Vec<Contract>,
    pub milestones: Vec<Milestone>,
    pub reviews: Vec<CompiledReview>,
    /// For every asset a measure uses: how much is committed by the time the response can fire.
    pub backing: Vec<ClauseBacking>,
}

#[derive(Debug, Clone)]
pub struct CompiledZone {
    pub id: String,
    pub name: String,
    pub kind: ZoneKind,
    /// Longitude, latitude in degrees (WGS84).
    pub area: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct CompiledSite {
    pub id: String,
    pub name: String,
    pub kind: InfrastructureKind,
    pub owner: String,
    pub buffer_m: f64,
    /// Longitude, latitude in degrees (WGS84): a point, line or polygon.
    pub geometry: Geometry<f64>,
}

#[derive(Debug, Clone)]
pub struct CompiledIndicator {
    pub id: String,
    pub name: String,
    pub incident: IncidentKind,
    pub predicate: Option<Predicate>,
    pub threshold: Threshold,
    /// The indicator's own, or the intelligence compact's default.
    pub min_confidence: f64,
    pub zones: Vec<String>,
}

impl CompiledIndicator {
    /// Whether one incident counts towards this indicator: the kind, the zone
    /// filter, the confidence and the predicate. Thresholds over windows are
    /// the triggers stage's job.
    pub fn admits(&self, incident: &Incident) -> Result<bool, EvalError> {
        if incident.kind != self.incident || incident.confidence < self.min_confidence {
            return Ok(false);
        }
        if !self.zones.is_empty() && !incident.zones.iter().any(|z| self.zones.contains(z)) {
            return Ok(false);
        }
        match &self.predicate {
            Some(p) => p.matches(incident),
            None => Ok(true),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CompiledReview {
    pub review: Review,
    /// One per performance trigger, in order.
    pub predicates: Vec<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseBacking {
    pub response: String,
    pub party: String,
    pub asset: String,
    pub needed: u64,
    /// Committed and in place by `from`.
    pub committed: u64,
    /// When the response can first fire.
    pub from: Time,
    pub backed: bool,
}

/// Builds the compiled form; called only when the check found no errors.
pub(crate) fn compile(pact: Pact, built: Built) -> CompiledPact {
    let default_confidence = pact.intelligence.min_confidence;
    let zones = pact
        .zones
        .iter()
        .filter_map(|z| {
            let area = built.zone_areas.get(&z.id)?.clone();
            Some(CompiledZone {
                id: z.id.clone(),
                name: z.name.clone(),
                kind: z.kind,
                area,
            })
        })
        .collect();
    let indicators = pact
        .indicators
        .iter()
        .zip(built.predicates)
        .map(|(i, predicate)| CompiledIndicator {
            id: i.id.clone(),
            name: i.name.clone(),
            incident: i.incident,
            predicate,
            threshold: i.threshold.clone(),
            min_confidence: i.min_confidence.unwrap_or(default_confidence),
            zones: i.zones.clone(),
        })
        .collect();
    let mut ladder = pact.responses.clone();
    ladder.sort_by(|a, b| (a.rung, &a.id).cmp(&(b.rung, &b.id)));
    let reviews = pact
        .reviews
        .iter()
        .zip(built.review_predicates)
        .map(|(r, predicates)| CompiledReview {
            review: r.clone(),
            predicates: predicates.into_iter().flatten().collect(),
        })
        .collect();
    CompiledPact {
        id: pact.pact.id,
        title: pact.pact.title,
        effective: pact.pact.effective,
        activation: pact.activation,
        parties: pact.parties,
        intelligence: pact.intelligence,
        witnesses: pact.witnesses,
        zones,
        sites: built.sites,
        indicators,
        ladder,
        commitments: pact.commitments,
        depots: pact.depots,
        stocks: pact.stocks,
        contracts: pact.contracts,
        milestones: pact.milestones,
        reviews,
        backing: built.backing,
    }
}

impl CompiledPact {
    pub fn indicator(&self, id: &str) -> Option<&CompiledIndicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    pub fn zone(&self, id: &str) -> Option<&CompiledZone> {
        self.zones.iter().find(|z| z.id == id)
    }

    /// The contracts backing a commitment.
    pub fn contracts_backing(&self, commitment: &str) -> Vec<&Contract> {
        self.contracts
            .iter()
            .filter(|c| c.backs.iter().any(|b| b == commitment))
            .collect()
    }

    /// A plain-text summary: parties, indicators, the ladder, commitments and backing.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "pact `{}`: {}", self.id, self.title);
        let mode = match self.activation.mode {
            ActivationMode::Automatic => {
                "automatic: indicators activate responses; consultations coordinate".to_owned()
            }
            ActivationMode::Consultation => format!(
                "by consultation: indicators open a consultation that decides (modelled delay {})",
                self.activation.decision_delay.unwrap_or(Duration::ZERO)
            ),
        };
        let _ = writeln!(out, "day 0 {}; activation {mode}", self.effective);
        let _ = writeln!(out, "\nparties ({}):", self.parties.len());
        for p in &self.parties {
            let _ = writeln!(out, "  {:<4} {}", p.id, p.name);
        }
        let _ = writeln!(
            out,
            "\nzones: {}; infrastructure sites: {}; witnesses: {} of {}",
            self.zones.len(),
            self.sites.len(),
            self.witnesses.quorum,
            self.witnesses.parties.len()
        );
        let _ = writeln!(out, "\nindicators ({}):", self.indicators.len());
        for i in &self.indicators {
            let threshold = match (&i.threshold.count, &i.threshold.sum) {
                (Some(n), _) => format!("{n}×"),
                (None, Some(field)) => {
                    format!("Σ{field} ≥ {}", i.threshold.at_least.unwrap_or(0.0))
                }
                (None, None) => "?".to_owned(),
            };
            let _ = writeln!(
                out,
                "  {:<28} {:<26} {threshold} within {}, confidence ≥ {}",
                i.id,
                i.incident.as_str(),
                i.threshold.within,
                i.min_confidence
            );
        }
        let _ = writeln!(out, "\nthe ladder ({} rungs):", self.ladder.len());
        for r in &self.ladder {
            let escalation = r.escalation.as_ref().map_or(String::new(), |e| {
                format!(", escalates to `{}` after {}", e.to, e.after)
            });
            let _ = writeln!(
                out,
                "  rung {} `{}`: within {}{escalation}",
                r.rung, r.id, r.deadline
            );
            for m in &r.measures {
                let _ = writeln!(
                    out,
                    "    {:<4} {:<10} {}",
                    m.party,
                    format!("{:?}", m.kind).to_lowercase(),
                    m.action
                );
            }
        }
        let _ = writeln!(out, "\ncommitments ({}):", self.commitments.len());
        for c in &self.commitments {
            let contracts: Vec<&str> = self
                .contracts_backing(&c.id)
                .iter()
                .map(|k| k.id.as_str())
                .collect();
            let backed = if contracts.is_empty() {
                String::new()
            } else {
                format!(", produced under {}", contracts.join(", "))
            };
            let _ = writeln!(
                out,
                "  {:<4} {:>6} × {:<24} by {}{backed}",
                c.party, c.quantity, c.asset, c.by
            );
        }
        let _ = writeln!(out, "\nclauses:");
        let mut by_response: BTreeMap<&str, Vec<&ClauseBacking>> = BTreeMap::new();
        for b in &self.backing {
            by_response.entry(b.response.as_str()).or_default().push(b);
        }
        for r in &self.ladder {
            let clauses = by_response
                .get(r.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            let state = if clauses.is_empty() {
                "no assets named".to_owned()
            } else if clauses.iter().all(|b| b.backed) {
                let parts: Vec<String> = clauses
                    .iter()
                    .map(|b| format!("{} {}×{} of {}", b.party, b.needed, b.asset, b.committed))
                    .collect();
                format!("backed ({})", parts.join("; "))
            } else {
                "UNBACKED".to_owned()
            };
            let _ = writeln!(out, "  `{}`: {state}", r.id);
        }
        out
    }
}
