//! The tracker against closed forms, small scenes and bad input.

use fusion::harness;
use fusion::plane::{PlaneTracker, TrackerConfig};
use fusion::predictor::{KalmanCv, Predictor};
use fusion::scenario::{ScenarioConfig, generate, track_scans};
use fusion::state::{Filter, Gaussian, Mat4, Plot, Vec4, cv_process_noise, cv_transition};
use fusion::updater::{KalmanPosition, Updater};
use fusion::{Picture, PictureConfig, RejectReason, SensorConfig};
use model::{Digest, Geodetic, Identity, Measurement, Observation, SensorId, SourceId, Time};
use nalgebra::{SMatrix, SVector};

fn t(s: f64) -> Time {
    Time::from_unix_us((s * 1e6).round() as i64)
}

/// Predict-update against the information form P⁺ = (P⁻¹ + HᵀR⁻¹H)⁻¹, x⁺ = P⁺(P⁻¹x + HᵀR⁻¹z).
#[test]
fn cv_filter_matches_closed_form() {
    let prior = Gaussian {
        mean: Vec4::new(100.0, 10.0, -50.0, 5.0),
        cov: Mat4::from_diagonal(&Vec4::new(400.0, 25.0, 900.0, 16.0)),
    };
    let (dt, q, sigma) = (2.0, 0.5, 30.0);
    let f = cv_transition(dt);
    let p_pred = f * prior.cov * f.transpose() + cv_process_noise(dt, q);
    let x_pred = f * prior.mean;
    let filter = Filter {
        est: prior,
        imm: None,
        height: None,
    };
    let predicted = KalmanCv.predict(&filter, q, dt);
    assert!((predicted.est.mean - x_pred).norm() < 1e-9);
    assert!((predicted.est.cov - p_pred).norm() < 1e-9);
    let plot = Plot::position(130.0, -30.0, sigma, 0);
    let post = KalmanPosition.update(&predicted, &plot);
    let h = SMatrix::<f64, 2, 4>::new(1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
    let r_inv = SMatrix::<f64, 2, 2>::identity() / (sigma * sigma);
    let p_inv = p_pred.try_inverse().unwrap();
    let p_post = (p_inv + h.transpose() * r_inv * h).try_inverse().unwrap();
    let x_post =
        p_post * (p_inv * x_pred + h.transpose() * r_inv * SVector::<f64, 2>::new(130.0, -30.0));
    assert!(
        (post.est.mean - x_post).norm() < 1e-6,
        "{} vs {}",
        post.est.mean,
        x_post
    );
    assert!((post.est.cov - p_post).norm() < 1e-6);
}

fn run(tracker: &mut PlaneTracker, scans: &[(f64, Vec<[f64; 2]>)]) -> u64 {
    let mut next = 0;
    for (time, dets) in scans {
        let plots: Vec<Plot> = dets
            .iter()
            .map(|d| Plot::position(d[0], d[1], 20.0, 0))
            .collect();
        let out = tracker.step(t(*time), Some(0), &plots, &[]);
        tracker.number_new(out.n_confirmed, &mut next);
    }
    next
}

/// Two targets crossing at an angle keep their tracks: each track's velocity
/// stays on its own target's heading through the crossing.
#[test]
fn crossing_targets_keep_their_tracks() {
    let scans: Vec<(f64, Vec<[f64; 2]>)> = (0..40)
        .map(|k| {
            let s = k as f64;
            (
                s,
                vec![
                    [-2000.0 + 100.0 * s, -2000.0 + 100.0 * s],
                    [-2000.0 + 100.0 * s, 2000.0 - 100.0 * s],
                ],
            )
        })
        .collect();
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let n = run(&mut tracker, &scans);
    assert_eq!(n, 2, "exactly two tracks were ever confirmed");
    let tracks = tracker.tracks();
    assert_eq!(tracks.len(), 2);
    let mut vy: Vec<(u64, f64)> = tracks
        .iter()
        .map(|t| (t.id, t.filter.est.velocity().y))
        .collect();
    vy.sort_by_key(|v| v.0);
    // Track 0 started on the first detection of scan 0 after sorting: whichever it is,
    // the two must still move in opposite north directions after the crossing.
    assert!(vy[0].1 * vy[1].1 < 0.0, "{vy:?}");
    assert!(
        vy.iter().all(|v| (v.1.abs() - 100.0).abs() < 15.0),
        "{vy:?}"
    );
}

/// M-of-N: with M=3 of N=4 a target is confirmed on its third hit, not before,
/// and one isolated plot never confirms.
#[test]
fn m_of_n_initiation() {
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let mut next = 0;
    for (k, expect) in [(0, 0), (1, 0), (2, 1)] {
        let s = k as f64;
        let plots = vec![Plot::position(10.0 * s, 0.0, 20.0, 0)];
        let out = tracker.step(t(s), Some(0), &plots, &[]);
        tracker.number_new(out.n_confirmed, &mut next);
        assert_eq!(tracker.tracks().len(), expect, "after scan {k}");
    }
    // A lone plot far away, then nothing: its tentative is dropped, no track.
    let mut other = PlaneTracker::new(TrackerConfig::default());
    for k in 0..5 {
        let plots = if k == 0 {
            vec![Plot::position(5e4, 5e4, 20.0, 0)]
        } else {
            vec![]
        };
        other.step(t(k as f64), Some(0), &plots, &[]);
    }
    assert!(other.tracks().is_empty() && other.tentatives().is_empty());
}

/// Stone Soup's initiation rule (`misses_max: Some(2)`): a target seen at
/// scans 0, 2 and 4 is confirmed at scan 4, where 3-of-4 drops it at scan 3;
/// two misses in a row still drop a tentative. The harness picks the rule
/// from the scenario's clutter density.
#[test]
fn gappy_initiation_rule() {
    let gappy = |misses_max| {
        let mut c = TrackerConfig::default();
        c.initiator.misses_max = misses_max;
        c
    };
    let scan = |k: u32| -> Vec<Plot> {
        if k.is_multiple_of(2) {
            vec![Plot::position(20.0 * f64::from(k), 0.0, 20.0, 0)]
        } else {
            vec![]
        }
    };
    for (misses_max, confirmed_at_4) in [(Some(2), 1), (None, 0)] {
        let mut tracker = PlaneTracker::new(gappy(misses_max));
        let mut next = 0;
        for k in 0..=4 {
            let out = tracker.step(t(f64::from(k)), Some(0), &scan(k), &[]);
            tracker.number_new(out.n_confirmed, &mut next);
            let expect = if k == 4 { confirmed_at_4 } else { 0 };
            assert_eq!(tracker.tracks().len(), expect, "{misses_max:?}, scan {k}");
        }
    }
    let mut tracker = PlaneTracker::new(gappy(Some(2)));
    for k in 0..3 {
        let plots = if k == 0 { scan(0) } else { vec![] };
        tracker.step(t(f64::from(k)), Some(0), &plots, &[]);
        assert_eq!(tracker.tentatives().len(), usize::from(k < 2), "scan {k}");
    }
    let sensor = |density| harness::HarnessSensor {
        sensor_id: "0".into(),
        meas_sigma_m: 50.0,
        pd: 0.9,
        clutter_spatial_density_per_m2: density,
    };
    let base = TrackerConfig::default().initiator;
    let rule = |s: &[harness::HarnessSensor]| harness::initiation_for(base, s).misses_max;
    assert_eq!(rule(&[sensor(0.0)]), Some(2));
    assert_eq!(rule(&[sensor(1e-8)]), Some(2));
    assert_eq!(rule(&[sensor(0.0), sensor(1.25e-7)]), None);
    assert_eq!(rule(&[]), None);
}

/// A confirmed track is deleted after `misses_max` scans without a plot.
#[test]
fn deletion_after_misses() {
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let scans: Vec<(f64, Vec<[f64; 2]>)> = (0..5)
        .map(|k| (k as f64, vec![[0.0, 10.0 * k as f64]]))
        .collect();
    run(&mut tracker, &scans);
    assert_eq!(tracker.tracks().len(), 1);
    let misses_max = TrackerConfig::default().deleter.misses_max;
    for k in 0..misses_max {
        assert_eq!(tracker.tracks().len(), 1, "still there after {k} misses");
        tracker.step(t(5.0 + k as f64), Some(0), &[], &[]);
    }
    assert!(tracker.tracks().is_empty());
}

fn rows_with_threads(threads: usize) -> Vec<(u64, i64, i64)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let data = generate(&ScenarioConfig {
            targets: 300,
            clutter_per_scan: 50.0,
            steps: 30,
            ..Default::default()
        });
        let mut tracker = PlaneTracker::new(TrackerConfig::default());
        let mut next = 0;
        let mut rows = Vec::new();
        for s in &data {
            let plots: Vec<Plot> = s
                .detections
                .iter()
                .map(|d| Plot::position(d[0], d[1], 50.0, 0))
                .collect();
            let out = tracker.step(t(s.time_s), Some(0), &plots, &[]);
            tracker.number_new(out.n_confirmed, &mut next);
            rows.extend(tracker.tracks().iter().map(|t| {
                (
                    t.id,
                    (t.filter.est.mean[0] * 1e6) as i64,
                    (t.filter.est.mean[2] * 1e6) as i64,
                )
            }));
        }
        rows
    })
}

