//! An observation: one thing one sensor reported at one event time, normalised
//! from whatever wire format carried it.

use serde::{Deserialize, Serialize};

use crate::{Digest, Geodetic, SensorId, SmolStr, SourceId, Time};

/// A velocity in the local east-north-up frame at the observed position, m/s.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct VelocityEnu {
    pub ve_mps: f64,
    pub vn_mps: f64,
    pub vu_mps: f64,
}

/// What the sensor measured. Radar plots stay in the sensor's own polar
/// frame (the sensor's position comes from configuration, not from the wire),
/// so the tracker can use the true measurement noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measurement {
    /// A radar plot: slant range and azimuth (clockwise from true north),
    /// with a measured or reported height where the radar gives one.
    Polar {
        range_m: f64,
        azimuth_deg: f64,
        height_m: Option<f64>,
        range_sigma_m: f64,
        azimuth_sigma_deg: f64,
    },
    /// A position with its horizontal accuracy (1 sigma): ADS-B, AIS, CoT,
    /// partner system tracks, coarse acoustic fixes.
    Position {
        position: Geodetic,
        horizontal_sigma_m: f64,
        /// `None` when the altitude is unknown (AIS, a 2-D fix).
        vertical_sigma_m: Option<f64>,
        velocity: Option<VelocityEnu>,
    },
}

/// Who the object says it is, where the wire says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Identity {
    /// ICAO 24-bit aircraft address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icao24: Option<u32>,
    /// Maritime Mobile Service Identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mmsi: Option<u32>,
    /// Inline up to 23 bytes (`SmolStr`), so decoders do not allocate for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callsign: Option<SmolStr>,
    /// A Cursor on Target event uid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cot_uid: Option<String>,
    /// A partner tracker's track number (CAT062 I062/040), to fuse without double counting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_track: Option<u32>,
    /// A type as the source gives it: a CoT type (`a-h-A-M-F-Q`), an AIS ship type, an ADS-B emitter category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_type: Option<SmolStr>,
}

impl Identity {
    pub fn is_cooperative(&self) -> bool {
        self.icao24.is_some() || self.mmsi.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub source: SourceId,
    pub sensor: SensorId,
    /// Event time: when the sensor saw it, as the record says.
    pub time: Time,
    pub measurement: Measurement,
    #[serde(default)]
    pub identity: Identity,
    /// SHA-256 of the raw record's bytes, so the ledger can commit to the input.
    pub raw_digest: Digest,
}

impl Observation {
    /// True when every number in the measurement is finite and in range; the
    /// tracker rejects the rest with a named reason.
    pub fn is_finite(&self) -> bool {
        match &self.measurement {
            Measurement::Polar {
                range_m,
                azimuth_deg,
                height_m,
                range_sigma_m,
                azimuth_sigma_deg,
            } => {
                range_m.is_finite()
                    && azimuth_deg.is_finite()
                    && height_m.is_none_or(f64::is_finite)
                    && range_sigma_m.is_finite()
                    && azimuth_sigma_deg.is_finite()
            }
            Measurement::Position {
                position,
                horizontal_sigma_m,
                vertical_sigma_m,
                velocity,
            } => {
                position.is_valid()
                    && horizontal_sigma_m.is_finite()
                    && vertical_sigma_m.is_none_or(f64::is_finite)
                    && velocity.is_none_or(|v| {
                        v.ve_mps.is_finite() && v.vn_mps.is_finite() && v.vu_mps.is_finite()
                    })
            }
        }
    }
}
