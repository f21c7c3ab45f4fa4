//! Readiness for the page's plots, and deliveries: read by all, recorded by a party in its
//! own name. A delivery is authenticated, checked against the pact (party, item, place),
//! authorised by the Cedar policy, checked for replay, logged signed by the party, added to
//! the assessment's inputs (readiness is rerun) and broadcast. Nothing is recorded unless
//! every step passed.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::HeaderMap;
use ledger::ActionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Role, Via};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::Json;
use crate::limits::{DELIVERIES_MAX, NONCE_BYTES_MAX, NOTE_BYTES_MAX};
use crate::policy::{Act, Resource};
use crate::state::lock;
use crate::views::{DeliveryOutcome, DeliveryView, LiveEvent, ReadinessView};

/// The body of a delivery. It becomes the `body` of the party's `delivery` ledger entry
/// (whose `obligation` is `obligation`, or empty), so a signed request signs what is logged.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryBody {
    /// Unique per request of this party: a repeated nonce is a replay and is refused.
    #[schema(min_length = 1, max_length = 128)]
    pub nonce: String,
    /// An item the pact knows (a commitment's asset, a stock's or a contract's item).
    pub item: String,
    /// Units delivered, more than 0.
    #[schema(exclusive_minimum = 0.0)]
    pub quantity: f64,
    /// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
    pub date: String,
    /// A depot or zone id of the pact.
    pub place: String,
    /// The obligation or commitment the delivery answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/readiness", tag = "readiness",
    responses((status = 200, body = ReadinessView), (status = 503, body = ErrorEnvelope)))]
pub async fn readiness(
    State(state): State<AppState>,
) -> Result<axum::Json<ReadinessView>, ApiError> {
    let view = {
        let guard = lock(&state.0.supply);
        let supply = guard.as_ref().ok_or_else(no_readiness)?;
        supply.view.clone().map_err(|e| {
            ApiError::unavailable(
                "readiness_failed",
                format!("readiness could not be assessed: {e}"),
            )
        })?
    };
    Ok(axum::Json((*view).clone()))
}

#[utoipa::path(get, path = "/api/v1/deliveries", tag = "readiness",
    responses((status = 200, body = Vec<DeliveryView>), (status = 503, body = ErrorEnvelope)))]
pub async fn deliveries(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<DeliveryView>>, ApiError> {
    let guard = lock(&state.0.supply);
    let supply = guard.as_ref().ok_or_else(no_readiness)?;
    Ok(axum::Json(supply.all()))
}

#[utoipa::path(post, path = "/api/v1/deliveries", tag = "acts",
    request_body = DeliveryBody,
    security(("bearer" = []), ("ed25519" = [])),
    responses((status = 200, body = DeliveryOutcome),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope),
        (status = 503, body = ErrorEnvelope)))]
pub async fn deliver(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Json<DeliveryBody>,
) -> Result<axum::Json<DeliveryOutcome>, ApiError> {
    let outcome = deliver_inner(&state, &headers, body.value);
    let counter = if outcome.is_ok() {
        &state.0.metrics.acts_ok
    } else {
        &state.0.metrics.acts_refused
    };
    counter.fetch_add(1, Ordering::Relaxed);
    outcome.map(axum::Json)
}

fn no_readiness() -> ApiError {
    ApiError::unavailable(
        "no_readiness",
        "this server assesses no readiness (it was started without a pact's readiness inputs)",
    )
}

