//! The one `AppState`: the picture, the stages that follow tracks (the triggers engine and
//! the ledger, which writes serialise on), who is who, the policy, and the live channel.
//! The engine side pushes into it through `push_*`; handlers read it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use ledger::{Entry, Log};
use model::{Incident, Time, Track};
use tokio::sync::broadcast;

use crate::auth::Credentials;
use crate::cot::{CotBatch, CotConfig};
use crate::limits::{COT_BATCHES_MAX, LIVE_EVENTS_MAX, LIVE_TRACKS_PER_FRAME};
use crate::picture::Picture;
use crate::policy::Policy;
use crate::supply::{ReadinessSource, Supply};
use crate::views::{LedgerStatus, LiveEvent};

/// The server's state, cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub picture: RwLock<Picture>,
    /// The obligation state machine; `None` when no pact is loaded (acts are refused).
    pub engine: Mutex<Option<triggers::Engine>>,
    /// The log every decision and act goes into; `None` runs without one (tests, reads).
    pub ledger: Mutex<Option<Log>>,
    pub ledger_status: RwLock<Option<LedgerStatus>>,
    pub credentials: Credentials,
    pub policy: Policy,
    pub live: broadcast::Sender<LiveEvent>,
    /// The same events encoded once as SSE frames for every client (not once per client).
    pub live_sse: broadcast::Sender<SseFrame>,
    /// CoT batches for TAK clients (see `cot`), and the latest scan's for a new client.
    pub cot: broadcast::Sender<CotBatch>,
    pub cot_latest: RwLock<Option<CotBatch>>,
    pub cot_config: CotConfig,
    pub metrics: Metrics,
    /// Readiness and the deliveries recorded through the API; `None` until
    /// [`AppState::set_readiness`] (then readiness reads and deliveries are refused).
    pub supply: Mutex<Option<Supply>>,
}

/// A live event as SSE sends it, `event: <name>\ndata: <json>\n\n`, encoded once and
/// shared by every client (`Bytes` clones are reference counts, not copies).
#[derive(Debug, Clone)]
pub(crate) struct SseFrame(pub Bytes);

impl SseFrame {
    pub fn of(event: &LiveEvent) -> SseFrame {
        // Compact JSON has no newline, so the data is one `data:` line.
        let data = serde_json::to_vec(event).unwrap_or_else(|_| b"{}".to_vec());
        let name = event.name();
        let mut frame = Vec::with_capacity(data.len() + name.len() + 16);
        frame.extend_from_slice(b"event: ");
        frame.extend_from_slice(name.as_bytes());
        frame.extend_from_slice(b"\ndata: ");
        frame.extend_from_slice(&data);
        frame.extend_from_slice(b"\n\n");
        SseFrame(Bytes::from(frame))
    }
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub live_clients: AtomicUsize,
    pub live_lagged_events: AtomicU64,
    pub acts_ok: AtomicU64,
    pub acts_refused: AtomicU64,
    pub ledger_errors: AtomicU64,
    pub cot_clients: AtomicUsize,
    /// TAK clients dropped: too slow, or over `COT_CLIENTS_MAX`.
    pub cot_dropped: AtomicU64,
}

/// What the state is made of.
#[derive(Debug)]
pub struct Parts {
    pub engine: Option<triggers::Engine>,
    pub ledger: Option<Log>,
    pub credentials: Credentials,
    pub cot: CotConfig,
}

impl AppState {
    pub fn new(parts: Parts) -> AppState {
        let (live, _) = broadcast::channel(LIVE_EVENTS_MAX);
        let (live_sse, _) = broadcast::channel(LIVE_EVENTS_MAX);
        let (cot, _) = broadcast::channel(COT_BATCHES_MAX);
        let status = parts.ledger.as_ref().map(ledger_status);
        AppState(Arc::new(Inner {
            picture: RwLock::new(Picture::default()),
            engine: Mutex::new(parts.engine),
            ledger: Mutex::new(parts.ledger),
            ledger_status: RwLock::new(status),
            credentials: parts.credentials,
            policy: Policy::new(),
            live,
            live_sse,
            cot,
            cot_latest: RwLock::new(None),
            cot_config: parts.cot,
            metrics: Metrics::default(),
            supply: Mutex::new(None),
        }))
    }

