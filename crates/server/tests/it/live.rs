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

/// Reads SSE frames (`event: <name>\ndata: <json>`) from a live response until `done`.
async fn read_frames(
    body: &mut axum::body::Body,
    done: impl Fn(&[(String, serde_json::Value)]) -> bool,
) -> Vec<(String, serde_json::Value)> {
    use http_body_util::BodyExt as _;
    let mut text = String::new();
    let mut frames = Vec::new();
    while !done(&frames) {
        let frame = body.frame().await.expect("the feed ended").unwrap();
        text.push_str(std::str::from_utf8(frame.data_ref().unwrap()).unwrap());
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            if block.starts_with(':') {
                continue; // keep-alive
            }
            let name = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap();
            let data = block
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap();
            frames.push((name.to_owned(), serde_json::from_str(data).unwrap()));
        }
    }
    frames
}

#[tokio::test]
async fn a_big_scan_streams_in_frames_and_the_next_only_what_changed() {
    use tower::ServiceExt as _;
    let f = fixture();
    let response = f
        .router
        .clone()
        .oneshot(crate::get("/api/v1/live"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let per_frame = server::limits::LIVE_TRACKS_PER_FRAME;
    let n = per_frame * 2 + 1;
    let scan: Vec<_> = (1..=n as u64)
        .map(|id| track(id, 0, 50.0 + id as f64 * 0.01, 22.3))
        .collect();
    f.state.push_tracks(at(0), &scan);
    // The next scan (at the same minute, well inside the refresh of still tracks): track 1
    // moves 1 km, track 2 ends, the rest stand still.
    let mut next = scan.clone();
    next[0].position.lat_deg += 0.01;
    next.remove(1);
    f.state.push_tracks(at(0), &next);

    let tracks_frames = |frames: &[(String, serde_json::Value)]| {
        frames.iter().filter(|(name, _)| name == "tracks").count()
    };
    let frames = read_frames(&mut body, |fr| tracks_frames(fr) == 4).await;
    let tracks: Vec<_> = frames.iter().filter(|(name, _)| name == "tracks").collect();
    let ids = |v: &serde_json::Value| -> Vec<u64> {
        v["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    // The first scan: every track once, in frames of at most `per_frame`.
    let first: Vec<u64> = tracks[..3].iter().flat_map(|(_, v)| ids(v)).collect();
    assert_eq!(first, (1..=n as u64).collect::<Vec<_>>());
    assert!(tracks[..3].iter().all(|(_, v)| ids(v).len() <= per_frame));
    // The second: only the moved track, and the ended one.
    assert_eq!(ids(&tracks[3].1), vec![1]);
    assert_eq!(tracks[3].1["removed"], serde_json::json!([2]));
    assert_eq!(
        tracks[3].1["tracks"][0]["lat_deg"],
        next[0].position.lat_deg
    );
}
