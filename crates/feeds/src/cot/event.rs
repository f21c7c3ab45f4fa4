//! One CoT event as Guarantor reads and writes it, and its normalisation to an
//! [`Observation`].

use model::{
    Digest, Geodetic, Identity, Measurement, Observation, SensorId, SourceId, Time, VelocityEnu,
};

/// CoT's "unknown" for `hae`, `ce` and `le` (the schema's 9999999.0).
pub const COT_UNKNOWN: f64 = 9_999_999.0;

/// The horizontal sigma given to an observation whose `ce` is unknown: CoT's own
/// "unknown" value, metres, so the tracker gives the position no weight rather
/// than a made-up accuracy.
pub const UNKNOWN_CE_SIGMA_M: f64 = COT_UNKNOWN;

/// A Cursor on Target event: the parts of `event`, `point` and `detail` that
/// Guarantor uses. Other detail elements are skipped on reading.
#[derive(Debug, Clone, PartialEq)]
pub struct CotEvent {
    pub uid: String,
    /// The type hierarchy string (`a-h-A-M-F-Q`); see [`super::CotType`].
    pub cot_type: String,
    /// How the position was obtained (`m-g` machine GPS, `h-e` human entered, ...).
    pub how: String,
    /// When the event was generated.
    pub time: Time,
    /// When it starts being relevant.
    pub start: Time,
    /// When it stops being relevant.
    pub stale: Time,
    pub point: CotPoint,
    pub detail: CotDetail,
}

/// `point`: WGS84 position with its errors. `None` stands for CoT's 9999999 (unknown).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CotPoint {
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Height above the WGS84 ellipsoid, metres.
    pub hae_m: Option<f64>,
    /// Circular error, metres (CoT: "circular 1-sigma").
    pub ce_m: Option<f64>,
    /// Linear (vertical) error, metres.
    pub le_m: Option<f64>,
}

/// The `detail` sub-elements Guarantor reads and writes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CotDetail {
    /// `contact/@callsign`.
    pub callsign: Option<String>,
    /// `track/@course`: degrees clockwise from true north.
    pub course_deg: Option<f64>,
    /// `track/@speed`: metres per second.
    pub speed_mps: Option<f64>,
    /// `__group/@name` and `@role` (TAK team colour and role).
    pub group: Option<CotGroup>,
    /// `remarks` text.
    pub remarks: Option<String>,
    /// `link[@relation='p-p']/@uid`: the producer of this event, when it says.
    pub producer_uid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CotGroup {
    pub name: String,
    pub role: String,
}

impl CotEvent {
    /// The velocity from `track`, when both course and speed are given; CoT
    /// carries no vertical rate, so `vu` is 0.
    pub fn velocity(&self) -> Option<VelocityEnu> {
        let (course_deg, speed_mps) = (self.detail.course_deg?, self.detail.speed_mps?);
        let (sin, cos) = course_deg.to_radians().sin_cos();
        Some(VelocityEnu {
            ve_mps: speed_mps * sin,
            vn_mps: speed_mps * cos,
            vu_mps: 0.0,
        })
    }

    /// The sensor: the producer's uid when the event links one, otherwise the
    /// `how` it was obtained by (`cot-how-m-g`).
    pub fn sensor(&self) -> SensorId {
        match &self.detail.producer_uid {
            Some(uid) => SensorId::new(uid.clone()),
            None => SensorId::new(format!("cot-how-{}", self.how)),
        }
    }

    /// Normalises the event. An unknown `hae` becomes height 0 with no
    /// vertical sigma; an unknown `ce` becomes [`UNKNOWN_CE_SIGMA_M`].
    pub fn to_observation(&self, source: &SourceId, raw: &[u8]) -> Observation {
        let point = &self.point;
        let vertical_sigma_m = match (point.hae_m, point.le_m) {
            (Some(_), Some(le_m)) => Some(le_m),
            _ => None,
        };
        Observation {
            source: source.clone(),
            sensor: self.sensor(),
            time: self.time,
            measurement: Measurement::Position {
                position: Geodetic::new(point.lat_deg, point.lon_deg, point.hae_m.unwrap_or(0.0)),
                horizontal_sigma_m: point.ce_m.unwrap_or(UNKNOWN_CE_SIGMA_M),
                vertical_sigma_m,
                velocity: self.velocity(),
            },
            identity: Identity {
                callsign: self.detail.callsign.as_deref().map(model::SmolStr::new),
                cot_uid: Some(self.uid.clone()),
                reported_type: Some(model::SmolStr::new(&self.cot_type)),
                ..Identity::default()
            },
            raw_digest: Digest::of(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn velocity_from_course_and_speed() {
        let mut event = CotEvent {
            uid: "u".into(),
            cot_type: "a-h-A".into(),
            how: "m-r".into(),
            time: Time::UNIX_EPOCH,
            start: Time::UNIX_EPOCH,
            stale: Time::UNIX_EPOCH,
            point: CotPoint {
                lat_deg: 0.0,
                lon_deg: 0.0,
                hae_m: None,
                ce_m: None,
                le_m: Some(3.0),
            },
            detail: CotDetail {
                course_deg: Some(90.0),
                speed_mps: Some(50.0),
                ..Default::default()
            },
        };
        let v = event.velocity().unwrap();
        assert!((v.ve_mps - 50.0).abs() < 1e-9 && v.vn_mps.abs() < 1e-9);
        let obs = event.to_observation(&SourceId::new("s"), b"x");
        let Measurement::Position {
            horizontal_sigma_m,
            vertical_sigma_m,
            ..
        } = obs.measurement
        else {
            panic!("CoT gives positions")
        };
        assert_eq!(
            (horizontal_sigma_m, vertical_sigma_m),
            (UNKNOWN_CE_SIGMA_M, None)
        );
        assert_eq!(obs.sensor.as_str(), "cot-how-m-r");
        event.detail.speed_mps = None;
        assert_eq!(event.velocity(), None);
    }
}
