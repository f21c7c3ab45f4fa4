//! Bounds on what a scenario may ask for, so a typo cannot ask for a billion
//! objects. Checked when the scenario is loaded. Names follow STYLE rule 6
//! (`<thing>_max`), hence lower case.
#![allow(non_upper_case_globals)]

/// Objects of one wave.
pub const wave_count_max: u32 = 20_000;
/// Copies of one vessel (a shipping lane).
pub const vessel_copies_max: u32 = 5_000;
/// Airliners of one stream.
pub const airliner_count_max: u32 = 5_000;
/// The period a scenario covers, hours.
pub const duration_hours_max: i64 = 24 * 14;
