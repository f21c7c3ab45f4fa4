//! Proportionality caps and no-go areas, applied to every measure before it is
//! issued. A measure that would breach them is flagged with the reason and not
//! issued; the rest of the activation stands.

use std::collections::{BTreeSet, HashMap};

use crate::engine::{FastMap, Key};

use geo::{Intersects, MultiPolygon, Point};
use model::incident::FieldValue;
use model::{Incident, IncidentId};
use pact::CompiledPact;
use pact::syntax::{Measure, MeasureKind, Response};

use crate::engine::Config;

/// Zone polygons by id.
#[derive(Debug)]
pub(crate) struct Geometry {
    zones: HashMap<String, MultiPolygon<f64>>,
}

impl Geometry {
    pub fn new(pact: &CompiledPact) -> Geometry {
        Geometry {
            zones: pact
                .zones
                .iter()
                .map(|z| (z.id.clone(), z.area.clone()))
                .collect(),
        }
    }

    fn contains(&self, zone: &str, lon_lat: (f64, f64)) -> bool {
        self.zones
            .get(zone)
            .is_some_and(|area| area.intersects(&Point::new(lon_lat.0, lon_lat.1)))
    }
}

/// What the checks need to know of an incident.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    /// Longitude, latitude in degrees.
    pub lon_lat: Option<(f64, f64)>,
    /// The attacker's cost of the threat, where attribution gives it.
    pub unit_cost_usd: Option<f64>,
}

impl Facts {
    pub fn of(incident: &Incident) -> Facts {
        let lon_lat = incident
            .position
            .filter(|p| p.lat_deg.is_finite() && p.lon_deg.is_finite())
            .map(|p| (p.lon_deg, p.lat_deg));
        let unit_cost_usd = match incident.fields.get("unit_cost_usd") {
            Some(FieldValue::Float(f)) if f.is_finite() && *f > 0.0 => Some(*f),
            Some(FieldValue::Int(i)) if *i > 0 => Some(*i as f64),
            _ => None,
        };
        Facts {
            lon_lat,
            unit_cost_usd,
        }
    }
}

pub(crate) struct Check<'a> {
    pub response: &'a Response,
    pub measure: &'a Measure,
    pub incidents: &'a BTreeSet<IncidentId>,
    pub config: &'a Config,
}

impl Check<'_> {
    /// Why the measure must not be issued, if it must not.
    pub fn breach(&self, geometry: &Geometry, facts: &FastMap<Key, Facts>) -> Option<String> {
        if self.measure.kind != MeasureKind::Military {
            return None;
        }
        let known: Vec<&Facts> = self
            .incidents
            .iter()
            .filter_map(|id| facts.get(id.as_str()))
            .collect();
        let placed: Vec<(f64, f64)> = known.iter().filter_map(|f| f.lon_lat).collect();
        let targets: Vec<(f64, f64)> = placed
            .iter()
            .copied()
            .filter(|&p| {
                let allowed = self.measure.zones.is_empty()
                    || self.measure.zones.iter().any(|z| geometry.contains(z, p));
                let forbidden = self.measure.no_go.iter().any(|z| geometry.contains(z, p));
                allowed && !forbidden
            })
            .collect();
        if !placed.is_empty() && targets.is_empty() {
            let in_no_go = placed
                .iter()
                .any(|&p| self.measure.no_go.iter().any(|z| geometry.contains(z, p)));
            return Some(if in_no_go {
                format!(
                    "every target is in a no-go area ({}) or outside the measure's zones ({})",
                    self.measure.no_go.join(", "),
                    self.measure.zones.join(", ")
                )
            } else {
                format!(
                    "no target inside the measure's zones ({})",
                    self.measure.zones.join(", ")
                )
            });
        }
        let caps = self.response.proportionality.as_ref()?;
        if let Some(cap) = caps.engagements_max
            && targets.len() > cap as usize
        {
            return Some(format!(
                "{} targets would need more than the {cap} engagements per activation the rule allows ({})",
                targets.len(),
                caps.rule
            ));
        }
        if let Some(cap) = caps.cost_ratio_max {
            let attacker: Vec<f64> = known.iter().filter_map(|f| f.unit_cost_usd).collect();
            let defender = self
                .measure
                .assets
                .iter()
                .filter_map(|a| self.config.asset_cost_usd.get(&a.asset))
                .copied()
                .reduce(f64::min);
            if let Some(defender) = defender
                && !attacker.is_empty()
            {
                let mean = attacker.iter().sum::<f64>() / attacker.len() as f64;
                let ratio = defender / mean;
                if ratio > cap {
                    return Some(format!(
                        "defender cost {defender:.0} USD against {mean:.0} USD per threat is a ratio of {ratio:.1}, over the cap of {cap}"
                    ));
                }
            }
        }
        None
    }
}