    /// Serves readiness from `source` (assessed now, and again after each recorded
    /// delivery); the error is the assessment's, naming the input at fault.
    pub fn set_readiness(&self, source: ReadinessSource) -> Result<(), String> {
        let supply = Supply::new(source);
        let outcome = supply.view.as_ref().map(|_| ()).map_err(Clone::clone);
        *lock(&self.0.supply) = Some(supply);
        outcome
    }

    /// Entries the engine side logs itself (the pact's version, feed chunks' digests);
    /// returns the first one's index, `None` without a ledger or when the append failed.
    pub fn append(&self, entries: &[Entry]) -> Option<u64> {
        self.log(entries)
    }

    /// A scan's live tracks.
    pub fn push_tracks(&self, at: Time, tracks: &[Track]) {
        // A big scan is milliseconds of work: on a multi-thread runtime's worker, let the
        // runtime hand this worker's other tasks (reads) to another thread meanwhile.
        let multi_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let scan = || {
            let views = Picture::views(tracks);
            let event = write(&self.0.picture).apply_views(at, views);
            self.publish(event);
            self.publish_cot_tracks(tracks);
        };
        if multi_thread {
            tokio::task::block_in_place(scan);
        } else {
            scan();
        }
    }

    /// Encodes a scan for TAK clients, only while one is connected; with none, the latest
    /// scan is forgotten so a later client never starts from an old picture.
    fn publish_cot_tracks(&self, tracks: &[Track]) {
        if self.0.cot.receiver_count() == 0 {
            *write(&self.0.cot_latest) = None;
            return;
        }
        let config = &self.0.cot_config;
        let batch = crate::cot::encode(tracks.iter().map(|t| crate::cot::track_event(t, config)));
        *write(&self.0.cot_latest) = Some(batch.clone());
        let _no_receivers = self.0.cot.send(batch);
    }

    fn publish_cot_incidents(&self, incidents: &[Incident]) {
        if self.0.cot.receiver_count() == 0 {
            return;
        }
        let config = &self.0.cot_config;
        let batch = crate::cot::encode(
            incidents
                .iter()
                .filter_map(|i| crate::cot::incident_event(i, config)),
        );
        if !batch.is_empty() {
            let _no_receivers = self.0.cot.send(batch);
        }
    }

    /// TAK clients connected now.
    pub fn cot_clients(&self) -> usize {
        self.0.metrics.cot_clients.load(Ordering::Relaxed)
    }

    /// The latest scan as CoT, for a TAK client that has just connected.
    pub(crate) fn latest_cot(&self) -> Option<CotBatch> {
        read(&self.0.cot_latest).clone()
    }

    /// Incidents: into the picture, the ledger and the triggers engine, whose decisions
    /// (activations, obligations, changes) follow.
    pub fn push_incidents(&self, incidents: &[Incident]) {
        if incidents.is_empty() {
            return;
        }
        self.publish_cot_incidents(incidents);
        let mut engine = lock(&self.0.engine);
        let mut entries = Vec::new();
        for incident in incidents {
            let event = write(&self.0.picture).apply_incident(incident);
            self.publish(event);
            entries.extend(logged(
                triggers::entries::incident_entry(incident).map(Some),
            ));
        }
        let records = engine
            .as_mut()
            .map(|e| e.process(incidents))
            .unwrap_or_default();
        entries.extend(decision_entries(&records));
        self.log(&entries);
        self.apply_records(engine.as_ref(), &records);
    }

    /// Moves the engine's clock: deadlines fire (obligations go overdue). An advance that
    /// moves the watermark is logged with the decisions it caused: later acts apply at the
    /// watermark, so `guarantor audit` needs every such advance to derive them again.
    pub fn advance(&self, to: Time) {
        let mut engine = lock(&self.0.engine);
        let Some(e) = engine.as_mut() else { return };
        let moves = e.watermark().is_none_or(|w| w < to);
        let records = e.advance(to);
        if moves {
            let mut entries = vec![triggers::entries::advance_entry(to)];
            entries.extend(decision_entries(&records));
            self.log(&entries);
        }
        self.apply_records(engine.as_ref(), &records);
    }

    pub(crate) fn apply_records(
        &self,
        engine: Option<&triggers::Engine>,
        records: &[triggers::Record],
    ) {
        for record in records {
            match record {
                triggers::Record::Activation(a) => {
                    let event = write(&self.0.picture).apply_activation(a);
                    self.publish(event);
                }
                triggers::Record::Obligation(o) => self.refresh_obligation(engine, &o.id, Some(o)),
                triggers::Record::Change(change) => {
                    if let Some(id) = changed_obligation(&change.kind) {
                        self.refresh_obligation(engine, id, None);
                    }
                }
                _ => {}
            }
        }
    }

