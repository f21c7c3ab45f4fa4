#!/usr/bin/env python3
# Copied from ../shared/anchors/stonesoup/bench.py (the project's Stone Soup harness) unchanged
# below this note, so the comparison runs from the repo.
"""Stone Soup reference harness: gen / track / score.

Purpose: produce scenarios, a reference tracker run and a scorer, all built on
Stone Soup (pip package ``stonesoup``) so that any other tracker (our Rust
engine) can be run on exactly the same input files and scored by exactly the
same code.

Plain-file interface (CSV with a header row, comma separated, times in seconds
from scenario start, positions in metres, 2D Cartesian x/y):

  detections.csv  scan_time_s,sensor_id,x_m,y_m
                  One row per detection.  Rows of one scan share scan_time_s
                  and sensor_id; file is sorted by time.  True detections and
                  clutter are NOT marked.  A scan with zero detections has no
                  rows (so a tracker may not see it).
  truth.csv       time_s,truth_id,x_m,y_m      (one row per live target per step)
  tracks.csv      time_s,track_id,x_m,y_m      (what a tracker reports; the
                  scorer matches states to truth by time, to the microsecond,
                  so report every live track at every scan time)
  scenario.json   all generation parameters; its "sensors" list (noise sigma,
                  Pd, clutter rate, surveillance area) is what a tracker may
                  legitimately use; "truth_model" and "stats" are for people.

Subcommands (run ``bench.py <cmd> -h`` for all options):

  gen    seeded scenario from MultiTargetGroundTruthSimulator +
         SimpleDetectionSimulator (one per sensor, round-robin if >1)
  track  reads detections.csv only; Kalman CV filter + GNNWith2DAssignment
         (DistanceHypothesiser, Mahalanobis, DistanceGater), its kd-tree variant
         DetectionKDTreeGNN2D, or JPDA variants,
         MultiMeasurementInitiator, CompositeDeleter(update-steps, covariance)
  score  GOSPA (p, c, alpha=2) and OSPA averaged over the union of truth and
         track times; Stone Soup's GOSPAMetric/OSPAMetric and an independent
         numpy/scipy implementation are both run and cross-checked.

Notes for parity with other implementations:
  * GOSPA per time: cost = min over assignments of sum(min(d,c)^p over assigned
    pairs) + c^p/2 * (#unassigned truths + #unassigned tracks); pairs with
    d >= c count as one miss + one false.  gospa = cost^(1/p).  "missed" and
    "false" are reported (like Stone Soup) as cost terms, i.e. count * c^p/2;
    *_count fields give the plain counts.
  * OSPA per time: n = max(|X|,|Y|); ((sum min(d,c)^p + c^p*(n-min))/n)^(1/p);
    0 when both empty.  Stone Soup's OSPAMetric chooses the assignment that
    minimises sum(d) (not d^p); for p=1 (the default here) this is identical.
  * Means are plain averages over scored times (union of truth and track times).
"""
import argparse
import csv
import datetime
import json
import math
import os
import signal
import sys
import time as _time
from collections import OrderedDict, defaultdict

import numpy as np

EPOCH = datetime.datetime(1970, 1, 1)  # scenario t=0 (naive, UTC-like)


def _secs(ts):
    return (ts - EPOCH).total_seconds()


def _tkey(t_s):
    """Integer microseconds: the key used to match times across files."""
    return int(round(float(t_s) * 1e6))


def _ss_version():
    try:
        import stonesoup
        return stonesoup.__version__
    except Exception:  # pragma: no cover
        return "unknown"


# --------------------------------------------------------------------------- gen
class _Relay:
    """Ground-truth 'reader' that hands the simulator's current step to a
    SimpleDetectionSimulator one step at a time (lets several sensors share one
    truth simulation, round-robin)."""

    def __init__(self):
        self.item = None

    def __iter__(self):
        while True:
            yield self.item


