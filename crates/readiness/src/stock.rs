//! Stock over time: a day-by-day account per depot and item of what arrives
//! (delivery records, or the pact's stated stocks when there are none;
//! contracted production) and what the tempo consumes from the as-of date on.
//!
//! History up to the as-of date comes from the records; the forecast after it
//! from the contracts and the tempo. Consumption before the as-of date is not
//! modelled: engagement records are not an input yet.

use std::collections::BTreeMap;

use model::{Duration, Time};

use crate::catalogue::{Catalogue, Effector};
use crate::deliveries::Delivery;
use crate::economics::{NightOutcome, Policy, engage};
use crate::tempo::Tempo;

/// The key of one stock line: depot id and item.
pub type Key = (String, String);

/// What to simulate.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub pact: &'a pact::CompiledPact,
    pub catalogue: &'a Catalogue,
    /// Delivery records; `None` takes the pact's stocks as in place at day 0.
    pub deliveries: Option<&'a [Delivery]>,
    /// The tempo; `None` consumes each stock's own `use_per_day`.
    pub tempo: Option<&'a Tempo>,
    /// The as-of date, in days from the pact's day 0.
    pub at_day: u32,
    /// Days simulated from day 0.
    pub horizon_days: u32,
    pub policy: Policy,
    /// Ignore magazine limits: what the tempo would want fired (the demand).
    pub unlimited: bool,
}

/// Stock per depot and item, end of each day `0..=horizon_days`.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub effective: Time,
    pub keys: Vec<Key>,
    pub stock: Vec<Vec<f64>>,
    /// Rounds used per key per day.
    pub used: Vec<Vec<f64>>,
    /// The outcome of each raid night, by day from day 0.
    pub nights: Vec<(u32, NightOutcome)>,
}

impl Timeline {
    pub fn key_idx(&self, depot: &str, item: &str) -> Option<usize> {
        self.keys.iter().position(|(d, i)| d == depot && i == item)
    }

    /// Total stock of `item` over all depots at the end of `day`.
    pub fn item_stock(&self, item: &str, day: u32) -> f64 {
        self.keys
            .iter()
            .zip(&self.stock)
            .filter(|((_, i), _)| i == item)
            .map(|(_, s)| s.get(day as usize).copied().unwrap_or(0.0))
            .sum()
    }

    /// Rounds of `item` used over days `from..from+days`.
    pub fn item_used(&self, item: &str, from: u32, days: u32) -> f64 {
        self.keys
            .iter()
            .zip(&self.used)
            .filter(|((_, i), _)| i == item)
            .map(|(_, u)| {
                u.iter()
                    .skip(from as usize)
                    .take(days as usize)
                    .sum::<f64>()
            })
            .sum()
    }

    /// The first day at or after `from` on which key `idx` holds less than one round.
    pub fn dry_day(&self, idx: usize, from: u32) -> Option<u32> {
        self.stock[idx]
            .iter()
            .enumerate()
            .skip(from as usize)
            .find(|(_, s)| **s < 1.0)
            .map(|(d, _)| d as u32)
    }

    /// The first day at or after `from` on which all depots together hold less than one `item`.
    pub fn item_dry_day(&self, item: &str, from: u32) -> Option<u32> {
        let horizon = self.stock.first().map_or(0, Vec::len) as u32;
        (from..horizon).find(|d| self.item_stock(item, *d) < 1.0)
    }

    pub fn date(&self, day: u32) -> Time {
        self.effective + Duration::from_days(i64::from(day))
    }
}

/// The day index (from `effective`) of `t`, clamped at 0.
pub fn day_of(effective: Time, t: Time) -> u32 {
    let days = (t - effective).us.div_euclid(Duration::from_days(1).us);
    u32::try_from(days.max(0)).unwrap_or(u32::MAX)
}

/// The stocked items: what the pact stocks or contracts for.
pub fn stocked_items(pact: &pact::CompiledPact) -> Vec<String> {
    let mut items: Vec<String> = pact
        .stocks
        .iter()
        .map(|s| s.item.clone())
        .chain(pact.contracts.iter().map(|c| c.item.clone()))
        .collect();
    items.sort();
    items.dedup();
    items
}