    /// Takes an obligation's state from the engine (the one source of truth), else `given`.
    fn refresh_obligation(
        &self,
        engine: Option<&triggers::Engine>,
        id: &str,
        given: Option<&triggers::Obligation>,
    ) {
        let current = engine
            .and_then(|e| e.obligations().find(|o| o.id == id))
            .or(given);
        let Some(obligation) = current else { return };
        let event = write(&self.0.picture).apply_obligation(obligation);
        if let Some(event) = event {
            self.publish(event);
        }
    }

    /// Appends and checkpoints; a ledger failure is logged and counted, and the picture goes
    /// on (the log is then behind, which its status shows).
    pub(crate) fn log(&self, entries: &[Entry]) -> Option<u64> {
        if entries.is_empty() {
            return None;
        }
        let mut guard = lock(&self.0.ledger);
        let log = guard.as_mut()?;
        let appended = log.append_entries(entries).and_then(|range| {
            log.checkpoint()?;
            Ok(range)
        });
        match appended {
            Ok(range) => {
                let status = ledger_status(log);
                *write(&self.0.ledger_status) = Some(status.clone());
                self.publish(LiveEvent::Ledger(status));
                Some(range.start)
            }
            Err(e) => {
                eprintln!("server: ledger append failed: {e}");
                self.0.metrics.ledger_errors.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Sends to every live client; with none connected the event is simply not kept.
    /// `broadcast` never blocks the sender: slow receivers lag instead. For SSE a big scan
    /// goes out as several `tracks` frames of at most `LIVE_TRACKS_PER_FRAME` tracks (the
    /// removals in the last), so the workers serving reads interleave with its writing.
    pub(crate) fn publish(&self, event: LiveEvent) {
        if self.0.live_sse.receiver_count() > 0 {
            for frame in sse_frames(&event) {
                let _no_receivers = self.0.live_sse.send(frame);
            }
        }
        let _no_receivers = self.0.live.send(event);
    }

    pub(crate) fn subscribe_sse(&self) -> broadcast::Receiver<SseFrame> {
        self.0.live_sse.subscribe()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.0.live.subscribe()
    }
}

/// An event's SSE frames: one, or a big scan's tracks in chunks.
pub(crate) fn sse_frames(event: &LiveEvent) -> Vec<SseFrame> {
    match event {
        LiveEvent::Tracks {
            at,
            tracks,
            removed,
        } if tracks.len() > LIVE_TRACKS_PER_FRAME => {
            let chunks: Vec<_> = tracks.chunks(LIVE_TRACKS_PER_FRAME).collect();
            let last = chunks.len() - 1;
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, chunk)| {
                    SseFrame::of(&LiveEvent::Tracks {
                        at: at.clone(),
                        tracks: chunk.to_vec(),
                        removed: if i == last {
                            removed.clone()
                        } else {
                            Vec::new()
                        },
                    })
                })
                .collect()
        }
        _ => vec![SseFrame::of(event)],
    }
}

fn changed_obligation(kind: &triggers::ChangeKind) -> Option<&str> {
    use triggers::ChangeKind as K;
    match kind {
        K::ObligationAcknowledged { obligation, .. }
        | K::ObligationDischarged { obligation, .. }
        | K::ObligationOverdue { obligation, .. }
        | K::ObligationCancelled { obligation } => Some(obligation),
        _ => None,
    }
}

/// The ledger entries of an engine's decisions, encoded as `guarantor audit` derives them
/// again (`triggers::entries`); one that cannot be encoded is reported and left out.
fn decision_entries(records: &[triggers::Record]) -> Vec<Entry> {
    records
        .iter()
        .flat_map(|r| logged(triggers::entries::decision_entry(r)))
        .collect()
}

fn logged(entry: Result<Option<Entry>, triggers::entries::EntryError>) -> Option<Entry> {
    entry.unwrap_or_else(|e| {
        eprintln!("server: ledger entry not logged: {e}");
        None
    })
}

fn ledger_status(log: &Log) -> LedgerStatus {
    LedgerStatus {
        size: log.size(),
        checkpoint_size: log.published_size(),
        key: {
            let key = &log.trusted_keys().log;
            format!("{}+{:08x}", key.name(), key.key_id())
        },
    }
}

/// Locks that survive a panicked holder: the data are plain values, still consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}