def cmd_gen(a):
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel, ConstantVelocity)
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.simulator.simple import (
        MultiTargetGroundTruthSimulator, SimpleDetectionSimulator)
    from stonesoup.types.state import GaussianState
    from stonesoup.types.array import StateVector
    from stonesoup.types.detection import Clutter

    n = a.targets
    side = a.area_side if a.area_side else max(20000.0, 5000.0 * math.sqrt(max(n, 1)))
    half = side / 2.0
    death_p = a.death_prob
    birth_rate = a.birth_rate if a.birth_rate is not None else n * death_p
    rng = np.random.RandomState(a.seed)

    # The combined model draws its own noise (LinearModel.function -> self.rvs), so the
    # seed must be on the combined model; seeds on the per-axis models are not used.
    cv = CombinedLinearGaussianTransitionModel(
        [ConstantVelocity(a.q), ConstantVelocity(a.q)], seed=a.seed + 11)
    # state vector [x, vx, y, vy]
    pre = []
    for _ in range(n):
        x, y = rng.uniform(-half, half, size=2)
        vx, vy = rng.normal(0.0, a.speed_sigma, size=2)
        pre.append(StateVector([x, vx, y, vy]))
    birth_prior = GaussianState(
        [[0.0], [0.0], [0.0], [0.0]],
        np.diag([(half / 2) ** 2, a.speed_sigma ** 2, (half / 2) ** 2, a.speed_sigma ** 2]),
        timestamp=EPOCH)
    gt_sim = MultiTargetGroundTruthSimulator(
        transition_model=cv, initial_state=birth_prior,
        timestep=datetime.timedelta(seconds=a.dt), number_steps=a.steps,
        birth_rate=birth_rate, death_probability=death_p, seed=a.seed,
        preexisting_states=pre)

    meas_range = np.array([[-half, half], [-half, half]])
    sensors, det_iters = [], []
    relay = _Relay()
    for k in range(a.sensors):
        mm = LinearGaussian(ndim_state=4, mapping=(0, 2),
                            noise_covar=np.diag([a.meas_sigma ** 2] * 2),
                            seed=a.seed + 100 + k)
        sim = SimpleDetectionSimulator(
            groundtruth=relay, measurement_model=mm, meas_range=meas_range,
            detection_probability=a.pd, clutter_rate=a.clutter, seed=a.seed + 200 + k)
        det_iters.append(iter(sim))
        sensors.append(OrderedDict(
            sensor_id=k, kind="cartesian_position", meas_sigma_m=a.meas_sigma, pd=a.pd,
            clutter_rate_per_scan=a.clutter,
            clutter_region_m=dict(xmin=-half, xmax=half, ymin=-half, ymax=half),
            clutter_spatial_density_per_m2=a.clutter / (side * side),
            revisit_s=a.dt * a.sensors, first_scan_s=a.dt * k))

    os.makedirs(a.out, exist_ok=True)
    ids = {}
    n_true = n_clut = n_det = 0
    n_truth_rows = 0
    t0 = _time.perf_counter()
    with open(os.path.join(a.out, "truth.csv"), "w", newline="") as ft, \
            open(os.path.join(a.out, "detections.csv"), "w", newline="") as fd:
        wt, wd = csv.writer(ft), csv.writer(fd)
        wt.writerow(["time_s", "truth_id", "x_m", "y_m"])
        wd.writerow(["scan_time_s", "sensor_id", "x_m", "y_m"])
        for step, (ts, paths) in enumerate(gt_sim):
            t = _secs(ts)
            for p in paths:
                tid = ids.setdefault(p.id, len(ids))
                sv = p[-1].state_vector
                wt.writerow([f"{t:.6f}", tid, f"{float(sv[0]):.3f}", f"{float(sv[2]):.3f}"])
                n_truth_rows += 1
            k = step % a.sensors
            relay.item = (ts, paths)
            _, dets = next(det_iters[k])
            rows = []
            for d in dets:
                if isinstance(d, Clutter):
                    n_clut += 1
                else:
                    n_true += 1
                rows.append((float(d.state_vector[0]), float(d.state_vector[1])))
            rows.sort()  # deterministic order that carries no truth information
            for x, y in rows:
                wd.writerow([f"{t:.6f}", k, f"{x:.3f}", f"{y:.3f}"])
            n_det += len(rows)
    n_scans = step + 1
    scen = OrderedDict(
        generator="bench.py gen", stonesoup_version=_ss_version(), seed=a.seed,
        n_targets_initial=n, steps=a.steps, dt_s=a.dt, n_sensors=a.sensors,
        area_m=dict(xmin=-half, xmax=half, ymin=-half, ymax=half, side=side),
        sensors=sensors,
        truth_model=OrderedDict(
            motion="2D nearly-constant-velocity (Stone Soup ConstantVelocity per axis)",
            state="[x, vx, y, vy]", process_noise_q_m2_s3=a.q,
            initial_positions="uniform over area", initial_velocity_sigma_mps=a.speed_sigma,
            birth_rate_per_step=birth_rate, death_probability_per_step=death_p,
            birth_prior="Gaussian, mean 0, pos sigma side/4, vel sigma speed_sigma",
            simulator="MultiTargetGroundTruthSimulator + SimpleDetectionSimulator"),
        stats=OrderedDict(
            n_scans=n_scans, n_detections=n_det, n_true_detections=n_true,
            n_clutter=n_clut, n_truth_ids=len(ids), n_truth_rows=n_truth_rows,
            mean_targets_per_scan=n_truth_rows / max(n_scans, 1),
            gen_wall_s=round(_time.perf_counter() - t0, 3)),
        gen_args={k: v for k, v in sorted(vars(a).items()) if k not in ("func", "cmd", "out")})
    with open(os.path.join(a.out, "scenario.json"), "w") as f:
        json.dump(scen, f, indent=2)
    print(json.dumps(dict(out=a.out, **scen["stats"])))


