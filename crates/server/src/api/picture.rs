//! Reads of the picture: tracks (current, at a time, history), incidents, activations,
//! obligations, status.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{Path, Query};
use crate::state::{lock, read};
use crate::views::{
    ActivationView, IncidentView, ObligationView, StatusView, TrackHistory, TrackPoint, TrackView,
};

use super::Page;

/// `?at=<RFC 3339>`: the picture as it was then (the time slider).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AtQuery {
    pub at: String,
}

/// How long a track's last position counts as current when replaying.
const STALE_US: i64 = 30_000_000;

#[utoipa::path(get, path = "/api/v1/tracks", tag = "picture",
    responses((status = 200, body = Vec<TrackView>)))]
pub async fn tracks(State(state): State<AppState>) -> Json<Vec<TrackView>> {
    Json(read(&state.0.picture).tracks().cloned().collect())
}

#[utoipa::path(get, path = "/api/v1/tracks/at", tag = "picture", params(AtQuery),
    responses((status = 200, body = Vec<TrackPoint>), (status = 400, body = ErrorEnvelope)))]
pub async fn tracks_at(
    State(state): State<AppState>,
    Query(q): Query<AtQuery>,
) -> Result<Json<Vec<TrackPoint>>, ApiError> {
    let at = model::Time::parse_rfc3339(&q.at)
        .map_err(|e| ApiError::bad_request("bad_query", format!("query `at`: {e}")))?;
    Ok(Json(read(&state.0.picture).tracks_at(at, STALE_US)))
}

#[utoipa::path(get, path = "/api/v1/tracks/{id}/history", tag = "picture",
    params(("id" = u64, Path, description = "track number")),
    responses((status = 200, body = TrackHistory), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn track_history(
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<Json<TrackHistory>, ApiError> {
    let picture = read(&state.0.picture);
    let points = picture
        .history(id)
        .ok_or_else(|| ApiError::not_found(format!("no track {id}")))?;
    Ok(Json(TrackHistory {
        id,
        points: points.iter().cloned().collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "picture", params(Page),
    responses((status = 200, body = Vec<IncidentView>)))]
pub async fn incidents(
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Json<Vec<IncidentView>> {
    Json(
        read(&state.0.picture)
            .incidents()
            .rev()
            .take(page.limit())
            .cloned()
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "picture",
    params(("id" = String, Path, description = "incident id")),
    responses((status = 200, body = IncidentView), (status = 404, body = ErrorEnvelope)))]
pub async fn incident(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<IncidentView>, ApiError> {
    read(&state.0.picture)
        .incidents()
        .find(|i| i.id == id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no incident `{id}`")))
}

#[utoipa::path(get, path = "/api/v1/activations", tag = "picture", params(Page),
    responses((status = 200, body = Vec<ActivationView>)))]
pub async fn activations(
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Json<Vec<ActivationView>> {
    Json(
        read(&state.0.picture)
            .activations()
            .rev()
            .take(page.limit())
            .cloned()
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/v1/obligations", tag = "picture",
    responses((status = 200, body = Vec<ObligationView>)))]
pub async fn obligations(State(state): State<AppState>) -> Json<Vec<ObligationView>> {
    Json(read(&state.0.picture).obligations().cloned().collect())
}

#[utoipa::path(get, path = "/api/v1/obligations/{id}", tag = "picture",
    params(("id" = String, Path, description = "obligation id, `<activation>/<measure>`")),
    responses((status = 200, body = ObligationView), (status = 404, body = ErrorEnvelope)))]
pub async fn obligation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ObligationView>, ApiError> {
    read(&state.0.picture)
        .obligation(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no obligation `{id}`")))
}

#[utoipa::path(get, path = "/api/v1/status", tag = "picture",
    responses((status = 200, body = StatusView)))]
pub async fn status(State(state): State<AppState>) -> Json<StatusView> {
    let pact = lock(&state.0.engine).as_ref().map(|e| e.pact().id.clone());
    let picture = read(&state.0.picture);
    let (tracks, incidents, activations, obligations) = picture.counts();
    Json(StatusView {
        event_time: picture.event_time().map(|t| t.to_string()),
        tracks,
        incidents,
        activations,
        obligations,
        pact,
        ledger: read(&state.0.ledger_status).clone(),
    })
}
