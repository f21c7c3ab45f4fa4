//! Every bound on the engine's state, in one place. Incidents are input from
//! outside: each map and queue they feed is bounded here, and the overflow
//! behaviour is said beside the bound (drop the oldest and count, recorded as a
//! diagnostic).

// Lower-case names read as the quantities they are, as in the pact's limits.
#![allow(non_upper_case_globals)]

/// Incidents held in one indicator's window; past it the oldest is dropped and
/// counted (`Diagnostic::WindowOverflow`).
pub const window_incidents_max: usize = 65_536;
/// Incident ids an activation names in its reason; the count is always exact.
pub const activation_incidents_max: usize = 256;
/// Incident ids remembered per rung so the same incident never activates it
/// twice; the oldest is forgotten first.
pub const used_incidents_max: usize = 1 << 20;
/// Activations held open at once; past it the oldest closed ones are dropped.
pub const activations_open_max: usize = 4096;
/// Obligations held at once (open and finished); finished ones are dropped first.
pub const obligations_max: usize = 65_536;
/// Days of per-kind incident counts kept for performance reviews.
pub const review_days_max: usize = 366;
/// Diagnostics kept for the summary; every one is also emitted as a record.
pub const diagnostics_kept_max: usize = 10_000;

const _: () = assert!(activation_incidents_max <= window_incidents_max);
const _: () = assert!(window_incidents_max <= used_incidents_max);
const _: () = assert!(review_days_max >= 90);
/// Incidents whose position and cost are remembered for the measures' checks;
/// the oldest is forgotten first (a measure then has no position to check it by).
pub const facts_max: usize = 65_536;
const _: () = assert!(facts_max >= activation_incidents_max);
/// Incident ids remembered to skip duplicates; the oldest is forgotten first
/// (a duplicate older than that is then refused as too late, or counted again).
pub const seen_max: usize = 1 << 20;
const _: () = assert!(seen_max >= window_incidents_max);
/// Incidents dated further than this after the pact took effect are refused as
/// malformed (a clock or a field gone wrong): no pact runs that long, and every
/// time the engine derives from an accepted incident (deadlines, windows,
/// reviews) then stays far inside `model::Time`'s range.
pub const time_after_effective_max: model::Duration = model::Duration::from_days(366 * 1000);
