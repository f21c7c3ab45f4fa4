//! The picture: WGS84 observations from many sensors into tracks, through
//! per-sector tangent planes.
//!
//! - Validation: a bad observation is rejected with a counted, named reason
//!   ([`RejectReason`]); the picture goes on.
//! - Out-of-sequence observations: **buffer and reorder**. Observations wait
//!   in a reorder buffer until the newest event time seen is `oosm_lag` past
//!   them, then are released in event-time order, so an observation up to
//!   `oosm_lag` late is processed exactly as if it had arrived in order. The
//!   price is latency (`oosm_lag`); retrodiction would avoid it but is exact
//!   only for one lag. Anything older than what was already released is
//!   `too_late`.
//! - Scans: released observations are cut into scans, runs of one sensor
//!   within `frame`; each plot keeps its own time offset.
//! - Sectors: the globe is cut into cells of `sector_deg`; each has its own
//!   tangent plane and [`PlaneTracker`], stepped in parallel. Plots near an
//!   edge are lent to the neighbour (update only); a track that crosses an
//!   edge is handed over, re-expressed in the new plane, with its number.

use std::collections::BTreeMap;

use model::{
    Duration, Enu, Geodetic, Identity, Measurement, Observation, SensorId, TangentPlane, Time,
    Track, VelocityEnu,
};
use rayon::prelude::*;

use crate::classify::band;
use crate::limits::{OOSM_LAG_US_MAX, REORDER_OBSERVATIONS_MAX, SECTORS_MAX, SENSORS_MAX};
use crate::plane::{Coverage, PlaneTracker, TrackerConfig};
use crate::reject::{RejectCounts, RejectReason};
use crate::state::{Mat2, Plot, TrackState, Vec2};

/// A sensor the picture accepts observations from.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorConfig {
    pub id: SensorId,
    /// Needed for polar (radar) plots; position reports carry their own.
    pub position: Option<Geodetic>,
    /// What the deployment knows of the sensor's accuracy; overrides the
    /// sigmas the wire (or the decoder's defaults) gave its observations.
    pub accuracy: Accuracy,
}

impl SensorConfig {
    /// A sensor whose observations carry their own accuracy.
    pub fn new(id: SensorId, position: Option<Geodetic>) -> SensorConfig {
        SensorConfig {
            id,
            position,
            accuracy: Accuracy::default(),
        }
    }
}

/// A sensor's measurement accuracy (1 sigma), as its acceptance test or its
/// registration says. ASTERIX CAT048 carries no accuracy at all, so without
/// this every radar gets the decoder's default (50 m, 0.08°), and a radar
/// noisier than that — or with a registration error nobody has corrected —
/// puts its plots outside the gates of the tracks it should update, which
/// then break into many. `None` keeps the observation's own figure.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Accuracy {
    /// Radar slant-range noise, metres.
    pub range_sigma_m: Option<f64>,
    /// Radar azimuth noise, degrees.
    pub azimuth_sigma_deg: Option<f64>,
    /// Registration error the tracker does not correct (a fixed offset of
    /// unknown sign): added to the noise in quadrature, metres and degrees.
    pub range_bias_m: f64,
    pub azimuth_bias_deg: f64,
    /// Horizontal noise of position reports, metres.
    pub horizontal_sigma_m: Option<f64>,
}

impl Accuracy {
    /// Range and azimuth sigmas (metres, degrees) for a plot that said `range_sigma_m`, `azimuth_sigma_deg`.
    pub fn polar(&self, range_sigma_m: f64, azimuth_sigma_deg: f64) -> (f64, f64) {
        (
            self.range_sigma_m
                .unwrap_or(range_sigma_m)
                .hypot(self.range_bias_m),
            self.azimuth_sigma_deg
                .unwrap_or(azimuth_sigma_deg)
                .hypot(self.azimuth_bias_deg),
        )
    }
}

#[derive(Debug, Clone)]
pub struct PictureConfig {
    pub tracker: TrackerConfig,
    pub sensors: Vec<SensorConfig>,
    /// Sector size in degrees of latitude and longitude.
    pub sector_deg: f64,
    /// Plots this close to a sector edge are lent to the neighbour, metres.
    pub sector_margin_m: f64,
    /// How late an observation may arrive and still be used exactly (≤ `OOSM_LAG_US_MAX`).
    pub oosm_lag: Duration,
    /// The longest scan of one sensor.
    pub frame: Duration,
    /// Largest sigma believed, metres: above it a covariance is impossible.
    pub sigma_max_m: f64,
    /// Use the velocity position reports carry (ADS-B, AIS, CoT) to start and
    /// update tracks.
    pub report_velocity: bool,
}

