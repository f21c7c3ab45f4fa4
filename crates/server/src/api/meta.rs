//! What is not the picture itself: Prometheus metrics, the OpenAPI document, the page
//! (embedded bundle) and the geography it draws (embedded from `pacts/data`).

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::read;

/// The page's built bundle (`web/dist`, committed so a fresh clone builds without npm).
#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
struct Page;

/// The geography the pacts use: borders (Ukraine with Crimea), zones, infrastructure.
#[derive(RustEmbed)]
#[folder = "../../pacts/data/"]
struct Geography;

/// Prometheus text exposition, written by hand: a dozen gauges and counters in a format of
/// three lines each do not justify a metrics registry crate.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let m = &state.0.metrics;
    let picture = read(&state.0.picture);
    let (tracks, incidents, activations, obligations) = picture.counts();
    let dropped = picture.dropped;
    let mut by_state = std::collections::BTreeMap::<&str, u64>::new();
    for o in picture.obligations() {
        *by_state.entry(o.state.as_str()).or_default() += 1;
    }
    let ledger = read(&state.0.ledger_status).clone();
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let scans = picture.scans as f64;
    metric(
        "guarantor_tracks",
        "gauge",
        "Live tracks.",
        &[("", tracks as f64)],
    );
    metric(
        "guarantor_track_scans_total",
        "counter",
        "Scans received.",
        &[("", scans)],
    );
    metric(
        "guarantor_incidents",
        "gauge",
        "Incidents held.",
        &[("", incidents as f64)],
    );
    metric(
        "guarantor_activations",
        "gauge",
        "Activations held.",
        &[("", activations as f64)],
    );
    let states: Vec<(String, f64)> = by_state
        .iter()
        .map(|(s, n)| (format!("{{state=\"{s}\"}}"), *n as f64))
        .collect();
    let states: Vec<(&str, f64)> = states.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    metric(
        "guarantor_obligations",
        "gauge",
        "Obligations by state.",
        &states,
    );
    let _ = obligations;
    metric(
        "guarantor_dropped_total",
        "counter",
        "Records dropped at a bound, by what.",
        &[
            ("{what=\"track\"}", dropped.tracks as f64),
            ("{what=\"incident\"}", dropped.incidents as f64),
            ("{what=\"activation\"}", dropped.activations as f64),
            ("{what=\"obligation\"}", dropped.obligations as f64),
        ],
    );
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed) as f64;
    metric(
        "guarantor_acts_total",
        "counter",
        "Parties' acts by outcome.",
        &[
            ("{outcome=\"ok\"}", load(&m.acts_ok)),
            ("{outcome=\"refused\"}", load(&m.acts_refused)),
        ],
    );
    let clients = m.live_clients.load(Ordering::Relaxed) as f64;
    metric(
        "guarantor_live_clients",
        "gauge",
        "Live feed (SSE) clients.",
        &[("", clients)],
    );
    let lagged = load(&m.live_lagged_events);
    metric(
        "guarantor_live_lagged_events_total",
        "counter",
        "Events missed by slow clients.",
        &[("", lagged)],
    );
    let cot_clients = m.cot_clients.load(Ordering::Relaxed) as f64;
    metric(
        "guarantor_cot_clients",
        "gauge",
        "TAK (CoT over TCP) clients.",
        &[("", cot_clients)],
    );
    metric(
        "guarantor_cot_dropped_total",
        "counter",
        "TAK clients dropped: too slow, or too many.",
        &[("", load(&m.cot_dropped))],
    );
    let (size, published) =
        ledger.map_or((0.0, 0.0), |l| (l.size as f64, l.checkpoint_size as f64));
    metric(
        "guarantor_ledger_entries",
        "gauge",
        "Entries in the ledger.",
        &[("", size)],
    );
    metric(
        "guarantor_ledger_checkpoint_size",
        "gauge",
        "Entries the checkpoint covers.",
        &[("", published)],
    );
    metric(
        "guarantor_ledger_errors_total",
        "counter",
        "Failed appends.",
        &[("", load(&m.ledger_errors))],
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document()
            .to_pretty_json()
            .unwrap_or_default(),
    )
        .into_response()
}

/// `/geo/borders.geojson`, `/geo/infrastructure.geojson`, `/geo/zones/<id>.geojson`.
pub async fn geo(Path(path): Path<String>) -> Result<Response, ApiError> {
    let file = Geography::get(&path)
        .ok_or_else(|| ApiError::not_found(format!("no geography `{path}`")))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], file.data).into_response())
}

/// The zone files the page draws.
pub async fn geo_index() -> axum::Json<Vec<String>> {
    axum::Json(
        Geography::iter()
            .filter(|p| p.ends_with(".geojson"))
            .map(|p| p.into_owned())
            .collect(),
    )
}

/// The page: a file of the bundle, or `index.html` for `/`.
pub async fn page(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match Page::get(path) {
        Some(file) => {
            let mime = file.metadata.mimetype();
            ([(header::CONTENT_TYPE, mime.to_owned())], file.data).into_response()
        }
        None => {
            let err = ApiError::not_found(format!("no route `{}`", uri.path()));
            debug_assert_eq!(err.status, StatusCode::NOT_FOUND);
            err.into_response()
        }
    }
}
