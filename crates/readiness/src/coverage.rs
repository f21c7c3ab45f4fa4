//! Coverage from low to high altitude: which part of each protected zone a
//! sensor laydown sees at each altitude band, the gaps, and a greedy suggestion
//! of where extra sensors would close the most low-altitude gap.
//!
//! The grid is the sinusoidal projection centred on the zones' middle meridian,
//! in square cells of `cell_m`: the projection is equal-area, so every cell is
//! exactly `cell_m²` of the Earth's surface and gap areas are counts of cells.
//! A sensor covers a cell at a band when the great-circle distance from the
//! sensor to the cell's centre is within its reach at that band: for a radar the
//! lesser of its range and the radio horizon on the 4/3-Earth model
//! (`d = sqrt(2kR·h_antenna) + sqrt(2kR·h_target)`), for an acoustic net its
//! nodes' radius up to the altitude it hears. Each row of the grid is a
//! parallel, so a sensor's footprint on it is one longitude interval, computed
//! in closed form on the sphere: rows are filled as bit intervals, in parallel.
//! Terrain masking is not modelled (no elevation data in the repo).

use geo::MultiPolygon;
use rayon::prelude::*;

use crate::limits;

/// The altitude bands reported, metres above the ground.
pub const BANDS_M: [f64; 4] = [50.0, 150.0, 500.0, 3000.0];
/// The spherical Earth's mean radius (IUGG), for great-circle distances and the grid.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// The standard refraction factor of the 4/3-Earth model.
pub const K_FACTOR: f64 = 4.0 / 3.0;

/// The distance to the radio horizon of one height, on the 4/3-Earth model.
pub fn horizon_m(height_m: f64) -> f64 {
    (2.0 * K_FACTOR * EARTH_RADIUS_M * height_m.max(0.0)).sqrt()
}

/// The longest ground distance at which an antenna at `antenna_m` sees a target at `target_m`.
pub fn radar_horizon_m(antenna_m: f64, target_m: f64) -> f64 {
    horizon_m(antenna_m) + horizon_m(target_m)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensorKind {
    Radar,
    /// A node of an acoustic net: hears within its radius up to `alt_max_m`.
    Acoustic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sensor {
    pub id: String,
    pub kind: SensorKind,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Antenna height above the ground (radar).
    pub antenna_m: f64,
    pub range_m: f64,
    /// The highest altitude sensed (acoustic); radars see every band.
    pub alt_max_m: f64,
}

impl Sensor {
    /// Ground reach at a band's altitude.
    pub fn reach_m(&self, band_m: f64) -> f64 {
        match self.kind {
            SensorKind::Radar => self.range_m.min(radar_horizon_m(self.antenna_m, band_m)),
            SensorKind::Acoustic if band_m <= self.alt_max_m => self.range_m,
            SensorKind::Acoustic => 0.0,
        }
    }
}

/// A zone to cover: id and area (longitude, latitude degrees).
#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub area: MultiPolygon<f64>,
}

/// The covered and gap area of one zone at one band.
#[derive(Debug, Clone, PartialEq)]
pub struct BandCoverage {
    pub zone: String,
    pub band_m: f64,
    pub zone_km2: f64,
    pub covered_km2: f64,
    pub gap_km2: f64,
}

impl BandCoverage {
    pub fn covered_share(&self) -> f64 {
        if self.zone_km2 > 0.0 {
            self.covered_km2 / self.zone_km2
        } else {
            0.0
        }
    }
}

/// An extra sensor suggested by the greedy placement.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Low-band gap it closes, km².
    pub gain_km2: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoverageError {
    #[error("coverage: {n} sensors, more than the {max} allowed")]
    TooManySensors { n: usize, max: usize },
    #[error("coverage: the grid would have {cells} cells, more than {max}; use larger cells")]
    GridTooLarge { cells: usize, max: usize },
    #[error("coverage: sensor `{id}`: {message}")]
    BadSensor { id: String, message: String },
    #[error("coverage: no zone to cover")]
    NoZone,
}

/// The rasters: one bit per cell, rows of `words` u64.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub cell_m: f64,
    lon0_deg: f64,
    x_min_m: f64,
    y_min_m: f64,
    pub width: usize,
    pub height: usize,
    words: usize,
    pub zones: Vec<String>,
    /// One mask per zone.
    masks: Vec<Vec<u64>>,
    /// The union of the masks.
    union: Vec<u64>,
    /// Covered cells per band.
    covered: Vec<Vec<u64>>,
}