/// The effectors the pact's shield holds: those whose item it stocks or whose platform it commits.
pub fn pool<'a>(pact: &pact::CompiledPact, catalogue: &'a Catalogue) -> Vec<&'a Effector> {
    let items = stocked_items(pact);
    catalogue
        .effector
        .iter()
        .filter(|e| {
            items.contains(&e.item)
                || e.platforms
                    .iter()
                    .any(|p| pact.commitments.iter().any(|c| &c.asset == p))
        })
        .collect()
}

/// Runs the day-by-day account.
pub fn simulate(plan: &Plan) -> Timeline {
    let pact = plan.pact;
    let keys = keys(plan);
    let n_days = plan.horizon_days as usize + 1;
    let mut stock = vec![vec![0.0; n_days]; keys.len()];
    let mut used = vec![vec![0.0; n_days]; keys.len()];
    let mut level = vec![0.0; keys.len()];
    let arrivals = arrivals(plan, &keys);
    let pool = pool(pact, plan.catalogue);
    let items = stocked_items(pact);
    let mut nights = Vec::new();
    for day in 0..=plan.horizon_days {
        for (idx, amount) in arrivals.get(&day).into_iter().flatten() {
            level[*idx] += amount;
        }
        if day >= plan.at_day {
            let wanted = match plan.tempo {
                Some(tempo) => {
                    let night = tempo.night(day - plan.at_day);
                    if night.is_empty() {
                        BTreeMap::new()
                    } else {
                        let mut magazines = night_magazines(plan, &keys, &level, &items, day);
                        let outcome =
                            engage(plan.catalogue, &pool, &night, plan.policy, &mut magazines);
                        let shots = outcome.shots_by_item.clone();
                        nights.push((day, outcome));
                        shots
                    }
                }
                None => pact
                    .stocks
                    .iter()
                    .filter_map(|s| Some((s.item.clone(), s.use_per_day?)))
                    .fold(BTreeMap::new(), |mut m, (item, n)| {
                        *m.entry(item).or_insert(0.0) += n;
                        m
                    }),
            };
            for (item, shots) in wanted {
                draw(
                    &keys,
                    &mut level,
                    &mut used,
                    day as usize,
                    &item,
                    shots,
                    plan.unlimited,
                );
            }
        }
        for (idx, l) in level.iter().enumerate() {
            stock[idx][day as usize] = *l;
        }
    }
    Timeline {
        effective: pact.effective,
        keys,
        stock,
        used,
        nights,
    }
}

/// Every depot-item line: the pact's stocks, then deliveries and contract destinations.
fn keys(plan: &Plan) -> Vec<Key> {
    let mut keys: Vec<Key> = plan
        .pact
        .stocks
        .iter()
        .map(|s| (s.depot.clone(), s.item.clone()))
        .collect();
    let items = stocked_items(plan.pact);
    for d in plan.deliveries.into_iter().flatten() {
        if items.contains(&d.item)
            && let Some(depot) = depot_of_place(plan.pact, &d.place)
        {
            keys.push((depot, d.item.clone()));
        }
    }
    for c in &plan.pact.contracts {
        keys.push((contract_depot(plan.pact, c), c.item.clone()));
    }
    let mut seen = Vec::new();
    keys.retain(|k| {
        let new = !seen.contains(k);
        seen.push(k.clone());
        new
    });
    keys
}

/// The depot a place names: a depot id, or the zone of a depot.
pub fn depot_of_place(pact: &pact::CompiledPact, place: &str) -> Option<String> {
    pact.depots
        .iter()
        .find(|d| d.id == place || d.zone == place)
        .map(|d| d.id.clone())
}

/// Where a contract's production arrives: the buyer's stock of the item, any
/// stock of it, a depot the buyer hosts, the first depot, or nowhere counted.
pub fn contract_depot(pact: &pact::CompiledPact, c: &pact::syntax::Contract) -> String {
    pact.stocks
        .iter()
        .find(|s| s.party == c.party && s.item == c.item)
        .or_else(|| pact.stocks.iter().find(|s| s.item == c.item))
        .map(|s| s.depot.clone())
        .or_else(|| {
            pact.depots
                .iter()
                .find(|d| d.party == c.party)
                .map(|d| d.id.clone())
        })
        .or_else(|| pact.depots.first().map(|d| d.id.clone()))
        .unwrap_or_else(|| "(no depot)".to_owned())
}

