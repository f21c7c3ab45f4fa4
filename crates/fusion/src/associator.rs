//! Associator role: decide which plot updates which track, cluster by cluster.
//!
//! Tracks that share no gated plot are independent, so hypotheses are split
//! into clusters (union-find over tracks and plots) and each cluster is solved
//! alone: optimally by `lsap` (a port of SciPy's `linear_sum_assignment`,
//! the solver Stone Soup uses) for global nearest neighbour, or by exact
//! enumeration for JPDA. Clusters are solved in parallel; each result is
//! written to its own tracks' slots, so the outcome does not depend on the
//! thread count.

use rayon::prelude::*;

use crate::hypothesiser::Hypothesis;
use crate::limits::{JPDA_CLUSTER_PLOTS_MAX, JPDA_CLUSTER_TRACKS_MAX};

/// What a track gets from this scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Assoc {
    Missed,
    Plot(u32),
    /// JPDA: `weights[start..start + len]` with `beta0` for "none of them".
    Pda {
        start: u32,
        len: u32,
        beta0: f64,
    },
}

#[derive(Debug, Default)]
pub struct Association {
    pub per_track: Vec<Assoc>,
    pub weights: Vec<(u32, f64)>,
    pub plot_used: Vec<bool>,
    /// Clusters too big for JPDA enumeration, solved by GNN instead.
    pub jpda_fallbacks: u64,
}

impl Association {
    fn reset(&mut self, n_tracks: usize, n_plots: usize) {
        self.per_track.clear();
        self.per_track.resize(n_tracks, Assoc::Missed);
        self.weights.clear();
        self.plot_used.clear();
        self.plot_used.resize(n_plots, false);
    }
}

/// Associates plots to tracks from hypotheses grouped by track.
pub trait Associator: Send + Sync + std::fmt::Debug {
    fn associate(
        &self,
        n_tracks: usize,
        n_plots: usize,
        hyps: &[Hypothesis],
        out: &mut Association,
    );
}

/// Global nearest neighbour: the assignment minimising the summed Mahalanobis
/// distance, where leaving a track without a plot costs the gate (Stone Soup's
/// `GNNWith2DAssignment` with `missed_distance` = gate).
#[derive(Debug, Clone, Copy)]
pub struct Gnn {
    pub missed_distance: f64,
}

/// Joint probabilistic data association in clusters small enough to enumerate.
#[derive(Debug, Clone, Copy)]
pub struct Jpda {
    pub pd: f64,
    /// Probability that the true plot falls in the gate.
    pub pg: f64,
    /// Clutter per square metre; floored (PDA divides by it).
    pub clutter_density: f64,
    /// Used for clusters too big to enumerate.
    pub fallback: Gnn,
}

/// A track, its plots with their probabilities, and the probability of none.
type Marginals = (u32, Vec<(u32, f64)>, f64);