#[test]
fn same_tracks_whatever_the_thread_count() {
    let one = rows_with_threads(1);
    assert!(!one.is_empty());
    assert_eq!(one, rows_with_threads(2));
    assert_eq!(one, rows_with_threads(4));
}

/// GOSPA on a generated scene stays under a bound from its noise: localisation
/// of a filtered 50 m measurement is well under 50 m per target on average, and
/// misses and false tracks cost c/2 each for a few scans of initiation.
#[test]
fn gospa_below_noise_bound() {
    let cfg = ScenarioConfig {
        targets: 20,
        clutter_per_scan: 10.0,
        steps: 60,
        ..Default::default()
    };
    let data = generate(&cfg);
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let mut steps = 0;
    let totals = track_scans(&cfg, &data, &mut tracker, |step| {
        step();
        steps += 1;
    });
    assert_eq!(steps, data.len(), "one tracker step a scan");
    let mean = totals.gospa_mean;
    // σ√(π/2) ≈ 63 m is the raw measurement's mean error; filtering must beat it.
    let bound = cfg.targets as f64 * cfg.meas_sigma_m * (std::f64::consts::PI / 2.0).sqrt();
    assert!(mean < bound, "mean GOSPA {mean:.1} ≥ bound {bound:.1}");
}

fn obs(sensor: &str, time_s: f64, lat: f64, lon: f64, sigma: f64) -> Observation {
    Observation {
        source: SourceId::new("test"),
        sensor: SensorId::new(sensor),
        time: t(time_s),
        measurement: Measurement::Position {
            position: Geodetic::new(lat, lon, 1000.0),
            horizontal_sigma_m: sigma,
            vertical_sigma_m: Some(20.0),
            velocity: None,
        },
        identity: Identity::default(),
        raw_digest: Digest::of(format!("{sensor}{time_s}{lat}{lon}").as_bytes()),
    }
}

