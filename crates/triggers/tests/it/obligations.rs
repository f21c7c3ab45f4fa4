//! The obligation life, consultations and reviews.

use triggers::{ObligationState, Position, Record};

use crate::{engine, entry, lines};

fn state(e: &triggers::Engine, id: &str) -> ObligationState {
    e.obligations().find(|o| o.id == id).unwrap().state
}

#[test]
fn an_obligation_is_created_acknowledged_with_a_substitute_and_discharged() {
    let mut e = engine();
    e.process(&[entry("a", 0)]);
    let id = "test/intercept/1/0";
    assert_eq!(state(&e, id), ObligationState::Created);
    // F-35s instead of F-16s: Poland commits both, so the substitution stands.
    let ack = lines(&e.acknowledge(crate::at(5), id, "PL", Some("f35")));
    assert!(
        ack[0].contains("\"instead_of\":\"f16\",\"asset\":\"f35\""),
        "{ack:?}"
    );
    assert_eq!(state(&e, id), ObligationState::Acknowledged);
    let done = lines(&e.discharge(crate::at(40), id, "PL"));
    assert!(
        done.last().unwrap().contains("\"after_deadline\":false"),
        "{done:?}"
    );
    assert_eq!(state(&e, id), ObligationState::Discharged);
    // Discharged before its deadline: nothing goes overdue for it.
    let later = lines(&e.advance(crate::at(61)));
    assert!(!later.iter().any(|l| l.contains(id)), "{later:?}");
}

#[test]
fn commands_that_cannot_apply_are_refused_with_the_reason() {
    let mut e = engine();
    e.process(&[entry("a", 0)]);
    let id = "test/intercept/1/0";
    let refused = |records: Vec<Record>| lines(&records).join("\n");
    assert!(refused(e.acknowledge(crate::at(1), id, "UA", None)).contains("is PL's, not UA's"));
    assert!(
        refused(e.acknowledge(crate::at(1), id, "PL", Some("tank"))).contains("commits no `tank`")
    );
    assert!(refused(e.discharge(crate::at(1), "nope", "PL")).contains("no obligation `nope`"));
    assert_eq!(state(&e, id), ObligationState::Created);
}

#[test]
fn an_obligation_discharged_after_its_deadline_says_so() {
    let mut e = engine();
    e.process(&[entry("a", 0)]);
    let id = "test/intercept/1/1";
    e.advance(crate::at(70));
    assert_eq!(state(&e, id), ObligationState::Overdue);
    let done = lines(&e.discharge(crate::at(80), id, "UA"));
    assert!(done[0].contains("\"after_deadline\":true"), "{done:?}");
}

#[test]
fn an_objection_or_silence_in_the_consultation_is_recorded_and_never_stops_the_activation() {
    let mut e = engine();
    e.process(&[entry("a", 0)]);
    let objection = lines(&e.consult(crate::at(10), "test/intercept/1", "PL", Position::Object));
    assert!(objection[0].contains("\"position\":\"object\""));
    let closed = lines(&e.advance(crate::at(30)));
    assert!(
        closed[0].contains("\"agreed\":[],\"objected\":[\"PL\"],\"silent\":[\"UA\"]"),
        "{closed:?}"
    );
    // The obligations stand.
    assert_eq!(state(&e, "test/intercept/1/0"), ObligationState::Created);
    let too_late = lines(&e.consult(crate::at(31), "test/intercept/1", "UA", Position::Agree));
    assert!(too_late[0].contains("has closed"), "{too_late:?}");
}

#[test]
fn performance_reviews_run_on_their_dates_and_the_sunset_on_its_own() {
    let mut e = engine();
    e.process(&[entry("a", 0), entry("b", 1), entry("c", 2)]);
    // Day 0 is 2026-01-01: the first review falls on 2026-01-31, after 3 incursions.
    let records = e.advance(model::Time::parse_rfc3339("2026-02-01T00:00:00Z").unwrap());
    let review = records
        .iter()
        .find_map(|r| match r {
            Record::Review(r) => Some(r),
            _ => None,
        })
        .expect("a review on day 30");
    assert_eq!(
        review.at,
        model::Time::parse_rfc3339("2026-01-31T00:00:00Z").unwrap()
    );
    assert!(review.metrics.contains(&("incursions_90d".to_owned(), 3.0)));
    assert_eq!(review.actions.len(), 1);
    assert_eq!(review.actions[0].action, "extend");
    let rest = e.advance(model::Time::parse_rfc3339("2027-01-02T00:00:00Z").unwrap());
    let reviews: Vec<String> = rest
        .iter()
        .filter_map(|r| match r {
            Record::Review(r) => Some(format!("{} {}", r.what, r.actions.len())),
            _ => None,
        })
        .collect();
    // Eleven more monthly reviews (no incursions: nothing extended), then the sunset.
    assert_eq!(reviews.last().map(String::as_str), Some("sunset 0"));
    assert!(reviews.len() >= 11, "{reviews:?}");
}
