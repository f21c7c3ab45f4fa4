//! Every bound of the server in one place: what each one caps and what happens at the cap.

/// Largest request body accepted; larger bodies are refused with 413 before they are read.
pub const BODY_BYTES_MAX: usize = 16 * 1024;
/// Live events buffered per broadcast channel. A client that falls further behind gets a
/// `lagged` event naming how many it missed (then refetches); the engine never waits.
pub const LIVE_EVENTS_MAX: usize = 1024;
/// Most tracks in one SSE `tracks` frame: a bigger scan is sent as several frames (each
/// small enough that reads are served between them), the ended tracks in the last.
pub const LIVE_TRACKS_PER_FRAME: usize = 500;
/// Seconds between SSE keep-alive comments on an idle live feed.
pub const LIVE_KEEP_ALIVE_S: u64 = 15;
/// Concurrent live-feed clients; the next one is refused with 503.
pub const LIVE_CLIENTS_MAX: usize = 1000;
/// CoT batches (one per scan, or per batch of incidents) buffered for TAK clients; a client
/// that falls further behind is dropped and counted, the engine never waits.
pub const COT_BATCHES_MAX: usize = 64;
/// Concurrent TAK clients; the next one is closed at once and counted.
pub const COT_CLIENTS_MAX: usize = 256;
/// Longest a TAK client's socket may take to accept one batch before it is dropped.
pub const COT_WRITE_TIMEOUT_MS: u64 = 2000;
/// Read buffer for what a TAK client sends (pings, its own position), read and discarded.
pub const COT_READ_BYTES_MAX: usize = 4096;
/// Positions kept per track for trails and the time slider; the oldest is dropped.
pub const TRACK_HISTORY_POINTS_MAX: usize = 600;
/// Live tracks kept; beyond it a scan's extra tracks are dropped and counted.
pub const TRACKS_MAX: usize = 20_000;
/// Incidents kept for reading; the oldest is dropped and counted.
pub const INCIDENTS_MAX: usize = 10_000;
/// Activations kept for reading; the oldest is dropped and counted.
pub const ACTIVATIONS_MAX: usize = 10_000;
/// Obligations kept for reading; past it new ones are dropped and counted.
pub const OBLIGATIONS_MAX: usize = 100_000;
/// Request nonces remembered per party to refuse replays; the oldest is forgotten first,
/// so a replay older than this many acts of the same party is refused by the engine's
/// state machine instead (an act cannot apply twice).
pub const NONCES_PER_PARTY_MAX: usize = 4096;
/// Longest nonce accepted.
pub const NONCE_BYTES_MAX: usize = 128;
/// Deliveries recorded through the API; the next one is refused with 503 (readiness is
/// rerun over all of them on each delivery).
pub const DELIVERIES_MAX: usize = 10_000;
/// Longest free text in an act (a delivery's note or the obligation it names).
pub const NOTE_BYTES_MAX: usize = 1024;
/// Rows in a list response.
pub const PAGE_ROWS_MAX: usize = 5000;

const _: () = assert!(PAGE_ROWS_MAX <= TRACKS_MAX);
const _: () = assert!(NONCE_BYTES_MAX < BODY_BYTES_MAX);