fn picture() -> Picture {
    Picture::new(PictureConfig {
        sensors: vec![SensorConfig::new(SensorId::new("s1"), None)],
        ..Default::default()
    })
}

#[test]
fn bad_input_is_counted_by_reason() {
    let mut p = picture();
    p.ingest(obs("s1", 0.0, f64::NAN, 30.0, 50.0));
    p.ingest(obs("nobody", 0.0, 50.0, 30.0, 50.0));
    p.ingest(obs("s1", 0.0, 50.0, 30.0, -1.0));
    p.ingest(obs("s1", 100.0, 50.0, 30.0, 50.0));
    p.ingest(obs("s1", 103.0, 50.0, 30.0, 50.0)); // releases t=100 (lag 2 s)
    p.ingest(obs("s1", 10.0, 50.0, 30.0, 50.0)); // after t=100 was processed: too late
    p.finish();
    let r = p.rejects();
    assert_eq!(r.get(RejectReason::NonFinite), 1);
    assert_eq!(r.get(RejectReason::UnknownSensor), 1);
    assert_eq!(r.get(RejectReason::ImpossibleCovariance), 1);
    assert_eq!(r.get(RejectReason::TooLate), 1);
    assert_eq!(r.total(), 4);
}

/// Out of sequence within the lag gives exactly the tracks of in-order input.
#[test]
fn out_of_sequence_within_lag_equals_in_order() {
    let track = |k: usize| obs("s1", k as f64, 50.0 + 0.001 * k as f64, 30.0, 30.0);
    let mut in_order = picture();
    (0..20).for_each(|k| in_order.ingest(track(k)));
    in_order.finish();
    let mut shuffled = picture();
    for pair in (0..20).collect::<Vec<_>>().chunks(2) {
        pair.iter().rev().for_each(|&k| shuffled.ingest(track(k)));
    }
    shuffled.finish();
    assert_eq!(in_order.tracks().len(), 1);
    assert_eq!(in_order.tracks(), shuffled.tracks());
    assert_eq!(shuffled.rejects().total(), 0);
}

