//! Every bound on state fed from outside, in one place (STYLE rule 6).
//!
//! Overflow behaviour is stated beside each bound: histories are thinned,
//! maps drop their oldest entry and count it in the diagnostics.
#![allow(non_upper_case_globals)]

/// Points kept per track. When full, every other point of the older half is
/// dropped (thinning), so the history still spans the whole track at a coarser
/// step; the first detection is always kept apart.
pub const history_points_max: usize = 256;
/// Minimum event-time step between two kept history points of an air track.
pub const history_air_step_s: f64 = 4.0;
/// The same for a surface track (vessels move slowly; a day must fit).
pub const history_sea_step_s: f64 = 30.0;
/// Live tracks followed at once. Beyond it the track updated longest ago is
/// forgotten (counted as `tracks_dropped`).
pub const tracks_max: usize = 20_000;
/// Vessel tracks kept after their last update, for suspects of later damage.
pub const ended_vessels_max: usize = 4_096;
/// Belt entries kept per border-belt zone for the mass-incursion window.
pub const belt_entries_max: usize = 4_096;
/// Incident ids remembered to emit each incident once.
pub const emitted_ids_max: usize = 1_000_000;
/// Suspects listed per infrastructure-damage incident.
pub const suspects_max: usize = 8;
/// Backward extrapolation steps when the launch lies before the first detection.
pub const backtrack_steps_max: usize = 240;
/// Diagnostics kept; later ones are counted only.
pub const diagnostics_max: usize = 1_000;
/// STIX objects held for the resolver.
pub const stix_objects_max: usize = 100_000;

const _: () = assert!(history_points_max >= 16);
const _: () = assert!(suspects_max >= 1);
const _: () = assert!(ended_vessels_max <= tracks_max);
