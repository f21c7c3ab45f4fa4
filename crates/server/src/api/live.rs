//! The live feed: Server-Sent Events of track deltas, incidents, activations, obligation
//! changes (deadline clocks) and ledger growth. Each client reads its own receiver of one
//! bounded broadcast channel: a slow client lags (told how much it missed, so it refetches)
//! and never slows the engine; past `LIVE_CLIENTS_MAX` clients new ones are refused.

use std::convert::Infallible;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::AppState;
use crate::error::{ApiError, ErrorEnvelope};
use crate::limits::LIVE_CLIENTS_MAX;
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
pub async fn live(
    State(state): State<AppState>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let clients = &state.0.metrics.live_clients;
    if clients.fetch_add(1, Ordering::Relaxed) >= LIVE_CLIENTS_MAX {
        clients.fetch_sub(1, Ordering::Relaxed);
        return Err(ApiError::unavailable(
            "too_many_clients",
            format!("the live feed already serves {LIVE_CLIENTS_MAX} clients"),
        ));
    }
    let guard = ClientGuard(state.clone());
    // Each event is serialised once by the publisher, whatever the number of clients.
    let stream = BroadcastStream::new(state.subscribe_sse()).map(move |item| {
        let _alive = &guard;
        Ok(match item {
            Ok(item) => Event::default().event(item.name).data(&item.data),
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                guard
                    .0
                    .0
                    .metrics
                    .live_lagged_events
                    .fetch_add(missed, Ordering::Relaxed);
                to_sse(&LiveEvent::Lagged { missed })
            }
        })
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn to_sse(event: &LiveEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    Event::default().event(event.name()).data(data)
}
