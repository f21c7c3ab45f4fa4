//! The read API over a picture fed with tracks and an incident that fires the test pact.

use expect_test::expect;

use crate::{at, entry, fixture, get, show, track};

#[tokio::test]
async fn tracks_incidents_activations_and_obligations_read_back() {
    let f = fixture();
    f.state
        .push_tracks(at(0), &[track(7, 0, 50.4, 22.3), track(8, 0, 50.6, 22.9)]);
    f.state.push_tracks(at(1), &[track(7, 1, 50.45, 22.4)]);
    f.state.push_incidents(&[entry("inc-1", 1)]);

    expect![[r#"
        200
        [
          {
            "id": 7,
            "time": "2026-01-10T00:01:00Z",
            "lat_deg": 50.45,
            "lon_deg": 22.4,
            "alt_m": 250.0,
            "course_deg": 90.0,
            "speed_mps": 40.0,
            "class": "drone",
            "band": "low",
            "cooperative": false
          }
        ]"#]]
    .assert_eq(&show(&f.router, get("/api/v1/tracks")).await);

    // The time slider: at minute 0 both tracks were there.
    let earlier = show(&f.router, get("/api/v1/tracks/at?at=2026-01-10T00:00:10Z")).await;
    assert!(
        earlier.starts_with("200") && earlier.contains("\"id\": 8"),
        "{earlier}"
    );

    expect![[r#"
        200
        {
          "id": 7,
          "points": [
            {
              "id": 7,
              "time": "2026-01-10T00:00:00Z",
              "lat_deg": 50.4,
              "lon_deg": 22.3,
              "alt_m": 250.0
            },
            {
              "id": 7,
              "time": "2026-01-10T00:01:00Z",
              "lat_deg": 50.45,
              "lon_deg": 22.4,
              "alt_m": 250.0
            }
          ]
        }"#]]
    .assert_eq(&show(&f.router, get("/api/v1/tracks/7/history")).await);

    let incident = show(&f.router, get("/api/v1/incidents/inc-1")).await;
    assert!(
        incident.contains("\"statement\": \"crossed from BY\""),
        "{incident}"
    );

    let obligation = show(
        &f.router,
        get(&format!("/api/v1/obligations/{}", crate::PL_OBLIGATION)),
    )
    .await;
    expect![[r#"
        200
        {
          "id": "test/intercept/1/0",
          "activation": "test/intercept/1",
          "party": "PL",
          "kind": "military",
          "action": "intercept in the engagement zone",
          "assets": [
            {
              "asset": "f16",
              "quantity": 4
            }
          ],
          "zones": [
            "pl-engagement"
          ],
          "created_at": "2026-01-10T00:01:00Z",
          "deadline": "2026-01-10T01:01:00Z",
          "state": "created",
          "substitution": null
        }"#]]
    .assert_eq(&obligation);

    let activations = show(&f.router, get("/api/v1/activations")).await;
    assert!(
        activations.contains("\"id\": \"test/intercept/1\""),
        "{activations}"
    );

    let status = show(&f.router, get("/api/v1/status")).await;
    expect![[r#"
        200
        {
          "event_time": "2026-01-10T00:01:00Z",
          "tracks": 1,
          "incidents": 1,
          "activations": 1,
          "obligations": 2,
          "pact": "test",
          "ledger": {
            "size": 4,
            "checkpoint_size": 4,
            "key": "test-log+6d27cea4"
          }
        }"#]]
    .assert_eq(&status);
}

#[tokio::test]
async fn the_ledger_serves_its_checkpoint_tiles_and_proofs() {
    let f = fixture();
    f.state.push_incidents(&[entry("inc-1", 1)]);
    let checkpoint = show(&f.router, get("/ledger/checkpoint")).await;
    assert!(checkpoint.starts_with("200\ntest-log\n"), "{checkpoint}");
    let tile = crate::send(&f.router, get("/ledger/tile/entries/000.p/4")).await;
    expect!["200 2045"].assert_eq(&format!("{} {}", tile.0.as_u16(), tile.1.len()));
    let proof = show(&f.router, get("/api/v1/ledger/proof/inclusion?index=1")).await;
    assert!(
        proof.starts_with("200") && proof.contains("\"proof\""),
        "{proof}"
    );
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_path",
            "message": "`tile/../private/journal`: tile/../private/journal: tile path: expected a level 0 to 63"
          }
        }"#]].assert_eq(&show(&f.router, get("/ledger/tile/../private/journal")).await);
}

#[tokio::test]
async fn openapi_metrics_geography_and_the_page_are_served() {
    let f = fixture();
    let (status, doc) = crate::send(&f.router, get("/openapi.json")).await;
    assert_eq!(status.as_u16(), 200);
    for path in [
        "/api/v1/tracks",
        "/api/v1/obligations/{id}/acknowledge",
        "/ledger/checkpoint",
    ] {
        assert!(
            doc.contains(&format!("\"{path}\"")),
            "{path} missing from the OpenAPI document"
        );
    }
    let metrics = show(&f.router, get("/metrics")).await;
    assert!(metrics.contains("\nguarantor_tracks 0\n"), "{metrics}");
    let borders = crate::send(&f.router, get("/geo/borders.geojson")).await;
    assert!(borders.0.is_success() && borders.1.contains("FeatureCollection"));
    let page = crate::send(&f.router, get("/")).await;
    assert!(
        page.0.is_success() && page.1.contains("<title>Guarantor"),
        "{}",
        page.1
    );
}
