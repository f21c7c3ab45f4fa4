//! GOSPA (generalised optimal sub-pattern assignment, α = 2) between truth and
//! tracks at one time, as the Stone Soup harness scores it: cut-off `c`,
//! order `p`; a missed truth or a false track costs cᵖ/2.
//!
//! Pairs at or beyond `c` cost the same as leaving both unassigned, so only
//! pairs closer than `c` matter: they are found with a grid of side `c`,
//! split into independent clusters and each cluster solved optimally by `lsap`.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gospa {
    pub distance: f64,
    pub localisation: f64,
    pub missed: f64,
    pub false_tracks: f64,
}

pub fn gospa(truth: &[[f64; 2]], tracks: &[[f64; 2]], c: f64, p: f64) -> Gospa {
    gospa_assigned(truth, tracks, c, p).0
}

/// [`gospa`] and its optimal assignment: the (truth, track) index pairs closer
/// than `c`, sorted by truth index.
pub fn gospa_assigned(
    truth: &[[f64; 2]],
    tracks: &[[f64; 2]],
    c: f64,
    p: f64,
) -> (Gospa, Vec<(usize, usize)>) {
    let cp = c.powf(p);
    let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (j, y) in tracks.iter().enumerate() {
        cells
            .entry(((y[0] / c).floor() as i64, (y[1] / c).floor() as i64))
            .or_default()
            .push(j);
    }
    // Close pairs, and union-find over truths (0..m) and tracks (m..m+n).
    let (m, n) = (truth.len(), tracks.len());
    let mut pairs = Vec::new();
    let mut parent: Vec<usize> = (0..m + n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (i, x) in truth.iter().enumerate() {
        let (cx, cy) = ((x[0] / c).floor() as i64, (x[1] / c).floor() as i64);
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &j in cells.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let d = (x[0] - tracks[j][0]).hypot(x[1] - tracks[j][1]);
                    if d < c {
                        pairs.push((i, j, d.powf(p)));
                        let (a, b) = (find(&mut parent, i), find(&mut parent, m + j));
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
        }
    }
    let mut by_root: HashMap<usize, Vec<(usize, usize, f64)>> = HashMap::new();
    for &(i, j, d) in &pairs {
        by_root
            .entry(find(&mut parent, i))
            .or_default()
            .push((i, j, d));
    }
    let mut roots: Vec<usize> = by_root.keys().copied().collect();
    roots.sort_unstable();
    let (mut loc, mut n_assigned) = (0.0, 0usize);
    let mut assigned = Vec::new();
    for root in roots {
        let cluster = &by_root[&root];
        let mut rows: Vec<usize> = cluster.iter().map(|e| e.0).collect();
        let mut cols: Vec<usize> = cluster.iter().map(|e| e.1).collect();
        rows.sort_unstable();
        rows.dedup();
        cols.sort_unstable();
        cols.dedup();
        let (nr, nc) = (rows.len(), cols.len());
        // An assigned pair costs d^p instead of c^p (a miss plus a false track).
        let mut cost = vec![0.0; nr * nc];
        for &(i, j, d) in cluster {
            let r = rows.binary_search(&i).unwrap_or(0);
            let k = cols.binary_search(&j).unwrap_or(0);
            cost[r * nc + k] = d - cp;
        }
        if let Ok((rr, kk)) = lsap::solve(nr, nc, &cost, false) {
            for (r, k) in rr.into_iter().zip(kk) {
                if cost[r * nc + k] < 0.0 {
                    loc += cost[r * nc + k] + cp;
                    n_assigned += 1;
                    assigned.push((rows[r], cols[k]));
                }
            }
        }
    }
    let missed = cp / 2.0 * (m - n_assigned) as f64;
    let false_tracks = cp / 2.0 * (n - n_assigned) as f64;
    assigned.sort_unstable();
    let g = Gospa {
        distance: (loc + missed + false_tracks).powf(1.0 / p),
        localisation: loc,
        missed,
        false_tracks,
    };
    (g, assigned)
}