impl Coverage {
    /// Rasterises `areas` at `cell_m` and covers them with `sensors` at every band.
    pub fn compute(
        areas: &[Area],
        sensors: &[Sensor],
        cell_m: f64,
    ) -> Result<Coverage, CoverageError> {
        if sensors.len() > limits::sensors_max {
            return Err(CoverageError::TooManySensors {
                n: sensors.len(),
                max: limits::sensors_max,
            });
        }
        for s in sensors {
            let ok = s.lat_deg.abs() <= 89.0
                && s.lon_deg.abs() <= 180.0
                && s.range_m.is_finite()
                && s.range_m >= 0.0
                && s.antenna_m.is_finite();
            if !ok {
                return Err(CoverageError::BadSensor {
                    id: s.id.clone(),
                    message:
                        "latitude within ±89°, longitude within ±180°, finite range >= 0 expected"
                            .into(),
                });
            }
        }
        let mut cov = Coverage::grid(areas, cell_m)?;
        cov.masks = areas.iter().map(|a| cov.rasterise(&a.area)).collect();
        cov.union = vec![0; cov.words * cov.height];
        for mask in &cov.masks {
            for (u, m) in cov.union.iter_mut().zip(mask) {
                *u |= m;
            }
        }
        cov.covered = BANDS_M
            .iter()
            .map(|band| cov.cover(sensors, *band))
            .collect();
        Ok(cov)
    }

