//! The true incidents: what a perfect system would raise from this scenario,
//! computed from the ground truth and the geography (never from the sensors).
//! Kinds are `model::IncidentKind` names; `events.json` lists them in time order.

use std::collections::BTreeMap;

use model::{Duration, IncidentKind, Time};
use serde::Serialize;

use crate::geography::{Geography, InfraShape};
use crate::kinematics::{State, surface_distance_m};
use crate::scenario::LatLon;
use crate::scenario::Scenario;
use crate::truth::Object;

const KNOT_MPS: f64 = 1852.0 / 3600.0;
/// Step for walking air paths; crossings are then found by bisection.
const AIR_STEP: Duration = Duration::from_secs(5);
const SEA_STEP: Duration = Duration::from_secs(30);
/// A dragging anchor "crosses" a cable when its track passes this close.
const ANCHOR_CROSS_M: f64 = 300.0;
/// A fault on a line an anchor was dragged across this long before is deliberate.
const DELIBERATE_LOOKBACK: Duration = Duration::from_hours(24);
/// ... or this long after the fault's reported time.
const DELIBERATE_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

/// One true incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrueEvent {
    pub kind: IncidentKind,
    pub time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Truth object ids involved (empty for cyber attacks and operator reports).
    pub objects: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<String>,
    pub fields: BTreeMap<String, serde_json::Value>,
}

fn position(s: &State) -> Option<Position> {
    Some(Position {
        lat_deg: s.lat_deg,
        lon_deg: s.lon_deg,
        alt_m: s.alt_m,
    })
}

fn origin_of(o: &Object) -> Option<String> {
    if o.origin.is_empty() {
        None
    } else {
        Some(o.origin.clone())
    }
}

/// Finds the first instant in (lo, hi] where `pred` holds, given it is false at lo and true at hi.
fn bisect(o: &Object, mut lo: Time, mut hi: Time, pred: impl Fn(&State) -> bool) -> Time {
    while hi.unix_us - lo.unix_us > 100_000 {
        let mid = Time::from_unix_us(lo.unix_us + (hi.unix_us - lo.unix_us) / 2);
        match o.state_at(mid) {
            Some(s) if pred(&s) => hi = mid,
            _ => lo = mid,
        }
    }
    hi
}

/// Times at which `o` is sampled: its start, every `step`, and its end.
fn samples(o: &Object, step: Duration, end: Time) -> impl Iterator<Item = Time> + '_ {
    let last = o.path.end().min(end);
    let mut t = Some(o.path.start());
    std::iter::from_fn(move || {
        let now = t?;
        t = if now >= last {
            None
        } else {
            Some((now + step).min(last))
        };
        Some(now)
    })
}

