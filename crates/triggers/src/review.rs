//! Sunset reviews and performance triggers: metrics over the last 90 days of
//! incidents (per-kind counts per day, bounded by `limits::review_days_max`),
//! evaluated by the pact's CEL triggers on each review date.

use std::collections::{HashMap, VecDeque};

use model::{Duration, IncidentKind, Time};
use pact::compile::CompiledReview;

use crate::limits;
use crate::record::{ReviewAction, ReviewOutcome};

#[derive(Debug, Default)]
pub(crate) struct DailyCounts {
    /// (start of day, counts by `IncidentKind::ALL` index), oldest first.
    days: VecDeque<(Time, [u64; IncidentKind::ALL.len()])>,
}

impl DailyCounts {
    pub fn count(&mut self, at: Time, kind: IncidentKind) {
        let day = at.start_of_day();
        let kind_idx = IncidentKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_default();
        // From the newest day: incidents arrive roughly in time order.
        match self.days.iter_mut().rev().find(|(d, _)| *d == day) {
            Some((_, counts)) => counts[kind_idx] += 1,
            None => {
                let mut counts = [0; IncidentKind::ALL.len()];
                counts[kind_idx] = 1;
                let at_idx = self.days.partition_point(|(d, _)| *d < day);
                self.days.insert(at_idx, (day, counts));
                while self.days.len() > limits::review_days_max {
                    self.days.pop_front();
                }
            }
        }
    }

    fn last_90d(&self, at: Time, kind: IncidentKind) -> u64 {
        let from = at - Duration::from_days(90);
        let kind_idx = IncidentKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_default();
        self.days
            .iter()
            .filter(|(d, _)| *d > from && *d <= at)
            .map(|(_, c)| c[kind_idx])
            .sum()
    }
}

/// The metrics a performance trigger reads, by name.
pub(crate) fn metrics(daily: &DailyCounts, at: Time, n_activations: u64) -> Vec<(String, f64)> {
    let of = |k| daily.last_90d(at, k) as f64;
    let mut out: Vec<(String, f64)> = IncidentKind::ALL
        .iter()
        .map(|k| (format!("{}_90d", k.as_str()), of(*k)))
        .collect();
    let incursions = of(IncidentKind::AirspaceEntry)
        + of(IncidentKind::MassIncursion)
        + of(IncidentKind::AirspaceViolation);
    let all: f64 = IncidentKind::ALL.iter().map(|k| of(*k)).sum();
    out.push(("incursions_90d".to_owned(), incursions));
    out.push((
        "cyber_attacks_90d".to_owned(),
        of(IncidentKind::CyberAttack),
    ));
    out.push(("incidents_90d".to_owned(), all));
    out.push(("activations_90d".to_owned(), n_activations as f64));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

pub(crate) fn hold_review(
    review: &CompiledReview,
    at: Time,
    daily: &DailyCounts,
    n_activations: u64,
) -> Result<ReviewOutcome, String> {
    let metrics = metrics(daily, at, n_activations);
    let map: HashMap<String, f64> = metrics.iter().cloned().collect();
    let mut actions = Vec::new();
    for (trigger, predicate) in review.review.triggers.iter().zip(&review.predicates) {
        if predicate.matches_metrics(&map).map_err(|e| e.to_string())? {
            actions.push(ReviewAction {
                action: format!("{:?}", trigger.action).to_lowercase(),
                commitments: trigger.commitments.clone(),
                factor: trigger.factor,
                when: trigger.when.clone(),
            });
        }
    }
    Ok(ReviewOutcome {
        review: review.review.id.clone(),
        at,
        what: "performance".to_owned(),
        metrics,
        actions,
    })
}
