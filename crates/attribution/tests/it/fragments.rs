//! Fusion loses tracks and tracks objects twice: attribution still raises one
//! incident per object, finds its origin from the object's first detection, and
//! counts a crossing made before the track's class was known.

use attribution::{Config, Input};
use model::{
    AltitudeBand, EvidenceItem, Geodetic, Identity, Incident, IncidentKind, Time, Track,
    TrackClass, TrackId, VelocityEnu,
};

const T0: i64 = 1_757_000_000;

/// Updates every 5 s of a track flying at a constant velocity from `start`.
fn leg(
    id: u64,
    from_s: i64,
    to_s: i64,
    start: Geodetic,
    ve: f64,
    vn: f64,
    class: TrackClass,
) -> Vec<Track> {
    (from_s..=to_s)
        .step_by(5)
        .map(|t| {
            let dt = (t - from_s) as f64;
            let position = attribution::geography::offset(&start, ve * dt, vn * dt);
            Track {
                id: TrackId(id),
                time: Time::from_unix_us((T0 + t) * 1_000_000),
                position,
                velocity: VelocityEnu {
                    ve_mps: ve,
                    vn_mps: vn,
                    vu_mps: 0.0,
                },
                position_sigma_m: 50.0,
                velocity_sigma_mps: 2.0,
                class,
                class_confidence: 0.9,
                band: AltitudeBand::Low,
                identity: Identity::default(),
                cooperative: false,
                quality: 0.9,
                n_updates: 10,
                sensors: vec![model::SensorId::new("radar-1")],
            }
        })
        .collect()
}

fn run(mut tracks: Vec<Track>) -> attribution::Output {
    tracks.sort_by_key(|t| (t.time, t.id));
    let inputs = tracks.into_iter().map(Input::Track);
    attribution::attribute(Config::default(), crate::geography(), inputs)
}

fn entries(out: &attribution::Output) -> Vec<&Incident> {
    out.incidents
        .iter()
        .filter(|i| i.kind == IncidentKind::AirspaceEntry)
        .collect()
}

fn into(i: &Incident) -> String {
    match i.fields.get("into") {
        Some(model::incident::FieldValue::Text(s)) => s.clone(),
        other => panic!("into: {other:?}"),
    }
}

#[test]
fn a_track_lost_and_begun_again_is_one_object_with_its_first_detection() {
    // South out of Belarus into Ukraine (track 1), lost for 30 s inside Ukraine, then
    // (track 2) on west into Poland.
    let start = Geodetic::new(52.1, 25.0, 300.0);
    let mut tracks = leg(1, 0, 1500, start, 0.0, -50.0, TrackClass::Drone);
    let lost = tracks.last().unwrap().position;
    let resumed = attribution::geography::offset(&lost, 0.0, -50.0 * 30.0);
    // The object turned a little in the gap.
    tracks.extend(leg(2, 1530, 5000, resumed, -15.0, -47.0, TrackClass::Drone));
    let second_start = tracks.iter().find(|t| t.id == TrackId(2)).unwrap().position;
    tracks.extend(
        leg(2, 5005, 9000, second_start, -50.0, 0.0, TrackClass::Drone)
            .into_iter()
            .map(|mut t| {
                // Continue from where the first part of track 2 ended.
                let dt = (t.time.unix_us / 1_000_000 - T0 - 5005) as f64;
                let end =
                    attribution::geography::offset(&second_start, -15.0 * 3470.0, -47.0 * 3470.0);
                t.position = attribution::geography::offset(&end, -50.0 * dt, 0.0);
                t
            }),
    );
    let out = run(tracks);
    assert_eq!(out.stats.tracks_linked, 1, "{:?}", out.stats);
    let e = entries(&out);
    let ua: Vec<_> = e.iter().filter(|i| into(i) == "UA").collect();
    let pl: Vec<_> = e.iter().filter(|i| into(i) == "PL").collect();
    assert_eq!(ua.len(), 1, "{e:#?}");
    assert_eq!(pl.len(), 1, "{e:#?}");
    assert_eq!(ua[0].origin.as_deref(), Some("BY"));
    // Track 2 was first detected inside Ukraine; the object was first seen in Belarus.
    assert_eq!(pl[0].origin.as_deref(), Some("BY"), "{:#?}", pl[0].evidence);
    // Time to attribution counts from the object's first detection (track 1's).
    let since_first = pl[0].time.seconds_since(Time::from_unix_us(T0 * 1_000_000));
    assert!(pl[0].time_to_attribution.as_secs_f64() >= since_first);
    assert!(
        pl[0]
            .evidence
            .items
            .iter()
            .any(|i| matches!(i, EvidenceItem::Derived { name, .. } if name == "continues"))
    );
}

#[test]
fn one_object_tracked_twice_is_one_entry() {
    // West out of Russia into Ukraine, tracked by two tracks 300 m apart.
    let start = Geodetic::new(51.5, 35.0, 300.0);
    let twin = attribution::geography::offset(&start, 0.0, 300.0);
    let mut tracks = leg(1, 0, 1500, start, -50.0, 0.0, TrackClass::Drone);
    tracks.extend(leg(2, 0, 1500, twin, -50.0, 0.0, TrackClass::Drone));
    let out = run(tracks);
    assert_eq!(entries(&out).len(), 1, "{:#?}", out.incidents);
    assert!(out.stats.duplicates_suppressed >= 1);
    // Two objects 5 km apart are two entries.
    let far = attribution::geography::offset(&start, 0.0, 5_000.0);
    let mut tracks = leg(1, 0, 1500, start, -50.0, 0.0, TrackClass::Drone);
    tracks.extend(leg(2, 0, 1500, far, -50.0, 0.0, TrackClass::Drone));
    assert_eq!(entries(&run(tracks)).len(), 2);
}

