//! Hypothesiser role: which plots could be which track's (gating), and at what cost.
//!
//! Two spatial indexes over the scan's plots, both exact after the index's
//! coarse box test (every candidate is then Mahalanobis-gated):
//! - [`GridGate`] (default): a uniform grid built by counting sort, rebuilt
//!   per scan in O(plots), queried in O(cells touched). Written by hand
//!   because the query is a fixed-radius box in a dense, uniformly spread
//!   scene, where a flat array beats a tree's pointer chasing: see the
//!   `gating` group of `benches/fusion.rs` (rstar vs grid) for the figures.
//! - [`RTreeGate`]: `rstar`'s R*-tree, bulk-loaded per scan; better when plots
//!   cluster in a few spots of a huge area.

use rayon::prelude::*;
use rstar::{AABB, RTree, primitives::GeomWithData};

use crate::limits::GRID_CELLS_MAX;
use crate::state::{Filter, Mat2, Plot, Vec2, max_eigenvalue};

/// What gating needs of one predicted track: a few words instead of the
/// whole filter, so the gate's scan over all tracks stays in cache.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateInput {
    pub position: Vec2,
    pub velocity: Vec2,
    pub position_cov: Mat2,
    /// The track's cooperative identity key (0 for none).
    pub identity_key: u64,
}

impl GateInput {
    pub fn of(filter: &Filter, identity_key: u64) -> GateInput {
        GateInput {
            position: filter.est.position(),
            velocity: filter.est.velocity(),
            position_cov: filter.est.position_cov(),
            identity_key,
        }
    }
}

/// A possible pairing of a track with a plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hypothesis {
    pub track: u32,
    pub plot: u32,
    /// Mahalanobis distance (not squared); zero for a matching cooperative identity.
    pub distance: f64,
    /// Squared Mahalanobis distance and innovation determinant, for JPDA.
    pub d2: f64,
    pub det_s: f64,
}

/// Gates plots against predicted tracks; writes hypotheses grouped by track, in track order.
pub trait Hypothesiser: Send + Sync + std::fmt::Debug {
    fn hypothesise(&self, predictions: &[GateInput], plots: &[Plot], out: &mut Vec<Hypothesis>);
}

