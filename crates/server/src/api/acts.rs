//! A party's acts: acknowledge an obligation (optionally substituting an equivalent asset)
//! and record its discharge. Each is authenticated, authorised by the Cedar policy, checked
//! for replay, applied by the triggers engine, logged in the ledger signed by the party, and
//! broadcast. Refusals say which of those steps failed and why.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::HeaderMap;
use ledger::ActionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Principal, Role, Via};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{Json, Path};
use crate::limits::NONCE_BYTES_MAX;
use crate::policy::{Act, Resource};
use crate::state::{lock, read};
use crate::views::ActOutcome;

/// The body of an acknowledgement. It becomes the `body` of the party's ledger entry, so a
/// signed request signs exactly what is logged.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeBody {
    /// Unique per request of this party: a repeated nonce is a replay and is refused.
    #[schema(min_length = 1, max_length = 128)]
    pub nonce: String,
    /// An equivalent asset the party commits instead of the one named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<String>,
}

/// The body of a discharge.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DischargeBody {
    #[schema(min_length = 1, max_length = 128)]
    pub nonce: String,
    /// What was done, in the party's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/obligations/{id}/acknowledge", tag = "acts",
    params(("id" = String, Path, description = "obligation id")),
    request_body = AcknowledgeBody,
    security(("bearer" = []), ("ed25519" = [])),
    responses((status = 200, body = ActOutcome),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Json<AcknowledgeBody>,
) -> Result<axum::Json<ActOutcome>, ApiError> {
    let substitute = body.value.substitute.clone();
    let nonce = body.value.nonce.clone();
    let value = to_value(&body.value)?;
    act(
        &state,
        &headers,
        &id,
        Act::Acknowledge,
        &nonce,
        value,
        |engine, at, party| engine.acknowledge(at, &id, party, substitute.as_deref()),
    )
    .map(axum::Json)
}

#[utoipa::path(post, path = "/api/v1/obligations/{id}/discharge", tag = "acts",
    params(("id" = String, Path, description = "obligation id")),
    request_body = DischargeBody,
    security(("bearer" = []), ("ed25519" = [])),
    responses((status = 200, body = ActOutcome),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope)))]
pub async fn discharge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Json<DischargeBody>,
) -> Result<axum::Json<ActOutcome>, ApiError> {
    let nonce = body.value.nonce.clone();
    let value = to_value(&body.value)?;
    act(
        &state,
        &headers,
        &id,
        Act::Discharge,
        &nonce,
        value,
        |engine, at, party| engine.discharge(at, &id, party),
    )
    .map(axum::Json)
}

fn to_value<T: Serialize>(body: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(body).map_err(ApiError::internal)
}

/// The steps every act takes, in order; each refuses with its own status.
fn act(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    what: Act,
    nonce: &str,
    body: serde_json::Value,
    apply: impl FnOnce(&mut triggers::Engine, model::Time, &str) -> Vec<triggers::Record>,
) -> Result<ActOutcome, ApiError> {
    let outcome = act_inner(state, headers, id, what, nonce, body, apply);
    let counter = if outcome.is_ok() {
        &state.0.metrics.acts_ok
    } else {
        &state.0.metrics.acts_refused
    };
    counter.fetch_add(1, Ordering::Relaxed);
    outcome
}

fn act_inner(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    what: Act,
    nonce: &str,
    body: serde_json::Value,
    apply: impl FnOnce(&mut triggers::Engine, model::Time, &str) -> Vec<triggers::Record>,
) -> Result<ActOutcome, ApiError> {
    let principal = state.0.credentials.authenticate(headers)?.ok_or_else(|| {
        ApiError::unauthorized(format!(
            "to {} an obligation, send `Authorization: Bearer <token>` or `Ed25519 <key>:<signature>`",
            what.as_str()
        ))
    })?;
    if nonce.is_empty() || nonce.len() > NONCE_BYTES_MAX {
        return Err(ApiError::bad_request(
            "bad_field",
            format!("`nonce` must be 1 to {NONCE_BYTES_MAX} bytes"),
        ));
    }
    // Serialise acts: the engine, the ledger and the picture change together.
    let mut engine_guard = lock(&state.0.engine);
    let engine = engine_guard.as_mut().ok_or_else(|| {
        ApiError::unavailable(
            "no_pact",
            "no pact is loaded: there are no obligations to act on",
        )
    })?;
    let owner = read(&state.0.picture)
        .obligation(id)
        .map(|o| o.party.clone())
        .ok_or_else(|| ApiError::not_found(format!("no obligation `{id}`")))?;
    let kind = match what {
        Act::Discharge => ActionKind::Discharge,
        _ => ActionKind::Acknowledgement,
    };
    // A signature proves who is asking before the policy judges what they may do; a bearer
    // credential already did, so the policy answers before the server signs for the party.
    let entry = if principal.via == Via::Bearer {
        authorise(state, &principal, what, id, &owner)?;
        state
            .0
            .credentials
            .signed_entry(&principal, kind, id, body)?
    } else {
        let entry = state
            .0
            .credentials
            .signed_entry(&principal, kind, id, body)?;
        authorise(state, &principal, what, id, &owner)?;
        entry
    };
    state.0.credentials.check_nonce(&principal.name, nonce)?;
    let at = engine.watermark().unwrap_or(model::Time::UNIX_EPOCH);
    let records = apply(engine, at, &principal.name);
    if let Some(refusal) = records.iter().find_map(refusal) {
        return Err(ApiError::conflict("refused_by_engine", refusal));
    }
    // The act, then the decisions it caused (the acknowledgement or discharge as a change),
    // encoded as `guarantor audit` derives them again (`triggers::entries`).
    let mut entries = vec![entry.clone()];
    for record in &records {
        entries.extend(triggers::entries::decision_entry(record).map_err(ApiError::internal)?);
    }
    let ledger_index = state.log(&entries).unwrap_or(u64::MAX);
    state.apply_records(Some(engine), &records);
    let obligation = read(&state.0.picture)
        .obligation(id)
        .cloned()
        .ok_or_else(|| ApiError::internal(format!("obligation {id} vanished")))?;
    let entry = serde_json::to_value(&entry).map_err(ApiError::internal)?;
    Ok(ActOutcome {
        obligation,
        ledger_index,
        entry,
    })
}

fn authorise(
    state: &AppState,
    principal: &Principal,
    what: Act,
    id: &str,
    owner: &str,
) -> Result<(), ApiError> {
    let resource = Resource::Obligation { id, party: owner };
    if state.0.policy.allowed(principal, what, &resource) {
        return Ok(());
    }
    Err(ApiError::forbidden(match principal.role {
        Role::Observer => format!("{} is an observer: observers read only", principal.name),
        Role::Party => format!(
            "{} may not {} obligation `{id}`: it is {owner}'s, and a party acts only on its own",
            principal.name,
            what.as_str()
        ),
    }))
}

/// The engine refuses a command by emitting a diagnostic with its reason.
fn refusal(record: &triggers::Record) -> Option<String> {
    match record {
        triggers::Record::Diagnostic(triggers::Diagnostic {
            reason: triggers::Reason::CommandRefused { what },
            ..
        }) => Some(what.clone()),
        _ => None,
    }
}