/// A cluster: its tracks (ascending) and their hypotheses.
#[derive(Debug, Default)]
struct Cluster {
    tracks: Vec<u32>,
    hyps: Vec<Hypothesis>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// Splits hypotheses into clusters; single-track clusters are returned apart
/// as (track, hypothesis range) since they need no solver.
fn clusters(
    n_tracks: usize,
    n_plots: usize,
    hyps: &[Hypothesis],
) -> (Vec<(u32, std::ops::Range<usize>)>, Vec<Cluster>) {
    let mut parent: Vec<u32> = (0..(n_tracks + n_plots) as u32).collect();
    for h in hyps {
        let (a, b) = (
            find(&mut parent, h.track),
            find(&mut parent, n_tracks as u32 + h.plot),
        );
        if a != b {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            parent[hi as usize] = lo;
        }
    }
    let mut n_in_root = vec![0u32; n_tracks];
    let mut ranges = Vec::with_capacity(n_tracks);
    let mut start = 0;
    while start < hyps.len() {
        let t = hyps[start].track;
        let mut end = start;
        while end < hyps.len() && hyps[end].track == t {
            end += 1;
        }
        let root = find(&mut parent, t);
        n_in_root[root as usize] += 1;
        ranges.push((t, start..end));
        start = end;
    }
    let mut singles = Vec::new();
    let mut multi: Vec<Cluster> = Vec::new();
    let mut cluster_of_root = vec![u32::MAX; n_tracks];
    for (t, range) in ranges {
        let root = find(&mut parent, t) as usize;
        if n_in_root[root] == 1 {
            singles.push((t, range));
            continue;
        }
        if cluster_of_root[root] == u32::MAX {
            cluster_of_root[root] = multi.len() as u32;
            multi.push(Cluster::default());
        }
        let c = &mut multi[cluster_of_root[root] as usize];
        c.tracks.push(t);
        c.hyps.extend_from_slice(&hyps[range]);
    }
    (singles, multi)
}

impl Gnn {
    /// Optimal pairs of one cluster.
    fn solve(&self, c: &Cluster) -> Vec<(u32, u32)> {
        let mut plots: Vec<u32> = c.hyps.iter().map(|h| h.plot).collect();
        plots.sort_unstable();
        plots.dedup();
        let (nr, nc) = (c.tracks.len(), plots.len());
        // Cost d − gate for a gated pair (negative), 0 for "not this pair":
        // leaving both unassigned costs the same as a non-pair.
        let mut cost = vec![0.0; nr * nc];
        let mut row = 0;
        for (i, h) in c.hyps.iter().enumerate() {
            if i > 0 && c.hyps[i - 1].track != h.track {
                row += 1;
            }
            let col = plots.binary_search(&h.plot).expect("plot of this cluster");
            cost[row * nc + col] = h.distance - self.missed_distance;
        }
        let Ok((rows, cols)) = lsap::solve(nr, nc, &cost, false) else {
            // Every entry is finite, so the solver cannot fail; stay safe anyway.
            return Vec::new();
        };
        rows.into_iter()
            .zip(cols)
            .filter(|&(r, k)| cost[r * nc + k] < 0.0)
            .map(|(r, k)| (c.tracks[r], plots[k]))
            .collect()
    }

    fn best_single(&self, hyps: &[Hypothesis]) -> Option<u32> {
        hyps.iter()
            .filter(|h| h.distance < self.missed_distance)
            .min_by(|a, b| a.distance.total_cmp(&b.distance))
            .map(|h| h.plot)
    }
}

impl Associator for Gnn {
    fn associate(
        &self,
        n_tracks: usize,
        n_plots: usize,
        hyps: &[Hypothesis],
        out: &mut Association,
    ) {
        out.reset(n_tracks, n_plots);
        let (singles, multi) = clusters(n_tracks, n_plots, hyps);
        for (t, range) in singles {
            if let Some(p) = self.best_single(&hyps[range]) {
                out.per_track[t as usize] = Assoc::Plot(p);
                out.plot_used[p as usize] = true;
            }
        }
        let solved: Vec<Vec<(u32, u32)>> = multi.par_iter().map(|c| self.solve(c)).collect();
        for (t, p) in solved.into_iter().flatten() {
            out.per_track[t as usize] = Assoc::Plot(p);
            out.plot_used[p as usize] = true;
        }
    }
}

impl Jpda {
    fn likelihood_ratio(&self, h: &Hypothesis) -> f64 {
        let density = (-0.5 * h.d2).exp() / (std::f64::consts::TAU * h.det_s.sqrt());
        self.pd * density / self.clutter_density.max(1e-12)
    }

