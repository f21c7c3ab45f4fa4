//! Readiness: magazines, depots, contracts and coverage counted, so every clause
//! of a pact is backed or flagged.
//!
//! ```text
//! assess(pact, inputs, config)
//!   -> stock::simulate   day by day per depot and item: records, production, tempo consumption
//!   -> backing::check    each rung at the as-of date: assets in place, magazines last the endurance
//!   -> economics         a night's cost to each side per policy; depletion per policy
//!   -> milestones        commitments against deliveries, phases, scorecards, reviews
//! coverage::Coverage::compute(zones, sensors)  per altitude band, gaps, greedy placement
//! ```
//!
//! Everything is a pure function of its inputs: no clock, no I/O (the CLI reads
//! the files); the same inputs give the same report.

pub mod backing;
pub mod catalogue;
pub mod coverage;
pub mod deliveries;
pub mod economics;
pub mod error;
pub mod html;
pub mod limits;
pub mod milestones;
pub mod records;
pub mod stock;
pub mod table;
pub mod tempo;

use std::collections::BTreeMap;

use model::{Duration, Time};

pub use backing::{Backing, ClauseCheck, RungCheck};
pub use catalogue::Catalogue;
pub use coverage::{Area, BandCoverage, Coverage, Placement, Sensor, SensorKind};
pub use deliveries::Delivery;
pub use economics::{NightOutcome, Policy};
pub use error::InputError;
pub use records::TriggerRecord;
pub use stock::Timeline;
pub use tempo::Tempo;

/// How the assessment runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The as-of date.
    pub at: Time,
    /// Days forecast from day 0.
    pub horizon_days: u32,
    /// Endurance when there is no tempo (the tempo file states its own).
    pub endurance_days: u32,
}

/// What the assessment reads besides the pact.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub catalogue: Option<Catalogue>,
    pub deliveries: Option<Vec<Delivery>>,
    pub tempo: Option<Tempo>,
    pub triggers: Vec<TriggerRecord>,
    pub coverage: Option<CoverageSummary>,
}

/// Coverage as the report shows it.
#[derive(Debug, Clone)]
pub struct CoverageSummary {
    pub sensors: usize,
    pub bands: Vec<BandCoverage>,
    pub placements: Vec<Placement>,
    /// Per band: gap-map blocks `(x_km, y_km, share inside, gap share)` and the block size.
    pub gap_maps: Vec<Vec<(f64, f64, f64, f64)>>,
    pub block_km: f64,
}

/// Days of supply of one depot line at the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct Supply {
    pub depot: String,
    pub item: String,
    pub on_hand: f64,
    /// Days from the as-of date until it holds less than one round; `None` beyond the horizon.
    pub dry_in_days: Option<u32>,
    /// The rungs whose clauses use this item, which lose their backing then.
    pub clauses: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PolicyRun {
    pub policy: Policy,
    /// The tempo's heaviest night with magazines as deep as the policy wants: the policy's own price.
    pub night: NightOutcome,
    /// The first night of the forecast with the magazines on hand at the as-of date.
    pub night_on_hand: NightOutcome,
    /// Stock under this policy: its magazine depletion curve.
    pub timeline: Timeline,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub pact: String,
    pub effective: Time,
    pub at: Time,
    pub at_day: u32,
    pub tempo: String,
    pub endurance_days: u32,
    pub with_records: bool,
    /// Per party and item: pledged (commitments and stocks) and delivered to date.
    pub pledged: Vec<(String, String, f64, f64)>,
    pub timeline: Timeline,
    pub supply: Vec<Supply>,
    pub rungs: Vec<RungCheck>,
    pub policies: Vec<PolicyRun>,
    pub commitments: Vec<milestones::CommitmentRecord>,
    pub milestones: Vec<milestones::MilestoneStatus>,
    pub scorecards: Vec<milestones::Scorecard>,
    pub reviews: Vec<milestones::ReviewLine>,
    pub coverage: Option<CoverageSummary>,
}

/// Checks what the pact's checker also checks, for compiled pacts built by other means.
pub fn check_pact(pact: &pact::CompiledPact) -> Result<(), InputError> {
    for c in &pact.contracts {
        if c.to <= c.from {
            return Err(InputError::EndsBeforeStart {
                input: format!("pact `{}`", pact.id),
                record: format!("contract `{}`", c.id),
                from: c.from.to_string(),
                to: c.to.to_string(),
            });
        }
    }
    for c in &pact.commitments {
        if let Some(until) = c.until.filter(|u| *u < c.by) {
            return Err(InputError::EndsBeforeStart {
                input: format!("pact `{}`", pact.id),
                record: format!("commitment `{}`", c.id),
                from: c.by.to_string(),
                to: until.to_string(),
            });
        }
    }
    Ok(())
}

