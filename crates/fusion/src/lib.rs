//! Multi-sensor multi-target tracking: one air and sea picture from many sensors.
//!
//! The tracker loop ([`plane::PlaneTracker::step`]) is a short composition of
//! swappable roles, each a trait with one verb in its own module with its
//! implementations beside it (Stone Soup's structure): [`predictor`],
//! [`updater`], [`hypothesiser`] (gating), [`associator`], [`initiator`] and
//! [`deleter`]. A [`plane::PlaneTracker`] tracks in one flat plane (metres);
//! a [`picture::Picture`] routes WGS84 observations to per-sector tangent
//! planes, buffers out-of-sequence observations, rejects bad input with a
//! counted reason, and publishes [`model::Track`]s.
//!
//! The crate does no I/O beyond parsing and writing text it is handed
//! ([`harness`]) and never reads the clock: time arrives with the data.

pub mod associator;
pub mod classify;
pub mod deleter;
pub mod gospa;
pub mod harness;
pub mod hypothesiser;
pub mod initiator;
pub mod limits;
pub mod picture;
pub mod plane;
pub mod predictor;
pub mod reject;
pub mod scenario;
pub mod score;
pub mod state;
pub mod updater;

pub use picture::{Accuracy, Picture, PictureConfig, SensorConfig, with_report_sensors};
pub use plane::{PlaneTracker, TrackerConfig};
pub use reject::{RejectCounts, RejectReason};
pub use state::{Gaussian, Plot, TrackState};
