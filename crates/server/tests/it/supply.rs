//! Readiness, deliveries and consistency proofs: a party records a delivery (bearer or
//! signed), it is logged signed, listed for all, broadcast, and readiness counts it; every
//! bad delivery is refused naming the problem with nothing recorded; a checkpoint seen
//! before is proved a prefix of the next one.

use expect_test::expect;
use ledger::{ActionKind, Entry};

use crate::{PL_TOKEN, PRESS_TOKEN, entry, fixture, get, post, send, show};

pub(crate) fn with_readiness(f: &crate::Fixture) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/test.toml"),
    )
    .unwrap();
    let pact = pact::check_text(&pact::MemoryFiles::new(), "test.toml", &text)
        .compiled
        .unwrap();
    let config = readiness::Config {
        at: crate::at(0),
        horizon_days: 60,
        endurance_days: 30,
    };
    f.state
        .set_readiness(server::ReadinessSource {
            pact,
            catalogue: readiness::Catalogue::builtin(),
            tempo: None,
            deliveries: Vec::new(),
            config,
        })
        .unwrap();
}

const F16: &str = r#"{"nonce":"d1","item":"f16","quantity":4,"date":"2026-01-05","place":"pl-engagement","obligation":"pl-f16"}"#;

#[tokio::test]
async fn a_party_records_a_delivery_logged_signed_listed_and_counted() {
    let f = fixture();
    with_readiness(&f);
    let mut live = f.state.subscribe();
    let (_, before) = send(&f.router, get("/api/v1/readiness")).await;
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(before["deliveries"], 0);
    let bearer = format!("Bearer {PL_TOKEN}");
    let (status, out) = send(&f.router, post("/api/v1/deliveries", Some(&bearer), F16)).await;
    assert_eq!(status.as_u16(), 200, "{out}");
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Logged as PL's signed `delivery` entry over exactly the request's body.
    let logged: Entry = serde_json::from_value(outcome["entry"].clone()).unwrap();
    assert_eq!(logged.type_name(), "delivery");
    let pl_key = ledger::VerifierKey::parse("PL", &crate::key("PL", 2).verifier_key).unwrap();
    logged.verify_action(&pl_key).unwrap();
    let index = outcome["ledger_index"].as_u64().unwrap();
    let proof = show(
        &f.router,
        get(&format!("/api/v1/ledger/proof/inclusion?index={index}")),
    )
    .await;
    assert!(proof.starts_with("200"), "{proof}");
    // Visible to all: listed, broadcast, and counted by readiness.
    let list = show(&f.router, get("/api/v1/deliveries")).await;
    expect![[r#"
        200
        [
          {
            "party": "PL",
            "item": "f16",
            "quantity": 4.0,
            "date": "2026-01-05T00:00:00Z",
            "place": "pl-engagement",
            "obligation": "pl-f16",
            "note": null,
            "source": "api",
            "ledger_index": 0
          }
        ]"#]]
    .assert_eq(&list);
    let mut names = Vec::new();
    while let Ok(event) = live.try_recv() {
        names.push(event.name());
    }
    assert!(names.contains(&"delivery"), "{names:?}");
    let (_, after) = send(&f.router, get("/api/v1/readiness")).await;
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["deliveries"], 1);
    assert!(
        after["rungs"].as_array().is_some_and(|r| !r.is_empty()),
        "{after}"
    );
}

#[tokio::test]
async fn a_signed_delivery_verifies_and_a_tampered_one_is_refused() {
    let f = fixture();
    with_readiness(&f);
    let body = r#"{"nonce":"s1","item":"f35","quantity":2,"date":"2026-01-06","place":"pl-belt"}"#;
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    let Entry::Delivery(action) =
        Entry::signed_action(ActionKind::Delivery, &f.ua_signer, "", value).unwrap()
    else {
        unreachable!()
    };
    let auth = format!("Ed25519 {}:{}", action.key, action.signature);
    let tampered = body.replace("\"quantity\":2", "\"quantity\":20");
    let out = show(
        &f.router,
        post("/api/v1/deliveries", Some(&auth), &tampered),
    )
    .await;
    assert!(
        out.starts_with("401") && out.contains("bad signature"),
        "{out}"
    );
    let out = show(&f.router, post("/api/v1/deliveries", Some(&auth), body)).await;
    assert!(
        out.starts_with("200") && out.contains("\"party\": \"UA\""),
        "{out}"
    );
    // The same signed request again is a replay.
    let out = show(&f.router, post("/api/v1/deliveries", Some(&auth), body)).await;
    assert!(out.starts_with("409") && out.contains("replayed"), "{out}");
}

#[tokio::test]
async fn bad_deliveries_are_refused_naming_the_problem_and_nothing_is_recorded() {
    let f = fixture();
    let bearer = format!("Bearer {PL_TOKEN}");
    // No readiness inputs: nothing to record against.
    let out = show(&f.router, post("/api/v1/deliveries", Some(&bearer), F16)).await;
    assert!(
        out.starts_with("503") && out.contains("no_readiness"),
        "{out}"
    );
    with_readiness(&f);
    let ledger_before = show(&f.router, get("/api/v1/status")).await;
    let cases = [
        (None, F16.to_owned(), "401"),
        (
            Some(format!("Bearer {PRESS_TOKEN}")),
            F16.replace("d1", "p1"),
            "403",
        ),
        (
            Some(bearer.clone()),
            F16.replace("f16", "mig29"),
            "`item`: `mig29` is not an item",
        ),
        (
            Some(bearer.clone()),
            F16.replace("pl-engagement", "moon"),
            "`place`: `moon`",
        ),
        (
            Some(bearer.clone()),
            F16.replace("\"quantity\":4", "\"quantity\":-4"),
            "`quantity` must be",
        ),
        (
            Some(bearer.clone()),
            F16.replace("2026-01-05", "5 Jan"),
            "`date`: `5 Jan`",
        ),
        (
            Some(bearer.clone()),
            F16.replace("\"nonce\":\"d1\"", "\"nonce\":\"\""),
            "`nonce` must be",
        ),
        (
            Some(bearer.clone()),
            F16.replace("}", ",\"colour\":\"red\"}"),
            "unknown field `colour`",
        ),
        (Some(bearer.clone()), F16.replace("}", ""), "bad_json"),
    ];
    for (auth, body, want) in cases {
        let out = show(
            &f.router,
            post("/api/v1/deliveries", auth.as_deref(), &body),
        )
        .await;
        assert!(out.contains(want) && !out.starts_with("2"), "{want}: {out}");
    }
    let list = show(&f.router, get("/api/v1/deliveries")).await;
    assert_eq!(list, "200\n[]");
    // Nothing half-written: the ledger did not grow.
    assert_eq!(show(&f.router, get("/api/v1/status")).await, ledger_before);
}

/// The root a checkpoint note names (its third line).
fn checkpoint_root(note: &str) -> (u64, ledger::Hash) {
    let mut lines = note.lines().skip(1);
    let size = lines.next().unwrap().parse().unwrap();
    let root = ledger::proof::decode_proof("root", lines.next().unwrap()).unwrap()[0];
    (size, root)
}

#[tokio::test]
async fn a_checkpoint_seen_before_is_proved_consistent_with_the_next() {
    let f = fixture();
    f.state.push_incidents(&[entry("inc-1", 1)]);
    let (_, old) = send(&f.router, get("/ledger/checkpoint")).await;
    let (old_size, old_root) = checkpoint_root(&old);
    f.state
        .push_incidents(&[entry("inc-2", 2), entry("inc-3", 3)]);
    let (_, new) = send(&f.router, get("/ledger/checkpoint")).await;
    let (new_size, new_root) = checkpoint_root(&new);
    assert!(new_size > old_size);
    let (status, out) = send(
        &f.router,
        get(&format!("/api/v1/ledger/proof/consistency?old={old_size}")),
    )
    .await;
    assert_eq!(status.as_u16(), 200, "{out}");
    let body: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["new_size"], new_size);
    let text: Vec<&str> = body["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let proof = ledger::proof::decode_proof("proof", &text.join("\n")).unwrap();
    ledger::proof::check_consistency(
        &proof,
        ("old", old_size, old_root),
        ("new", new_size, new_root),
    )
    .unwrap();
    // Against a made-up old root the same proof fails: it proves this prefix only.
    let forged = ledger::proof::check_consistency(
        &proof,
        ("old", old_size, new_root),
        ("new", new_size, new_root),
    );
    assert!(forged.is_err());
    expect![[r#"
        400
        {
          "error": {
            "status": 400,
            "code": "bad_query",
            "message": "need 1 <= old <= new <= 8 (the published size); got old 0 new 8"
          }
        }"#]]
    .assert_eq(&show(&f.router, get("/api/v1/ledger/proof/consistency?old=0")).await);
    let out = show(
        &f.router,
        get("/api/v1/ledger/proof/consistency?old=1&new=99"),
    )
    .await;
    assert!(out.starts_with("400"), "{out}");
    let out = show(
        &f.router,
        get("/api/v1/ledger/proof/consistency?old=1&colour=red"),
    )
    .await;
    assert!(out.starts_with("400") && out.contains("colour"), "{out}");
}