/// The whole assessment at `config.at`.
pub fn assess(
    pact: &pact::CompiledPact,
    inputs: Inputs,
    config: &Config,
) -> Result<Report, InputError> {
    check_pact(pact)?;
    let catalogue = inputs.catalogue.unwrap_or_else(Catalogue::builtin);
    let horizon_days = config.horizon_days.min(limits::horizon_days_max);
    let at_day = stock::day_of(pact.effective, config.at).min(horizon_days);
    let tempo = inputs.tempo.as_ref();
    let endurance_days = tempo.map_or(config.endurance_days, |t| t.endurance_days);
    let tempo_name = tempo.map_or("the pact's use_per_day".to_owned(), |t| {
        format!("`{}`", t.name)
    });
    let deliveries = inputs.deliveries.as_deref();
    let plan = stock::Plan {
        pact,
        catalogue: &catalogue,
        deliveries,
        tempo,
        at_day,
        horizon_days,
        policy: Policy::LayeredCheapestAdequate,
        unlimited: false,
    };
    let timeline = stock::simulate(&plan);
    let demand = stock::simulate(&stock::Plan {
        unlimited: true,
        ..plan
    });
    let rungs = backing::check(&backing::Inputs {
        pact,
        catalogue: &catalogue,
        deliveries,
        limited: &timeline,
        demand: &demand,
        at_day,
        endurance_days,
        tempo_name: &tempo_name,
    });
    let supply = supply(pact, &catalogue, &timeline, at_day);
    let policies = match tempo {
        Some(t) => Policy::ALL
            .iter()
            .map(|policy| {
                let timeline = stock::simulate(&stock::Plan {
                    policy: *policy,
                    ..plan
                });
                let night_on_hand = timeline
                    .nights
                    .first()
                    .map(|n| n.1.clone())
                    .unwrap_or_default();
                let pool = stock::pool(pact, &catalogue);
                let heaviest = t.heaviest_night(horizon_days.saturating_sub(at_day).max(1));
                let night =
                    economics::engage(&catalogue, &pool, &heaviest, *policy, &mut BTreeMap::new());
                PolicyRun {
                    policy: *policy,
                    night,
                    night_on_hand,
                    timeline,
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let commitments = milestones::commitments(pact, deliveries, config.at);
    let until = pact.effective + Duration::from_days(i64::from(horizon_days));
    Ok(Report {
        pact: pact.id.clone(),
        effective: pact.effective,
        at: config.at,
        at_day,
        tempo: tempo_name,
        endurance_days,
        with_records: deliveries.is_some(),
        pledged: pledged(pact, deliveries, config.at),
        milestones: milestones::milestones(pact, &commitments),
        scorecards: milestones::scorecards(pact, &commitments, &inputs.triggers, config.at),
        reviews: milestones::reviews(pact, &inputs.triggers, &commitments, until),
        commitments,
        timeline,
        supply,
        rungs,
        policies,
        coverage: inputs.coverage,
    })
}

fn supply(
    pact: &pact::CompiledPact,
    catalogue: &Catalogue,
    timeline: &Timeline,
    at_day: u32,
) -> Vec<Supply> {
    timeline
        .keys
        .iter()
        .enumerate()
        .map(|(idx, (depot, item))| {
            let mut clauses: Vec<String> = pact
                .ladder
                .iter()
                .filter(|r| {
                    r.measures.iter().flat_map(|m| &m.assets).any(|a| {
                        a.asset == *item
                            || catalogue
                                .effectors_of_asset(&a.asset)
                                .any(|e| e.item == *item)
                    })
                })
                .map(|r| r.id.clone())
                .collect();
            clauses.dedup();
            let on_hand = timeline.stock[idx]
                .get(at_day as usize)
                .copied()
                .unwrap_or(0.0)
                + timeline.used[idx]
                    .get(at_day as usize)
                    .copied()
                    .unwrap_or(0.0);
            Supply {
                depot: depot.clone(),
                item: item.clone(),
                on_hand,
                dry_in_days: timeline.dry_day(idx, at_day).map(|d| d - at_day),
                clauses,
            }
        })
        .collect()
}

fn pledged(
    pact: &pact::CompiledPact,
    deliveries: Option<&[Delivery]>,
    at: Time,
) -> Vec<(String, String, f64, f64)> {
    let mut m: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for c in &pact.commitments {
        m.entry((c.party.clone(), c.asset.clone())).or_default().0 += f64::from(c.quantity);
    }
    for s in &pact.stocks {
        let e = m.entry((s.party.clone(), s.item.clone())).or_default();
        // A stock that restates a commitment of the same party and item is not a second pledge.
        e.0 = e.0.max(s.quantity as f64);
    }
    for d in deliveries.into_iter().flatten().filter(|d| d.date <= at) {
        m.entry((d.party.clone(), d.item.clone())).or_default().1 += d.quantity;
    }
    m.into_iter().map(|((p, i), (a, b))| (p, i, a, b)).collect()
}

/// The demo's headline lines: backed and unbacked clauses, days of supply, the
/// cost-exchange ratio per policy, low-altitude coverage.
pub fn headline(report: &Report) -> Vec<String> {
    table::headline(report)
}