fn deliver_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: DeliveryBody,
) -> Result<DeliveryOutcome, ApiError> {
    let principal = state.0.credentials.authenticate(headers)?.ok_or_else(|| {
        ApiError::unauthorized(
            "to record a delivery, send `Authorization: Bearer <token>` or `Ed25519 <key>:<signature>`",
        )
    })?;
    if body.nonce.is_empty() || body.nonce.len() > NONCE_BYTES_MAX {
        return Err(bad_field(format!(
            "`nonce` must be 1 to {NONCE_BYTES_MAX} bytes"
        )));
    }
    if body.note.as_ref().is_some_and(|n| n.len() > NOTE_BYTES_MAX) {
        return Err(bad_field(format!("`note` is over {NOTE_BYTES_MAX} bytes")));
    }
    if body
        .obligation
        .as_ref()
        .is_some_and(|n| n.len() > NOTE_BYTES_MAX)
    {
        return Err(bad_field(format!(
            "`obligation` is over {NOTE_BYTES_MAX} bytes"
        )));
    }
    // Deliveries, the ledger and readiness change together.
    let mut guard = lock(&state.0.supply);
    let supply = guard.as_mut().ok_or_else(no_readiness)?;
    let known = &supply.known;
    if !known.items.contains(&body.item) {
        return Err(bad_field(format!(
            "`item`: `{}` is not an item of the pact; expected one of {}",
            body.item,
            known.items.join(", ")
        )));
    }
    if !known.places.contains(&body.place) {
        return Err(bad_field(format!(
            "`place`: `{}` is not a depot or zone of the pact",
            body.place
        )));
    }
    if !(body.quantity.is_finite() && body.quantity > 0.0) {
        return Err(bad_field(format!(
            "`quantity` must be a number above 0, got {}",
            body.quantity
        )));
    }
    let date = readiness::deliveries::parse_date(&body.date).ok_or_else(|| {
        bad_field(format!(
            "`date`: `{}` is not YYYY-MM-DD or RFC 3339",
            body.date
        ))
    })?;
    if supply.recorded.len() >= DELIVERIES_MAX {
        return Err(ApiError::unavailable(
            "too_many_deliveries",
            format!("this server holds {DELIVERIES_MAX} recorded deliveries, its bound"),
        ));
    }
    let value = serde_json::to_value(&body).map_err(ApiError::internal)?;
    let subject = body.obligation.clone().unwrap_or_default();
    let credentials = &state.0.credentials;
    let authorise = || {
        let resource = Resource::Delivery {
            party: &principal.name,
        };
        if state.0.policy.allowed(&principal, Act::Deliver, &resource) {
            return Ok(());
        }
        Err(ApiError::forbidden(match principal.role {
            Role::Observer => format!("{} is an observer: observers read only", principal.name),
            Role::Party => format!("{} may not record deliveries", principal.name),
        }))
    };
    // As with acts: a signature proves who is asking before the policy judges; a bearer
    // credential already did, so the policy answers before the server signs for the party.
    let entry = if principal.via == Via::Bearer {
        authorise()?;
        credentials.signed_entry(&principal, ActionKind::Delivery, &subject, value)?
    } else {
        let entry = credentials.signed_entry(&principal, ActionKind::Delivery, &subject, value)?;
        authorise()?;
        entry
    };
    if !known.parties.contains(&principal.name) {
        return Err(ApiError::forbidden(format!(
            "{} is not a party of the pact: only its parties deliver",
            principal.name
        )));
    }
    credentials.check_nonce(&principal.name, &body.nonce)?;
    let ledger_index = state.log(std::slice::from_ref(&entry));
    let delivery = DeliveryView {
        party: principal.name.clone(),
        item: body.item,
        quantity: body.quantity,
        date: date.to_string(),
        place: body.place,
        obligation: body.obligation,
        note: body.note,
        source: "api".into(),
        ledger_index,
    };
    supply.recorded.push(delivery.clone());
    supply.reassess();
    drop(guard);
    state.publish(LiveEvent::Delivery(delivery.clone()));
    let entry = serde_json::to_value(&entry).map_err(ApiError::internal)?;
    Ok(DeliveryOutcome {
        delivery,
        ledger_index,
        entry,
    })
}

fn bad_field(message: String) -> ApiError {
    ApiError::bad_request("bad_field", message)
}