fn polar(sensor: &str, time_s: f64, range_m: f64, azimuth_deg: f64) -> Observation {
    Observation {
        source: SourceId::new("test"),
        sensor: SensorId::new(sensor),
        time: t(time_s),
        measurement: Measurement::Polar {
            range_m,
            azimuth_deg,
            height_m: None,
            range_sigma_m: 50.0,
            azimuth_sigma_deg: 0.1,
        },
        identity: Identity::default(),
        raw_digest: Digest::of(format!("{sensor}{time_s}{range_m}{azimuth_deg}").as_bytes()),
    }
}

/// A rotating radar's plots arrive a slice of its sweep at a time (and here
/// interleaved with another sensor's position reports): each slice is a scan of
/// the picture, but only the tracks its beam passed may count it as a miss.
/// Counting a miss against every track in every slice never confirmed a track.
#[test]
fn a_radar_sweep_in_slices_confirms_and_keeps_its_target() {
    let (ids_near_target, tracks) = sweep_scene();
    // Confirmed within a few rotations, then one track, never broken.
    assert!(
        ids_near_target.iter().all(|ids| ids.len() == 1),
        "{ids_near_target:?}"
    );
    let first = ids_near_target[0][0];
    assert!(ids_near_target.iter().all(|ids| ids[0] == first));
    // And the same picture whatever the thread count.
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(pool.install(sweep_scene).1, tracks);
    }
}