# ------------------------------------------------------------------------- track
def _build_tracker(a, sensors, detector):
    from scipy.stats import chi2
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel, ConstantVelocity)
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.updater.kalman import KalmanUpdater
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.hypothesiser.probability import PDAHypothesiser
    from stonesoup.gater.distance import DistanceGater
    from stonesoup.measures import Mahalanobis
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.dataassociator.probability import JPDA, JPDAwithEHM, JPDAwithEHM2
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.deleter.error import CovarianceBasedDeleter
    from stonesoup.deleter.multi import CompositeDeleter
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.tracker.simple import MultiTargetTracker, MultiTargetMixtureTracker
    from stonesoup.types.state import GaussianState

    s0 = sensors[0]
    predictor = KalmanPredictor(CombinedLinearGaussianTransitionModel(
        [ConstantVelocity(a.q), ConstantVelocity(a.q)]))
    updater = KalmanUpdater(s0["_model"])
    gate = math.sqrt(chi2.ppf(a.gate_prob, 2))  # Mahalanobis (not squared) gate
    hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=gate)
    gated = DistanceGater(hyp, measure=Mahalanobis(), gate_threshold=gate)
    sig = max(s["meas_sigma_m"] for s in sensors)
    deleter = CompositeDeleter([
        UpdateTimeStepsDeleter(time_steps_since_update=a.delete_steps),
        CovarianceBasedDeleter(covar_trace_thresh=2 * (a.delete_sigmas * sig) ** 2,
                               mapping=[0, 2])], intersect=False)  # list: a tuple breaks
    # CovarianceBasedDeleter (diagonals[(0, 2)] is 2-D indexing) in stonesoup 1.9.1
    def gnn():
        if a.assoc == "gnn-kdtree":
            # Euclidean kd-tree pre-gate (metres, in measurement space) before the
            # Mahalanobis hypothesiser/gate; Stone Soup's own spatial-index variant.
            return DetectionKDTreeGNN2D(hypothesiser=gated, predictor=predictor,
                                        updater=updater, max_distance=a.kd_radius)
        return GNNWith2DAssignment(gated)

    initiator = MultiMeasurementInitiator(
        prior_state=GaussianState([[0.0], [0.0], [0.0], [0.0]],
                                  np.diag([0.0, a.init_speed_sigma ** 2,
                                           0.0, a.init_speed_sigma ** 2])),
        measurement_model=s0["_model"],
        deleter=UpdateTimeStepsDeleter(time_steps_since_update=a.init_delete_steps),
        data_associator=gnn(), updater=updater,
        min_points=a.min_points)
    if a.assoc in ("gnn", "gnn-kdtree"):
        return MultiTargetTracker(initiator=initiator, deleter=deleter, detector=detector,
                                  data_associator=gnn(), updater=updater)
    # JPDA family: clutter density from the sensor spec (floored: PDA divides by it)
    lam = max(max(s["clutter_spatial_density_per_m2"] for s in sensors), a.min_clutter_density)
    pd = min(s["pd"] for s in sensors)
    pda = PDAHypothesiser(predictor, updater, clutter_spatial_density=lam,
                          prob_detect=pd, prob_gate=a.gate_prob)
    cls = {"jpda": JPDA, "jpda-ehm": JPDAwithEHM, "jpda-ehm2": JPDAwithEHM2}[a.assoc]
    return MultiTargetMixtureTracker(initiator=initiator, deleter=deleter, detector=detector,
                                     data_associator=cls(pda), updater=updater)


