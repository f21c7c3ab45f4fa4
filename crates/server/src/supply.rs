//! Readiness as the page plots it, and the deliveries the parties record through the API.
//! The assessment is `readiness::assess` (pure); this module only keeps its inputs, adds the
//! recorded deliveries to the record file's, reruns it after each delivery and holds the
//! latest view, so reads never recompute.

use std::sync::Arc;

use model::Time;

use crate::views::{
    ClauseView, DeliveryView, ReadinessView, RungView, StockSeries, SupplyView, round,
};

/// What the assessment reads besides the deliveries recorded through the API.
#[derive(Debug, Clone)]
pub struct ReadinessSource {
    pub pact: pact::CompiledPact,
    pub catalogue: readiness::Catalogue,
    pub tempo: Option<readiness::Tempo>,
    /// The delivery record file's records (may be empty).
    pub deliveries: Vec<readiness::Delivery>,
    pub config: readiness::Config,
}

/// The readiness source, the deliveries recorded through the API and the latest view.
#[derive(Debug)]
pub(crate) struct Supply {
    pub source: ReadinessSource,
    pub known: readiness::deliveries::Known,
    pub recorded: Vec<DeliveryView>,
    pub view: Result<Arc<ReadinessView>, String>,
}

impl Supply {
    pub fn new(source: ReadinessSource) -> Supply {
        let known = readiness::deliveries::Known::of(&source.pact);
        let mut supply = Supply {
            source,
            known,
            recorded: Vec::new(),
            view: Err(String::new()),
        };
        supply.reassess();
        supply
    }

    /// Every delivery: the record file's, then those recorded here.
    pub fn all(&self) -> Vec<DeliveryView> {
        self.source
            .deliveries
            .iter()
            .map(DeliveryView::of_record)
            .chain(self.recorded.iter().cloned())
            .collect()
    }

    pub fn reassess(&mut self) {
        let mut deliveries = self.source.deliveries.clone();
        deliveries.extend(self.recorded.iter().filter_map(|d| {
            Some(readiness::Delivery {
                party: d.party.clone(),
                item: d.item.clone(),
                quantity: d.quantity,
                date: Time::parse_rfc3339(&d.date).ok()?,
                place: d.place.clone(),
                record: format!(
                    "delivery recorded by {} (ledger {:?})",
                    d.party, d.ledger_index
                ),
            })
        }));
        // The stock account reads arrivals in date order; a stable sort keeps same-day ones
        // in the order they were recorded.
        deliveries.sort_by_key(|d| d.date);
        let inputs = readiness::Inputs {
            catalogue: Some(self.source.catalogue.clone()),
            deliveries: Some(deliveries),
            tempo: self.source.tempo.clone(),
            triggers: Vec::new(),
            coverage: None,
        };
        self.view = readiness::assess(&self.source.pact, inputs, &self.source.config)
            .map(|report| Arc::new(view_of(&report, self.all().len())))
            .map_err(|e| e.to_string());
    }
}

fn view_of(report: &readiness::Report, deliveries: usize) -> ReadinessView {
    let rungs: Vec<RungView> = report
        .rungs
        .iter()
        .map(|r| RungView {
            response: r.response.clone(),
            rung: r.rung,
            state: state_name(r.state).to_owned(),
            clauses: r
                .clauses
                .iter()
                .map(|c| ClauseView {
                    party: c.party.clone(),
                    asset: c.asset.clone(),
                    needed: c.needed,
                    state: state_name(c.state).to_owned(),
                    reason: c.reason.clone(),
                    dry_in_days: c.dry_in_days,
                })
                .collect(),
        })
        .collect();
    let count = |state: &str| {
        rungs
            .iter()
            .flat_map(|r| &r.clauses)
            .filter(|c| c.state == state)
            .count()
    };
    let timeline = &report.timeline;
    ReadinessView {
        pact: report.pact.clone(),
        effective: report.effective.to_string(),
        at: report.at.to_string(),
        at_day: report.at_day,
        tempo: report.tempo.clone(),
        endurance_days: report.endurance_days,
        deliveries,
        clauses_backed: count("backed"),
        clauses_unbacked: count("unbacked"),
        clauses_uncounted: count("uncounted"),
        clauses_not_in_force: count("not_in_force"),
        rungs,
        supply: report
            .supply
            .iter()
            .map(|s| SupplyView {
                depot: s.depot.clone(),
                item: s.item.clone(),
                on_hand: round(s.on_hand, 1),
                dry_in_days: s.dry_in_days,
                clauses: s.clauses.clone(),
            })
            .collect(),
        stock: timeline
            .keys
            .iter()
            .zip(&timeline.stock)
            .map(|((depot, item), days)| StockSeries {
                depot: depot.clone(),
                item: item.clone(),
                days: days.iter().map(|x| round(*x, 1)).collect(),
            })
            .collect(),
    }
}

/// A machine-readable name for a backing state (the report's labels are for people).
fn state_name(state: readiness::Backing) -> &'static str {
    match state {
        readiness::Backing::Backed => "backed",
        readiness::Backing::Uncounted => "uncounted",
        readiness::Backing::Unbacked => "unbacked",
        readiness::Backing::NotInForce => "not_in_force",
    }
}