/// Per rotation after the sixth, the tracks within 2 km of the target; and the
/// final tracks.
fn sweep_scene() -> (Vec<Vec<u64>>, Vec<model::Track>) {
    let radar = Geodetic::new(50.0, 30.0, 30.0);
    let mut p = Picture::new(PictureConfig {
        sensors: vec![
            SensorConfig::new(SensorId::new("radar"), Some(radar)),
            SensorConfig::new(SensorId::new("adsb"), None),
        ],
        ..Default::default()
    });
    let plane = model::TangentPlane::new(radar);
    let (period_s, speed_mps) = (10.0, 50.0);
    let mut ids_near_target = Vec::new();
    for scan in 0..60 {
        let t0 = scan as f64 * period_s;
        // The target: 60 km north of the radar, flying east.
        let (e, n) = (speed_mps * t0, 60_000.0);
        let az = e.atan2(n).to_degrees().rem_euclid(360.0);
        let mut plots = vec![(az, e.hypot(n))];
        // Clutter every 20° of azimuth, at ranges that change from scan to scan.
        plots.extend((0..18).map(|k| {
            let a = 10.0 + 20.0 * k as f64;
            (
                a,
                20_000.0 + ((scan * 18 + k) * 7_919 % 150) as f64 * 1_000.0,
            )
        }));
        plots.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (k, (a, r)) in plots.into_iter().enumerate() {
            let ts = t0 + period_s * a / 360.0;
            p.ingest(polar("radar", ts, r, a));
            // An aircraft far away reports its position in between.
            let lat = 51.0 + 0.0001 * (scan * 20 + k) as f64;
            p.ingest(obs("adsb", ts + 0.01, lat, 31.0, 50.0));
        }
        let truth = plane.to_geodetic(&model::Enu {
            e_m: e,
            n_m: n,
            u_m: 0.0,
        });
        let near: Vec<u64> = p
            .tracks()
            .iter()
            .filter(|tr| {
                let d = plane.to_enu(&tr.position);
                let g = plane.to_enu(&truth);
                (d.e_m - g.e_m).hypot(d.n_m - g.n_m) < 2_000.0
            })
            .map(|tr| tr.id.0)
            .collect();
        if scan >= 6 {
            ids_near_target.push(near);
        }
    }
    p.finish();
    (ids_near_target, p.tracks())
}

/// A batch's position reports from sensors the list does not name (decoders
/// name them from the wire) are taken; a radar plot still needs a configured
/// position.
#[test]
fn report_sensors_of_a_batch_are_known() {
    let known = vec![SensorConfig::new(SensorId::new("s1"), None)];
    let batch = [
        obs("sbs", 1.0, 50.0, 30.0, 50.0),
        obs("cot-how-m-r", 2.0, 50.1, 30.0, 50.0),
        obs("s1", 3.0, 50.2, 30.0, 50.0),
        obs("sbs", 4.0, 50.0, 30.01, 50.0),
        polar("radar", 5.0, 10_000.0, 45.0),
    ];
    let sensors = fusion::with_report_sensors(known, &batch);
    let ids: Vec<&str> = sensors.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["s1", "cot-how-m-r", "sbs"]);
    let mut p = Picture::new(PictureConfig {
        sensors,
        ..Default::default()
    });
    batch.into_iter().for_each(|o| p.ingest(o));
    p.finish();
    assert_eq!(p.rejects().get(RejectReason::UnknownSensor), 1);
    assert_eq!(p.rejects().total(), 1);
}

/// A radar noisier than the wire says (CAT048 carries no accuracy; the decoder
/// assumes 50 m and 0.1° here, the radar has 0.3° and a 0.2° registration
/// error): with its accuracy configured the target keeps one track from the
/// sixth rotation on; taking the wire's word, its plots fall outside the gate
/// and the track is lost and restarted.
#[test]
fn a_radar_with_its_accuracy_keeps_one_track() {
    let accurate = fusion::Accuracy {
        range_sigma_m: Some(60.0),
        azimuth_sigma_deg: Some(0.3),
        azimuth_bias_deg: 0.2,
        ..Default::default()
    };
    let with = nearest_track_ids(accurate);
    assert!(
        with.iter().all(|id| *id == Some(with[0].unwrap())),
        "{with:?}"
    );
    let without = nearest_track_ids(fusion::Accuracy::default());
    let lost = without.iter().filter(|id| id.is_none()).count();
    let ids: std::collections::BTreeSet<u64> = without.iter().flatten().copied().collect();
    assert!(lost > 0 || ids.len() > 1, "{without:?}");
}