class _Stop(Exception):
    pass


def cmd_track(a):
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.reader.generic import CSVDetectionReader

    det_path = os.path.join(a.data, "detections.csv")
    scen_path = os.path.join(a.data, "scenario.json")
    if os.path.exists(scen_path) and not a.ignore_scenario:
        with open(scen_path) as f:
            sensors = json.load(f)["sensors"]  # sensor specs only, never truth
    else:
        sensors = [dict(sensor_id=0, meas_sigma_m=a.meas_sigma, pd=a.pd,
                        clutter_spatial_density_per_m2=a.clutter_density)]
    models = {}
    for s in sensors:
        s["_model"] = LinearGaussian(ndim_state=4, mapping=(0, 2),
                                     noise_covar=np.diag([s["meas_sigma_m"] ** 2] * 2))
        models[str(s["sensor_id"])] = s["_model"]

    reader = CSVDetectionReader(det_path, state_vector_fields=("x_m", "y_m"),
                                time_field="scan_time_s", timestamp=True)
    counts = dict(scans=0, dets=0)

    def detector():
        for ts, dets in reader:
            for d in dets:
                d.measurement_model = models[str(d.metadata["sensor_id"])]
            counts["scans"] += 1
            counts["dets"] += len(dets)
            yield ts, dets

    tracker = _build_tracker(a, sensors, detector())
    out = a.out or os.path.join(a.data, f"tracks_{a.assoc}.csv")
    ids = {}
    live_sum = 0
    timed_out = False

    def _on_term(signum, frame):
        raise _Stop()
    signal.signal(signal.SIGTERM, _on_term)

    t0 = _time.perf_counter()
    try:
        with open(out, "w", newline="") as fo:
            w = csv.writer(fo)
            w.writerow(["time_s", "track_id", "x_m", "y_m"])
            for ts, tracks in tracker:
                t = _secs(ts)
                for tr in tracks:
                    st = tr.state
                    if st.timestamp != ts:
                        continue
                    tid = ids.setdefault(tr.id, len(ids))
                    sv = st.state_vector
                    w.writerow([f"{t:.6f}", tid, f"{float(sv[0]):.3f}", f"{float(sv[2]):.3f}"])
                live_sum += len(tracks)
                el = _time.perf_counter() - t0
                if a.progress and counts["scans"] % a.progress == 0:
                    print(f"[track] scan {counts['scans']} t={t:.1f}s tracks={len(tracks)} "
                          f"elapsed={el:.1f}s", file=sys.stderr, flush=True)
                if a.max_seconds and el > a.max_seconds:
                    timed_out = True
                    break
    except (_Stop, KeyboardInterrupt):
        timed_out = True
    wall = _time.perf_counter() - t0
    res = OrderedDict(
        assoc=a.assoc, stonesoup_version=_ss_version(), data=a.data, tracks_csv=out,
        timed_out=timed_out, n_scans=counts["scans"], n_detections=counts["dets"],
        wall_s=round(wall, 3), dets_per_s=round(counts["dets"] / wall, 1) if wall else None,
        ms_per_scan=round(1e3 * wall / max(counts["scans"], 1), 2),
        n_track_ids=len(ids), mean_live_tracks=round(live_sum / max(counts["scans"], 1), 2))
    print(json.dumps(res), flush=True)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(res, f)


