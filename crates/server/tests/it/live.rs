//! The live feed: events reach subscribers; a subscriber that does not read lags and is told
//! how much it missed, while publishing never waits.

use server::views::LiveEvent;

use crate::{at, entry, fixture, track};

#[tokio::test]
async fn events_reach_a_subscriber_in_order() {
    let f = fixture();
    let mut rx = f.state.subscribe();
    f.state.push_tracks(at(0), &[track(7, 0, 50.4, 22.3)]);
    f.state.push_incidents(&[entry("inc-1", 0)]);
    let mut names = Vec::new();
    while let Ok(event) = rx.try_recv() {
        names.push(event.name());
    }
    assert_eq!(names.first(), Some(&"tracks"));
    assert_eq!(names.get(1), Some(&"incident"));
    assert!(
        names.contains(&"activation") && names.contains(&"obligation"),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_slow_subscriber_lags_and_the_engine_does_not_wait() {
    let f = fixture();
    let mut slow = f.state.subscribe();
    let n = server::limits::LIVE_EVENTS_MAX + 10;
    for i in 0..n {
        f.state
            .push_tracks(at(i as i64), &[track(7, i as i64, 50.4, 22.3)]);
    }
    match slow.try_recv() {
        Err(tokio::sync::broadcast::error::TryRecvError::Lagged(missed)) => {
            assert_eq!(missed, 10)
        }
        other => panic!("expected a lag, got {other:?}"),
    }
    let next = slow.try_recv().unwrap();
    assert!(matches!(next, LiveEvent::Tracks { .. }));
}
