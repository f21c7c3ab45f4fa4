//! The few types that cross stage boundaries.
//!
//! Every stage (feeds, fusion, attribution, triggers, ledger, readiness) speaks
//! in these types and nothing else of another stage's. This crate holds no logic
//! of any stage: only the types, their invariants, and the arithmetic that is
//! part of what they mean (time, WGS84 geodesy, digests).

pub mod digest;
pub mod geodesy;
pub mod ids;
pub mod incident;
pub mod observation;
pub mod time;
pub mod track;
pub mod truth;

pub use digest::Digest;
pub use geodesy::{Ecef, Enu, Geodetic, TangentPlane};
pub use ids::{IncidentId, PartyId, SensorId, SourceId, TrackId};
pub use incident::{Evidence, EvidenceItem, Incident, IncidentKind};
pub use observation::{Identity, Measurement, Observation, VelocityEnu};
/// A cheaply cloned string stored inline up to 23 bytes (callsigns, reported
/// types in [`Identity`]): decoding them allocates nothing.
pub use smol_str::SmolStr;
pub use time::{Duration, Time};
pub use track::{AltitudeBand, Track, TrackClass};
