//! Every bound on what the readiness stage accepts from outside, in one place.
#![allow(non_upper_case_globals)] // Bounds read as `limits::deliveries_max`, TigerBeetle style.

/// Delivery records in one file: a year of daily deliveries by every party, with room.
pub const deliveries_max: usize = 100_000;
/// Raids in one tempo file.
pub const raids_max: usize = 64;
/// Threats in one raid night (the largest 2025 night was 805-810 drones, domain-facts §1.4).
pub const threats_per_night_max: u32 = 100_000;
/// Days a forecast may cover: ten years.
pub const horizon_days_max: u32 = 3_650;
/// Sensors in one coverage run.
pub const sensors_max: usize = 10_000;
/// Grid cells in one zone's raster (at 1 km, about 30 times Ukraine's area).
pub const grid_cells_max: usize = 20_000_000;
/// Sensors a greedy placement may add.
pub const placements_max: usize = 200;
/// Effectors and threats in a catalogue.
pub const catalogue_entries_max: usize = 256;
/// Trigger records read for the scorecard.
pub const trigger_records_max: usize = 1_000_000;

const _: () = assert!(placements_max <= sensors_max);