impl Default for PictureConfig {
    fn default() -> Self {
        PictureConfig {
            tracker: picture_tracker(),
            sensors: Vec::new(),
            sector_deg: 2.0,
            sector_margin_m: 5_000.0,
            oosm_lag: Duration::from_secs(2),
            frame: Duration::from_us(500_000),
            sigma_max_m: 50_000.0,
            report_velocity: true,
        }
    }
}

/// The plane trackers' settings for a picture of real sensors, where the Stone
/// Soup harness's (`TrackerConfig::default`) are for one sensor seeing the whole
/// volume every scan:
/// - tentatives start with a velocity prior wide enough for a cruise missile
///   (250 m/s) to land in the gate one radar rotation later;
/// - a covariance bound of (4 km)² per axis: a radar's cross-range noise alone is
///   1.3 km at 300 km for 0.25°, so the harness's (1 km)² ended every distant track;
/// - copies of one target (two radars' registration errors) are merged;
/// - 4 hits of 5 confirm, not 3 of 4: a dozen radars with 10-20 clutter plots a
///   rotation each confirmed about 50 false tracks at a time on night-wave
///   (16 with 4 of 5, for 1% less coverage of the true objects).
pub fn picture_tracker() -> TrackerConfig {
    let mut c = TrackerConfig::default();
    c.initiator.m = 4;
    c.initiator.n = 5;
    c.initiator.velocity_sigma_mps = 150.0;
    c.deleter.position_trace_max_m2 = 2.0 * 4_000.0 * 4_000.0;
    c.merge = Some(crate::plane::Merge::default());
    c
}

type SectorKey = (i32, i32);

/// The sensors for a batch of recorded feeds: `known` (those with positions,
/// which radar plots need) plus every other sensor id that sent position
/// reports. Decoders name a report's sensor from the wire (`sbs`, a CoT
/// producer or `cot-how-m-r`, an AIS station's tag block), not as a
/// deployment's sensor list does, and a report needs no sensor position, so
/// without this every ADS-B, CoT and AIS report of a batch was
/// `unknown_sensor`. Sorted by id, so the result does not depend on the order
/// of `observations`. A live picture keeps its configured list instead.
pub fn with_report_sensors(
    mut known: Vec<SensorConfig>,
    observations: &[Observation],
) -> Vec<SensorConfig> {
    let reporting: std::collections::BTreeSet<&SensorId> = observations
        .iter()
        .filter(|o| matches!(o.measurement, Measurement::Position { .. }))
        .map(|o| &o.sensor)
        .filter(|id| !known.iter().any(|k| k.id == **id))
        .collect();
    known.extend(
        reporting
            .into_iter()
            .map(|id| SensorConfig::new(id.clone(), None)),
    );
    known
}

/// Where an observation is: position, horizontal covariance, height and its
/// sigma, and the velocity a report gave.
type Located = (Geodetic, Mat2, Option<(f64, f64)>, Option<VelocityEnu>);

/// The sigma per axis given to a velocity a position report carries (ADS-B,
/// AIS, CoT), m/s: their wire formats state none, and the velocity may be a
/// few seconds older than the position it came with.
pub const REPORT_VELOCITY_SIGMA_MPS: f64 = 5.0;

#[derive(Debug)]
struct Sector {
    plane: TangentPlane,
    tracker: PlaneTracker,
}

#[derive(Debug)]
pub struct Picture {
    config: PictureConfig,
    sensor_planes: Vec<Option<TangentPlane>>,
    /// Per sensor, the time and azimuth (degrees) of its last polar plot: where
    /// its beam was, so the next batch's sweep starts there.
    beams: Vec<Option<(Time, f64)>>,
    /// Sectors stepped since the last hand-over, and the second it ran in.
    stepped: std::collections::BTreeSet<SectorKey>,
    handed_over_at: Option<i64>,
    buffer: BTreeMap<(Time, u16, model::Digest, u64), Observation>,
    seq: u64,
    newest: Option<Time>,
    released: Option<Time>,
    sectors: BTreeMap<SectorKey, Sector>,
    rejects: RejectCounts,
    next_id: u64,
    identities: Vec<Identity>,
}

