//! Backed or unbacked, per rung of the ladder at a date: a clause is backed when
//! its named assets are in place in the committed quantity and their magazines
//! last the endurance at the tempo; otherwise the reason and the shortfall.

use model::Duration;

use crate::catalogue::Catalogue;
use crate::deliveries::Delivery;
use crate::stock::{Timeline, stocked_items};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backing {
    Backed,
    /// Assets in place, but their magazine item is stocked nowhere: endurance cannot be shown.
    Uncounted,
    Unbacked,
    /// The rung cannot fire yet (its phase has not begun).
    NotInForce,
}

impl Backing {
    pub fn label(self) -> &'static str {
        match self {
            Backing::Backed => "backed",
            Backing::Uncounted => "magazine uncounted",
            Backing::Unbacked => "UNBACKED",
            Backing::NotInForce => "not yet in force",
        }
    }
}

/// One asset of one measure.
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseCheck {
    pub response: String,
    pub rung: u32,
    pub party: String,
    pub asset: String,
    pub needed: u32,
    pub state: Backing,
    pub reason: String,
    /// For a magazine that runs dry within the endurance: the day (from the as-of date).
    pub dry_in_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RungCheck {
    pub response: String,
    pub rung: u32,
    pub state: Backing,
    pub clauses: Vec<ClauseCheck>,
}

/// What the backing check reads.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub pact: &'a pact::CompiledPact,
    pub catalogue: &'a Catalogue,
    pub deliveries: Option<&'a [Delivery]>,
    /// Stock under the magazines' limits.
    pub limited: &'a Timeline,
    /// What the tempo wants fired, limits ignored.
    pub demand: &'a Timeline,
    pub at_day: u32,
    pub endurance_days: u32,
    pub tempo_name: &'a str,
}

pub fn check(inputs: &Inputs) -> Vec<RungCheck> {
    let pact = inputs.pact;
    let at = pact.effective + Duration::from_days(i64::from(inputs.at_day));
    pact.ladder
        .iter()
        .map(|response| {
            let starts = response.from_phase.as_ref().and_then(|phase| {
                pact.milestones
                    .iter()
                    .find(|m| &m.id == phase)
                    .map(|m| pact.effective + m.from)
            });
            let clauses: Vec<ClauseCheck> = response
                .measures
                .iter()
                .flat_map(|m| m.assets.iter().map(move |a| (m, a)))
                .map(|(m, a)| {
                    let mut c = clause(inputs, &m.party, &a.asset, a.quantity, at);
                    c.response = response.id.clone();
                    c.rung = response.rung;
                    c
                })
                .collect();
            let state = if starts.is_some_and(|s| at < s) {
                Backing::NotInForce
            } else {
                clauses
                    .iter()
                    .map(|c| c.state)
                    .max()
                    .unwrap_or(Backing::Backed)
            };
            RungCheck {
                response: response.id.clone(),
                rung: response.rung,
                state,
                clauses,
            }
        })
        .collect()
}

fn clause(inputs: &Inputs, party: &str, asset: &str, needed: u32, at: model::Time) -> ClauseCheck {
    let pact = inputs.pact;
    let items = stocked_items(pact);
    let mut out = ClauseCheck {
        response: String::new(),
        rung: 0,
        party: party.to_owned(),
        asset: asset.to_owned(),
        needed,
        state: Backing::Backed,
        reason: String::new(),
        dry_in_days: None,
    };
    let committed: u64 = pact
        .commitments
        .iter()
        .filter(|c| c.party == party && c.asset == asset)
        .filter(|c| c.by <= at && c.until.is_none_or(|u| at < u))
        .map(|c| u64::from(c.quantity))
        .sum();
    let in_place = if items.iter().any(|i| i == asset) {
        inputs.limited.item_stock(asset, inputs.at_day)
            + inputs.limited.item_used(asset, inputs.at_day, 1)
    } else {
        match inputs.deliveries {
            Some(deliveries) => deliveries
                .iter()
                .filter(|d| d.party == party && d.item == asset && d.date <= at)
                .map(|d| d.quantity)
                .sum(),
            None => committed as f64,
        }
    };
    if in_place + 1e-9 < f64::from(needed) {
        out.state = Backing::Unbacked;
        out.reason = format!(
            "{party} needs {needed} {asset}; {} in place ({committed} committed by this date)",
            // A stock drawn down to nothing can sum to -0.0; say 0.
            if in_place < 1.0 {
                0.0
            } else {
                in_place.floor()
            }
        );
        return out;
    }
    // The magazine items: the asset itself when stocked, else what its effectors fire.
    let mut magazine_items: Vec<String> = if items.iter().any(|i| i == asset) {
        vec![asset.to_owned()]
    } else {
        inputs
            .catalogue
            .effectors_of_asset(asset)
            .map(|e| e.item.clone())
            .collect()
    };
    magazine_items.sort();
    magazine_items.dedup();
    if magazine_items.is_empty() {
        out.reason = format!(
            "{} {asset} in place; no magazine to count",
            in_place.floor()
        );
        return out;
    }
    let counted: Vec<&String> = magazine_items
        .iter()
        .filter(|i| items.contains(i))
        .collect();
    if counted.is_empty() {
        out.state = Backing::Uncounted;
        out.reason = format!(
            "{} {asset} in place; its magazine ({}) is stocked in no depot, so its endurance is unproven",
            in_place.floor(),
            magazine_items.join(", ")
        );
        return out;
    }
    let endurance = inputs.endurance_days;
    let mut reasons = Vec::new();
    for item in counted {
        let on_hand = inputs.limited.item_stock(item, inputs.at_day)
            + inputs.limited.item_used(item, inputs.at_day, 1);
        let need = inputs.demand.item_used(item, inputs.at_day, endurance);
        let per_month: u64 = pact
            .contracts
            .iter()
            .filter(|c| &c.item == item && c.from <= at && at < c.to)
            .map(|c| u64::from(c.units_per_month))
            .sum();
        let dry = inputs
            .limited
            .item_dry_day(item, inputs.at_day)
            .map(|d| d - inputs.at_day)
            .filter(|d| *d < endurance);
        let summary = format!(
            "needs {} {item} for {endurance} days at tempo {}; {} on hand, {per_month} a month contracted",
            need.ceil(),
            inputs.tempo_name,
            on_hand.floor()
        );
        match dry {
            Some(day) => {
                out.state = Backing::Unbacked;
                out.dry_in_days = Some(out.dry_in_days.map_or(day, |d: u32| d.min(day)));
                reasons.push(format!("{summary}: dry on day {day}"));
            }
            None => reasons.push(format!("{summary}: lasts")),
        }
    }
    out.reason = reasons.join("; ");
    out
}