#[test]
fn a_crossing_before_the_class_is_known_is_an_entry_at_the_crossing() {
    let start = Geodetic::new(51.5, 35.0, 300.0);
    let mut tracks = leg(1, 0, 1500, start, -50.0, 0.0, TrackClass::Unknown);
    let last = tracks.last().unwrap().position;
    tracks.extend(leg(1, 1505, 1800, last, -50.0, 0.0, TrackClass::Drone));
    let out = run(tracks.clone());
    let e = entries(&out);
    assert_eq!(e.len(), 1, "{:#?}", out.incidents);
    // The entry is dated at the crossing, not when the class became known.
    let known = Time::from_unix_us((T0 + 1505) * 1_000_000);
    assert!(
        e[0].time < known - model::Duration::from_secs(60),
        "{}",
        e[0].time
    );
    assert_eq!(e[0].origin.as_deref(), Some("RU"));
    // An object that stays unclassified raises nothing.
    tracks.retain(|t| t.class == TrackClass::Unknown);
    assert!(entries(&run(tracks)).is_empty());
}

#[test]
fn a_border_crossed_while_fusion_had_lost_the_track_is_one_entry() {
    let start = Geodetic::new(51.5, 35.0, 300.0);
    let whole = leg(1, 0, 1500, start, -50.0, 0.0, TrackClass::Drone);
    let crossed = entries(&run(whole.clone()))[0].time;
    let at = |t: &Track| t.time.seconds_since(crossed);
    // Lost 60 s before the border, begun again 60 s after it as track 2.
    let mut tracks: Vec<Track> = whole.iter().filter(|t| at(t) < -60.0).cloned().collect();
    tracks.extend(whole.iter().filter(|t| at(t) > 60.0).cloned().map(|mut t| {
        t.id = TrackId(2);
        t
    }));
    let out = run(tracks);
    let e = entries(&out);
    assert_eq!(e.len(), 1, "{:#?}", out.incidents);
    assert!(e[0].time.seconds_since(crossed).abs() < 30.0);
    assert_eq!(e[0].origin.as_deref(), Some("RU"));
}

#[test]
fn a_short_false_track_across_a_border_is_no_entry() {
    // Clutter makes tracks that live a minute; one that crosses a border is not an
    // object entering. The same path followed for longer is.
    let start = Geodetic::new(51.5, 35.0, 300.0);
    let whole = leg(1, 0, 1500, start, -50.0, 0.0, TrackClass::Drone);
    let crossed = entries(&run(whole.clone()))[0].time;
    let short: Vec<Track> = whole
        .iter()
        .filter(|t| t.time.seconds_since(crossed).abs() < 40.0)
        .cloned()
        .collect();
    assert!(entries(&run(short)).is_empty());
}

fn text(i: &Incident, key: &str) -> String {
    match i.fields.get(key) {
        Some(model::incident::FieldValue::Text(s)) => s.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

#[test]
fn a_track_first_seen_just_off_a_foreign_coast_came_from_that_state() {
    // Launched on Russia's Azov shore: the picture's first plot is over the sea 10 km
    // off the coast, then the drone flies west over the Sea of Azov into Crimea.
    let start = Geodetic::new(46.05, 38.03, 300.0);
    assert!(
        crate::geography().country_at(&start).is_none(),
        "the start must be over the sea"
    );
    let out = run(leg(1, 0, 7000, start, -50.0, 0.0, TrackClass::Drone));
    let e = entries(&out);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(into(e[0]), "UA");
    assert_eq!(e[0].origin.as_deref(), Some("RU"));
    assert_eq!(text(e[0], "origin_method"), "first-detected-offshore");
    // As sure as a track begun over the land (0.95) nearly, above the pacts' 0.8.
    assert!(e[0].confidence >= 0.85, "{}", e[0].confidence);

    // First seen far out at sea, the coast behind it is a guess.
    let far = attribution::geography::offset(&start, -80_000.0, 0.0);
    let out = run(leg(1, 0, 5000, far, -50.0, 0.0, TrackClass::Drone));
    let e = entries(&out);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].origin.as_deref(), Some("RU"));
    assert_eq!(text(e[0], "origin_method"), "extrapolated-backwards");
    assert!(e[0].confidence < 0.8, "{}", e[0].confidence);
}

#[test]
fn two_drones_of_one_wave_crossing_twenty_seconds_apart_are_two_entries() {
    // One path out of Russia, the second drone 20 s (1 km) behind the first.
    let start = Geodetic::new(51.5, 35.0, 300.0);
    let mut tracks = leg(1, 0, 1500, start, -50.0, 0.0, TrackClass::Drone);
    tracks.extend(leg(2, 20, 1520, start, -50.0, 0.0, TrackClass::Drone));
    let out = run(tracks);
    assert_eq!(entries(&out).len(), 2, "{:#?}", out.incidents);
}
