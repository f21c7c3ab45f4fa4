//! What fusion's picture gets wrong must not become incidents: false tracks born of
//! clutter that coast on a few plots, tracks wobbling across a border they follow,
//! tracks coasting on after their object fell, two tracks on one drone over a site,
//! a second track begun inside a belt. And an entry no sensor saw (a track first seen
//! inside, just past a border it flies away from) is inferred, not lost.

use attribution::{Config, Input};
use model::incident::FieldValue;
use model::{
    AltitudeBand, Geodetic, Identity, Incident, IncidentKind, Time, Track, TrackClass, TrackId,
    VelocityEnu,
};

const T0: i64 = 1_757_000_000;

fn at(s: i64) -> Time {
    Time::from_unix_us((T0 + s) * 1_000_000)
}

/// One update of track `id` at `t_s`, flying `ve`/`vn` from `start` (at `from_s`).
#[allow(clippy::too_many_arguments)]
fn update(
    id: u64,
    t_s: i64,
    from_s: i64,
    start: Geodetic,
    ve: f64,
    vn: f64,
    n_updates: u32,
    sigma_m: f64,
) -> Track {
    let dt = (t_s - from_s) as f64;
    Track {
        id: TrackId(id),
        time: at(t_s),
        position: attribution::geography::offset(&start, ve * dt, vn * dt),
        velocity: VelocityEnu {
            ve_mps: ve,
            vn_mps: vn,
            vu_mps: 0.0,
        },
        position_sigma_m: sigma_m,
        velocity_sigma_mps: 10.0,
        class: TrackClass::Drone,
        class_confidence: 0.9,
        band: AltitudeBand::Low,
        identity: Identity::default(),
        cooperative: false,
        quality: 0.6,
        n_updates,
        sensors: vec![model::SensorId::new("radar-1")],
    }
}

/// Updates every 5 s from `from_s` to `to_s`; `quality` gives each one's
/// measurement count and sigma from the seconds since `from_s`.
fn every_5s(
    id: u64,
    (from_s, to_s): (i64, i64),
    (start, ve, vn): (Geodetic, f64, f64),
    quality: impl Fn(i64) -> (u32, f64),
) -> Vec<Track> {
    (from_s..=to_s)
        .step_by(5)
        .map(|t| {
            let (n_updates, sigma_m) = quality(t - from_s);
            update(id, t, from_s, start, ve, vn, n_updates, sigma_m)
        })
        .collect()
}

/// A track measured every 5 s (its measurement count grows, its sigma stays).
fn measured(id: u64, from_s: i64, to_s: i64, start: Geodetic, ve: f64, vn: f64) -> Vec<Track> {
    every_5s(id, (from_s, to_s), (start, ve, vn), |s| {
        (4 + (s / 5) as u32, 150.0)
    })
}

/// A false track: four plots, then coasting (count stuck, sigma growing).
fn coasting(id: u64, from_s: i64, to_s: i64, start: Geodetic, ve: f64, vn: f64) -> Vec<Track> {
    every_5s(id, (from_s, to_s), (start, ve, vn), |s| {
        (4, 300.0 + 20.0 * s as f64)
    })
}

fn run(mut tracks: Vec<Track>) -> attribution::Output {
    tracks.sort_by_key(|t| (t.time, t.id));
    let inputs = tracks.into_iter().map(Input::Track);
    attribution::attribute(Config::default(), crate::geography(), inputs)
}

fn of(out: &attribution::Output, kind: IncidentKind) -> Vec<&Incident> {
    out.incidents.iter().filter(|i| i.kind == kind).collect()
}

/// West out of Russia into Ukraine (Sumy region): where and when a steady track crosses.
fn west_into_ua() -> (Geodetic, Time) {
    let start = Geodetic::new(51.5, 35.0, 300.0);
    let out = run(measured(1, 0, 1500, start, -50.0, 0.0));
    let e = of(&out, IncidentKind::AirspaceEntry);
    assert_eq!(e.len(), 1, "{e:#?}");
    (start, e[0].time)
}