# ------------------------------------------------------------------------- score
def _read_points(path, id_col):
    by_t = defaultdict(list)
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        tcol = "time_s" if "time_s" in r.fieldnames else "scan_time_s"
        for row in r:
            by_t[_tkey(row[tcol])].append((float(row["x_m"]), float(row["y_m"]), row[id_col]))
    return {k: (np.array([[p[0], p[1]] for p in v], dtype=float).reshape(-1, 2),
                [p[2] for p in v]) for k, v in by_t.items()}


def _np_gospa_ospa(X, Y, c, p):
    """X: truths (m,2), Y: tracks (n,2). Independent of Stone Soup."""
    from scipy.optimize import linear_sum_assignment
    m, n = len(X), len(Y)
    half_c = c ** p / 2.0
    if m == 0 or n == 0:
        g = dict(localisation=0.0, missed=half_c * m, false=half_c * n,
                 n_loc=0, n_missed=m, n_false=n)
        g["distance"] = (g["missed"] + g["false"]) ** (1.0 / p)
        ospa = 0.0 if m == n == 0 else float(c)
        return g, ospa
    d = np.sqrt(((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1))
    dc = np.minimum(d, c) ** p
    r, k = linear_sum_assignment(dc)
    inside = d[r, k] < c
    loc = float(dc[r, k][inside].sum())
    n_loc = int(inside.sum())
    g = dict(localisation=loc, missed=half_c * (m - n_loc), false=half_c * (n - n_loc),
             n_loc=n_loc, n_missed=m - n_loc, n_false=n - n_loc)
    g["distance"] = (loc + g["missed"] + g["false"]) ** (1.0 / p)
    big = max(m, n)
    ospa = ((float(dc[r, k].sum()) + c ** p * (big - min(m, n))) / big) ** (1.0 / p)
    return g, ospa


def _ss_gospa_ospa(X, Y, t_us, c, p, gm, om):
    from stonesoup.types.state import State
    ts = EPOCH + datetime.timedelta(microseconds=t_us)
    xs = [State(np.array([[x], [y]]), timestamp=ts) for x, y in X]
    ys = [State(np.array([[x], [y]]), timestamp=ts) for x, y in Y]
    g, _ = gm.compute_gospa_metric(ys, xs)
    o = om.compute_OSPA_distance(ys, xs) if (xs or ys) else None
    return dict(g.value), (0.0 if o is None else float(o.value))


def cmd_score(a):
    from stonesoup.metricgenerator.ospametric import GOSPAMetric, OSPAMetric
    truth = _read_points(a.truth, "truth_id")
    tracks = _read_points(a.tracks, "track_id")
    times = sorted(set(truth) | set(tracks))
    empty = (np.zeros((0, 2)), [])
    pairs = [len(truth.get(t, empty)[0]) * len(tracks.get(t, empty)[0]) for t in times]
    total_pairs = sum(pairs)
    if a.impl == "stonesoup" or (a.impl == "auto" and total_pairs <= a.ss_pair_budget):
        check_idx = set(range(len(times)))
        primary = "stonesoup"
    else:
        primary = "numpy"
        if a.impl == "numpy" and a.check_scans == 0:
            check_idx = set()
        else:
            # evenly spaced sample of scans within a pair budget
            budget, chosen = a.ss_pair_budget, []
            want = a.check_scans if a.check_scans else 5
            for i in np.linspace(0, len(times) - 1, num=min(want, len(times))).astype(int):
                if budget - pairs[i] >= 0 or not chosen:
                    chosen.append(int(i))
                    budget -= pairs[i]
            check_idx = set(chosen)
    gm = GOSPAMetric(c=a.c, p=a.p)
    om = OSPAMetric(c=a.c, p=a.p)
    acc = defaultdict(float)
    max_diff = 0.0
    per_scan = []
    for i, t in enumerate(times):
        X = truth.get(t, empty)[0]
        Y = tracks.get(t, empty)[0]
        g, o = _np_gospa_ospa(X, Y, a.c, a.p)
        if i in check_idx:
            sg, so = _ss_gospa_ospa(X, Y, t, a.c, a.p, gm, om)
            diffs = [abs(sg[k] - g[k]) for k in ("distance", "localisation", "missed", "false")]
            diffs.append(abs(so - o))
            max_diff = max(max_diff, *diffs)
            if primary == "stonesoup":
                g.update({k: float(sg[k]) for k in ("distance", "localisation", "missed",
                                                    "false")})
                o = so
        for k in ("distance", "localisation", "missed", "false", "n_missed", "n_false"):
            acc[k] += g[k]
        acc["ospa"] += o
        acc["n_truth"] += len(X)
        acc["n_tracks"] += len(Y)
        per_scan.append((t / 1e6, len(X), len(Y), g["distance"], g["localisation"],
                         g["missed"], g["false"], o))
    ns = max(len(times), 1)
    res = OrderedDict(
        mean_gospa=round(acc["distance"] / ns, 4), mean_ospa=round(acc["ospa"] / ns, 4),
        localisation=round(acc["localisation"] / ns, 4), missed=round(acc["missed"] / ns, 4),
        false=round(acc["false"] / ns, 4), n_scans=len(times),
        missed_count=round(acc["n_missed"] / ns, 3), false_count=round(acc["n_false"] / ns, 3),
        mean_truths=round(acc["n_truth"] / ns, 2), mean_tracks=round(acc["n_tracks"] / ns, 2),
        c=a.c, p=a.p, alpha=2, impl=primary, stonesoup_checked_scans=len(check_idx),
        max_abs_diff_vs_stonesoup=float(f"{max_diff:.3g}"), tracks=a.tracks)
    if a.per_scan:
        with open(a.per_scan, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["time_s", "n_truth", "n_tracks", "gospa", "localisation", "missed",
                        "false", "ospa"])
            for row in per_scan:
                w.writerow([f"{row[0]:.6f}", row[1], row[2]] + [f"{v:.4f}" for v in row[3:]])
    print(json.dumps(res))
    if a.tol is not None and max_diff > a.tol:
        print(f"numpy and Stone Soup metrics disagree by {max_diff}", file=sys.stderr)
        sys.exit(2)


# -------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    g = sub.add_parser("gen", help="simulate a seeded scenario")
    g.add_argument("--out", required=True, help="output directory")
    g.add_argument("--targets", type=int, default=50, help="targets at t=0")
    g.add_argument("--steps", type=int, default=100, help="number of scans / truth steps")
    g.add_argument("--dt", type=float, default=1.0, help="seconds between scans")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--pd", type=float, default=0.9, help="probability of detection")
    g.add_argument("--clutter", type=float, default=10.0, help="mean clutter per scan (Poisson)")
    g.add_argument("--meas-sigma", type=float, default=50.0, help="position noise sigma, m")
    g.add_argument("--q", type=float, default=0.5, help="CV process noise, m^2/s^3")
    g.add_argument("--speed-sigma", type=float, default=50.0,
                   help="initial velocity sigma per axis, m/s")
    g.add_argument("--area-side", type=float, default=None,
                   help="square area side, m (default max(20 km, 5 km*sqrt(N)))")
    g.add_argument("--death-prob", type=float, default=0.002, help="per target per step")
    g.add_argument("--birth-rate", type=float, default=None,
                   help="Poisson births per step (default targets*death_prob)")
    g.add_argument("--sensors", type=int, default=1,
                   help="sensors, scanning round-robin (one scan per step)")
    g.set_defaults(func=cmd_gen)

    t = sub.add_parser("track", help="run a Stone Soup tracker on detections.csv")
    t.add_argument("--data", required=True, help="directory with detections.csv")
    t.add_argument("--out", default=None, help="tracks.csv path (default DATA/tracks_ASSOC.csv)")
    t.add_argument("--assoc", choices=["gnn", "gnn-kdtree", "jpda", "jpda-ehm", "jpda-ehm2"],
                   default="gnn",
                   help="gnn: GNNWith2DAssignment (all track x detection pairs hypothesised); "
                        "gnn-kdtree: DetectionKDTreeGNN2D (kd-tree pre-gate, same hypothesiser); "
                        "jpda: brute-force JPDA (exponential); jpda-ehm/jpda-ehm2: exact JPDA "
                        "via (patented) Efficient Hypothesis Management")
    t.add_argument("--kd-radius", type=float, default=1500.0,
                   help="gnn-kdtree: Euclidean pre-gate radius, m")
    t.add_argument("--q", type=float, default=0.5, help="filter CV process noise, m^2/s^3")
    t.add_argument("--gate-prob", type=float, default=0.999,
                   help="chi2 gate probability (2 dof) for Mahalanobis gate / PDA gate")
    t.add_argument("--min-points", type=int, default=3, help="updates to confirm a track")
    t.add_argument("--init-speed-sigma", type=float, default=100.0,
                   help="initiator prior velocity sigma, m/s")
    t.add_argument("--init-delete-steps", type=int, default=2,
                   help="tentative track dropped after this many scans without update")
    t.add_argument("--delete-steps", type=int, default=5,
                   help="confirmed track dropped after this many scans without update")
    t.add_argument("--delete-sigmas", type=float, default=20.0,
                   help="also drop if position covariance trace > 2*(k*sigma)^2")
    t.add_argument("--min-clutter-density", type=float, default=1e-10,
                   help="floor on clutter density for PDA (per m^2)")
    t.add_argument("--ignore-scenario", action="store_true",
                   help="do not read sensor specs from scenario.json")
    t.add_argument("--meas-sigma", type=float, default=50.0)
    t.add_argument("--pd", type=float, default=0.9)
    t.add_argument("--clutter-density", type=float, default=1e-8)
    t.add_argument("--max-seconds", type=float, default=300.0,
                   help="stop (timed_out=true) after this wall time; 0 = no limit")
    t.add_argument("--progress", type=int, default=0, help="log every N scans to stderr")
    t.add_argument("--json-out", default=None, help="also write the summary JSON here")
    t.set_defaults(func=cmd_track)

    s = sub.add_parser("score", help="GOSPA/OSPA of any tracks.csv against truth.csv")
    s.add_argument("--truth", required=True)
    s.add_argument("--tracks", required=True)
    s.add_argument("--c", type=float, default=100.0, help="cut-off distance, m")
    s.add_argument("--p", type=float, default=1.0, help="order")
    s.add_argument("--impl", choices=["auto", "stonesoup", "numpy"], default="auto",
                   help="auto: Stone Soup on every scan if affordable, else numpy + "
                        "Stone Soup check on sampled scans")
    s.add_argument("--ss-pair-budget", type=int, default=2_000_000,
                   help="max truth*track pairs to evaluate with Stone Soup")
    s.add_argument("--check-scans", type=int, default=0,
                   help="scans to cross-check with Stone Soup when numpy is primary")
    s.add_argument("--tol", type=float, default=1e-6,
                   help="exit 2 if numpy and Stone Soup differ by more than this")
    s.add_argument("--per-scan", default=None, help="write per-scan metrics CSV here")
    s.set_defaults(func=cmd_score)

    a = ap.parse_args(argv)
    a.func(a)


if __name__ == "__main__":
    main()