impl Picture {
    pub fn new(mut config: PictureConfig) -> Picture {
        config.sensors.truncate(SENSORS_MAX);
        config.oosm_lag = Duration::from_us(config.oosm_lag.us.clamp(0, OOSM_LAG_US_MAX));
        let sensor_planes = config
            .sensors
            .iter()
            .map(|s| s.position.map(TangentPlane::new))
            .collect();
        Picture {
            beams: vec![None; config.sensors.len()],
            stepped: std::collections::BTreeSet::new(),
            handed_over_at: None,
            config,
            sensor_planes,
            buffer: BTreeMap::new(),
            seq: 0,
            newest: None,
            released: None,
            sectors: BTreeMap::new(),
            rejects: RejectCounts::default(),
            next_id: 1,
            identities: Vec::new(),
        }
    }

    pub fn rejects(&self) -> &RejectCounts {
        &self.rejects
    }

    /// Plots processed, tracks confirmed and deleted, summed over sectors.
    pub fn stats(&self) -> crate::plane::PlaneStats {
        let mut s = crate::plane::PlaneStats::default();
        for sector in self.sectors.values() {
            let t = sector.tracker.stats();
            s.plots += t.plots;
            s.updates += t.updates;
            s.confirmed += t.confirmed;
            s.deleted += t.deleted;
            s.scans += t.scans;
            s.tracks_full += t.tracks_full;
        }
        s
    }

    /// Validates and buffers one observation; processes whatever the lag releases.
    pub fn ingest(&mut self, obs: Observation) {
        let Some(sensor) = self.config.sensors.iter().position(|s| s.id == obs.sensor) else {
            self.rejects.add(RejectReason::UnknownSensor);
            return;
        };
        if let Err(reason) = self.validate(&obs, sensor) {
            self.rejects.add(reason);
            return;
        }
        if self.released.is_some_and(|r| obs.time < r) {
            self.rejects.add(RejectReason::TooLate);
            return;
        }
        self.newest = Some(self.newest.map_or(obs.time, |n| n.max(obs.time)));
        self.seq += 1;
        self.buffer
            .insert((obs.time, sensor as u16, obs.raw_digest, self.seq), obs);
        let horizon = self
            .newest
            .map_or(Time::UNIX_EPOCH, |n| n - self.config.oosm_lag);
        let mut overflow = self.buffer.len().saturating_sub(REORDER_OBSERVATIONS_MAX);
        self.rejects_add_n(RejectReason::BufferOverflow, overflow as u64);
        let mut ready = Vec::new();
        while let Some(entry) = self.buffer.first_entry() {
            if entry.key().0 > horizon && overflow == 0 {
                break;
            }
            overflow = overflow.saturating_sub(1);
            let (key, obs) = entry.remove_entry();
            ready.push((key.1, obs));
        }
        self.process(ready);
    }

    /// Releases everything buffered (end of input).
    pub fn finish(&mut self) {
        let ready: Vec<(u16, Observation)> = std::mem::take(&mut self.buffer)
            .into_iter()
            .map(|(k, o)| (k.1, o))
            .collect();
        self.process(ready);
    }

    fn rejects_add_n(&mut self, reason: RejectReason, n: u64) {
        for _ in 0..n {
            self.rejects.add(reason);
        }
    }

    fn validate(&self, obs: &Observation, sensor: usize) -> Result<(), RejectReason> {
        if !obs.is_finite() {
            return Err(RejectReason::NonFinite);
        }
        let ok = |s: f64| s > 0.0 && s <= self.config.sigma_max_m;
        match &obs.measurement {
            Measurement::Polar {
                range_m,
                range_sigma_m,
                azimuth_sigma_deg,
                ..
            } => {
                if !(ok(*range_sigma_m) && *azimuth_sigma_deg > 0.0 && *azimuth_sigma_deg < 90.0)
                    || *range_m < 0.0
                {
                    return Err(RejectReason::ImpossibleCovariance);
                }
                if self.sensor_planes[sensor].is_none() {
                    return Err(RejectReason::SensorPositionUnknown);
                }
            }
            Measurement::Position {
                horizontal_sigma_m,
                vertical_sigma_m,
                ..
            } => {
                if !ok(*horizontal_sigma_m) || vertical_sigma_m.is_some_and(|v| !ok(v)) {
                    return Err(RejectReason::ImpossibleCovariance);
                }
            }
        }
        Ok(())
    }