/// Arrivals by day: `(key index, amount)`.
fn arrivals(plan: &Plan, keys: &[Key]) -> BTreeMap<u32, Vec<(usize, f64)>> {
    let pact = plan.pact;
    let mut out: BTreeMap<u32, Vec<(usize, f64)>> = BTreeMap::new();
    let idx_of = |depot: &str, item: &str| keys.iter().position(|(d, i)| d == depot && i == item);
    match plan.deliveries {
        None => {
            for s in &pact.stocks {
                if let Some(idx) = idx_of(&s.depot, &s.item) {
                    out.entry(0).or_default().push((idx, s.quantity as f64));
                }
            }
        }
        Some(deliveries) => {
            for d in deliveries {
                let depot = depot_of_place(pact, &d.place);
                if let Some(idx) = depot.and_then(|depot| idx_of(&depot, &d.item)) {
                    let day = day_of(pact.effective, d.date);
                    out.entry(day).or_default().push((idx, d.quantity));
                }
            }
        }
    }
    // Production is forecast only after the records end: what was made before
    // the as-of date is in the delivery records when there are any.
    let produce_from = if plan.deliveries.is_some() {
        plan.at_day + 1
    } else {
        0
    };
    for c in &pact.contracts {
        let Some(idx) = idx_of(&contract_depot(pact, c), &c.item) else {
            continue;
        };
        let per_day = f64::from(c.units_per_month) * 12.0 / 365.25;
        let first = day_of(pact.effective, c.from).max(produce_from);
        let last = day_of(pact.effective, c.to).min(plan.horizon_days + 1);
        for day in first..last {
            out.entry(day).or_default().push((idx, per_day));
        }
    }
    out
}

/// Rounds available for a night, by item: stocked items from the depots, the
/// rest from the ready load of the committed platforms (reloaded between nights,
/// as no depot counts them), or unlimited when neither bounds them.
fn night_magazines(
    plan: &Plan,
    keys: &[Key],
    level: &[f64],
    items: &[String],
    day: u32,
) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    if plan.unlimited {
        return m;
    }
    for item in items {
        let total: f64 = keys
            .iter()
            .zip(level)
            .filter(|((_, i), _)| i == item)
            .map(|(_, l)| *l)
            .sum();
        m.insert(item.clone(), total);
    }
    let date = plan.pact.effective + Duration::from_days(i64::from(day));
    for e in &plan.catalogue.effector {
        if items.contains(&e.item) || e.magazine == 0 {
            continue;
        }
        let platforms: u64 = plan
            .pact
            .commitments
            .iter()
            .filter(|c| e.platforms.contains(&c.asset))
            .filter(|c| c.by <= date && c.until.is_none_or(|u| date < u))
            .map(|c| u64::from(c.quantity))
            .sum();
        *m.entry(e.item.clone()).or_insert(0.0) += platforms as f64 * f64::from(e.magazine);
    }
    m
}

/// Takes `shots` of `item` from its depots in proportion to what each holds.
fn draw(
    keys: &[Key],
    level: &mut [f64],
    used: &mut [Vec<f64>],
    day: usize,
    item: &str,
    shots: f64,
    unlimited: bool,
) {
    let idxs: Vec<usize> = (0..keys.len()).filter(|i| keys[*i].1 == item).collect();
    let total: f64 = idxs.iter().map(|i| level[*i]).sum();
    for i in &idxs {
        let share = if unlimited || total <= 0.0 {
            // Demand is booked on the first line so it shows; levels may go negative.
            if Some(i) == idxs.first() { 1.0 } else { 0.0 }
        } else {
            level[*i] / total
        };
        let take = if unlimited {
            shots * share
        } else {
            (shots * share).min(level[*i])
        };
        level[*i] -= take;
        used[*i][day] += take;
    }
}
