//! Shield economics for one night: which layer engages how many threats under a
//! policy, the defender's and the attacker's cost and their ratio. Aggregate
//! planning arithmetic in expected values: it recommends no engagement of any
//! individual target.

use std::collections::BTreeMap;

use crate::catalogue::{Catalogue, Effector, Layer};
use crate::tempo::Night;

/// How effectors are chosen for each threat class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Policy {
    /// The most capable missile first (long-range SAM, then medium, then short,
    /// then the rest): the habit the cost-exchange argument warns against.
    MissileFirst,
    /// The cheapest expected cost per kill first, among effectors whose Pk
    /// against the class is at least `pk_min` and that reach its altitude; the
    /// survivors pass to the next layer. The ukraine-shield pact's own rule:
    /// "lowest-cost effector that can reach the target".
    LayeredCheapestAdequate,
}

impl Policy {
    pub const ALL: [Policy; 2] = [Policy::MissileFirst, Policy::LayeredCheapestAdequate];

    pub fn name(self) -> &'static str {
        match self {
            Policy::MissileFirst => "missile-first",
            Policy::LayeredCheapestAdequate => "layered cheapest-adequate",
        }
    }
}

/// The least Pk an effector needs to count as adequate in the layered policy.
pub const PK_ADEQUATE_MIN: f64 = 0.3;

/// What one night cost each side under one policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NightOutcome {
    pub threats: f64,
    pub kills: f64,
    pub leakers: f64,
    pub defender_cost_usd: f64,
    pub attacker_cost_usd: f64,
    /// Rounds fired, by stock item.
    pub shots_by_item: BTreeMap<String, f64>,
    /// Rounds fired, by effector id.
    pub shots_by_effector: BTreeMap<String, f64>,
}

impl NightOutcome {
    /// Defender's cost over attacker's cost: below 1 the attack costs the attacker more.
    pub fn cost_exchange_ratio(&self) -> f64 {
        if self.attacker_cost_usd > 0.0 {
            self.defender_cost_usd / self.attacker_cost_usd
        } else {
            0.0
        }
    }
}

/// Engages `night` with the effectors of `pool` under `policy`, drawing rounds
/// from `magazines` (by item; an absent item is unlimited) and reducing them.
pub fn engage(
    catalogue: &Catalogue,
    pool: &[&Effector],
    night: &Night,
    policy: Policy,
    magazines: &mut BTreeMap<String, f64>,
) -> NightOutcome {
    let mut out = NightOutcome::default();
    // The dearest threats first, so the layers that can stop missiles are not
    // spent on decoys before the missiles arrive in the sum.
    let mut classes: Vec<(&String, f64)> = night.iter().map(|(k, v)| (k, *v)).collect();
    classes.sort_by(|a, b| {
        let cost = |id: &str| catalogue.threat(id).map_or(0.0, |t| t.cost_usd);
        cost(b.0).total_cmp(&cost(a.0)).then(a.0.cmp(b.0))
    });
    for (class, count) in classes {
        let Some(threat) = catalogue.threat(class) else {
            continue;
        };
        out.threats += count;
        out.attacker_cost_usd += count * threat.cost_usd;
        let mut remaining = count;
        for effector in order(pool, threat, policy) {
            if remaining <= 1e-9 {
                break;
            }
            let pk = effector.pk_against(threat);
            let available = magazines
                .get(&effector.item)
                .copied()
                .unwrap_or(f64::INFINITY);
            let engaged = remaining.min(available / effector.shots).max(0.0);
            if engaged <= 0.0 {
                continue;
            }
            let shots = engaged * effector.shots;
            if let Some(m) = magazines.get_mut(&effector.item) {
                *m = (*m - shots).max(0.0);
            }
            remaining -= engaged * pk;
            out.defender_cost_usd += shots * effector.cost_per_shot_usd;
            *out.shots_by_item.entry(effector.item.clone()).or_default() += shots;
            *out.shots_by_effector
                .entry(effector.id.clone())
                .or_default() += shots;
        }
        out.kills += count - remaining;
        out.leakers += remaining;
    }
    out
}

/// The effectors that may engage `threat`, in the policy's order.
fn order<'a>(
    pool: &[&'a Effector],
    threat: &crate::catalogue::Threat,
    policy: Policy,
) -> Vec<&'a Effector> {
    let mut usable: Vec<&Effector> = pool
        .iter()
        .copied()
        .filter(|e| e.pk_against(threat) > 0.0)
        .collect();
    match policy {
        Policy::MissileFirst => {
            let rank = |l: Layer| match l {
                Layer::LongRangeSam => 0,
                Layer::MediumRangeSam => 1,
                Layer::ShortRangeMissile => 2,
                Layer::InterceptorDrone => 3,
                Layer::Gun => 4,
                Layer::Ew => 5,
            };
            usable.sort_by(|a, b| {
                (rank(a.layer), &a.id)
                    .cmp(&(rank(b.layer), &b.id))
                    .then_with(|| b.cost_per_shot_usd.total_cmp(&a.cost_per_shot_usd))
            });
        }
        Policy::LayeredCheapestAdequate => {
            usable.retain(|e| e.pk_against(threat) >= PK_ADEQUATE_MIN);
            usable.sort_by(|a, b| {
                a.cost_per_kill_usd(threat)
                    .total_cmp(&b.cost_per_kill_usd(threat))
                    .then(a.id.cmp(&b.id))
            });
        }
    }
    usable
}