#[test]
fn a_false_track_coasting_on_a_few_plots_is_no_entry() {
    let (start, crossed) = west_into_ua();
    let c = crossed.seconds_since(at(0)).round() as i64;
    // Begun 150 s before the border on four plots, never measured again: it crosses
    // while coasting, followed (not measured) for 300 s.
    let from = start_at(start, c - 150);
    let out = run(coasting(2, c - 150, c + 150, from, -50.0, 0.0));
    assert!(
        of(&out, IncidentKind::AirspaceEntry).is_empty(),
        "{:#?}",
        out.incidents
    );
    // The same path measured all along is an entry.
    let out = run(measured(2, c - 150, c + 150, from, -50.0, 0.0));
    assert_eq!(of(&out, IncidentKind::AirspaceEntry).len(), 1);
}

/// Where the steady westbound track from `start` is at `t_s`.
fn start_at(start: Geodetic, t_s: i64) -> Geodetic {
    attribution::geography::offset(&start, -50.0 * t_s as f64, 0.0)
}

#[test]
fn a_track_coasting_across_a_border_after_its_object_fell_is_no_entry() {
    let (start, crossed) = west_into_ua();
    let c = crossed.seconds_since(at(0)).round() as i64;
    // Measured up to 60 s short of the border (the impact), then coasting on 120 s.
    let mut tracks = measured(3, 0, c - 60, start, -50.0, 0.0);
    let n = tracks.last().map_or(4, |t| t.n_updates);
    tracks.extend((c - 55..=c + 60).step_by(5).map(|t| {
        update(
            3,
            t,
            0,
            start,
            -50.0,
            0.0,
            n,
            150.0 + 30.0 * (t - c + 60) as f64,
        )
    }));
    let out = run(tracks);
    assert!(
        of(&out, IncidentKind::AirspaceEntry).is_empty(),
        "{:#?}",
        out.incidents
    );
}

#[test]
fn a_track_wobbling_back_across_the_border_is_one_entry() {
    let (start, crossed) = west_into_ua();
    let c = crossed.seconds_since(at(0)).round() as i64;
    // Into Ukraine, on 120 s (6 km deep), back east 130 s to touch Russia (500 m
    // past the line, some 10 s: the track's position noise along it), then west again.
    let mut tracks = measured(4, 0, c + 120, start, -50.0, 0.0);
    let deep = start_at(start, c + 120);
    tracks.extend(
        measured(4, c + 125, c + 250, deep, 50.0, 0.0)
            .into_iter()
            .map(|mut t| {
                t.n_updates += 200;
                t
            }),
    );
    let back = attribution::geography::offset(&deep, 50.0 * 130.0, 0.0);
    tracks.extend(
        measured(4, c + 255, c + 1200, back, -50.0, 0.0)
            .into_iter()
            .map(|mut t| {
                t.n_updates += 400;
                t
            }),
    );
    let out = run(tracks);
    let e = of(&out, IncidentKind::AirspaceEntry);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].time.seconds_since(crossed).abs() < 10.0);
}

fn site(id: &str) -> Geodetic {
    crate::geography()
        .site(id)
        .map(|s| s.anchor)
        .unwrap_or_else(|| panic!("site {id}"))
}

#[test]
fn two_tracks_on_one_drone_over_a_site_are_one_incident_and_a_false_track_none() {
    // Eastbound at 50 m/s through Khmelnytskyi NPP's 5 km buffer, from 20 km west.
    let npp = site("khmelnytskyi-npp");
    let start = attribution::geography::offset(&npp, -20_000.0, 0.0);
    let mut tracks = measured(5, 0, 600, start, 50.0, 0.0);
    // Fusion's second track on it, begun 200 s later 800 m to the side, its first
    // velocity rough (so it does not pass for the first track's continuation).
    let twin = attribution::geography::offset(&start, 0.0, 800.0);
    let mut second = measured(6, 200, 600, start_east(twin, 200), 50.0, 0.0);
    second[0].velocity.vn_mps = 45.0;
    tracks.extend(second);
    let out = run(tracks);
    let sites = of(&out, IncidentKind::DroneOverInfrastructure);
    assert_eq!(sites.len(), 1, "{sites:#?}");
    assert_eq!(sites[0].infrastructure.as_deref(), Some("khmelnytskyi-npp"));
    // Two drones flying together from the start (tracks begun together) are two.
    let mut swarm = measured(5, 0, 600, start, 50.0, 0.0);
    let mut other = measured(6, 0, 600, twin, 50.0, 0.0);
    other[0].velocity.vn_mps = 45.0;
    swarm.extend(other);
    assert_eq!(
        of(&run(swarm), IncidentKind::DroneOverInfrastructure).len(),
        2
    );
    // A false track on four plots coasting through the buffer raises nothing.
    let out = run(coasting(7, 0, 600, start, 50.0, 0.0));
    assert!(
        of(&out, IncidentKind::DroneOverInfrastructure).is_empty(),
        "{:#?}",
        out.incidents
    );
}