/// Settings shared by the gates.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    /// Mahalanobis gate (not squared): √χ²₂(0.999) = 3.717 by default, as Stone Soup.
    pub mahalanobis: f64,
    /// No search radius beyond this, metres: a track that uncertain is near deletion.
    pub radius_max_m: f64,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            mahalanobis: 3.717,
            radius_max_m: 20_000.0,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct GridGate {
    pub gate: Gate,
    /// Grid cell side, metres (coarsened when the scene needs more than `GRID_CELLS_MAX` cells).
    pub cell_m: f64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RTreeGate {
    pub gate: Gate,
}

const CHUNK: usize = 1024;

/// The search radius of a track and the Mahalanobis test of one candidate.
fn radius(pred: &GateInput, r_max: f64, gate: &Gate) -> f64 {
    let lambda = max_eigenvalue(&pred.position_cov) + r_max;
    (gate.mahalanobis * lambda.max(0.0).sqrt()).min(gate.radius_max_m)
}

fn test(
    track: u32,
    pred: &GateInput,
    plot_idx: u32,
    plot: &Plot,
    gate: &Gate,
) -> Option<Hypothesis> {
    let key = pred.identity_key;
    if plot.identity_key != 0 && key != 0 && plot.identity_key != key {
        return None;
    }
    // A plot earlier than the scan time: move the prediction back along its velocity.
    let predicted = pred.position + pred.velocity * plot.dt_s;
    let nu = plot.z - predicted;
    let s: Mat2 = pred.position_cov + plot.r;
    let det_s = s.determinant();
    if det_s <= 0.0 {
        return None;
    }
    // νᵀ S⁻¹ ν with the 2x2 inverse written out (S is symmetric).
    let d2 =
        (s[(1, 1)] * nu.x * nu.x - 2.0 * s[(0, 1)] * nu.x * nu.y + s[(0, 0)] * nu.y * nu.y) / det_s;
    // NaN fails the gate too.
    if d2.is_nan() || d2 >= gate.mahalanobis * gate.mahalanobis {
        return None;
    }
    let same_identity = plot.identity_key != 0 && plot.identity_key == key;
    let distance = if same_identity { 0.0 } else { d2.sqrt() };
    Some(Hypothesis {
        track,
        plot: plot_idx,
        distance,
        d2,
        det_s,
    })
}

fn r_max(plots: &[Plot]) -> f64 {
    plots
        .iter()
        .map(|p| max_eigenvalue(&p.r))
        .fold(0.0, f64::max)
}

/// A uniform grid over the plots' bounding box; plots of a cell are contiguous.
#[derive(Debug)]
struct Grid {
    min: Vec2,
    cell_m: f64,
    nx: usize,
    ny: usize,
    cell_start: Vec<u32>,
    plot_of: Vec<u32>,
}

impl Grid {
    fn build(plots: &[Plot], cell_m: f64) -> Grid {
        let (mut min, mut max) = (Vec2::repeat(f64::INFINITY), Vec2::repeat(f64::NEG_INFINITY));
        for p in plots {
            min = min.inf(&p.z);
            max = max.sup(&p.z);
        }
        let span = (max - min).map(|s| s.max(1.0));
        let mut cell_m = cell_m.max(1.0);
        while (span.x / cell_m + 1.0) * (span.y / cell_m + 1.0) > GRID_CELLS_MAX as f64 {
            cell_m *= 2.0;
        }
        let nx = (span.x / cell_m) as usize + 1;
        let ny = (span.y / cell_m) as usize + 1;
        let cell_of = |z: &Vec2| {
            let cx = (((z.x - min.x) / cell_m) as usize).min(nx - 1);
            let cy = (((z.y - min.y) / cell_m) as usize).min(ny - 1);
            cy * nx + cx
        };
        let mut cell_start = vec![0u32; nx * ny + 1];
        for p in plots {
            cell_start[cell_of(&p.z) + 1] += 1;
        }
        for i in 1..cell_start.len() {
            cell_start[i] += cell_start[i - 1];
        }
        let mut fill = cell_start.clone();
        let mut plot_of = vec![0u32; plots.len()];
        for (i, p) in plots.iter().enumerate() {
            let c = cell_of(&p.z);
            plot_of[fill[c] as usize] = i as u32;
            fill[c] += 1;
        }
        Grid {
            min,
            cell_m,
            nx,
            ny,
            cell_start,
            plot_of,
        }
    }

    fn for_each_near(&self, centre: &Vec2, radius_m: f64, mut visit: impl FnMut(u32)) {
        let lo = (centre - self.min).map(|v| (v - radius_m) / self.cell_m);
        let hi = (centre - self.min).map(|v| (v + radius_m) / self.cell_m);
        if hi.x < 0.0 || hi.y < 0.0 || lo.x >= self.nx as f64 || lo.y >= self.ny as f64 {
            return;
        }
        let (x0, y0) = (lo.x.max(0.0) as usize, lo.y.max(0.0) as usize);
        let (x1, y1) = (
            (hi.x as usize).min(self.nx - 1),
            (hi.y as usize).min(self.ny - 1),
        );
        for cy in y0..=y1 {
            let row = cy * self.nx;
            let (a, b) = (self.cell_start[row + x0], self.cell_start[row + x1 + 1]);
            for &plot in &self.plot_of[a as usize..b as usize] {
                visit(plot);
            }
        }
    }
}

impl Hypothesiser for GridGate {
    fn hypothesise(&self, predictions: &[GateInput], plots: &[Plot], out: &mut Vec<Hypothesis>) {
        if plots.is_empty() || predictions.is_empty() {
            return;
        }
        let cell_m = if self.cell_m > 0.0 {
            self.cell_m
        } else {
            2_000.0
        };
        let grid = Grid::build(plots, cell_m);
        let r_max = r_max(plots);
        let gate = self.gate;
        let chunks: Vec<Vec<Hypothesis>> = predictions
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut local = Vec::new();
                for (k, pred) in chunk.iter().enumerate() {
                    let t = c * CHUNK + k;
                    let start = local.len();
                    grid.for_each_near(&pred.position, radius(pred, r_max, &gate), |p| {
                        let h = test(t as u32, pred, p, &plots[p as usize], &gate);
                        local.extend(h);
                    });
                    // Cells are visited row by row; order by plot for a canonical output.
                    local[start..].sort_unstable_by_key(|h| h.plot);
                }
                local
            })
            .collect();
        out.reserve(chunks.iter().map(Vec::len).sum());
        chunks.into_iter().for_each(|c| out.extend(c));
    }
}

impl Hypothesiser for RTreeGate {
    fn hypothesise(&self, predictions: &[GateInput], plots: &[Plot], out: &mut Vec<Hypothesis>) {
        if plots.is_empty() || predictions.is_empty() {
            return;
        }
        let points: Vec<GeomWithData<[f64; 2], u32>> = plots
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new([p.z.x, p.z.y], i as u32))
            .collect();
        let tree = RTree::bulk_load(points);
        let r_max = r_max(plots);
        let gate = self.gate;
        let chunks: Vec<Vec<Hypothesis>> = predictions
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut local = Vec::new();
                for (k, pred) in chunk.iter().enumerate() {
                    let t = c * CHUNK + k;
                    let start = local.len();
                    let centre = pred.position;
                    let rad = radius(pred, r_max, &gate);
                    let envelope = AABB::from_corners(
                        [centre.x - rad, centre.y - rad],
                        [centre.x + rad, centre.y + rad],
                    );
                    for point in tree.locate_in_envelope(&envelope) {
                        let p = point.data;
                        local.extend(test(t as u32, pred, p, &plots[p as usize], &gate));
                    }
                    local[start..].sort_unstable_by_key(|h| h.plot);
                }
                local
            })
            .collect();
        out.reserve(chunks.iter().map(Vec::len).sum());
        chunks.into_iter().for_each(|c| out.extend(c));
    }
}