/// Per rotation from the sixth, the track nearest a target 150 km from a radar
/// whose azimuth noise is 0.3° (plus a 0.2° bias), if one is within 5 km;
/// 80 rotations of 10 s. The target crosses a sector edge (30° E) half-way.
fn nearest_track_ids(accuracy: fusion::Accuracy) -> Vec<Option<u64>> {
    let radar = Geodetic::new(50.0, 30.0, 30.0);
    let mut sensor = SensorConfig::new(SensorId::new("radar"), Some(radar));
    sensor.accuracy = accuracy;
    let mut p = Picture::new(PictureConfig {
        sensors: vec![sensor],
        ..Default::default()
    });
    let plane = model::TangentPlane::new(radar);
    // A deterministic normal stream (xorshift and Box-Muller).
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut gauss = move || {
        let (u, v) = (uniform().max(1e-12), uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut nearest = Vec::new();
    for scan in 0..80 {
        let t0 = scan as f64 * 10.0;
        let (e, n) = (-20_000.0 + 50.0 * t0, 150_000.0);
        let az = (e.atan2(n).to_degrees() + 0.2 + 0.3 * gauss()).rem_euclid(360.0);
        let r = e.hypot(n) + 60.0 * gauss();
        p.ingest(polar("radar", t0 + 10.0 * az / 360.0, r, az));
        let near = p
            .tracks()
            .iter()
            .map(|tr| {
                let d = plane.to_enu(&tr.position);
                ((d.e_m - e).hypot(d.n_m - n), tr.id.0)
            })
            .filter(|(d, _)| *d < 5_000.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id);
        if scan >= 6 {
            nearest.push(near);
        }
    }
    nearest
}

/// A report's velocity starts its track moving and is published in the local
/// east-north axes at the track, even far from its sector plane's origin
/// (where the plane's north is a degree off the meridian).
#[test]
fn a_reported_velocity_is_used_and_published_in_local_axes() {
    let mut p = Picture::new(PictureConfig {
        sensors: vec![SensorConfig::new(SensorId::new("adsb"), None)],
        ..Default::default()
    });
    // 200 m/s due north at 51.5° N, 31.9° E (sector 50-52° N, 30-32° E: its
    // plane's origin is 0.9° of longitude west).
    let v = 200.0;
    let dlat = v * 5.0 / 111_200.0;
    for k in 0..4 {
        let mut o = obs("adsb", 5.0 * k as f64, 51.5 + dlat * k as f64, 31.9, 30.0);
        if let Measurement::Position { velocity, .. } = &mut o.measurement {
            *velocity = Some(model::VelocityEnu {
                ve_mps: 0.0,
                vn_mps: v,
                vu_mps: 0.0,
            });
        }
        p.ingest(o);
    }
    p.finish();
    let tracks = p.tracks();
    assert_eq!(tracks.len(), 1);
    let got = &tracks[0].velocity;
    assert!((got.vn_mps - v).abs() < 2.0, "{got:?}");
    assert!(got.ve_mps.abs() < 1.0, "{got:?}");
}

/// A drone reported at 40 m/s at 1 km, one report of which gives 300 m/s (a
/// corrupt speed field): the estimate jumps past a drone's envelope for an
/// update (a jet drone's speed, by one instant's rules; a Gerbera's wild
/// estimate past 200 m/s made it a manned aircraft, an airspace violation, in
/// the Poland replay), yet the track stays a drone: its class is its updates'.
#[test]
fn one_wild_velocity_does_not_change_a_tracks_class() {
    let mut p = Picture::new(PictureConfig {
        sensors: vec![SensorConfig::new(SensorId::new("cot"), None)],
        ..Default::default()
    });
    let v = 40.0;
    let dlat = v * 5.0 / 111_200.0;
    let mut seen = Vec::new();
    for k in 0..30 {
        let mut o = obs("cot", 5.0 * k as f64, 50.5 + dlat * k as f64, 30.5, 30.0);
        let vn_mps = if k == 15 { 300.0 } else { v };
        if let Measurement::Position { velocity, .. } = &mut o.measurement {
            *velocity = Some(model::VelocityEnu {
                ve_mps: 0.0,
                vn_mps,
                vu_mps: 0.0,
            });
        }
        p.ingest(o);
        for tr in p.tracks() {
            seen.push((k, tr.velocity.vn_mps.hypot(tr.velocity.ve_mps), tr.class));
        }
    }
    let fastest = seen.iter().map(|s| s.1).fold(0.0, f64::max);
    assert!(
        fastest > 70.0,
        "the wild report reaches the estimate: {seen:?}"
    );
    let first_drone = seen.iter().position(|s| s.2 == model::TrackClass::Drone);
    let Some(first) = first_drone else {
        panic!("never a drone: {seen:?}")
    };
    assert!(
        seen[first..]
            .iter()
            .all(|s| s.2 == model::TrackClass::Drone),
        "{seen:?}"
    );
}

/// The velocity update by itself: a report's velocity pulls the estimate to it
/// and shrinks its variance; the position is untouched when it agrees.
#[test]
fn velocity_update_and_spawn() {
    use fusion::initiator::MOfN;
    let mut plot = Plot::position(100.0, 200.0, 50.0, 0);
    plot.velocity = Some((fusion::state::Vec2::new(30.0, -40.0), 5.0));
    let spawned = MOfN::default().spawn(&plot, t(0.0));
    let est = spawned.filter.est;
    assert_eq!(est.velocity(), fusion::state::Vec2::new(30.0, -40.0));
    assert!((est.cov[(1, 1)] - 25.0).abs() < 1e-9);
    // A still track updated by a plot at its position moving at (30, -40).
    let prior = Filter {
        est: Gaussian {
            mean: Vec4::new(100.0, 0.0, 200.0, 0.0),
            cov: Mat4::identity() * 100.0,
        },
        imm: None,
        height: None,
    };
    let post = KalmanPosition.update(&prior, &plot);
    let v = post.est.velocity();
    // Velocity variance 100 against the report's 25: the gain is 0.8.
    assert!(
        (v.x - 24.0).abs() < 1e-9 && (v.y + 32.0).abs() < 1e-9,
        "{v:?}"
    );
    assert!((post.est.cov[(1, 1)] - 20.0).abs() < 1e-9);
    assert!((post.est.position() - fusion::state::Vec2::new(100.0, 200.0)).norm() < 1e-9);
}

/// Two radars see one target; each labels its plots with its own track number
/// (CAT048 I048/161). The number is the radar's plot-to-track label, not an
/// identity: the target keeps one track. (Keyed on it, the picture kept one
/// track per radar per target.)
#[test]
fn radar_track_numbers_do_not_split_a_target() {
    let radars = [
        Geodetic::new(50.0, 30.0, 30.0),
        Geodetic::new(50.0, 31.0, 30.0),
    ];
    let mut p = Picture::new(PictureConfig {
        sensors: vec![
            SensorConfig::new(SensorId::new("r1"), Some(radars[0])),
            SensorConfig::new(SensorId::new("r2"), Some(radars[1])),
        ],
        ..Default::default()
    });
    let origin = model::TangentPlane::new(radars[0]);
    let mut counts = Vec::new();
    for scan in 0..40 {
        let t0 = scan as f64 * 10.0;
        // 60 km north of the first radar, flying east at 50 m/s.
        let truth = origin.to_geodetic(&model::Enu {
            e_m: 50.0 * t0,
            n_m: 60_000.0,
            u_m: 0.0,
        });
        for (k, radar) in radars.iter().enumerate() {
            let local = model::TangentPlane::new(*radar).to_enu(&truth);
            let az = local.e_m.atan2(local.n_m).to_degrees().rem_euclid(360.0);
            let mut o = polar(
                ["r1", "r2"][k],
                t0 + 2.0 + 3.0 * k as f64,
                local.e_m.hypot(local.n_m),
                az,
            );
            o.identity.system_track = Some(100 + 7 * k as u32);
            p.ingest(o);
        }
        let near = p
            .tracks()
            .iter()
            .filter(|tr| tr.position.surface_distance_m(&truth) < 3_000.0)
            .count();
        if scan >= 6 {
            counts.push(near);
        }
    }
    assert!(counts.iter().all(|n| *n == 1), "{counts:?}");
}
