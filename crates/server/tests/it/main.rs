//! The server's integration tests: HTTP in and out through the one router, with responses
//! kept as inline snapshots (`UPDATE_EXPECT=1 cargo test -p server` rewrites them).

mod acts;
mod bad_input;
mod browser;
mod cot;
mod live;
mod reads;
mod schemathesis;
mod supply;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use ledger::note::{KeyRole, key_from_seed};
use ledger::{Log, LogConfig, NoteSigner};
use model::{
    AltitudeBand, Duration, Evidence, Geodetic, Identity, Incident, IncidentId, IncidentKind, Time,
    Track, TrackClass, TrackId, VelocityEnu,
};
use server::{AccessConfig, AppState, Credentials, Parts, PrincipalConfig, Role};
use tower::ServiceExt as _;

pub const PL_TOKEN: &str = "pl-token-0123456789";
pub const UA_TOKEN: &str = "ua-token-0123456789";
pub const PRESS_TOKEN: &str = "press-token-0123456789";
/// The obligation the test pact gives Poland when a drone enters its belt.
pub const PL_OBLIGATION: &str = "test/intercept/1/0";
pub const UA_OBLIGATION: &str = "test/intercept/1/1";

pub fn key(name: &str, seed: u8) -> ledger::note::KeyPair {
    key_from_seed(name, KeyRole::Party, [seed; 32]).unwrap()
}

/// A server with the test pact, a fresh ledger, PL holding a server-side demo key, UA
/// signing its own requests, and an observer.
#[allow(missing_debug_implementations)]
pub struct Fixture {
    pub state: AppState,
    pub router: axum::Router,
    pub ua_signer: NoteSigner,
    _dir: tempfile::TempDir,
}

pub fn fixture() -> Fixture {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/test.toml"),
    )
    .unwrap();
    let checked = pact::check_text(&pact::MemoryFiles::new(), "test.toml", &text);
    let engine = triggers::Engine::new(checked.compiled.unwrap(), triggers::Config::default());
    let dir = tempfile::tempdir().unwrap();
    let log_key = key("test-log", 1);
    let signer = NoteSigner::parse("log key", &log_key.signer_key).unwrap();
    let config = LogConfig {
        origin: "test-log".into(),
        witnesses: vec![],
        quorum: 0,
    };
    let log = Log::create(&dir.path().join("log"), signer, config).unwrap();
    let (pl, ua) = (key("PL", 2), key("UA", 3));
    let principal = |name: &str, role, token: &str| PrincipalConfig {
        name: name.into(),
        role,
        token: Some(token.into()),
        verifier_key: None,
        signer_key: None,
    };
    let access = AccessConfig {
        principals: vec![
            PrincipalConfig {
                signer_key: Some(pl.signer_key.clone()),
                verifier_key: Some(pl.verifier_key.clone()),
                ..principal("PL", Role::Party, PL_TOKEN)
            },
            PrincipalConfig {
                verifier_key: Some(ua.verifier_key.clone()),
                ..principal("UA", Role::Party, UA_TOKEN)
            },
            principal("press", Role::Observer, PRESS_TOKEN),
        ],
    };
    let credentials = Credentials::new(&access).unwrap();
    let state = AppState::new(Parts {
        engine: Some(engine),
        ledger: Some(log),
        credentials,
        cot: server::CotConfig::default(),
    });
    let router = server::app(state.clone());
    let ua_signer = NoteSigner::parse("UA key", &ua.signer_key).unwrap();
    Fixture {
        state,
        router,
        ua_signer,
        _dir: dir,
    }
}

/// Minutes after 2026-01-10T00:00:00Z.
pub fn at(minutes: i64) -> Time {
    Time::parse_rfc3339("2026-01-10T00:00:00Z").unwrap() + Duration::from_mins(minutes)
}

pub fn track(id: u64, minutes: i64, lat: f64, lon: f64) -> Track {
    Track {
        id: TrackId(id),
        time: at(minutes),
        position: Geodetic {
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 250.0,
        },
        velocity: VelocityEnu {
            ve_mps: 40.0,
            vn_mps: 0.0,
            vu_mps: 0.0,
        },
        position_sigma_m: 50.0,
        velocity_sigma_mps: 5.0,
        class: TrackClass::Drone,
        class_confidence: 0.9,
        band: AltitudeBand::Low,
        identity: Identity::default(),
        cooperative: false,
        quality: 0.9,
        n_updates: 10,
        sensors: vec![],
    }
}

/// A state-originated drone entering the Polish belt, as the test pact's indicator wants.
pub fn entry(id: &str, minutes: i64) -> Incident {
    let mut fields = BTreeMap::new();
    fields.insert(
        "state_originated".to_owned(),
        model::incident::FieldValue::Bool(true),
    );
    Incident {
        id: IncidentId::new(id),
        kind: IncidentKind::AirspaceEntry,
        time: at(minutes),
        position: Some(Geodetic {
            lat_deg: 50.5,
            lon_deg: 22.5,
            alt_m: 300.0,
        }),
        zones: vec!["pl-belt".to_owned()],
        infrastructure: None,
        origin: Some("RU".to_owned()),
        confidence: 0.95,
        fields,
        evidence: Evidence {
            items: vec![model::EvidenceItem::Track { track: TrackId(7) }],
            method: "test".to_owned(),
            confidence: 0.95,
            statement: "crossed from BY".to_owned(),
            contradictions: vec![],
        },
        time_to_attribution: Duration::from_mins(1),
    }
}

/// Sends a request, returns the status and the body (pretty JSON when it is JSON).
pub async fn send(router: &axum::Router, request: Request<Body>) -> (StatusCode, String) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| serde_json::to_string_pretty(&v).unwrap())
        .unwrap_or(text);
    (status, body)
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn post(uri: &str, auth: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::post(uri).header("content-type", "application/json");
    if let Some(auth) = auth {
        builder = builder.header("authorization", auth);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

/// `status\nbody`, the form the snapshots keep.
pub async fn show(router: &axum::Router, request: Request<Body>) -> String {
    let (status, body) = send(router, request).await;
    format!("{}\n{body}", status.as_u16())
}