fn start_east(p: Geodetic, t_s: i64) -> Geodetic {
    attribution::geography::offset(&p, 50.0 * t_s as f64, 0.0)
}

fn polish_belt(geo: &attribution::Geography) -> &attribution::geography::Zone {
    geo.zones
        .iter()
        .find(|z| z.area.id == "pl-border-belt")
        .expect("the bundled pact has the Polish border belt")
}

/// `n` drones west at 50 m/s from `base`, 2 km apart north to south, 5 min apart.
fn wave(base: Geodetic, n: u64) -> Vec<Track> {
    (0..n)
        .flat_map(|k| {
            let start = attribution::geography::offset(&base, 0.0, 2_000.0 * k as f64);
            let t0 = 300 * k as i64;
            measured(10 + k, t0, t0 + 2400, start, -50.0, 0.0)
        })
        .collect()
}

#[test]
fn a_second_track_begun_inside_a_belt_does_not_count_its_object_twice() {
    let geo = crate::geography();
    let belt = polish_belt(&geo);
    // Four drones west out of Ukraine into Poland's belt, 2 km apart, 5 min apart.
    let base = Geodetic::new(51.0, 24.6, 300.0);
    let mut tracks = wave(base, 4);
    // Fusion begins a second track on the first drone once it is in the belt, 3 km
    // off (too far to continue it: the first track goes on).
    let first_in = tracks
        .iter()
        .filter(|t| t.id == TrackId(10))
        .find(|t| belt.area.contains(&t.position))
        .map(|t| (t.time.seconds_since(at(0)).round() as i64, t.position))
        .expect("the drones reach the belt");
    let (t_in, p_in) = first_in;
    let twin = attribution::geography::offset(&p_in, -2_000.0, 3_000.0);
    assert!(belt.area.contains(&twin));
    tracks.extend(measured(20, t_in + 40, t_in + 900, twin, -50.0, 0.0));
    let out = run(tracks);
    assert!(
        of(&out, IncidentKind::MassIncursion).is_empty(),
        "four drones are no mass incursion: {:#?}",
        of(&out, IncidentKind::MassIncursion)
    );
    // A fifth drone is.
    assert_eq!(
        of(&run(wave(base, 5)), IncidentKind::MassIncursion).len(),
        1
    );
}

/// A wave's origin is its members' when most agree: four drones out of Belarus
/// and a fifth first seen 40 km inside Poland (launched there, as far as the
/// sensors know) are a mass incursion from Belarus, the fifth named as without
/// an origin, not a group of no origin.
#[test]
fn a_mass_incursions_origin_is_that_of_most_of_its_members() {
    let geo = crate::geography();
    let belt = polish_belt(&geo);
    let base = Geodetic::new(52.45, 24.2, 300.0);
    let mut tracks = wave(base, 4);
    let inside = Geodetic::new(52.55, 23.3, 300.0);
    assert!(belt.area.contains(&inside));
    assert_eq!(
        geo.country_at(&inside)
            .map(|c| geo.countries[c].id.as_str()),
        Some("PL")
    );
    tracks.extend(measured(14, 1200, 2400, inside, -50.0, 0.0));
    let out = run(tracks);
    let mass = of(&out, IncidentKind::MassIncursion);
    assert_eq!(mass.len(), 1, "{mass:#?}");
    assert_eq!(
        mass[0].origin.as_deref(),
        Some("BY"),
        "{}",
        mass[0].evidence.statement
    );
    assert!(
        mass[0]
            .evidence
            .statement
            .contains("BY (4 of 5 entries; 1 without an established origin)"),
        "{}",
        mass[0].evidence.statement
    );
}

