//! The queryable picture: current tracks and their recent history, incidents, activations
//! and obligations, as the API shows them. It is rebuilt from what the stages emit, holds no
//! stage logic and is bounded everywhere (see `limits`).

use std::collections::{BTreeMap, VecDeque};

use model::{Incident, Time, Track};

use crate::limits::{
    ACTIVATIONS_MAX, INCIDENTS_MAX, OBLIGATIONS_MAX, TRACK_HISTORY_POINTS_MAX, TRACKS_MAX,
};
use crate::views::{
    ActivationView, IncidentView, LiveEvent, ObligationView, TrackPoint, TrackView,
};

/// What was dropped at a bound, by kind, for the metrics.
#[derive(Debug, Default, Clone, Copy)]
pub struct Dropped {
    pub tracks: u64,
    pub incidents: u64,
    pub activations: u64,
    pub obligations: u64,
}

#[derive(Debug, Default)]
pub struct Picture {
    event_time: Option<Time>,
    tracks: BTreeMap<u64, TrackView>,
    /// Per track, including tracks that have ended (for the time slider); the track whose
    /// last point is oldest is forgotten first when `TRACKS_MAX` histories are held.
    history: BTreeMap<u64, VecDeque<TrackPoint>>,
    incidents: VecDeque<IncidentView>,
    activations: VecDeque<ActivationView>,
    obligations: BTreeMap<String, ObligationView>,
    pub dropped: Dropped,
    pub scans: u64,
}

impl Picture {
    pub fn event_time(&self) -> Option<Time> {
        self.event_time
    }

    fn see(&mut self, t: Time) {
        self.event_time = Some(self.event_time.map_or(t, |e| e.max(t)));
    }

    /// A scan's live tracks: those missing from `live` have ended.
    pub fn apply_tracks(&mut self, at: Time, live: &[Track]) -> LiveEvent {
        self.see(at);
        self.scans += 1;
        let mut next = BTreeMap::new();
        for track in live {
            if next.len() == TRACKS_MAX {
                self.dropped.tracks += 1;
                continue;
            }
            let view = TrackView::of(track);
            let history = self.history.entry(view.id).or_default();
            if history.len() == TRACK_HISTORY_POINTS_MAX {
                history.pop_front();
            }
            history.push_back(view.point(track.time.unix_us));
            next.insert(view.id, view);
        }
        self.forget_old_histories();
        let removed = self
            .tracks
            .keys()
            .filter(|id| !next.contains_key(id))
            .copied()
            .collect();
        self.tracks = next;
        LiveEvent::Tracks {
            at: at.to_string(),
            tracks: self.tracks.values().cloned().collect(),
            removed,
        }
    }

    fn forget_old_histories(&mut self) {
        while self.history.len() > TRACKS_MAX {
            let oldest = self
                .history
                .iter()
                .filter(|(id, _)| !self.tracks.contains_key(id))
                .min_by_key(|(_, points)| points.back().map_or(i64::MIN, |p| p.time_us))
                .map(|(id, _)| *id);
            match oldest {
                Some(id) => self.history.remove(&id),
                None => break,
            };
        }
    }

    pub fn apply_incident(&mut self, incident: &Incident) -> LiveEvent {
        self.see(incident.time);
        if self.incidents.len() == INCIDENTS_MAX {
            self.incidents.pop_front();
            self.dropped.incidents += 1;
        }
        let view = IncidentView::of(incident);
        self.incidents.push_back(view.clone());
        LiveEvent::Incident(view)
    }

    pub fn apply_activation(&mut self, activation: &triggers::Activation) -> LiveEvent {
        if self.activations.len() == ACTIVATIONS_MAX {
            self.activations.pop_front();
            self.dropped.activations += 1;
        }
        let view = ActivationView::of(activation);
        self.activations.push_back(view.clone());
        LiveEvent::Activation(view)
    }

    /// An obligation created or changed; `None` when dropped at the bound.
    pub fn apply_obligation(&mut self, obligation: &triggers::Obligation) -> Option<LiveEvent> {
        let known = self.obligations.contains_key(&obligation.id);
        if !known && self.obligations.len() == OBLIGATIONS_MAX {
            self.dropped.obligations += 1;
            return None;
        }
        let view = ObligationView::of(obligation);
        self.obligations.insert(view.id.clone(), view.clone());
        Some(LiveEvent::Obligation(view))
    }

    pub fn tracks(&self) -> impl Iterator<Item = &TrackView> {
        self.tracks.values()
    }

    /// Each track's last position at or before `at` and no older than `stale_us`: the picture
    /// as it was then, for the time slider.
    pub fn tracks_at(&self, at: Time, stale_us: i64) -> Vec<TrackPoint> {
        let mut out = Vec::new();
        for points in self.history.values() {
            let idx = points.partition_point(|p| p.time_us <= at.unix_us);
            if idx == 0 {
                continue;
            }
            let p = &points[idx - 1];
            if at.unix_us - p.time_us <= stale_us {
                out.push(p.clone());
            }
        }
        out
    }

    pub fn history(&self, id: u64) -> Option<&VecDeque<TrackPoint>> {
        self.history.get(&id)
    }

    pub fn incidents(&self) -> impl DoubleEndedIterator<Item = &IncidentView> {
        self.incidents.iter()
    }

    pub fn activations(&self) -> impl DoubleEndedIterator<Item = &ActivationView> {
        self.activations.iter()
    }

    pub fn obligations(&self) -> impl Iterator<Item = &ObligationView> {
        self.obligations.values()
    }

    pub fn obligation(&self, id: &str) -> Option<&ObligationView> {
        self.obligations.get(id)
    }

    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.tracks.len(),
            self.incidents.len(),
            self.activations.len(),
            self.obligations.len(),
        )
    }
}
