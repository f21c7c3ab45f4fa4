//! The common operational picture over HTTP: the read API over the engine's state, the
//! parties' acts, the live feed, the page, metrics and who may do what.
//!
//! One `AppState` ([`state`]), one [`app`] router, handlers by resource ([`api`]), one error
//! envelope ([`error`]) and our own extractors ([`extract`]) so every rejection uses it. The
//! engine side (the CLI's replay, or a live pipeline) pushes tracks and incidents in with
//! [`AppState::push_tracks`] and [`AppState::push_incidents`]; the triggers engine and the
//! ledger inside the state turn them into activations, obligations and log entries. No stage
//! logic lives here.

pub mod api;
pub mod auth;
pub mod cot;
pub mod error;
pub mod extract;
pub mod limits;
pub mod openapi;
pub mod picture;
pub mod policy;
pub mod state;
pub mod supply;
pub mod views;

use axum::Router;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;

pub use auth::{AccessConfig, Credentials, PrincipalConfig, Role};
pub use cot::CotConfig;
pub use state::{AppState, Parts};
pub use supply::ReadinessSource;

/// Every route of the server.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/tracks", get(api::picture::tracks))
        .route("/tracks/at", get(api::picture::tracks_at))
        .route("/tracks/{id}/history", get(api::picture::track_history))
        .route("/incidents", get(api::picture::incidents))
        .route("/incidents/{id}", get(api::picture::incident))
        .route("/activations", get(api::picture::activations))
        .route("/obligations", get(api::picture::obligations))
        .route(
            "/obligations/{*id}",
            get(obligation_get).post(obligation_act),
        )
        .route("/status", get(api::picture::status))
        .route("/ledger/proof/inclusion", get(api::ledger::inclusion))
        .route("/ledger/proof/consistency", get(api::ledger::consistency))
        .route("/readiness", get(api::supply::readiness))
        .route(
            "/deliveries",
            get(api::supply::deliveries).post(api::supply::deliver),
        )
        .route("/live", get(api::live::live))
        .fallback(error::fallback);
    Router::new()
        .nest("/api/v1", api)
        .route("/ledger/checkpoint", get(api::ledger::checkpoint))
        .route("/ledger/tile/{*path}", get(api::ledger::tile))
        .route("/geo", get(api::meta::geo_index))
        .route("/geo/{*path}", get(api::meta::geo))
        .route("/metrics", get(api::meta::metrics))
        .route("/openapi.json", get(api::meta::openapi))
        .fallback(api::meta::page)
        .layer(RequestBodyLimitLayer::new(limits::BODY_BYTES_MAX))
        .with_state(state)
}

/// Obligation ids contain `/` (`<pact>/<response>/<n>/<measure>`), so one wildcard route
/// takes `<id>` and `<id>/acknowledge` / `<id>/discharge` apart.
async fn obligation_get(
    state: axum::extract::State<AppState>,
    extract::Path(id): extract::Path<String>,
) -> Result<axum::Json<views::ObligationView>, error::ApiError> {
    if id.ends_with("/acknowledge") || id.ends_with("/discharge") {
        return Err(error::ApiError::method_not_allowed(format!(
            "GET /api/v1/obligations/{id}: an act is a POST"
        )));
    }
    api::picture::obligation(state, extract::Path(id)).await
}

async fn obligation_act(
    state: axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    extract::Path(path): extract::Path<String>,
    request: axum::extract::Request,
) -> Result<axum::Json<views::ActOutcome>, error::ApiError> {
    use axum::extract::FromRequest as _;
    if let Some(id) = path.strip_suffix("/acknowledge") {
        let body = extract::Json::from_request(request, &()).await?;
        return api::acts::acknowledge(state, headers, extract::Path(id.to_owned()), body).await;
    }
    if let Some(id) = path.strip_suffix("/discharge") {
        let body = extract::Json::from_request(request, &()).await?;
        return api::acts::discharge(state, headers, extract::Path(id.to_owned()), body).await;
    }
    Err(error::ApiError::method_not_allowed(format!(
        "POST /api/v1/obligations/{path}: an obligation is read with GET; acts are POSTs to \
         `<id>/acknowledge` or `<id>/discharge`"
    )))
}
