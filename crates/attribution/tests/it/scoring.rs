//! The scorer: precision over every incident raised, recall over the true events
//! some sensor could see, the unseen ones counted apart (and credited when raised).

use std::collections::BTreeMap;

use attribution::score::{self, TrueEvent};
use model::{Duration, Evidence, EvidenceItem, Incident, IncidentId, IncidentKind, Time, TrackId};

fn at(s: i64) -> Time {
    Time::from_unix_us((1_757_000_000 + s) * 1_000_000)
}

fn entry(track: u64, s: i64) -> Incident {
    Incident {
        id: IncidentId::new(format!("e{track}")),
        kind: IncidentKind::AirspaceEntry,
        time: at(s),
        position: None,
        zones: Vec::new(),
        infrastructure: None,
        origin: Some("RU".into()),
        confidence: 0.9,
        fields: BTreeMap::new(),
        evidence: Evidence {
            items: vec![EvidenceItem::Track {
                track: TrackId(track),
            }],
            method: "test".into(),
            confidence: 0.9,
            statement: String::new(),
            contradictions: Vec::new(),
        },
        time_to_attribution: Duration::ZERO,
    }
}

fn event(object: &str, s: i64) -> TrueEvent {
    TrueEvent {
        kind: IncidentKind::AirspaceEntry,
        time: at(s),
        position: None,
        objects: vec![object.to_owned()],
        origin: Some("RU".into()),
        zones: Vec::new(),
        infrastructure: None,
    }
}

#[test]
fn recall_counts_the_events_a_sensor_could_see_and_reports_the_rest_apart() {
    // Four true entries; "d" and "e" crossed where no sensor reaches. Raised: a, b, e
    // (e by extrapolation) and one false entry (track 9, object "z").
    let events = [
        event("a", 0),
        event("b", 100),
        event("c", 200),
        event("d", 300),
        event("e", 400),
    ];
    let incidents = [entry(1, 5), entry(2, 90), entry(5, 410), entry(9, 1000)];
    let objects: BTreeMap<TrackId, String> = [(1, "a"), (2, "b"), (5, "e"), (9, "z")]
        .into_iter()
        .map(|(t, o)| (TrackId(t), o.to_owned()))
        .collect();
    let origins = BTreeMap::new();
    let seen = |e: &TrueEvent| !matches!(e.objects[0].as_str(), "d" | "e");
    let s = score::score_where(&incidents, &events, &objects, &origins, "t", &seen);
    let k = s.kinds[&IncidentKind::AirspaceEntry];
    assert_eq!((k.emitted, k.truth, k.unseen, k.matched), (4, 5, 2, 3));
    assert_eq!(k.unseen_matched, 1);
    assert!((k.precision() - 0.75).abs() < 1e-9);
    // Seen: a, b matched of a, b, c.
    assert!((k.recall() - 2.0 / 3.0).abs() < 1e-9, "{}", k.recall());
    assert!((k.recall_all() - 0.6).abs() < 1e-9);
    // The miss listed is the seen one (c), not d.
    let missed: Vec<&String> = s.misses.iter().filter(|m| m.contains("missed")).collect();
    assert_eq!(missed.len(), 1, "{:?}", s.misses);
    assert!(missed[0].contains("\"c\""), "{missed:?}");
    assert!(s.table().contains("unseen"));

    // Everything seen (the plain `score`): recall is over all five.
    let all = score::score(&incidents, &events, &objects, &origins, "t");
    let k = all.kinds[&IncidentKind::AirspaceEntry];
    assert_eq!((k.unseen, k.matched), (0, 3));
    assert!((k.recall() - 0.6).abs() < 1e-9);
}