    fn sector_key(&self, p: &Geodetic) -> SectorKey {
        let d = self.config.sector_deg;
        (
            (p.lat_deg / d).floor() as i32,
            (p.lon_deg / d).floor() as i32,
        )
    }

    fn sector_origin(&self, key: SectorKey) -> Geodetic {
        let d = self.config.sector_deg;
        Geodetic::new((key.0 as f64 + 0.5) * d, (key.1 as f64 + 0.5) * d, 0.0)
    }

    fn ensure_sector(&mut self, key: SectorKey) -> bool {
        if self.sectors.contains_key(&key) {
            return true;
        }
        if self.sectors.len() >= SECTORS_MAX {
            return false;
        }
        let plane = TangentPlane::new(self.sector_origin(key));
        let tracker = PlaneTracker::new(self.config.tracker);
        self.sectors.insert(key, Sector { plane, tracker });
        true
    }

    /// Released observations, in event-time order, cut into scans.
    fn process(&mut self, ready: Vec<(u16, Observation)>) {
        let mut start = 0;
        while start < ready.len() {
            let (sensor, first) = (ready[start].0, ready[start].1.time);
            let mut end = start;
            while end < ready.len()
                && ready[end].0 == sensor
                && ready[end].1.time - first <= self.config.frame
            {
                end += 1;
            }
            self.scan(sensor, &ready[start..end]);
            self.released = Some(ready[end - 1].1.time);
            start = end;
        }
    }

    fn scan(&mut self, sensor: u16, batch: &[(u16, Observation)]) {
        let time = batch[batch.len() - 1].1.time;
        self.identities.clear();
        let mut by_sector: BTreeMap<SectorKey, Vec<Plot>> = BTreeMap::new();
        for (i, (_, obs)) in batch.iter().enumerate() {
            self.identities.push(obs.identity.clone());
            let Some((geo, cov, height, velocity)) = self.locate(sensor, obs) else {
                self.rejects.add(RejectReason::SensorPositionUnknown);
                continue;
            };
            let velocity = velocity.filter(|_| self.config.report_velocity);
            // A radar plot's track number (CAT048 I048/161) is the radar's own
            // plot-to-track label, not an identity and not a partner's estimate:
            // keyed on it, a track refused every other radar's plots of its target
            // (one track per radar per target), and its plots were fused by
            // covariance intersection as if already filtered.
            let polar = matches!(obs.measurement, Measurement::Polar { .. });
            let key = identity_key(&obs.identity, sensor);
            let key = if polar && key >> 56 == 4 { 0 } else { key };
            let system_track = !polar && obs.identity.system_track.is_some();
            let home = self.sector_key(&geo);
            if !self.ensure_sector(home) {
                self.rejects.add(RejectReason::OutsideSectors);
                continue;
            }
            let plot = |plane: &TangentPlane, home: bool| {
                let enu = plane.to_enu(&geo);
                let velocity =
                    velocity.map(|v| (in_plane(plane, &geo, &enu, &v), REPORT_VELOCITY_SIGMA_MPS));
                Plot {
                    z: Vec2::new(enu.e_m, enu.n_m),
                    r: cov,
                    dt_s: obs.time.seconds_since(time),
                    height_m: height.map(|h| h.0),
                    height_sigma_m: height.map_or(0.0, |h| h.1),
                    sensor,
                    identity_key: key,
                    system_track,
                    source_idx: i as u32,
                    home,
                    velocity,
                }
            };
            by_sector
                .entry(home)
                .or_default()
                .push(plot(&self.sectors[&home].plane, true));
            for key in self.neighbours_near(&geo, home) {
                if let Some(s) = self.sectors.get(&key) {
                    by_sector
                        .entry(key)
                        .or_default()
                        .push(plot(&s.plane, false));
                }
            }
        }
        let sweep = self.sweep(sensor, batch);
        let sensor_plane = self.sensor_planes[sensor as usize];
        let identities = &self.identities;
        let mut work: Vec<(&SectorKey, &mut Sector, &Vec<Plot>)> = self
            .sectors
            .iter_mut()
            .filter_map(|(k, s)| by_sector.get(k).map(|p| (k, s, p)))
            .collect();
        let outcomes: Vec<(SectorKey, usize)> = work
            .par_iter_mut()
            .map(|(k, s, plots)| {
                let coverage = match (sweep, &sensor_plane) {
                    (Some((from_deg, width_deg)), Some(radar)) => {
                        sweep_in(&s.plane, radar, from_deg, width_deg)
                    }
                    _ => Coverage::Hits,
                };
                (
                    **k,
                    s.tracker
                        .step_covering(time, Some(sensor), coverage, plots, identities)
                        .n_confirmed,
                )
            })
            .collect();
        for &(key, n) in &outcomes {
            if let Some(s) = self.sectors.get_mut(&key) {
                s.tracker.number_new(n, &mut self.next_id);
            }
        }
        // Only the stepped sectors' tracks moved. Hand-over looks at every
        // track of a sector (a WGS84 conversion each), so it runs once per
        // second of event time rather than after every radar slice; a track
        // a little past its edge meanwhile is still tracked in its old plane,
        // and the edge margin lends it the plots it needs.
        self.stepped.extend(outcomes.iter().map(|(k, _)| *k));
        let second = time.unix_us.div_euclid(1_000_000);
        if self.handed_over_at != Some(second) {
            self.handed_over_at = Some(second);
            let keys = std::mem::take(&mut self.stepped).into_iter().collect();
            self.hand_over(keys);
        }
    }

