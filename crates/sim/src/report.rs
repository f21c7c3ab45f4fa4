//! What the sensor models produce: plain internal reports with every field a
//! wire format might carry. The `emit` layer maps them to the feed encoders'
//! record structs; faults act on them before that (and on bytes after).

use model::Time;

/// A primary/secondary radar plot (to CAT048).
#[derive(Debug, Clone, PartialEq)]
pub struct RadarPlot {
    pub time: Time,
    pub sac: u8,
    pub sic: u8,
    pub range_m: f64,
    /// Clockwise from true north, [0, 360).
    pub azimuth_deg: f64,
    /// Measured by a 3-D radar.
    pub height_m: Option<f64>,
    /// Secondary radar replies, for transponder-equipped aircraft.
    pub mode3a: Option<u16>,
    /// Flight level in units of 100 ft (Mode C).
    pub flight_level: Option<f64>,
    pub icao24: Option<u32>,
    pub callsign: Option<String>,
    /// The radar's own track number (I048/161); `None` for clutter.
    pub track_number: Option<u16>,
    /// Ground speed (m/s) and heading (deg) from the radar's tracker.
    pub velocity: Option<(f64, f64)>,
    /// The truth object behind the plot; `None` for clutter. Never on the wire.
    pub truth: Option<u32>,
}

/// A partner tracker's system track (to CAT062).
#[derive(Debug, Clone, PartialEq)]
pub struct SystemTrack {
    pub time: Time,
    pub sac: u8,
    pub sic: u8,
    pub track_number: u16,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    /// East, north, up, m/s.
    pub velocity_enu: (f64, f64, f64),
    pub icao24: Option<u32>,
    pub callsign: Option<String>,
    pub mode3a: Option<u16>,
    pub truth: u32,
}

/// An ADS-B position and velocity report (to SBS or CAT021).
#[derive(Debug, Clone, PartialEq)]
pub struct AdsbReport {
    pub time: Time,
    pub sac: u8,
    pub sic: u8,
    pub icao24: u32,
    pub callsign: Option<String>,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Barometric altitude, feet.
    pub alt_ft: f64,
    pub ground_speed_kt: f64,
    pub track_deg: f64,
    pub vertical_rate_fpm: f64,
    pub squawk: Option<u16>,
    pub truth: u32,
}

/// An AIS message as a vessel transmits it (to NMEA).
#[derive(Debug, Clone, PartialEq)]
pub struct AisReport {
    pub time: Time,
    /// The receiving station, for the tag block's source.
    pub station: String,
    pub mmsi: u32,
    pub body: AisBody,
    pub truth: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AisBody {
    /// Class A position report (type 1).
    Position {
        lat_deg: f64,
        lon_deg: f64,
        sog_kn: f64,
        cog_deg: f64,
        heading_deg: f64,
        /// ITU-R M.1371 navigational status: 0 under way, 1 at anchor, 7 fishing.
        nav_status: u8,
    },
    /// Static and voyage data (type 5).
    Static {
        name: String,
        callsign: String,
        ship_type: u8,
    },
}

/// A Cursor on Target event (patrol reports, acoustic detections).
#[derive(Debug, Clone, PartialEq)]
pub struct CotReport {
    pub time: Time,
    pub uid: String,
    pub cot_type: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub hae_m: f64,
    /// Circular and linear errors, metres (1 sigma).
    pub ce_m: f64,
    pub le_m: f64,
    pub stale_s: f64,
    pub callsign: Option<String>,
    pub course_deg: Option<f64>,
    pub speed_mps: Option<f64>,
    pub remarks: Option<String>,
    pub truth: Option<u32>,
}

/// Any report, as the fault layer sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Plot(RadarPlot),
    SystemTrack(SystemTrack),
    Adsb(AdsbReport),
    Ais(AisReport),
    Cot(CotReport),
}

impl Report {
    pub fn time(&self) -> Time {
        match self {
            Report::Plot(r) => r.time,
            Report::SystemTrack(r) => r.time,
            Report::Adsb(r) => r.time,
            Report::Ais(r) => r.time,
            Report::Cot(r) => r.time,
        }
    }

    pub fn time_mut(&mut self) -> &mut Time {
        match self {
            Report::Plot(r) => &mut r.time,
            Report::SystemTrack(r) => &mut r.time,
            Report::Adsb(r) => &mut r.time,
            Report::Ais(r) => &mut r.time,
            Report::Cot(r) => &mut r.time,
        }
    }
}

/// Reports that go on the wire together (an ASTERIX data block, a batch of
/// lines). `time` is when the frame is sent: the time of its last report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub time: Time,
    pub reports: Vec<Report>,
}
