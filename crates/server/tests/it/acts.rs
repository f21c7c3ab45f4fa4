//! Who may do what: a party acts on its own obligations (bearer or signed), another party
//! and observers are refused, replays and bad signatures too; every act is logged.

use expect_test::expect;
use ledger::{ActionKind, Entry};

use crate::{
    PL_OBLIGATION, PL_TOKEN, PRESS_TOKEN, UA_OBLIGATION, UA_TOKEN, entry, fixture, post, show,
};

fn ack_uri(id: &str) -> String {
    format!("/api/v1/obligations/{id}/acknowledge")
}

/// `Authorization: Ed25519 <key>:<sig>` over the entry this act becomes.
fn signed(f: &crate::Fixture, kind: ActionKind, id: &str, body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    let (Entry::Acknowledgement(action) | Entry::Discharge(action)) =
        Entry::signed_action(kind, &f.ua_signer, id, value).unwrap()
    else {
        unreachable!()
    };
    format!("Ed25519 {}:{}", action.key, action.signature)
}

#[tokio::test]
async fn the_owner_acknowledges_with_a_substitute_and_discharges() {
    let f = fixture();
    f.state.push_incidents(&[entry("inc-1", 0)]);
    let bearer = format!("Bearer {PL_TOKEN}");
    let body = r#"{"nonce":"n1","substitute":"f35"}"#;
    let (status, out) = crate::send(
        &f.router,
        post(&ack_uri(PL_OBLIGATION), Some(&bearer), body),
    )
    .await;
    assert_eq!(status.as_u16(), 200, "{out}");
    // The act's ledger entry carries PL's signature over exactly this request's body.
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    let logged: Entry = serde_json::from_value(outcome["entry"].clone()).unwrap();
    let pl_key = ledger::VerifierKey::parse("PL", &crate::key("PL", 2).verifier_key).unwrap();
    logged.verify_action(&pl_key).unwrap();
    // The act and the decision it caused (the acknowledgement as a change) are logged
    // together, as `guarantor audit` derives them again.
    let (_, status) = crate::send(&f.router, crate::get("/api/v1/status")).await;
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let index = outcome["ledger_index"].as_u64().unwrap();
    assert_eq!(
        status["ledger"]["size"].as_u64(),
        Some(index + 2),
        "{status}"
    );
    assert!(out.contains("\"state\": \"acknowledged\""), "{out}");
    assert!(out.contains("\"instead_of\": \"f16\""), "{out}");
    let discharge = format!("/api/v1/obligations/{PL_OBLIGATION}/discharge");
    let out = show(
        &f.router,
        post(&discharge, Some(&bearer), r#"{"nonce":"n2"}"#),
    )
    .await;
    assert!(out.contains("\"state\": \"discharged\""), "{out}");
    // The act is in the ledger, signed by PL's key: it verifies against PL's verifier key.
    let (_, body) = crate::send(
        &f.router,
        crate::get(&format!("/api/v1/obligations/{PL_OBLIGATION}")),
    )
    .await;
    assert!(body.contains("\"discharged\""));
    let status = show(&f.router, crate::get("/api/v1/status")).await;
    assert!(status.contains("\"checkpoint_size\""), "{status}");
}

#[tokio::test]
async fn a_signed_request_is_logged_with_the_partys_own_signature() {
    let f = fixture();
    f.state.push_incidents(&[entry("inc-1", 0)]);
    let body = r#"{"nonce":"u1"}"#;
    let auth = signed(&f, ActionKind::Acknowledgement, UA_OBLIGATION, body);
    let out = show(&f.router, post(&ack_uri(UA_OBLIGATION), Some(&auth), body)).await;
    assert!(out.starts_with("200"), "{out}");
    // The same signed request again is a replay.
    expect![[r#"
        409
        {
          "error": {
            "status": 409,
            "code": "replayed",
            "message": "nonce `u1` was already used by UA: a replayed request"
          }
        }"#]]
    .assert_eq(&show(&f.router, post(&ack_uri(UA_OBLIGATION), Some(&auth), body)).await);
}

#[tokio::test]
async fn refusals_say_who_may_not_do_what() {
    let f = fixture();
    f.state.push_incidents(&[entry("inc-1", 0)]);
    let body = r#"{"nonce":"x1"}"#;
    // UA acting on Poland's obligation.
    let ua = format!("Bearer {UA_TOKEN}");
    expect![[r#"
        403
        {
          "error": {
            "status": 403,
            "code": "forbidden",
            "message": "UA may not acknowledge obligation `test/intercept/1/0`: it is PL's, and a party acts only on its own"
          }
        }"#]].assert_eq(&show(&f.router, post(&ack_uri(PL_OBLIGATION), Some(&ua), body)).await);
    // An observer.
    let press = format!("Bearer {PRESS_TOKEN}");
    expect![[r#"
        403
        {
          "error": {
            "status": 403,
            "code": "forbidden",
            "message": "press is an observer: observers read only"
          }
        }"#]]
    .assert_eq(&show(&f.router, post(&ack_uri(PL_OBLIGATION), Some(&press), body)).await);
    // No credential, an unknown one, a bad signature.
    expect![[r#"
        401
        {
          "error": {
            "status": 401,
            "code": "unauthorized",
            "message": "to acknowledge an obligation, send `Authorization: Bearer <token>` or `Ed25519 <key>:<signature>`"
          }
        }"#]].assert_eq(&show(&f.router, post(&ack_uri(PL_OBLIGATION), None, body)).await);
    expect![[r#"
        401
        {
          "error": {
            "status": 401,
            "code": "unauthorized",
            "message": "the bearer credential is not one this server knows"
          }
        }"#]]
    .assert_eq(
        &show(
            &f.router,
            post(
                &ack_uri(PL_OBLIGATION),
                Some("Bearer not-a-known-token-at-all"),
                body,
            ),
        )
        .await,
    );
    let forged = signed(
        &f,
        ActionKind::Acknowledgement,
        UA_OBLIGATION,
        r#"{"nonce":"other"}"#,
    );
    expect![[r#"
        401
        {
          "error": {
            "status": 401,
            "code": "unauthorized",
            "message": "bad signature: acknowledgement of test/intercept/1/1 by UA: the signature does not verify; sign the canonical JSON of the act's ledger entry"
          }
        }"#]]
        .assert_eq(&show(&f.router, post(&ack_uri(UA_OBLIGATION), Some(&forged), body)).await);
    // UA's bearer credential cannot be logged as UA's signature: the server holds no UA key.
    expect![[r#"
        401
        {
          "error": {
            "status": 401,
            "code": "unauthorized",
            "message": "UA must sign its acts (`Authorization: Ed25519 ...`): the server holds no key of it"
          }
        }"#]].assert_eq(&show(&f.router, post(&ack_uri(UA_OBLIGATION), Some(&ua), body)).await);
    // The engine's own refusal: an asset Poland does not commit.
    let pl = format!("Bearer {PL_TOKEN}");
    let tank = r#"{"nonce":"x2","substitute":"tank"}"#;
    expect![[r#"
        409
        {
          "error": {
            "status": 409,
            "code": "refused_by_engine",
            "message": "acknowledge: PL commits no `tank` to substitute in `test/intercept/1/0`"
          }
        }"#]]
    .assert_eq(&show(&f.router, post(&ack_uri(PL_OBLIGATION), Some(&pl), tank)).await);
}