/// All true events of a scenario, sorted by time, kind and object.
pub fn true_events(
    scenario: &Scenario,
    geography: &Geography,
    objects: &[Object],
) -> Vec<TrueEvent> {
    let end = scenario.start + scenario.duration;
    let rules = &scenario.events;
    let mut events = Vec::new();
    let mut zone_entries: Vec<(Time, usize, usize)> = Vec::new(); // (time, zone, object)
    let belt_zones: Vec<usize> = rules
        .mass_incursion
        .as_ref()
        .map(|m| {
            geography
                .zones
                .iter()
                .enumerate()
                .filter(|(_, z)| m.zones.contains(&z.id))
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    let protected: Vec<usize> = rules
        .protected
        .iter()
        .filter_map(|c| geography.country_index(c))
        .collect();
    for (obj_idx, o) in objects.iter().enumerate() {
        if o.class.is_threat() {
            air_events(
                o,
                obj_idx,
                geography,
                &protected,
                &belt_zones,
                end,
                &mut events,
                &mut zone_entries,
            );
        }
        if o.class.is_vessel() {
            sea_events(o, scenario, geography, end, &mut events);
        }
    }
    if let Some(rule) = &rules.mass_incursion {
        mass_incursions(
            rule.window,
            rule.min_count,
            geography,
            objects,
            &mut zone_entries,
            &mut events,
        );
    }
    for c in &scenario.cyber {
        if c.destructive && c.time <= end {
            let infra = geography.infrastructure_by_id(&c.infrastructure);
            let mut fields = BTreeMap::new();
            fields.insert("actor".into(), c.actor.clone().into());
            fields.insert("name".into(), c.name.clone().into());
            fields.insert("confidence".into(), c.confidence.into());
            events.push(TrueEvent {
                kind: IncidentKind::CyberAttack,
                time: c.time,
                position: infra.map(|i| Position {
                    lat_deg: i.anchor()[0],
                    lon_deg: i.anchor()[1],
                    alt_m: 0.0,
                }),
                objects: Vec::new(),
                origin: None,
                zones: Vec::new(),
                infrastructure: Some(c.infrastructure.clone()),
                fields,
            });
        }
    }
    for f in &scenario.cable_fault {
        if f.time <= end {
            let mut fields = BTreeMap::new();
            fields.insert("operator".into(), f.operator.clone().into());
            // Deliberate: an anchor was dragged across this line in the day before
            // the fault, or within minutes after its reported time (the replays'
            // timelines are approximate: Balticconnector's pressure drop at ~23:00
            // and the crossing at 23:03); the cause the scenarios model, and the
            // pacts read `deliberate`.
            let dragged = events.iter().any(|e| {
                e.kind == IncidentKind::AnchorDrag
                    && e.infrastructure.as_deref() == Some(f.infrastructure.as_str())
                    && e.time <= f.time + DELIBERATE_AFTER
                    && f.time - e.time <= DELIBERATE_LOOKBACK
            });
            fields.insert("deliberate".into(), dragged.into());
            events.push(TrueEvent {
                kind: IncidentKind::InfrastructureDamage,
                time: f.time,
                position: Some(Position {
                    lat_deg: f.position[0],
                    lon_deg: f.position[1],
                    alt_m: 0.0,
                }),
                objects: Vec::new(),
                origin: None,
                zones: Vec::new(),
                infrastructure: Some(f.infrastructure.clone()),
                fields,
            });
        }
    }
    events.sort_by(|a, b| {
        (a.time, a.kind, &a.objects, &a.infrastructure).cmp(&(
            b.time,
            b.kind,
            &b.objects,
            &b.infrastructure,
        ))
    });
    events
}

/// The previous sample of an air path: time, state, in-zone and in-infrastructure flags.
type Sample = (Time, Option<usize>, Vec<bool>, Vec<bool>);

#[allow(clippy::too_many_arguments)]
fn air_events(
    o: &Object,
    obj_idx: usize,
    geography: &Geography,
    protected: &[usize],
    belt_zones: &[usize],
    end: Time,
    events: &mut Vec<TrueEvent>,
    zone_entries: &mut Vec<(Time, usize, usize)>,
) {
    let mut prev: Option<Sample> = None;
    // A mass incursion is of unmanned threats (the pacts' "mass drone
    // incursions"): a manned aircraft's crossing is a violation of its own.
    let belt_zones = if o.class == crate::catalogue::ObjectClass::MannedAircraft {
        &[]
    } else {
        belt_zones
    };
    let near_infra: Vec<usize> = if o.class.is_drone() {
        (0..geography.infrastructure.len()).collect()
    } else {
        Vec::new()
    };
    let mut infra_seen = vec![false; geography.infrastructure.len()];
    for t in samples(o, AIR_STEP, end) {
        let Some(s) = o.state_at(t) else { continue };
        let country = geography.country_at(s.lat_deg, s.lon_deg);
        let in_zone: Vec<bool> = belt_zones
            .iter()
            .map(|&z| geography.zones[z].contains(s.lat_deg, s.lon_deg))
            .collect();
        let in_infra: Vec<bool> = near_infra
            .iter()
            .map(|&i| {
                let item = &geography.infrastructure[i];
                let p = [s.lat_deg, s.lon_deg];
                item.near_box(p, item.buffer_m) && item.distance_m(p) <= item.buffer_m
            })
            .collect();
        if let Some((t_prev, c_prev, z_prev, _)) = &prev {
            if let Some(c) = country.filter(|c| Some(*c) != *c_prev && protected.contains(c)) {
                let area = &geography.countries[c];
                let t_cross = bisect(o, *t_prev, t, |s| area.contains(s.lat_deg, s.lon_deg));
                let at = o.state_at(t_cross).unwrap_or(s);
                let mut fields = BTreeMap::new();
                fields.insert("class".into(), o.class.as_str().into());
                fields.insert("into".into(), area.id.clone().into());
                let from = c_prev
                    .map(|p| geography.countries[p].id.clone())
                    .unwrap_or_default();
                fields.insert("from".into(), from.into());
                fields.insert("state_originated".into(), (!o.origin.is_empty()).into());
                let kind = if o.class == crate::catalogue::ObjectClass::MannedAircraft {
                    IncidentKind::AirspaceViolation
                } else {
                    IncidentKind::AirspaceEntry
                };
                let zones = geography
                    .zones
                    .iter()
                    .filter(|z| z.contains(at.lat_deg, at.lon_deg))
                    .map(|z| z.id.clone())
                    .collect();
                events.push(TrueEvent {
                    kind,
                    time: t_cross,
                    position: position(&at),
                    objects: vec![o.id.clone()],
                    origin: origin_of(o),
                    zones,
                    infrastructure: None,
                    fields,
                });
            }
            for (k, &z) in belt_zones.iter().enumerate() {
                if in_zone[k] && !z_prev[k] {
                    let area = &geography.zones[z];
                    let t_in = bisect(o, *t_prev, t, |s| area.contains(s.lat_deg, s.lon_deg));
                    zone_entries.push((t_in, z, obj_idx));
                }
            }
        } else {
            // Launched inside a belt zone counts as an entry at launch.
            for (k, &z) in belt_zones.iter().enumerate() {
                if in_zone[k] {
                    zone_entries.push((t, z, obj_idx));
                }
            }
        }
        for (k, &i) in near_infra.iter().enumerate() {
            if in_infra[k] && !infra_seen[i] {
                infra_seen[i] = true;
                let item = &geography.infrastructure[i];
                let t_in = match &prev {
                    Some((t_prev, ..)) => bisect(o, *t_prev, t, |s| {
                        item.distance_m([s.lat_deg, s.lon_deg]) <= item.buffer_m
                    }),
                    None => t,
                };
                let at = o.state_at(t_in).unwrap_or(s);
                let mut fields = BTreeMap::new();
                fields.insert("class".into(), o.class.as_str().into());
                fields.insert("infrastructure_kind".into(), item.kind.clone().into());
                events.push(TrueEvent {
                    kind: IncidentKind::DroneOverInfrastructure,
                    time: t_in,
                    position: position(&at),
                    objects: vec![o.id.clone()],
                    origin: origin_of(o),
                    zones: Vec::new(),
                    infrastructure: Some(item.id.clone()),
                    fields,
                });
            }
        }
        prev = Some((t, country, in_zone, in_infra));
    }
}

fn mass_incursions(
    window: Duration,
    min_count: u32,
    geography: &Geography,
    objects: &[Object],
    entries: &mut [(Time, usize, usize)],
    events: &mut Vec<TrueEvent>,
) {
    entries.sort();
    for (z, zone) in geography.zones.iter().enumerate() {
        let times: Vec<(Time, usize)> = entries
            .iter()
            .filter(|e| e.1 == z)
            .map(|e| (e.0, e.2))
            .collect();
        let mut first = 0;
        for last in 0..times.len() {
            while first < last && times[last].0 - times[first].0 > window {
                first += 1;
            }
            let count = (last - first + 1) as u32;
            if count >= min_count {
                let mut fields = BTreeMap::new();
                fields.insert("count".into(), count.into());
                fields.insert("window".into(), window.to_string().into());
                let members = &times[first..=last];
                let origins: Vec<&str> = members
                    .iter()
                    .map(|m| objects[m.1].origin.as_str())
                    .collect();
                let origin = origins
                    .first()
                    .filter(|o| !o.is_empty() && origins.iter().all(|x| x == *o))
                    .map(|o| o.to_string());
                events.push(TrueEvent {
                    kind: IncidentKind::MassIncursion,
                    time: times[last].0,
                    position: None,
                    objects: members.iter().map(|m| objects[m.1].id.clone()).collect(),
                    origin,
                    zones: vec![zone.id.clone()],
                    infrastructure: None,
                    fields,
                });
                // The next incident needs min_count entries after this one.
                first = last + 1;
            }
        }
    }
}

fn sea_events(
    o: &Object,
    scenario: &Scenario,
    geography: &Geography,
    end: Time,
    events: &mut Vec<TrueEvent>,
) {
    let rules = &scenario.events;
    // AIS dark near infrastructure.
    if let Some((off, _)) = o.ais_off.filter(|(off, _)| *off <= end)
        && let Some(s) = o.state_at(off)
    {
        let p = [s.lat_deg, s.lon_deg];
        let nearest = geography
            .infrastructure
            .iter()
            .map(|i| (i.distance_m(p), i))
            .filter(|(d, _)| *d <= rules.ais_dark_near_m)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((d, item)) = nearest {
            let mut fields = BTreeMap::new();
            fields.insert("class".into(), o.class.as_str().into());
            fields.insert("distance_m".into(), d.round().into());
            events.push(TrueEvent {
                kind: IncidentKind::AisDark,
                time: off,
                position: position(&s),
                objects: vec![o.id.clone()],
                origin: origin_of(o),
                zones: Vec::new(),
                infrastructure: Some(item.id.clone()),
                fields,
            });
        }
    }
    // Loitering inside a buffer, and anchors dragged across lines.
    let n = geography.infrastructure.len();
    let mut loiter_since: Vec<Option<Time>> = vec![None; n];
    let mut loiter_fired = vec![false; n];
    let mut closest: Vec<Option<(f64, Time, State, f64)>> = vec![None; n];
    // The distance dragged since the anchor went down (the pacts read `length_m`).
    let mut dragged_m = 0.0;
    let mut prev: Option<LatLon> = None;
    for t in samples(o, SEA_STEP, end) {
        let Some(s) = o.state_at(t) else { continue };
        let p = [s.lat_deg, s.lon_deg];
        let slow = s.speed_mps < rules.loiter_speed_max_kn * KNOT_MPS;
        let anchor = o.anchor_down(t);
        match (anchor, prev) {
            (true, Some(q)) => dragged_m += surface_distance_m(q, p),
            (true, None) => {}
            (false, _) => dragged_m = 0.0,
        }
        prev = anchor.then_some(p);
        for (i, item) in geography.infrastructure.iter().enumerate() {
            let inside =
                slow && item.near_box(p, item.buffer_m) && item.distance_m(p) <= item.buffer_m;
            if !inside {
                loiter_since[i] = None;
                loiter_fired[i] = false;
            } else {
                let since = *loiter_since[i].get_or_insert(t);
                if !loiter_fired[i] && t - since >= rules.loiter_min {
                    loiter_fired[i] = true;
                    let mut fields = BTreeMap::new();
                    fields.insert("class".into(), o.class.as_str().into());
                    fields.insert("loiter".into(), (t - since).to_string().into());
                    events.push(TrueEvent {
                        kind: IncidentKind::VesselLoitering,
                        time: t,
                        position: position(&s),
                        objects: vec![o.id.clone()],
                        origin: origin_of(o),
                        zones: Vec::new(),
                        infrastructure: Some(item.id.clone()),
                        fields,
                    });
                }
            }
            // Within the crossing distance of the line with the anchor down; a
            // passage ends when the vessel moves away from the line again (not only
            // out of the line's bounding box: a long cable is crossed more than once).
            let d = (anchor
                && matches!(item.shape, InfraShape::Lines(_))
                && item.near_box(p, ANCHOR_CROSS_M))
            .then(|| item.distance_m(p))
            .filter(|d| *d <= ANCHOR_CROSS_M);
            if let Some(d) = d {
                if closest[i].is_none_or(|(best, ..)| d < best) {
                    closest[i] = Some((d, t, s, dragged_m));
                }
            } else if let Some((_, t_best, s_best, len)) = closest[i].take() {
                events.push(anchor_drag(o, item.id.clone(), t_best, &s_best, len));
            }
        }
    }
    for (i, c) in closest.into_iter().enumerate() {
        if let Some((_, t_best, s_best, len)) = c {
            events.push(anchor_drag(
                o,
                geography.infrastructure[i].id.clone(),
                t_best,
                &s_best,
                len,
            ));
        }
    }
}

/// `length_m`: the distance dragged from where the anchor went down to the
/// crossing (what the attribution measures as the slow run behind the crossing).
fn anchor_drag(o: &Object, infra: String, t: Time, s: &State, length_m: f64) -> TrueEvent {
    let mut fields = BTreeMap::new();
    fields.insert("class".into(), o.class.as_str().into());
    fields.insert(
        "speed_kn".into(),
        ((s.speed_mps / KNOT_MPS * 10.0).round() / 10.0).into(),
    );
    fields.insert("length_m".into(), length_m.round().into());
    TrueEvent {
        kind: IncidentKind::AnchorDrag,
        time: t,
        position: position(s),
        objects: vec![o.id.clone()],
        origin: origin_of(o),
        zones: Vec::new(),
        infrastructure: Some(infra),
        fields,
    }
}