    /// The arc a radar's beam swept in this batch of its polar plots, as
    /// (from, width) in degrees clockwise: from where its previous batch ended
    /// (when that was less than `SWEEP_GAP_S` ago) to its last plot here. A
    /// plot that steps back (a reordered one) sweeps nothing. `None` for a
    /// batch of position reports.
    fn sweep(&mut self, sensor: u16, batch: &[(u16, Observation)]) -> Option<(f64, f64)> {
        const SWEEP_GAP_S: f64 = 60.0;
        let azimuth = |o: &Observation| match o.measurement {
            Measurement::Polar { azimuth_deg, .. } => Some(azimuth_deg),
            Measurement::Position { .. } => None,
        };
        let (first, (last_time, last)) = batch.iter().find_map(|(_, o)| azimuth(o)).zip(
            batch
                .iter()
                .rev()
                .find_map(|(_, o)| Some((o.time, azimuth(o)?))),
        )?;
        let beam = &mut self.beams[sensor as usize];
        let from = match *beam {
            Some((t, az)) if last_time.seconds_since(t) < SWEEP_GAP_S => az,
            _ => first,
        };
        let width = (last - from).rem_euclid(360.0);
        if width > 270.0 {
            // Backwards: a late plot. Keep the beam where it was.
            return Some((from, 0.0));
        }
        *beam = Some((last_time, last));
        Some((from, width))
    }

