//! Reports that travel as Cursor on Target: acoustic sensor nets (coarse
//! fixes of low flyers, by the node that heard them) and patrols (their own
//! position, and what they see within sight).

use model::Time;

use crate::catalogue::ObjectClass;
use crate::kinematics::{destination, surface_distance_m};
use crate::random::SimRng;
use crate::report::{CotReport, Frame, Report};
use crate::scenario::{AcousticNetSpec, PatrolDomain, PatrolSpec};
use crate::sensors::{candidates, ticks};
use crate::truth::Object;

/// The CoT type (MIL-STD-2525 via the CoT type tree) of what was seen.
pub fn cot_type(class: ObjectClass, hostile: bool) -> &'static str {
    match class {
        ObjectClass::Shahed | ObjectClass::Gerbera | ObjectClass::JetDrone if hostile => {
            "a-h-A-M-F-Q"
        }
        ObjectClass::Shahed | ObjectClass::Gerbera | ObjectClass::JetDrone => "a-u-A-M-F-Q",
        ObjectClass::CruiseMissile | ObjectClass::BallisticMissile => "a-h-A-W-M",
        ObjectClass::MannedAircraft => "a-u-A-M-F",
        ObjectClass::Airliner => "a-n-A-C-F",
        ObjectClass::Merchant | ObjectClass::Tanker | ObjectClass::Fishing => "a-u-S",
        ObjectClass::Patrol => "a-f-S",
    }
}

pub fn run_acoustic(
    spec: &AcousticNetSpec,
    objects: &[Object],
    start: Time,
    end: Time,
    rng: &mut SimRng,
    sink: &mut dyn FnMut(Frame),
) {
    let per_node: Vec<Vec<u32>> = spec
        .nodes
        .iter()
        .map(|node| candidates(objects, *node, spec.radius_m, |o| o.class.is_threat()))
        .collect();
    let stale_s = spec.report_period.as_secs_f64() * 2.0;
    let mut seq = 0u64;
    for (_, t) in ticks(start, end, spec.report_period) {
        let mut frame = Frame {
            time: t,
            reports: Vec::new(),
        };
        for (n, node) in spec.nodes.iter().enumerate() {
            for &idx in &per_node[n] {
                let o = &objects[idx as usize];
                let Some(s) = o.state_at(t) else { continue };
                if s.alt_m > spec.alt_max_m
                    || surface_distance_m(*node, [s.lat_deg, s.lon_deg]) > spec.radius_m
                    || !rng.chance(spec.pd)
                {
                    continue;
                }
                // The fix is the node's, blurred: the net knows which node heard it.
                let e = rng.gauss(spec.position_sigma_m);
                let nn = rng.gauss(spec.position_sigma_m);
                let p = destination(*node, e.atan2(nn).to_degrees(), e.hypot(nn));
                seq += 1;
                frame.reports.push(Report::Cot(CotReport {
                    time: t,
                    uid: format!("{}.n{}.{seq}", spec.id, n + 1),
                    cot_type: cot_type(o.class, true).to_owned(),
                    lat_deg: p[0],
                    lon_deg: p[1],
                    hae_m: 9_999_999.0,
                    ce_m: spec.position_sigma_m,
                    le_m: 9_999_999.0,
                    stale_s,
                    callsign: None,
                    course_deg: None,
                    speed_mps: None,
                    remarks: Some(format!("acoustic detection, node {}", n + 1)),
                    truth: Some(idx),
                }));
            }
        }
        if !frame.reports.is_empty() {
            sink(frame);
        }
    }
}

pub fn run_patrol(
    spec: &PatrolSpec,
    objects: &[Object],
    start: Time,
    end: Time,
    rng: &mut SimRng,
    sink: &mut dyn FnMut(Frame),
) {
    let Some(me_idx) = objects
        .iter()
        .position(|o| o.class == ObjectClass::Patrol && o.id == spec.callsign)
    else {
        return;
    };
    let me = &objects[me_idx];
    let reach = spec.sight_radius_m
        + spec
            .route
            .iter()
            .map(|p| surface_distance_m(spec.route[0], *p))
            .fold(0.0, f64::max);
    let cands = candidates(objects, spec.route[0], reach, |o| {
        o.class != ObjectClass::Patrol
    });
    let mut contacts = vec![0u32; cands.len()];
    let mut next_contact = 1u32;
    let stale_s = spec.report_period.as_secs_f64() * 3.0;
    let own_type = match spec.domain {
        PatrolDomain::Sea => "a-f-S-C",
        PatrolDomain::Air => "a-f-A-M-F-P",
    };
    for (_, t) in ticks(start, end, spec.report_period) {
        let Some(own) = me.state_at(t) else { continue };
        let mut frame = Frame {
            time: t,
            reports: Vec::new(),
        };
        frame.reports.push(Report::Cot(CotReport {
            time: t,
            uid: spec.id.clone(),
            cot_type: own_type.to_owned(),
            lat_deg: own.lat_deg,
            lon_deg: own.lon_deg,
            hae_m: own.alt_m,
            ce_m: 10.0,
            le_m: 10.0,
            stale_s,
            callsign: Some(spec.callsign.clone()),
            course_deg: Some(own.course_deg),
            speed_mps: Some(own.speed_mps),
            remarks: None,
            truth: Some(me_idx as u32),
        }));
        for (k, &idx) in cands.iter().enumerate() {
            let o = &objects[idx as usize];
            let Some(s) = o.state_at(t) else { continue };
            if surface_distance_m([own.lat_deg, own.lon_deg], [s.lat_deg, s.lon_deg])
                > spec.sight_radius_m
            {
                continue;
            }
            if contacts[k] == 0 {
                contacts[k] = next_contact;
                next_contact += 1;
            }
            let p = destination(
                [s.lat_deg, s.lon_deg],
                rng.range(0.0, 360.0),
                rng.gauss(100.0).abs(),
            );
            let remarks = if o.class.is_vessel() {
                let ais = if o.ais_transmitting(t) {
                    "AIS on"
                } else {
                    "no AIS"
                };
                let anchor = if o.anchor_down(t) {
                    ", anchor chain out"
                } else {
                    ""
                };
                format!("visual: {} vessel, {ais}{anchor}", o.class.as_str())
            } else {
                format!("visual: {}", o.class.as_str())
            };
            frame.reports.push(Report::Cot(CotReport {
                time: t,
                uid: format!("{}.contact-{}", spec.id, contacts[k]),
                cot_type: cot_type(o.class, o.class.is_threat()).to_owned(),
                lat_deg: p[0],
                lon_deg: p[1],
                hae_m: s.alt_m,
                ce_m: 100.0,
                le_m: 100.0,
                stale_s,
                callsign: None,
                course_deg: Some(s.course_deg),
                speed_mps: Some(s.speed_mps),
                remarks: Some(remarks),
                truth: Some(idx),
            }));
        }
        sink(frame);
    }
}