    /// Marginal association probabilities by enumerating joint events.
    fn solve(&self, c: &Cluster) -> Vec<Marginals> {
        let mut by_track: Vec<Vec<(u32, f64)>> = vec![Vec::new(); c.tracks.len()];
        let mut row = 0;
        for (i, h) in c.hyps.iter().enumerate() {
            if i > 0 && c.hyps[i - 1].track != h.track {
                row += 1;
            }
            by_track[row].push((h.plot, self.likelihood_ratio(h)));
        }
        let miss = 1.0 - self.pd * self.pg;
        let mut marg: Vec<Vec<f64>> = by_track.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut marg_miss = vec![0.0; by_track.len()];
        let mut choice = vec![usize::MAX; by_track.len()];
        let mut total = 0.0;
        enumerate(
            &by_track,
            miss,
            0,
            &mut Vec::new(),
            1.0,
            &mut choice,
            &mut |w, choice| {
                total += w;
                for (t, &k) in choice.iter().enumerate() {
                    if k == usize::MAX {
                        marg_miss[t] += w;
                    } else {
                        marg[t][k] += w;
                    }
                }
            },
        );
        let total = total.max(1e-300);
        c.tracks
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let w = by_track[i]
                    .iter()
                    .zip(&marg[i])
                    .map(|(&(p, _), m)| (p, m / total));
                (t, w.collect(), marg_miss[i] / total)
            })
            .collect()
    }
}

/// Walks every joint event: track `t` takes one unused plot or none.
fn enumerate(
    by_track: &[Vec<(u32, f64)>],
    miss: f64,
    t: usize,
    used: &mut Vec<u32>,
    weight: f64,
    choice: &mut [usize],
    visit: &mut impl FnMut(f64, &[usize]),
) {
    if t == by_track.len() {
        visit(weight, choice);
        return;
    }
    choice[t] = usize::MAX;
    enumerate(by_track, miss, t + 1, used, weight * miss, choice, visit);
    for (k, &(plot, lr)) in by_track[t].iter().enumerate() {
        if used.contains(&plot) {
            continue;
        }
        used.push(plot);
        choice[t] = k;
        enumerate(by_track, miss, t + 1, used, weight * lr, choice, visit);
        used.pop();
    }
    choice[t] = usize::MAX;
}

impl Associator for Jpda {
    fn associate(
        &self,
        n_tracks: usize,
        n_plots: usize,
        hyps: &[Hypothesis],
        out: &mut Association,
    ) {
        out.reset(n_tracks, n_plots);
        let (singles, multi) = clusters(n_tracks, n_plots, hyps);
        let singles: Vec<Cluster> = singles
            .into_iter()
            .map(|(t, r)| Cluster {
                tracks: vec![t],
                hyps: hyps[r].to_vec(),
            })
            .collect();
        let all: Vec<&Cluster> = singles.iter().chain(multi.iter()).collect();
        let small = |c: &Cluster| {
            let mut plots: Vec<u32> = c.hyps.iter().map(|h| h.plot).collect();
            plots.sort_unstable();
            plots.dedup();
            c.tracks.len() <= JPDA_CLUSTER_TRACKS_MAX && plots.len() <= JPDA_CLUSTER_PLOTS_MAX
        };
        type Solved = Result<Vec<Marginals>, Vec<(u32, u32)>>;
        let solved: Vec<Solved> = all
            .par_iter()
            .map(|c| {
                if small(c) {
                    Ok(self.solve(c))
                } else {
                    Err(self.fallback.solve(c))
                }
            })
            .collect();
        for s in solved {
            match s {
                Ok(tracks) => {
                    for (t, weights, beta0) in tracks {
                        let start = out.weights.len() as u32;
                        for &(p, _) in &weights {
                            out.plot_used[p as usize] = true;
                        }
                        out.weights.extend_from_slice(&weights);
                        let len = weights.len() as u32;
                        out.per_track[t as usize] = Assoc::Pda { start, len, beta0 };
                    }
                }
                Err(pairs) => {
                    out.jpda_fallbacks += 1;
                    for (t, p) in pairs {
                        out.per_track[t as usize] = Assoc::Plot(p);
                        out.plot_used[p as usize] = true;
                    }
                }
            }
        }
    }
}