    /// Sectors other than `home` whose edge is within the margin of `geo`.
    fn neighbours_near(&self, geo: &Geodetic, home: SectorKey) -> Vec<SectorKey> {
        let d = self.config.sector_deg;
        let m_lat = self.config.sector_margin_m / 111_000.0;
        let m_lon = m_lat / geo.lat_deg.to_radians().cos().max(0.05);
        let mut keys = Vec::new();
        for (dlat, dlon) in [(-m_lat, 0.0), (m_lat, 0.0), (0.0, -m_lon), (0.0, m_lon)] {
            let probe = Geodetic::new(geo.lat_deg + dlat, geo.lon_deg + dlon, 0.0);
            let k = (
                (probe.lat_deg / d).floor() as i32,
                (probe.lon_deg / d).floor() as i32,
            );
            if k != home && !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys
    }

    /// Where an observation is: geodetic position, horizontal covariance in
    /// the local ENU frame, height and its sigma.
    fn locate(&self, sensor: u16, obs: &Observation) -> Option<Located> {
        match &obs.measurement {
            Measurement::Position {
                position,
                horizontal_sigma_m,
                vertical_sigma_m,
                velocity,
            } => {
                let sigma = self.config.sensors[sensor as usize]
                    .accuracy
                    .horizontal_sigma_m
                    .unwrap_or(*horizontal_sigma_m);
                let cov = Mat2::identity() * (sigma * sigma);
                let height = vertical_sigma_m.map(|v| (position.alt_m, v));
                Some((*position, cov, height, *velocity))
            }
            Measurement::Polar {
                range_m,
                azimuth_deg,
                height_m,
                range_sigma_m,
                azimuth_sigma_deg,
            } => {
                let plane = self.sensor_planes[sensor as usize].as_ref()?;
                let sensor_alt = plane.origin().alt_m;
                let dh = height_m.map_or(0.0, |h| h - sensor_alt);
                let ground = (range_m * range_m - dh * dh).max(0.0).sqrt();
                let (sin_az, cos_az) = azimuth_deg.to_radians().sin_cos();
                let enu = Enu {
                    e_m: ground * sin_az,
                    n_m: ground * cos_az,
                    u_m: dh,
                };
                let mut geo = plane.to_geodetic(&enu);
                if let Some(h) = height_m {
                    geo.alt_m = *h;
                }
                // Converted measurement: J diag(σr², (r σθ)²) Jᵀ with J the polar-to-ENU rotation.
                let (sr, sa_deg) = self.config.sensors[sensor as usize]
                    .accuracy
                    .polar(*range_sigma_m, *azimuth_sigma_deg);
                let sa = ground * sa_deg.to_radians();
                let j = Mat2::new(sin_az, cos_az, cos_az, -sin_az);
                let cov = j * Mat2::new(sr * sr, 0.0, 0.0, sa * sa) * j.transpose();
                Some((geo, cov, height_m.map(|h| (h, 3.0 * sr)), None))
            }
        }
    }

    /// Moves tracks of the sectors `keys` that left their sector into the
    /// sector they are now in.
    fn hand_over(&mut self, keys: Vec<SectorKey>) {
        let mut moving = Vec::new();
        for key in keys {
            let sector_deg = self.config.sector_deg;
            let s = self.sectors.get_mut(&key).expect("key listed above");
            let plane = s.plane;
            let gone = s.tracker.release(|t| {
                let g = geodetic_of(&plane, t);
                (
                    (g.lat_deg / sector_deg).floor() as i32,
                    (g.lon_deg / sector_deg).floor() as i32,
                ) != key
            });
            moving.extend(gone.into_iter().map(|t| (plane, t)));
        }
        for (from, mut t) in moving {
            let geo = geodetic_of(&from, &t);
            let key = self.sector_key(&geo);
            if !self.ensure_sector(key) {
                self.rejects.add(RejectReason::OutsideSectors);
                continue;
            }
            let to = self.sectors[&key].plane;
            reexpress(&from, &to, &mut t);
            self.sectors
                .get_mut(&key)
                .expect("ensured")
                .tracker
                .adopt(t);
        }
    }

    fn sensor_ids(&self) -> Vec<SensorId> {
        self.config.sensors.iter().map(|s| s.id.clone()).collect()
    }

    /// Every confirmed track, by track number.
    pub fn tracks(&self) -> Vec<Track> {
        let mut out: Vec<Track> = self
            .sectors
            .values()
            .flat_map(|s| {
                s.tracker
                    .tracks()
                    .iter()
                    .map(|t| publish(&s.plane, t, &self.sensor_ids()))
            })
            .collect();
        out.sort_by_key(|t| t.id);
        out
    }
}

/// A radar's swept arc expressed in a sector's plane: the radar's position there
/// and the direction of its north (the planes' axes differ by the meridians'
/// convergence between their origins).
fn sweep_in(plane: &TangentPlane, radar: &TangentPlane, from_deg: f64, width_deg: f64) -> Coverage {
    let at = plane.to_enu(radar.origin());
    let north = plane.to_enu(&radar.to_geodetic(&Enu {
        e_m: 0.0,
        n_m: 1_000.0,
        u_m: 0.0,
    }));
    Coverage::sweep(
        Vec2::new(at.e_m, at.n_m),
        (north.e_m - at.e_m).atan2(north.n_m - at.n_m),
        from_deg.to_radians(),
        width_deg.to_radians(),
    )
}

/// A velocity in the local east-north axes at `geo` (which is at `enu` in
/// `plane`) expressed in `plane`'s axes: they differ by the meridians'
/// convergence between the two, a degree or two across a sector.
fn in_plane(plane: &TangentPlane, geo: &Geodetic, enu: &Enu, v: &VelocityEnu) -> Vec2 {
    let north = plane.to_enu(&Geodetic::new(geo.lat_deg + 0.01, geo.lon_deg, geo.alt_m));
    let angle = (north.e_m - enu.e_m).atan2(north.n_m - enu.n_m);
    let (s, c) = angle.sin_cos();
    // Rotate (east, north) clockwise by `angle`: local north maps to `angle` from plane north.
    Vec2::new(v.ve_mps * c + v.vn_mps * s, -v.ve_mps * s + v.vn_mps * c)
}

fn geodetic_of(plane: &TangentPlane, t: &TrackState) -> Geodetic {
    let p = t.filter.est.position();
    let mut g = plane.to_geodetic(&Enu {
        e_m: p.x,
        n_m: p.y,
        u_m: 0.0,
    });
    g.alt_m = t.filter.height.map_or(0.0, |h| h.mean[0]);
    g
}

/// Re-expresses a track's horizontal state from one plane in another: the
/// position through WGS84, velocity and covariance through the local rotation
/// between the two planes' east-north axes at the track.
fn reexpress(from: &TangentPlane, to: &TangentPlane, t: &mut TrackState) {
    let p = t.filter.est.position();
    let here = from.to_geodetic(&Enu {
        e_m: p.x,
        n_m: p.y,
        u_m: 0.0,
    });
    let a = to.to_enu(&here);
    let east = to.to_enu(&from.to_geodetic(&Enu {
        e_m: p.x + 1.0,
        n_m: p.y,
        u_m: 0.0,
    }));
    let (c, s) = (east.e_m - a.e_m, east.n_m - a.n_m);
    let norm = c.hypot(s).max(1e-12);
    let (c, s) = (c / norm, s / norm);
    let mut rot = crate::state::Mat4::zeros();
    for (i, j) in [(0, 0), (1, 1)] {
        rot[(i, j)] = c;
        rot[(i + 2, j + 2)] = c;
        rot[(i, j + 2)] = -s;
        rot[(i + 2, j)] = s;
    }
    let mut mean = rot * t.filter.est.mean;
    mean[0] = a.e_m;
    mean[2] = a.n_m;
    t.filter.est.cov = rot * t.filter.est.cov * rot.transpose();
    t.filter.est.mean = mean;
    t.filter.imm = None;
}

/// A track state as the `model::Track` the rest of the engine reads.
pub fn publish(plane: &TangentPlane, t: &TrackState, sensor_ids: &[SensorId]) -> Track {
    let position = geodetic_of(plane, t);
    // The plane's axes into the local east and north at the track (the inverse of
    // `in_plane`'s rotation).
    let at = |dlat: f64| {
        plane.to_enu(&Geodetic::new(
            position.lat_deg + dlat,
            position.lon_deg,
            0.0,
        ))
    };
    let (here, north) = (at(0.0), at(0.01));
    let (s, c) = (north.e_m - here.e_m).atan2(north.n_m - here.n_m).sin_cos();
    let w = t.filter.est.velocity();
    let v = Vec2::new(w.x * c - w.y * s, w.x * s + w.y * c);
    let cov = t.filter.est.cov;
    let height = t.filter.height.map(|h| h.mean[0]);
    Track {
        id: model::TrackId(t.id),
        time: t.time,
        position,
        velocity: VelocityEnu {
            ve_mps: v.x,
            vn_mps: v.y,
            vu_mps: t.filter.height.map_or(0.0, |h| h.mean[1]),
        },
        position_sigma_m: t.filter.est.position_cov().trace().max(0.0).sqrt(),
        velocity_sigma_mps: (cov[(1, 1)] + cov[(3, 3)]).max(0.0).sqrt(),
        class: t.class,
        class_confidence: t.class_confidence,
        band: band(t.class, height),
        identity: t.identity.clone(),
        cooperative: t.identity.is_cooperative() || t.identity.cot_uid.is_some(),
        quality: t.quality(),
        n_updates: t.n_updates,
        sensors: t
            .sensors
            .iter()
            .filter_map(|&i| sensor_ids.get(i as usize).cloned())
            .collect(),
    }
}

/// A key that keeps a cooperative identity on one track: ICAO, MMSI, CoT uid
/// (FNV-1a, deterministic) or a partner's system track number per sensor.
pub fn identity_key(id: &Identity, sensor: u16) -> u64 {
    const TAG: u32 = 56;
    if let Some(icao) = id.icao24 {
        return (1 << TAG) | u64::from(icao);
    }
    if let Some(mmsi) = id.mmsi {
        return (2 << TAG) | u64::from(mmsi);
    }
    if let Some(uid) = &id.cot_uid {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in uid.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        return (3 << TAG) | (h & ((1 << TAG) - 1));
    }
    if let Some(n) = id.system_track {
        return (4 << TAG) | (u64::from(sensor) << 32) | u64::from(n);
    }
    0
}
