//! Hostile requests: each a 4xx in the one envelope, naming the problem.

use expect_test::expect;

use crate::{PL_OBLIGATION, PL_TOKEN, entry, fixture, get, post, show};

#[tokio::test]
async fn malformed_bodies_paths_and_queries_are_named() {
    let f = fixture();
    f.state.push_incidents(&[entry("inc-1", 0)]);
    let uri = format!("/api/v1/obligations/{PL_OBLIGATION}/acknowledge");
    let pl = format!("Bearer {PL_TOKEN}");
    let auth = Some(pl.as_str());
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_json",
            "message": "body line 1 column 10: EOF while parsing a value at line 1 column 10"
          }
        }"#]]
    .assert_eq(&show(&f.router, post(&uri, auth, r#"{"nonce": "#)).await);
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_field",
            "message": "body line 1 column 20: unknown field `extra`, expected `nonce` or `substitute` at line 1 column 20"
          }
        }"#]].assert_eq(&show(&f.router, post(&uri, auth, r#"{"nonce":"a","extra":1}"#)).await);
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_field",
            "message": "body line 1 column 10: invalid type: integer `7`, expected a string at line 1 column 10"
          }
        }"#]].assert_eq(&show(&f.router, post(&uri, auth, r#"{"nonce":7}"#)).await);
    let big = format!(r#"{{"nonce":"{}"}}"#, "a".repeat(20_000));
    expect![[r#"
        413
        {
          "error": {
            "status": 413,
            "code": "body_too_large",
            "message": "the body is over 16384 bytes"
          }
        }"#]]
    .assert_eq(&show(&f.router, post(&uri, auth, &big)).await);
    let mut wrong_type = post(&uri, auth, r#"{"nonce":"b"}"#);
    wrong_type.headers_mut().remove("content-type");
    expect![[r#"
        415
        {
          "error": {
            "status": 415,
            "code": "unsupported_media_type",
            "message": "the body must be JSON: send `Content-Type: application/json`"
          }
        }"#]]
    .assert_eq(&show(&f.router, wrong_type).await);
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_path",
            "message": "Invalid URL: Cannot parse `seven` to a `u64`"
          }
        }"#]]
    .assert_eq(&show(&f.router, get("/api/v1/tracks/seven/history")).await);
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_query",
            "message": "query `at`: `yesterday` is not an RFC 3339 UTC time (expected e.g. `2025-09-10T01:30:00Z`): the 'year' component could not be parsed"
          }
        }"#]].assert_eq(&show(&f.router, get("/api/v1/tracks/at?at=yesterday")).await);
    expect![[r#"
        404
        {
          "error": {
            "status": 404,
            "code": "not_found",
            "message": "no route `/api/v1/nothing`"
          }
        }"#]]
    .assert_eq(&show(&f.router, get("/api/v1/nothing")).await);
    expect![[r#"
        404
        {
          "error": {
            "status": 404,
            "code": "not_found",
            "message": "no obligation `nope`"
          }
        }"#]]
    .assert_eq(
        &show(
            &f.router,
            post(
                "/api/v1/obligations/nope/acknowledge",
                auth,
                r#"{"nonce":"c"}"#,
            ),
        )
        .await,
    );
}
