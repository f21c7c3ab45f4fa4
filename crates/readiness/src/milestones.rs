//! The phased plan and the record against it: each commitment's deliveries,
//! each deliverable's status at a date (done, late, at risk), a scorecard per
//! party, and what the pact says happens at each review date.

use std::collections::{BTreeMap, HashMap};

use model::{Duration, Time};

use crate::deliveries::Delivery;
use crate::records::TriggerRecord;

/// A commitment is at risk when it is due within this many days and not yet delivered.
pub const AT_RISK_WITHIN_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Done,
    Pending,
    AtRisk,
    Late,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Pending => "on track",
            Status::AtRisk => "at risk",
            Status::Late => "late",
        }
    }
}

/// One commitment's record at the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentRecord {
    pub id: String,
    pub party: String,
    pub asset: String,
    pub promised: f64,
    pub delivered: f64,
    pub due: Time,
    /// When the full quantity had arrived, if it has.
    pub completed: Option<Time>,
    pub status: Status,
    /// No delivery records were given: taken as delivered when due.
    pub assumed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeliverableStatus {
    pub milestone: String,
    pub deliverable: String,
    pub effect: String,
    pub status: Status,
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneStatus {
    pub id: String,
    pub name: String,
    pub from: Time,
    pub to: Time,
    pub status: Status,
    pub deliverables: Vec<DeliverableStatus>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scorecard {
    pub party: String,
    /// Units promised by commitments due by the as-of date.
    pub promised_due: f64,
    pub delivered_due: f64,
    pub commitments_due: u32,
    pub on_time: u32,
    pub obligations: u32,
    pub acknowledged: u32,
    pub discharged: u32,
    pub discharged_in_time: u32,
    pub overdue: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewLine {
    pub review: String,
    pub at: Time,
    /// `performance` or `sunset`.
    pub what: &'static str,
    pub outcome: String,
}

/// Allocates deliveries to commitments of the same party and asset, earliest due first.
pub fn commitments(
    pact: &pact::CompiledPact,
    deliveries: Option<&[Delivery]>,
    at: Time,
) -> Vec<CommitmentRecord> {
    let mut by_due: Vec<&pact::syntax::Commitment> = pact.commitments.iter().collect();
    by_due.sort_by(|a, b| (a.by, &a.id).cmp(&(b.by, &b.id)));
    // Remaining delivered units per (party, asset), as (date, quantity) in order.
    let mut pools: HashMap<(String, String), Vec<(Time, f64)>> = HashMap::new();
    for d in deliveries.into_iter().flatten().filter(|d| d.date <= at) {
        pools
            .entry((d.party.clone(), d.item.clone()))
            .or_default()
            .push((d.date, d.quantity));
    }
    let mut out: Vec<CommitmentRecord> = by_due
        .iter()
        .map(|c| {
            let promised = f64::from(c.quantity);
            let (delivered, completed) = match deliveries {
                None => {
                    if c.by <= at {
                        (promised, Some(c.by))
                    } else {
                        (0.0, None)
                    }
                }
                Some(_) => take(
                    pools.entry((c.party.clone(), c.asset.clone())).or_default(),
                    promised,
                ),
            };
            let status = if delivered + 1e-9 >= promised {
                Status::Done
            } else if at > c.by {
                Status::Late
            } else if (c.by - at) <= Duration::from_days(AT_RISK_WITHIN_DAYS) {
                Status::AtRisk
            } else {
                Status::Pending
            };
            CommitmentRecord {
                id: c.id.clone(),
                party: c.party.clone(),
                asset: c.asset.clone(),
                promised,
                delivered,
                due: c.by,
                completed,
                status,
                assumed: deliveries.is_none(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Takes up to `want` from the front of `pool`; returns what was taken and when it was complete.
fn take(pool: &mut Vec<(Time, f64)>, want: f64) -> (f64, Option<Time>) {
    let mut got = 0.0;
    let mut last = None;
    while got + 1e-9 < want {
        let Some(front) = pool.first_mut() else {
            break;
        };
        let n = front.1.min(want - got);
        got += n;
        front.1 -= n;
        last = Some(front.0);
        if front.1 <= 1e-9 {
            pool.remove(0);
        }
    }
    let complete = if got + 1e-9 >= want { last } else { None };
    (got, complete)
}

pub fn milestones(pact: &pact::CompiledPact, records: &[CommitmentRecord]) -> Vec<MilestoneStatus> {
    let status_of = |id: &str| records.iter().find(|r| r.id == id).map(|r| r.status);
    pact.milestones
        .iter()
        .map(|m| {
            let deliverables: Vec<DeliverableStatus> = m
                .deliverables
                .iter()
                .map(|d| DeliverableStatus {
                    milestone: m.id.clone(),
                    deliverable: d.id.clone(),
                    effect: d.effect.clone(),
                    status: d
                        .commitments
                        .iter()
                        .filter_map(|c| status_of(c))
                        .max()
                        .unwrap_or(Status::Pending),
                    commitments: d.commitments.clone(),
                })
                .collect();
            MilestoneStatus {
                id: m.id.clone(),
                name: m.name.clone(),
                from: pact.effective + m.from,
                to: pact.effective + m.to,
                status: deliverables
                    .iter()
                    .map(|d| d.status)
                    .max()
                    .unwrap_or(Status::Pending),
                deliverables,
            }
        })
        .collect()
}

pub fn scorecards(
    pact: &pact::CompiledPact,
    records: &[CommitmentRecord],
    triggers: &[TriggerRecord],
    at: Time,
) -> Vec<Scorecard> {
    let mut cards: BTreeMap<String, Scorecard> = pact
        .parties
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                Scorecard {
                    party: p.id.clone(),
                    ..Scorecard::default()
                },
            )
        })
        .collect();
    for r in records.iter().filter(|r| r.due <= at) {
        let card = cards.entry(r.party.clone()).or_default();
        card.party = r.party.clone();
        card.commitments_due += 1;
        card.promised_due += r.promised;
        card.delivered_due += r.delivered;
        if r.completed.is_some_and(|t| t <= r.due) {
            card.on_time += 1;
        }
    }
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for t in triggers {
        if let TriggerRecord::Obligation(o) = t
            && o.created_at <= at
        {
            owner.insert(&o.id, &o.party);
            if let Some(card) = cards.get_mut(&o.party) {
                card.obligations += 1;
            }
        }
    }
    for t in triggers {
        let TriggerRecord::Change(c) = t else {
            continue;
        };
        let party = c.obligation.as_deref().and_then(|o| owner.get(o));
        let Some(card) = party.and_then(|p| cards.get_mut(*p)) else {
            continue;
        };
        if c.at > at {
            continue;
        }
        match c.change.as_str() {
            "obligation_acknowledged" => card.acknowledged += 1,
            "obligation_discharged" => {
                card.discharged += 1;
                if c.after_deadline == Some(false) {
                    card.discharged_in_time += 1;
                }
            }
            "obligation_overdue" => card.overdue += 1,
            _ => {}
        }
    }
    cards.into_values().collect()
}

/// Every review date to `until`: what the record says happened (a triggers
/// record of that review) or what the pact says will be judged.
pub fn reviews(
    pact: &pact::CompiledPact,
    triggers: &[TriggerRecord],
    records: &[CommitmentRecord],
    until: Time,
) -> Vec<ReviewLine> {
    let mut out = Vec::new();
    for r in &pact.reviews {
        let review = &r.review;
        let mut dates = Vec::new();
        if let Some(every) = review.every.filter(|e| e.us > 0) {
            let mut t = pact.effective + every;
            while t <= until && review.sunset.is_none_or(|s| t < s) && dates.len() < 1000 {
                dates.push(t);
                t = t + every;
            }
        }
        for at in dates {
            let recorded = triggers.iter().find_map(|t| match t {
                TriggerRecord::Review(rr) if rr.review == review.id && rr.at == at => Some(rr),
                _ => None,
            });
            let delivered: f64 = records
                .iter()
                .filter(|c| c.due <= at)
                .map(|c| c.delivered)
                .sum();
            let promised: f64 = records
                .iter()
                .filter(|c| c.due <= at)
                .map(|c| c.promised)
                .sum();
            let share = if promised > 0.0 {
                100.0 * delivered / promised
            } else {
                100.0
            };
            let outcome = match recorded {
                Some(rr) if rr.actions.is_empty() => {
                    format!(
                        "held: no performance trigger met; delivered {share:.0}% of what was due"
                    )
                }
                Some(rr) => {
                    let acts: Vec<String> = rr
                        .actions
                        .iter()
                        .map(|a| format!("{} {} ×{}", a.action, a.commitments.join(", "), a.factor))
                        .collect();
                    format!(
                        "held: {}; delivered {share:.0}% of what was due",
                        acts.join("; ")
                    )
                }
                None => {
                    let triggers: Vec<String> = review
                        .triggers
                        .iter()
                        .map(|t| {
                            format!(
                                "if {} then {} {} ×{}",
                                t.when,
                                match t.action {
                                    pact::syntax::ReviewAction::Taper => "taper",
                                    pact::syntax::ReviewAction::Extend => "extend",
                                },
                                t.commitments.join(", "),
                                t.factor
                            )
                        })
                        .collect();
                    format!(
                        "no triggers record: judged on {}; delivered {share:.0}% of what was due",
                        if triggers.is_empty() {
                            "nothing".to_owned()
                        } else {
                            triggers.join("; ")
                        }
                    )
                }
            };
            out.push(ReviewLine {
                review: review.id.clone(),
                at,
                what: "performance",
                outcome,
            });
        }
        if let Some(sunset) = review.sunset {
            out.push(ReviewLine {
                review: review.id.clone(),
                at: sunset,
                what: "sunset",
                outcome: "the reviewed commitments lapse unless renewed".to_owned(),
            });
        }
    }
    out.sort_by(|a, b| (a.at, &a.review).cmp(&(b.at, &b.review)));
    out
}
