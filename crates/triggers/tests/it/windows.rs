//! Sliding and tumbling windows, watermarks and lateness, in virtual time.

use triggers::{Config, Engine, Record, WindowKind};

use crate::{Build, activations, engine, entry, incident, lines, pact_with};
use model::IncidentKind;

/// Entries in the belt without the state-originated field: only `mass` (3 in 1 h) counts them.
fn belt(id: &str, minutes: i64) -> model::Incident {
    incident(id, IncidentKind::AirspaceEntry, minutes)
        .zones(&["pl-belt"])
        .at_position(50.5, 22.5)
}

fn met(records: &[Record], indicator: &str) -> Vec<(u32, bool)> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::IndicatorMet(m) if m.indicator == indicator => Some((m.count, m.late)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_sliding_window_counts_only_what_falls_within_it() {
    let mut e = engine();
    // 0, 30 and 70 minutes: no hour holds three.
    let first = e.process(&[belt("a", 0), belt("b", 30), belt("c", 70)]);
    assert_eq!(met(&first, "mass"), vec![]);
    // 80 minutes: (20, 80] holds b, c, d.
    let second = e.process(&[belt("d", 80)]);
    assert_eq!(met(&second, "mass"), vec![(3, false)]);
    let a = activations(&second);
    assert_eq!(a.len(), 1);
    let m = &a[0].indicators[0];
    assert_eq!(
        (m.window_start, m.window_end),
        (crate::at(20), crate::at(80))
    );
    assert_eq!(m.incidents.len(), 3);
    assert_eq!(m.completed_by.as_str(), "d");
}

#[test]
fn a_tumbling_window_counts_its_own_bucket_only() {
    let config = Config {
        windows: WindowKind::Tumbling,
        ..Config::default()
    };
    let mut e = Engine::new(pact_with(|t| t), config);
    // Buckets are whole hours from day 0: 00:50 is in the first, 01:10 and 01:20 in the second.
    let first = e.process(&[belt("a", 50), belt("b", 70), belt("c", 80)]);
    assert_eq!(met(&first, "mass"), vec![]);
    let second = e.process(&[belt("d", 90)]);
    assert_eq!(met(&second, "mass"), vec![(3, false)]);
    let m = &activations(&second)[0].indicators[0];
    assert_eq!((m.window_start, m.count), (crate::at(60), 3));
}

#[test]
fn a_late_incident_that_completes_an_indicator_activates_and_says_it_was_late() {
    // Two in the window, the watermark moves to 14 (a cyber incident), then a third at 11.
    let mut e = engine();
    e.process(&[belt("a", 0), belt("b", 10)]);
    e.process(&[incident("x", IncidentKind::CyberAttack, 14)]);
    let late = e.process(&[belt("c", 11)]);
    assert_eq!(met(&late, "mass"), vec![(3, true)]);
    let a = activations(&late);
    assert_eq!(a.len(), 1);
    assert!(a[0].late);
    assert_eq!(a[0].trigger_at, crate::at(11));
    assert_eq!(a[0].watermark, crate::at(14));
}

#[test]
fn an_incident_later_than_the_allowed_lateness_is_refused_with_its_reason() {
    let mut e = engine();
    e.process(&[
        belt("a", 0),
        belt("b", 10),
        incident("x", IncidentKind::CyberAttack, 14),
    ]);
    // 9 minutes behind the watermark; the default lateness is 5 minutes.
    let refused = e.process(&[belt("c", 5)]);
    assert_eq!(lines(&refused).len(), 1);
    assert!(
        lines(&refused)[0].contains("too_late"),
        "{:?}",
        lines(&refused)
    );
    assert!(activations(&refused).is_empty());
}

#[test]
fn a_late_incident_after_the_threshold_held_recurs_rather_than_activates_again() {
    let mut e = engine();
    let first = e.process(&[belt("a", 0), belt("b", 10), belt("y", 12)]);
    assert_eq!(activations(&first).len(), 1);
    let late = e.process(&[belt("c", 8)]);
    assert!(activations(&late).is_empty());
    assert!(
        lines(&late).iter().any(|l| l.contains("recurred")),
        "{:?}",
        lines(&late)
    );
}

#[test]
fn a_late_incident_inside_the_window_completes_it_at_the_later_entry() {
    // Watermark at 14 (a cyber incident); b at 13 is in; a late "a" at 10 completes
    // the window ending at b: (−47, 13] holds pre, a, b.
    let mut e = engine();
    e.process(&[
        belt("pre", 0),
        belt("b", 13),
        incident("x", IncidentKind::CyberAttack, 14),
    ]);
    let late = e.process(&[belt("a", 10)]);
    let a = activations(&late);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].indicators[0].window_end, crate::at(13));
    assert!(a[0].late);
}

#[test]
fn the_watermark_is_the_latest_event_time_and_deadlines_fire_as_it_passes() {
    let mut e = engine();
    let records = e.process(&[entry("a", 0)]);
    assert_eq!(activations(&records).len(), 1);
    assert_eq!(e.watermark(), Some(crate::at(0)));
    // Nothing is due at 59 minutes; at 60 the obligations are overdue.
    assert!(
        !lines(&e.advance(crate::at(59)))
            .iter()
            .any(|l| l.contains("overdue"))
    );
    let due = lines(&e.advance(crate::at(60)));
    assert_eq!(
        due.iter()
            .filter(|l| l.contains("obligation_overdue"))
            .count(),
        2,
        "{due:?}"
    );
}
