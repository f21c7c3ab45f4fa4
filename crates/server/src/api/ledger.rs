//! The ledger as its static tile layout (C2SP tlog-tiles: `checkpoint`, `tile/...`) and
//! inclusion and consistency proofs computed from those tiles. The writer's private journal
//! is never served.

use std::path::PathBuf;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{Path, Query};
use crate::state::lock;
use crate::views::{ConsistencyProof, InclusionProof};

fn root(state: &AppState) -> Result<PathBuf, ApiError> {
    lock(&state.0.ledger)
        .as_ref()
        .map(|log| log.root_dir().to_path_buf())
        .ok_or_else(|| ApiError::not_found("this server keeps no ledger"))
}

#[utoipa::path(get, path = "/ledger/checkpoint", tag = "ledger",
    responses((status = 200, description = "the signed checkpoint note (C2SP tlog-checkpoint)",
        content_type = "text/plain"), (status = 404, body = ErrorEnvelope)))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let path = root(&state)?.join("checkpoint");
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| ApiError::not_found("no checkpoint is published yet"))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], bytes))
}

#[utoipa::path(get, path = "/ledger/tile/{path}", tag = "ledger",
    params(("path" = String, Path, description = "a C2SP tile path, e.g. `0/000` or `entries/000`")),
    responses((status = 200, content_type = "application/octet-stream"),
        (status = 400, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let relative = format!("tile/{path}");
    // Parsing the path as a tile coordinate is also what keeps `..` and the journal out.
    ledger::tiles::TileCoord::parse(&relative)
        .map_err(|e| ApiError::bad_request("bad_path", format!("`{relative}`: {e}")))?;
    let bytes = tokio::fs::read(root(&state)?.join(&relative))
        .await
        .map_err(|_| ApiError::not_found(format!("no tile `{relative}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            // Full tiles never change (tlog-tiles); partial ones are replaced by wider ones.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    ))
}

/// The ledger's folder and the size of its published checkpoint, under the lock once.
fn published_log(state: &AppState) -> Result<(std::path::PathBuf, u64), ApiError> {
    let guard = lock(&state.0.ledger);
    let log = guard
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this server keeps no ledger"))?;
    Ok((log.root_dir().to_path_buf(), log.published_size()))
}

/// A proof's hashes, one base64 line each, as the proof endpoints serve them.
fn proof_lines(proof: &[ledger::Hash]) -> Vec<String> {
    ledger::proof::encode_proof(proof)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProofQuery {
    pub index: u64,
    /// The tree size to prove against; the published checkpoint's by default.
    pub size: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(ProofQuery),
    responses((status = 200, body = InclusionProof), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn inclusion(
    State(state): State<AppState>,
    Query(q): Query<ProofQuery>,
) -> Result<axum::Json<InclusionProof>, ApiError> {
    let (root, published) = published_log(&state)?;
    let size = q.size.unwrap_or(published);
    if size > published || q.index >= size {
        return Err(ApiError::bad_request(
            "bad_query",
            format!(
                "need index < size <= {published} (the published size); got index {} size {size}",
                q.index
            ),
        ));
    }
    let proof = ledger::proof::prove_inclusion(&root, size, q.index)
        .map_err(|e| ApiError::bad_request("bad_query", e.to_string()))?;
    Ok(axum::Json(InclusionProof {
        index: q.index,
        size,
        proof: proof_lines(&proof),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The size of the checkpoint seen before (at least 1).
    pub old: u64,
    /// The size to prove against; the published checkpoint's by default.
    pub new: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", tag = "ledger",
    params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<axum::Json<ConsistencyProof>, ApiError> {
    let (root, published) = published_log(&state)?;
    let new = q.new.unwrap_or(published);
    if q.old == 0 || q.old > new || new > published {
        return Err(ApiError::bad_request(
            "bad_query",
            format!(
                "need 1 <= old <= new <= {published} (the published size); got old {} new {new}",
                q.old
            ),
        ));
    }
    let proof = ledger::proof::prove_consistency(&root, q.old, new)
        .map_err(|e| ApiError::bad_request("bad_query", e.to_string()))?;
    Ok(axum::Json(ConsistencyProof {
        old_size: q.old,
        new_size: new,
        proof: proof_lines(&proof),
    }))
}
