//! Every bound on what a pact may hold, in one place. A pact is hostile input
//! until checked: these keep the loader's memory, time and recursion bounded.
//! Going over a bound is a finding (or, for the file size, unreadable input),
//! never a panic.

// Lower-case names read as the quantities they are (`file_bytes_max`), as in
// TigerBeetle's constants; the house style asks for `<thing>_max`.
#![allow(non_upper_case_globals)]

/// The pact's TOML text, and each GeoJSON file it names.
pub const file_bytes_max: usize = 16 * 1024 * 1024;
/// Nesting of `any`/`all`/`not` in a trigger.
pub const trigger_depth_max: usize = 16;
/// A CEL predicate's length in bytes; CEL's parser recurses, so its nesting is bounded too.
pub const predicate_bytes_max: usize = 4096;
pub const predicate_depth_max: usize = 32;
/// Vertices in one zone or site geometry.
pub const geometry_vertices_max: usize = 2_000_000;
/// Files a pact may name (zones plus infrastructure).
pub const files_max: usize = 1024;
/// Diagnostics reported: past this, one more says how many were left out.
pub const diagnostics_max: usize = 1000;

const _: () = assert!(trigger_depth_max <= predicate_depth_max);
const _: () = assert!(predicate_depth_max * 2 < predicate_bytes_max);
