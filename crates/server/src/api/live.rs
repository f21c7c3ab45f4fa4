//! The live feed: Server-Sent Events of track deltas, incidents, activations, obligation
//! changes (deadline clocks) and ledger growth. Each client reads its own receiver of one
//! bounded broadcast channel: a slow client lags (told how much it missed, so it refetches)
//! and never slows the engine; past `LIVE_CLIENTS_MAX` clients new ones are refused.
//!
//! Frames are encoded once by the publisher as shared `Bytes` (see `state::SseFrame`) and
//! written as they are: axum's `sse::Event` would copy and re-scan every event for every
//! client on the workers that also serve reads (10,000 tracks to 100 clients was 250 MB of
//! copies a scan), so the body is our own stream of those frames.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;

use crate::AppState;
use crate::error::{ApiError, ErrorEnvelope};
use crate::limits::{LIVE_CLIENTS_MAX, LIVE_KEEP_ALIVE_S};
use crate::state::SseFrame;
use crate::views::LiveEvent;

/// Counts a client while its stream lives.
struct ClientGuard(AppState);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0
            .0
            .metrics
            .live_clients
            .fetch_sub(1, Ordering::Relaxed);
    }
}

#[utoipa::path(get, path = "/api/v1/live", tag = "live",
    responses((status = 200, description = "text/event-stream of `LiveEvent`s, the event name is its `type`",
        body = LiveEvent, content_type = "text/event-stream"),
        (status = 503, body = ErrorEnvelope)))]
pub async fn live(State(state): State<AppState>) -> Result<Response, ApiError> {
    let clients = &state.0.metrics.live_clients;
    if clients.fetch_add(1, Ordering::Relaxed) >= LIVE_CLIENTS_MAX {
        clients.fetch_sub(1, Ordering::Relaxed);
        return Err(ApiError::unavailable(
            "too_many_clients",
            format!("the live feed already serves {LIVE_CLIENTS_MAX} clients"),
        ));
    }
    let guard = ClientGuard(state.clone());
    let rx = state.subscribe_sse();
    // One frame in hand per client: the broadcast channel is the buffer, and lagging in it
    // is what tells a slow client it missed events.
    let (tx, body_rx) = mpsc::channel::<Bytes>(1);
    tokio::spawn(forward(rx, tx, guard));
    let body = Body::from_stream(ReceiverStream::new(body_rx).map(Ok::<_, Infallible>));
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}

/// Moves one client's frames from the broadcast channel to its body until it goes away.
async fn forward(
    mut rx: broadcast::Receiver<SseFrame>,
    tx: mpsc::Sender<Bytes>,
    guard: ClientGuard,
) {
    let keep_alive = Duration::from_secs(LIVE_KEEP_ALIVE_S);
    loop {
        let bytes = tokio::select! {
            () = tx.closed() => break,
            item = tokio::time::timeout(keep_alive, rx.recv()) => match item {
                Ok(Ok(SseFrame(bytes))) => bytes,
                Ok(Err(broadcast::error::RecvError::Lagged(missed))) => {
                    guard.0.0.metrics.live_lagged_events.fetch_add(missed, Ordering::Relaxed);
                    SseFrame::of(&LiveEvent::Lagged { missed }).0
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => break,
                Err(_idle) => Bytes::from_static(b":\n\n"),
            },
        };
        if tx.send(bytes).await.is_err() {
            break;
        }
    }
    drop(guard);
}
