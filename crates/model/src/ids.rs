//! Identifiers that cross stages. Each is a newtype so a track id cannot be
//! passed where a sensor id is expected.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// An id carried by every observation: shared, so a decoder emitting millions
/// of observations a second clones a pointer, not a string.
macro_rules! shared_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Arc<str>);

        impl $name {
            pub fn new(s: impl AsRef<str>) -> $name {
                $name(Arc::from(s.as_ref()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> $name {
                $name(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

shared_id!(
    /// A feed: a file, a stream, a port (`asterix:radar-lublin`, `ais:baltic-sat`).
    SourceId
);
shared_id!(
    /// A sensor within a feed: an ASTERIX SAC/SIC (`sac25-sic3`), an AIS base station, a receiver.
    SensorId
);
string_id!(
    /// A party to the pact (a state), as the pact names it (`PL`, `UA`).
    PartyId
);
string_id!(
    /// An incident, stable across re-runs on the same inputs.
    IncidentId
);

/// A track number. Fusion assigns them in order of initiation, so the same
/// inputs give the same ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackId(pub u64);

impl fmt::Display for TrackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}