    fn grid(areas: &[Area], cell_m: f64) -> Result<Coverage, CoverageError> {
        let points = || {
            areas
                .iter()
                .flat_map(|a| a.area.0.iter())
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.0.iter())
        };
        let (mut lon_min, mut lon_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for c in points() {
            lon_min = lon_min.min(c.x);
            lon_max = lon_max.max(c.x);
        }
        if !lon_min.is_finite() {
            return Err(CoverageError::NoZone);
        }
        let lon0_deg = (lon_min + lon_max) / 2.0;
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for c in points() {
            let (x, y) = project(lon0_deg, c.x, c.y);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let width = ((x1 - x0) / cell_m).ceil().max(1.0) as usize;
        let height = ((y1 - y0) / cell_m).ceil().max(1.0) as usize;
        if width.saturating_mul(height) > limits::grid_cells_max {
            return Err(CoverageError::GridTooLarge {
                cells: width.saturating_mul(height),
                max: limits::grid_cells_max,
            });
        }
        Ok(Coverage {
            cell_m,
            lon0_deg,
            x_min_m: x0,
            y_min_m: y0,
            width,
            height,
            words: width.div_ceil(64),
            zones: areas.iter().map(|a| a.id.clone()).collect(),
            masks: Vec::new(),
            union: Vec::new(),
            covered: Vec::new(),
        })
    }

    /// Even-odd scanline fill of every ring: a cell is in when its centre is.
    fn rasterise(&self, area: &MultiPolygon<f64>) -> Vec<u64> {
        let mut crossings: Vec<Vec<f64>> = vec![Vec::new(); self.height];
        let rings = area
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
        for ring in rings {
            for line in ring.lines() {
                let (xa, ya) = project(self.lon0_deg, line.start.x, line.start.y);
                let (xb, yb) = project(self.lon0_deg, line.end.x, line.end.y);
                let (lo, hi) = if ya < yb { (ya, yb) } else { (yb, ya) };
                // Rows whose centre y is in [lo, hi): half-open so shared vertices count once.
                let r0 = ((lo - self.y_min_m) / self.cell_m - 0.5).ceil().max(0.0) as usize;
                let r1 = ((hi - self.y_min_m) / self.cell_m - 0.5).ceil().max(0.0) as usize;
                for (row, list) in crossings
                    .iter_mut()
                    .enumerate()
                    .take(r1.min(self.height))
                    .skip(r0)
                {
                    let y = self.y_min_m + (row as f64 + 0.5) * self.cell_m;
                    list.push(xa + (y - ya) * (xb - xa) / (yb - ya));
                }
            }
        }
        let mut bits = vec![0u64; self.words * self.height];
        bits.par_chunks_mut(self.words)
            .zip(crossings.par_iter_mut())
            .for_each(|(row, xs)| {
                xs.sort_by(f64::total_cmp);
                for pair in xs.chunks_exact(2) {
                    let c0 = ((pair[0] - self.x_min_m) / self.cell_m - 0.5).ceil();
                    let c1 = ((pair[1] - self.x_min_m) / self.cell_m - 0.5).floor();
                    self.set_span(row, c0, c1);
                }
            });
        bits
    }

    /// Covered bits of one band: each row, each sensor's longitude interval.
    fn cover(&self, sensors: &[Sensor], band_m: f64) -> Vec<u64> {
        let reach: Vec<(f64, f64, f64)> = sensors
            .iter()
            .map(|s| {
                (
                    s.lat_deg.to_radians(),
                    s.lon_deg,
                    s.reach_m(band_m) / EARTH_RADIUS_M,
                )
            })
            .filter(|(_, _, a)| *a > 0.0)
            .collect();
        let mut bits = vec![0u64; self.words * self.height];
        bits.par_chunks_mut(self.words)
            .enumerate()
            .for_each(|(row, out)| {
                let lat = self.row_lat(row);
                for (lat_s, lon_s, alpha) in &reach {
                    if let Some(half) = half_width_rad(lat, *lat_s, *alpha) {
                        self.fill_interval(out, lat, *lon_s, half);
                    }
                }
            });
        bits
    }

    fn row_lat(&self, row: usize) -> f64 {
        (self.y_min_m + (row as f64 + 0.5) * self.cell_m) / EARTH_RADIUS_M
    }

    /// Sets the cells of a row whose centre lies within `lon_s ± half` (radians).
    fn fill_interval(&self, out: &mut [u64], lat: f64, lon_s_deg: f64, half: f64) {
        let scale = EARTH_RADIUS_M * lat.cos();
        let xs = scale * (lon_s_deg - self.lon0_deg).to_radians();
        let xa = xs - scale * half;
        let xb = xs + scale * half;
        let c0 = ((xa - self.x_min_m) / self.cell_m - 0.5).ceil();
        let c1 = ((xb - self.x_min_m) / self.cell_m - 0.5).floor();
        self.set_span(out, c0, c1);
    }

    fn span(&self, c0: f64, c1: f64) -> Option<(usize, usize)> {
        let c0 = c0.max(0.0);
        let c1 = c1.min(self.width as f64 - 1.0);
        if c1 < c0 {
            None
        } else {
            Some((c0 as usize, c1 as usize))
        }
    }

    fn set_span(&self, row: &mut [u64], c0: f64, c1: f64) {
        if let Some((a, b)) = self.span(c0, c1) {
            for_words(a, b, |w, m| row[w] |= m);
        }
    }

    /// Area of each zone, covered and gap, per band.
    pub fn report(&self) -> Vec<BandCoverage> {
        let cell_km2 = self.cell_m * self.cell_m / 1e6;
        let mut out = Vec::new();
        for (zone, mask) in self.zones.iter().zip(&self.masks) {
            let n_zone: u64 = mask.iter().map(|w| u64::from(w.count_ones())).sum();
            for (band, cov) in BANDS_M.iter().zip(&self.covered) {
                let n_cov: u64 = mask
                    .iter()
                    .zip(cov)
                    .map(|(m, c)| u64::from((m & c).count_ones()))
                    .sum();
                out.push(BandCoverage {
                    zone: zone.clone(),
                    band_m: *band,
                    zone_km2: n_zone as f64 * cell_km2,
                    covered_km2: n_cov as f64 * cell_km2,
                    gap_km2: (n_zone - n_cov) as f64 * cell_km2,
                });
            }
        }
        out
    }

    /// The gap map of a band in blocks of `block` × `block` cells: `(x_km, y_km,
    /// share of the block inside the zones, share of that which is a gap)`.
    pub fn gap_blocks(&self, band_idx: usize, block: usize) -> Vec<(f64, f64, f64, f64)> {
        let block = block.max(1);
        let Some(cov) = self.covered.get(band_idx) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for by in (0..self.height).step_by(block) {
            for bx in (0..self.width).step_by(block) {
                let (mut n_in, mut n_gap) = (0u32, 0u32);
                for row in by..(by + block).min(self.height) {
                    let (a, b) = (bx, (bx + block).min(self.width) - 1);
                    for_words(a, b, |w, m| {
                        let i = row * self.words + w;
                        n_in += (self.union[i] & m).count_ones();
                        n_gap += (self.union[i] & !cov[i] & m).count_ones();
                    });
                }
                if n_in > 0 {
                    let cells = (block * block) as f64;
                    out.push((
                        (self.x_min_m + bx as f64 * self.cell_m) / 1000.0,
                        (self.y_min_m + by as f64 * self.cell_m) / 1000.0,
                        f64::from(n_in) / cells,
                        f64::from(n_gap) / f64::from(n_in),
                    ));
                }
            }
        }
        out
    }

    /// Greedy: `k` extra sensors like `template`, each where it closes the most
    /// uncovered area at the lowest band; candidates on a lattice every
    /// `spacing_cells` inside the zones.
    pub fn place(&self, template: &Sensor, k: usize, spacing_cells: usize) -> Vec<Placement> {
        let k = k.min(limits::placements_max);
        let spacing = spacing_cells.max(1);
        let alpha = template.reach_m(BANDS_M[0]) / EARTH_RADIUS_M;
        let mut covered = self.covered.first().cloned().unwrap_or_default();
        let mut candidates: Vec<(f64, f64)> = Vec::new();
        for row in (spacing / 2..self.height).step_by(spacing) {
            for col in (spacing / 2..self.width).step_by(spacing) {
                if self.union[row * self.words + col / 64] >> (col % 64) & 1 == 1 {
                    candidates.push(self.cell_lat_lon(row, col));
                }
            }
        }
        let mut out = Vec::new();
        if alpha <= 0.0 {
            return out;
        }
        for _ in 0..k {
            let gains: Vec<u64> = candidates
                .par_iter()
                .map(|(lat, lon)| self.disc_gain(&covered, *lat, *lon, alpha))
                .collect();
            let Some((best, gain)) = gains
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                .map(|(i, g)| (i, *g))
            else {
                break;
            };
            if gain == 0 {
                break;
            }
            let (lat, lon) = candidates[best];
            self.disc_rows(lat, lon, alpha, |row, a, b| {
                for_words(a, b, |w, m| covered[row * self.words + w] |= m);
            });
            out.push(Placement {
                lat_deg: lat.to_degrees(),
                lon_deg: lon,
                gain_km2: gain as f64 * self.cell_m * self.cell_m / 1e6,
            });
        }
        out
    }

    /// Latitude (radians) and longitude (degrees) of a cell's centre.
    fn cell_lat_lon(&self, row: usize, col: usize) -> (f64, f64) {
        let lat = self.row_lat(row);
        let x = self.x_min_m + (col as f64 + 0.5) * self.cell_m;
        (
            lat,
            self.lon0_deg + (x / (EARTH_RADIUS_M * lat.cos())).to_degrees(),
        )
    }

    fn disc_gain(&self, covered: &[u64], lat: f64, lon: f64, alpha: f64) -> u64 {
        let mut n = 0u64;
        self.disc_rows(lat, lon, alpha, |row, a, b| {
            for_words(a, b, |w, m| {
                let i = row * self.words + w;
                n += u64::from((self.union[i] & !covered[i] & m).count_ones());
            });
        });
        n
    }

    /// Calls `f(row, first column, last column)` for each row a disc touches.
    fn disc_rows(
        &self,
        lat_s: f64,
        lon_s_deg: f64,
        alpha: f64,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        let y_s = lat_s * EARTH_RADIUS_M;
        let reach = alpha * EARTH_RADIUS_M;
        let r0 = ((y_s - reach - self.y_min_m) / self.cell_m - 0.5)
            .floor()
            .max(0.0) as usize;
        let r1 = (((y_s + reach - self.y_min_m) / self.cell_m + 0.5)
            .ceil()
            .max(0.0) as usize)
            .min(self.height);
        for row in r0..r1 {
            let lat = self.row_lat(row);
            let Some(half) = half_width_rad(lat, lat_s, alpha) else {
                continue;
            };
            let scale = EARTH_RADIUS_M * lat.cos();
            let xs = scale * (lon_s_deg - self.lon0_deg).to_radians();
            let c0 = ((xs - scale * half - self.x_min_m) / self.cell_m - 0.5).ceil();
            let c1 = ((xs + scale * half - self.x_min_m) / self.cell_m - 0.5).floor();
            if let Some((a, b)) = self.span(c0, c1) {
                f(row, a, b);
            }
        }
    }
}

/// Sinusoidal projection about `lon0_deg`: metres east, metres north.
fn project(lon0_deg: f64, lon_deg: f64, lat_deg: f64) -> (f64, f64) {
    let lat = lat_deg.to_radians();
    (
        EARTH_RADIUS_M * (lon_deg - lon0_deg).to_radians() * lat.cos(),
        EARTH_RADIUS_M * lat,
    )
}

/// Half the longitude span (radians) of the parallel at `lat` within angular
/// distance `alpha` of a point at `lat_s`, from the spherical law of cosines;
/// `None` when the parallel misses the disc.
fn half_width_rad(lat: f64, lat_s: f64, alpha: f64) -> Option<f64> {
    if (lat - lat_s).abs() > alpha {
        return None;
    }
    let denom = lat.cos() * lat_s.cos();
    if denom <= 1e-12 {
        return Some(std::f64::consts::PI);
    }
    let c = (alpha.cos() - lat.sin() * lat_s.sin()) / denom;
    Some(c.clamp(-1.0, 1.0).acos())
}

/// Calls `f(word, mask)` for the words covering bits `a..=b`.
fn for_words(a: usize, b: usize, mut f: impl FnMut(usize, u64)) {
    let (wa, wb) = (a / 64, b / 64);
    for w in wa..=wb {
        let lo = if w == wa { a % 64 } else { 0 };
        let hi = if w == wb { b % 64 } else { 63 };
        let mask = if hi - lo == 63 {
            u64::MAX
        } else {
            ((1u64 << (hi - lo + 1)) - 1) << lo
        };
        f(w, mask);
    }
}
