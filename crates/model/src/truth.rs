//! Ground truth as `sim` writes it (`truth.csv`), read by the scorers of fusion and
//! attribution: one reader beside the type, so both stages read the same rows.

use crate::{Geodetic, Time, VelocityEnu};

/// One row of `truth.csv`: `time,object_id,class,origin,lat_deg,lon_deg,alt_m,ve_mps,vn_mps,vu_mps`.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthRow {
    pub time: Time,
    pub object: String,
    /// The catalogue class (`shahed`, `airliner`, `tanker`, ...).
    pub class: String,
    /// The state the object came from (empty: launched inside).
    pub origin: String,
    pub position: Geodetic,
    pub velocity: VelocityEnu,
}

/// A `truth.csv` line that is not a truth row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("truth.csv: line {line}: expected {expected}")]
pub struct TruthError {
    pub line: usize,
    pub expected: &'static str,
}

const TRUTH_FIELDS: &str =
    "time,object_id,class,origin,lat_deg,lon_deg,alt_m,ve_mps,vn_mps,vu_mps (10 fields)";

/// Parses `truth.csv` (header first); bad lines come back as errors naming the line,
/// and the good rows around them are kept.
pub fn parse_truth(text: &str) -> (Vec<TruthRow>, Vec<TruthError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (idx, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed = (|| {
            if f.len() < 10 {
                return None;
            }
            let n = |i: usize| f[i].parse::<f64>().ok().filter(|v| v.is_finite());
            let position = Geodetic::new(n(4)?, n(5)?, n(6)?);
            position.is_valid().then_some(())?;
            Some(TruthRow {
                time: Time::parse_rfc3339(f[0]).ok()?,
                object: f[1].to_owned(),
                class: f[2].to_owned(),
                origin: f[3].to_owned(),
                position,
                velocity: VelocityEnu {
                    ve_mps: n(7)?,
                    vn_mps: n(8)?,
                    vu_mps: n(9)?,
                },
            })
        })();
        match parsed {
            Some(r) => rows.push(r),
            None => errors.push(TruthError {
                line: idx + 1,
                expected: TRUTH_FIELDS,
            }),
        }
    }
    (rows, errors)
}