fn text(i: &Incident, key: &str) -> String {
    match i.fields.get(key) {
        Some(FieldValue::Text(s)) => s.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

#[test]
fn an_entry_no_sensor_saw_is_inferred_from_a_track_first_seen_past_the_border() {
    let (start, crossed) = west_into_ua();
    let c = crossed.seconds_since(at(0)).round() as i64;
    // First seen 160 s (8 km) past the border, flying on west, away from it.
    let seen = start_at(start, c + 160);
    let out = run(measured(8, c + 160, c + 900, seen, -50.0, 0.0));
    let e = of(&out, IncidentKind::AirspaceEntry);
    assert_eq!(e.len(), 1, "{:#?}", out.incidents);
    assert_eq!(e[0].origin.as_deref(), Some("RU"));
    assert_eq!(e[0].evidence.method, "extrapolated-backwards");
    assert_eq!(
        e[0].fields.get("crossing_observed"),
        Some(&FieldValue::Bool(false))
    );
    assert!(
        e[0].time.seconds_since(crossed).abs() < 30.0,
        "{} vs {crossed}",
        e[0].time
    );
    assert_eq!(text(e[0], "into"), "UA");
    // Less sure than a crossing seen.
    let seen_entry = run(measured(9, 0, c + 900, start, -50.0, 0.0));
    assert!(e[0].confidence < of(&seen_entry, IncidentKind::AirspaceEntry)[0].confidence);

    // First seen 60 km inside, the border is too far back to say: launched inside or not.
    let deep = start_at(start, c + 1200);
    assert!(
        of(
            &run(measured(10, c + 1200, c + 2000, deep, -50.0, 0.0)),
            IncidentKind::AirspaceEntry
        )
        .is_empty()
    );
    // Flying towards the border it is near, it did not come over it.
    assert!(
        of(
            &run(measured(11, c + 160, c + 300, seen, 50.0, 0.0)),
            IncidentKind::AirspaceEntry
        )
        .is_empty()
    );
    // Turning (a decoy's loop) in its first minutes: no course to extrapolate.
    let mut turning = measured(12, c + 160, c + 230, seen, -50.0, 0.0);
    let corner = start_at(start, c + 230);
    turning.extend(
        measured(12, c + 235, c + 900, corner, 0.0, 50.0)
            .into_iter()
            .map(|mut t| {
                t.n_updates += 20;
                t
            }),
    );
    assert!(of(&run(turning), IncidentKind::AirspaceEntry).is_empty());
}

#[test]
fn a_track_grazing_a_buffer_within_its_position_noise_is_no_site_incident() {
    // Eastbound past Khmelnytskyi NPP (5 km buffer), its position known to 150 m.
    let npp = site("khmelnytskyi-npp");
    let pass = |north_m: f64| {
        let start = attribution::geography::offset(&npp, -20_000.0, north_m);
        of(
            &run(measured(13, 0, 800, start, 50.0, 0.0)),
            IncidentKind::DroneOverInfrastructure,
        )
        .len()
    };
    // 100 m inside the edge at its closest: as likely just outside.
    assert_eq!(pass(4_900.0), 0);
    // 1 km inside: in.
    assert_eq!(pass(4_000.0), 1);
}

/// A drone's track passes 1 km north of Okhmatdyt (500 m buffer), then has no
/// update for 90 s and resumes 3 km past the hospital, 1 km south (it went round
/// it, unseen). The straight chord across the gap runs through the hospital; no
/// update was ever inside its buffer: no incident.
#[test]
fn a_chord_across_a_tracks_gap_is_no_path_over_a_site() {
    let hospital = site("okhmatdyt-kyiv");
    let a_start = attribution::geography::offset(&hospital, 3_000.0 + 50.0 * 600.0, 1_000.0);
    let mut tracks = measured(1, 0, 600, a_start, -50.0, 0.0);
    let b_start = attribution::geography::offset(&hospital, -3_000.0, -1_000.0);
    let n = tracks.last().map_or(0, |t| t.n_updates);
    tracks.extend(
        measured(1, 690, 1_200, b_start, -50.0, 0.0)
            .into_iter()
            .map(|t| Track {
                n_updates: t.n_updates + n,
                ..t
            }),
    );
    let out = run(tracks);
    assert!(
        out.incidents
            .iter()
            .all(|i| i.kind != IncidentKind::DroneOverInfrastructure),
        "{:#?}",
        out.incidents
    );
    // The same drone measured straight through the buffer is raised.
    let through = attribution::geography::offset(&hospital, 3_000.0, 0.0);
    let out = run(measured(3, 0, 300, through, -50.0, 0.0));
    assert_eq!(of(&out, IncidentKind::DroneOverInfrastructure).len(), 1);
}

/// A drone passing 550 m from Okhmatdyt (50 m outside its 500 m buffer), one
/// update of its track scattered 185 m towards the hospital (365 m: deeper than
/// the track's sigma, as a system track's plots scatter): no incident. One
/// passing 300 m from it, every update that close: raised.
#[test]
fn one_scattered_update_inside_a_small_buffer_is_no_site_incident() {
    let hospital = site("okhmatdyt-kyiv");
    let pass = |north_m: f64, scatter_m: f64| {
        let start = attribution::geography::offset(&hospital, -3_000.0, north_m);
        let tracks: Vec<Track> = measured(5, 0, 120, start, 50.0, 0.0)
            .into_iter()
            .map(|mut t| {
                // The update abreast of the hospital (60 s: 3 km east of the start).
                if t.time == at(60) {
                    t.position = attribution::geography::offset(&t.position, 0.0, -scatter_m);
                }
                t
            })
            .collect();
        of(&run(tracks), IncidentKind::DroneOverInfrastructure).len()
    };
    assert_eq!(pass(550.0, 185.0), 0);
    assert_eq!(pass(300.0, 0.0), 1);
}

/// A manned aircraft without a transponder (a fighter), measured every 5 s.
fn fighter(id: u64, from_s: i64, to_s: i64, start: Geodetic, ve: f64, vn: f64) -> Vec<Track> {
    measured(id, from_s, to_s, start, ve, vn)
        .into_iter()
        .map(|t| Track {
            class: TrackClass::MannedAircraft,
            class_confidence: 0.6,
            band: AltitudeBand::High,
            ..t
        })
        .collect()
}

fn duration_s(i: &Incident) -> f64 {
    match i.fields.get("duration_s") {
        Some(FieldValue::Float(d)) => *d,
        other => panic!("duration_s: {other:?}"),
    }
}

/// A manned aircraft without a transponder that fusion loses inside (its track
/// falls silent 190 s after the crossing, no track continues it) is raised once
/// a continuation can no longer come (`LINK_GAP_S`), not when the input ends:
/// with the time it was last seen inside and `ongoing`.
#[test]
fn a_violation_whose_track_is_lost_inside_is_raised_without_waiting_for_the_end() {
    // West out of Belarus at 250 m/s; the border (23.78° E at 53.3° N) at ~112 s.
    let jet: Vec<Track> = fighter(1, 0, 300, Geodetic::new(53.3, 24.2, 9_000.0), -250.0, 0.0);
    // A drone over Ukraine goes on being tracked for another 12 minutes.
    let other = measured(2, 0, 1_020, Geodetic::new(49.0, 30.0, 1_000.0), 40.0, 0.0);
    let mut inputs: Vec<Track> = jet.into_iter().chain(other).collect();
    inputs.sort_by_key(|t| (t.time, t.id));
    let mut a = attribution::Attributor::new(Config::default(), crate::geography());
    let mut raised_at = None;
    for t in inputs {
        let time = t.time;
        a.push(Input::Track(t));
        let out = a.take_incidents();
        if let Some(v) = out
            .iter()
            .find(|i| i.kind == IncidentKind::AirspaceViolation)
        {
            raised_at = Some((time, v.clone()));
        }
    }
    let Some((when, v)) = raised_at else {
        panic!("the violation is not raised before the input ends")
    };
    let lost = at(300);
    assert!(
        when.seconds_since(lost) <= 180.0 + 60.0 + 5.0,
        "raised {when}, lost {lost}"
    );
    assert_eq!(v.fields.get("ongoing"), Some(&FieldValue::Bool(true)));
    let d = duration_s(&v);
    assert!((170.0..200.0).contains(&d), "{d}");
    assert_eq!(v.origin.as_deref(), Some("BY"));
}

/// A fighter fusion loses in a turn (west, then south): the track that follows
/// it begins 10 s later, 2.5 km south, heading south, off the first track's
/// straight line. It is the same aircraft: one violation, from the crossing in
/// to the crossing out, not one cut short where the first track ended.
#[test]
fn a_violation_follows_the_aircraft_through_a_turn_fusion_lost_it_in() {
    let start = Geodetic::new(53.3, 24.2, 9_000.0);
    let west: Vec<Track> = fighter(1, 0, 200, start, -250.0, 0.0);
    let turned = west.last().map(|t| t.position).unwrap_or(start);
    let turned = attribution::geography::offset(&turned, 0.0, -2_500.0);
    // South from 23.45° E: out into Belarus again near 52.45° N.
    let south: Vec<Track> = fighter(3, 210, 600, turned, 0.0, -250.0);
    let out = run(west.into_iter().chain(south).collect());
    let v = of(&out, IncidentKind::AirspaceViolation);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(
        v[0].fields.get("ongoing"),
        Some(&FieldValue::Bool(false)),
        "{}",
        v[0].evidence.statement
    );
    assert!(duration_s(v[0]) > 300.0, "{}", v[0].evidence.statement);
}

/// Fusion begins a second track on an aircraft in violation (1 km off, the same
/// velocity): it takes the open violation, then dies a minute later while the
/// first track flies on. The violation goes back to the track still flying: its
/// duration runs to that track's last update, not to the duplicate's death.
#[test]
fn a_violation_outlives_a_duplicate_track_that_took_it() {
    let start = Geodetic::new(53.3, 24.2, 9_000.0);
    let first: Vec<Track> = fighter(1, 0, 600, start, -250.0, 0.0);
    let at_200 = first
        .iter()
        .find(|t| t.time == at(200))
        .map_or(start, |t| t.position);
    let twin: Vec<Track> = fighter(
        5,
        200,
        260,
        attribution::geography::offset(&at_200, 0.0, 1_000.0),
        -250.0,
        0.0,
    );
    let out = run(first.into_iter().chain(twin).collect());
    let v = of(&out, IncidentKind::AirspaceViolation);
    assert_eq!(v.len(), 1, "{v:#?}");
    // The border at ~112 s; the first track's last update at 600 s.
    assert!(duration_s(v[0]) > 450.0, "{}", v[0].evidence.statement);
}

/// A fighter in violation whose track fusion stops classing (its updates vote
/// `unknown` in a hard turn) while it flies back out: the violation still ends
/// at its exit, not left open until the track is lost.
#[test]
fn a_violation_ends_at_the_exit_whatever_the_tracks_class_is_then() {
    let start = Geodetic::new(53.3, 24.2, 9_000.0);
    // West across the border (~112 s), then back east from 200 s, classless.
    let mut tracks = fighter(1, 0, 200, start, -250.0, 0.0);
    let turn = tracks.last().map_or(start, |t| t.position);
    let n = tracks.last().map_or(0, |t| t.n_updates);
    tracks.extend(
        measured(1, 205, 500, turn, 250.0, 0.0)
            .into_iter()
            .map(|t| Track {
                class: TrackClass::Unknown,
                class_confidence: 0.2,
                n_updates: t.n_updates + n,
                ..t
            }),
    );
    let out = run(tracks);
    let v = of(&out, IncidentKind::AirspaceViolation);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(
        v[0].fields.get("ongoing"),
        Some(&FieldValue::Bool(false)),
        "{}",
        v[0].evidence.statement
    );
    // In at ~112 s, out at ~290 s.
    let d = duration_s(v[0]);
    assert!(
        (150.0..210.0).contains(&d),
        "{d}: {}",
        v[0].evidence.statement
    );
}
