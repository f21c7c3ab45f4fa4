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

/// How much a track must change before the live feed sends it again. The page draws a track
/// where it was last sent, so these are the largest errors it shows; the API's reads
/// (`/tracks`, `/tracks/at`, histories) always hold every scan's exact values.
#[derive(Debug, Clone, Copy)]
pub struct Delta {
    pub position_m: f64,
    pub alt_m: f64,
    pub course_deg: f64,
    pub speed_mps: f64,
    /// A track unchanged this long is sent anyway (its time moves on).
    pub refresh_us: i64,
}

impl Delta {
    pub const DEFAULT: Delta = Delta {
        position_m: 25.0,
        alt_m: 25.0,
        course_deg: 10.0,
        speed_mps: 5.0,
        refresh_us: 30_000_000,
    };

    /// Whether `now` differs from `sent`, sent `age_us` ago, enough to send it again.
    pub fn exceeded(&self, sent: &TrackView, now: &TrackView, age_us: i64) -> bool {
        // Equirectangular distance: exact enough at the metres this threshold is about.
        const M_PER_DEG: f64 = 111_320.0;
        let north_m = (now.lat_deg - sent.lat_deg) * M_PER_DEG;
        let east_m = (now.lon_deg - sent.lon_deg)
            * M_PER_DEG
            * ((now.lat_deg + sent.lat_deg) / 2.0).to_radians().cos();
        let turn = (now.course_deg - sent.course_deg).rem_euclid(360.0);
        age_us >= self.refresh_us
            || north_m.hypot(east_m) > self.position_m
            || (now.alt_m - sent.alt_m).abs() > self.alt_m
            || turn.min(360.0 - turn) > self.course_deg
            || (now.speed_mps - sent.speed_mps).abs() > self.speed_mps
            || now.class != sent.class
            || now.band != sent.band
            || now.cooperative != sent.cooperative
            || now.callsign != sent.callsign
    }
}

#[derive(Debug, Default)]
pub struct Picture {
    event_time: Option<Time>,
    tracks: BTreeMap<u64, TrackView>,
    /// Per live track, what the live feed last sent of it and that scan's time (µs): a scan
    /// sends only the tracks that changed beyond `Delta` since.
    sent: BTreeMap<u64, (i64, TrackView)>,
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

    /// A scan's live tracks: those missing from `live` have ended. The event carries the
    /// tracks that changed beyond [`Delta`] since they were last sent, and the ended ones.
    pub fn apply_tracks(&mut self, at: Time, live: &[Track]) -> LiveEvent {
        self.apply_views(at, Picture::views(live))
    }

    /// A scan's views, each with its time in µs: made before taking the picture's lock,
    /// which readers wait on.
    pub fn views(live: &[Track]) -> Vec<(TrackView, i64)> {
        live.iter()
            .map(|t| (TrackView::of(t), t.time.unix_us))
            .collect()
    }

    /// [`Picture::apply_tracks`] on views made by [`Picture::views`].
    pub fn apply_views(&mut self, at: Time, live: Vec<(TrackView, i64)>) -> LiveEvent {
        self.see(at);
        self.scans += 1;
        let mut next = BTreeMap::new();
        for (view, time_us) in live {
            if next.len() == TRACKS_MAX {
                self.dropped.tracks += 1;
                continue;
            }
            let history = self.history.entry(view.id).or_default();
            if history.len() == TRACK_HISTORY_POINTS_MAX {
                history.pop_front();
            }
            history.push_back(view.point(time_us));
            next.insert(view.id, view);
        }
        self.forget_old_histories();
        let removed: Vec<u64> = self
            .tracks
            .keys()
            .filter(|id| !next.contains_key(id))
            .copied()
            .collect();
        for id in &removed {
            self.sent.remove(id);
        }
        let mut changed = Vec::new();
        for view in next.values() {
            let send = match self.sent.get(&view.id) {
                Some((sent_us, sent)) => Delta::DEFAULT.exceeded(sent, view, at.unix_us - sent_us),
                None => true,
            };
            if send {
                self.sent.insert(view.id, (at.unix_us, view.clone()));
                changed.push(view.clone());
            }
        }
        self.tracks = next;
        LiveEvent::Tracks {
            at: at.to_string(),
            tracks: changed,
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

#[cfg(test)]
mod tests {
    use super::*;
    use model::{AltitudeBand, Geodetic, Identity, TrackClass, TrackId, VelocityEnu};

    fn track(id: u64, seconds: i64, lat_deg: f64) -> Track {
        Track {
            id: TrackId(id),
            time: Time::from_unix_us(seconds * 1_000_000),
            position: Geodetic {
                lat_deg,
                lon_deg: 24.0,
                alt_m: 300.0,
            },
            velocity: VelocityEnu {
                ve_mps: 0.0,
                vn_mps: 40.0,
                vu_mps: 0.0,
            },
            position_sigma_m: 50.0,
            velocity_sigma_mps: 5.0,
            class: TrackClass::Drone,
            class_confidence: 0.9,
            band: AltitudeBand::Low,
            identity: Identity::default(),
            cooperative: false,
            quality: 0.9,
            n_updates: 10,
            sensors: vec![],
        }
    }

    fn sent(event: &LiveEvent) -> (Vec<u64>, Vec<u64>) {
        match event {
            LiveEvent::Tracks {
                tracks, removed, ..
            } => (tracks.iter().map(|t| t.id).collect(), removed.clone()),
            other => panic!("not a tracks event: {other:?}"),
        }
    }

    #[test]
    fn a_scan_sends_new_moved_and_ended_tracks_only() {
        let mut p = Picture::default();
        let t = |s: i64| Time::from_unix_us(s * 1_000_000);
        // 1 moves 0.001° (111 m) a scan, 2 stands still, 3 ends after the first scan.
        let first = p.apply_tracks(
            t(0),
            &[track(1, 0, 50.0), track(2, 0, 49.0), track(3, 0, 48.0)],
        );
        assert_eq!(sent(&first), (vec![1, 2, 3], vec![]));
        let second = p.apply_tracks(t(5), &[track(1, 5, 50.001), track(2, 5, 49.0)]);
        assert_eq!(sent(&second), (vec![1], vec![3]));
        // 0.0001° (11 m) is under the threshold: not sent, but the read API has it.
        let third = p.apply_tracks(t(10), &[track(1, 10, 50.0011), track(2, 10, 49.0)]);
        assert_eq!(sent(&third), (vec![], vec![]));
        assert_eq!(p.tracks().next().map(|v| v.lat_deg), Some(50.0011));
        // Small steps add up against what was last sent, not the previous scan.
        let fourth = p.apply_tracks(t(15), &[track(1, 15, 50.0013), track(2, 15, 49.0)]);
        assert_eq!(sent(&fourth), (vec![1], vec![]));
        // A still track is refreshed once `refresh_us` has passed since it was sent.
        let later = p.apply_tracks(t(30), &[track(1, 30, 50.0013), track(2, 30, 49.0)]);
        assert_eq!(sent(&later), (vec![2], vec![]));
    }
}
