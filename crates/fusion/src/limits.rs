//! Bounds on everything fed from outside, in one place (house style rule 6).
//!
//! Each bound says what happens on overflow: the input is rejected and counted
//! under a named [`crate::RejectReason`]; the picture goes on.

/// Confirmed plus tentative tracks in one plane. A new tentative track beyond
/// this is not created; the plot is counted as `tracks_full`.
pub const PLANE_TRACKS_MAX: usize = 1 << 20;
/// Plots in one scan. Plots beyond are counted as `scan_full`.
pub const SCAN_PLOTS_MAX: usize = 1 << 21;
/// Observations waiting in the out-of-sequence reorder buffer. On overflow the
/// oldest are released early (counted as `buffer_overflow`), so a very late
/// observation may then arrive after its slot and be rejected as `too_late`.
pub const REORDER_OBSERVATIONS_MAX: usize = 1 << 22;
/// The longest out-of-sequence lag a configuration may ask for, microseconds.
pub const OOSM_LAG_US_MAX: i64 = 60 * 1_000_000;
/// Sensors a picture knows; observations from others are `unknown_sensor`.
pub const SENSORS_MAX: usize = 4096;
/// Tangent-plane sectors; plots landing in a further sector are `outside_sectors`.
pub const SECTORS_MAX: usize = 4096;
/// Cells of the gating grid; a wider scene gets coarser cells.
pub const GRID_CELLS_MAX: usize = 1 << 22;
/// JPDA enumerates joint events only in clusters up to this many tracks and
/// plots; bigger clusters fall back to GNN (counted in the scan statistics).
pub const JPDA_CLUSTER_TRACKS_MAX: usize = 6;
pub const JPDA_CLUSTER_PLOTS_MAX: usize = 8;
/// Distinct sensors remembered per track (for `model::Track::sensors`).
pub const TRACK_SENSORS_MAX: usize = 16;

const _: () = assert!(SCAN_PLOTS_MAX <= u32::MAX as usize);
const _: () = assert!(PLANE_TRACKS_MAX <= u32::MAX as usize);
const _: () = assert!(REORDER_OBSERVATIONS_MAX >= SCAN_PLOTS_MAX);
const _: () = assert!(SENSORS_MAX <= u16::MAX as usize);
const _: () = assert!(JPDA_CLUSTER_PLOTS_MAX >= JPDA_CLUSTER_TRACKS_MAX);
