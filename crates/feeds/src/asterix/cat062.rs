//! CAT062 ed. 1.18, SDPS system tracks from a partner tracker: the UAP,
//! [`Cat062Record`], its decoder (to a WGS84 position) and its encoder.
//!
//! Items this module does not use (I062/210, 080, 290, 200, 295, 135, 390,
//! 270, 300, 110, 120, 510, 340, RE, SP) are skipped by their length rules.

use model::{Geodetic, Identity, Measurement, VelocityEnu};

use super::cat048::{address24, mode3a_bytes, mode3a_text};
use super::wire::{self, ItemSpec, Rule, SPARE, Uap, item};
use super::{
    AsterixRecord, Callsign, Context, EncodeError, FT_M, FirstError, Outcome, RecordError,
    altitude, decode_time_of_day, encode_time_of_day, quantise,
};

/// I062/380 aircraft derived data, 28 subfields (ADR is 0, ID is 1).
const I380_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(3),       // ADR
    Rule::Fixed(6),       // ID
    Rule::Fixed(2),       // MHG
    Rule::Fixed(2),       // IAS
    Rule::Fixed(2),       // TAS
    Rule::Fixed(2),       // SAL
    Rule::Fixed(2),       // FSS
    Rule::Extended,       // TIS
    Rule::Repetitive(15), // TID
    Rule::Fixed(2),       // COM
    Rule::Fixed(2),       // SAB
    Rule::Fixed(7),       // ACS
    Rule::Fixed(2),       // BVR
    Rule::Fixed(2),       // GVR
    Rule::Fixed(2),       // RAN
    Rule::Fixed(2),       // TAR
    Rule::Fixed(2),       // TAN
    Rule::Fixed(2),       // GSP
    Rule::Fixed(1),       // VUN
    Rule::Fixed(8),       // MET
    Rule::Fixed(1),       // EMC
    Rule::Fixed(6),       // POS
    Rule::Fixed(2),       // GAL
    Rule::Fixed(1),       // PUN
    Rule::Repetitive(8),  // MB
    Rule::Fixed(2),       // IAR
    Rule::Fixed(2),       // MAC
    Rule::Fixed(2),       // BPS
];
const I290_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(1), // TRK
    Rule::Fixed(1), // PSR
    Rule::Fixed(1), // SSR
    Rule::Fixed(1), // MDS
    Rule::Fixed(2), // ADS
    Rule::Fixed(1), // ES
    Rule::Fixed(1), // VDL
    Rule::Fixed(1), // UAT
    Rule::Fixed(1), // LOP
    Rule::Fixed(1), // MLT
];
const I295_SUBFIELDS: &[Rule] = &[Rule::Fixed(1); 31];
const I390_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(2),      // TAG
    Rule::Fixed(7),      // CSN
    Rule::Fixed(4),      // IFI
    Rule::Fixed(1),      // FCT
    Rule::Fixed(4),      // TAC
    Rule::Fixed(1),      // WTC
    Rule::Fixed(4),      // DEP
    Rule::Fixed(4),      // DST
    Rule::Fixed(3),      // RDS
    Rule::Fixed(2),      // CFL
    Rule::Fixed(2),      // CTL
    Rule::Repetitive(4), // TOD
    Rule::Fixed(6),      // AST
    Rule::Fixed(1),      // STS
    Rule::Fixed(7),      // STD
    Rule::Fixed(7),      // STA
    Rule::Fixed(2),      // PEM
    Rule::Fixed(7),      // PEC
];
const I110_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(1), // SUM
    Rule::Fixed(4), // PMN
    Rule::Fixed(6), // POS
    Rule::Fixed(2), // GA
    Rule::Fixed(2), // EM1
    Rule::Fixed(1), // TOS
    Rule::Fixed(1), // XP
];
/// I062/500 estimated accuracies: APC, COV, APW, AGA, ABA, ATV, AA, ARC.
const I500_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(4),
    Rule::Fixed(2),
    Rule::Fixed(4),
    Rule::Fixed(1),
    Rule::Fixed(1),
    Rule::Fixed(2),
    Rule::Fixed(2),
    Rule::Fixed(1),
];
/// I062/340 measured information: SID, POS, HEI, MDC, MDA, TYP.
const I340_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(2),
    Rule::Fixed(4),
    Rule::Fixed(2),
    Rule::Fixed(2),
    Rule::Fixed(2),
    Rule::Fixed(1),
];

static ITEMS: [ItemSpec; 35] = [
    item("I062/010", Rule::Fixed(2)),
    SPARE,
    item("I062/015", Rule::Fixed(1)),
    item("I062/070", Rule::Fixed(3)),
    item("I062/105", Rule::Fixed(8)),
    item("I062/100", Rule::Fixed(6)),
    item("I062/185", Rule::Fixed(4)),
    item("I062/210", Rule::Fixed(2)),
    item("I062/060", Rule::Fixed(2)),
    item("I062/245", Rule::Fixed(7)),
    item("I062/380", Rule::Compound(I380_SUBFIELDS)),
    item("I062/040", Rule::Fixed(2)),
    item("I062/080", Rule::Extended),
    item("I062/290", Rule::Compound(I290_SUBFIELDS)),
    item("I062/200", Rule::Fixed(1)),
    item("I062/295", Rule::Compound(I295_SUBFIELDS)),
    item("I062/136", Rule::Fixed(2)),
    item("I062/130", Rule::Fixed(2)),
    item("I062/135", Rule::Fixed(2)),
    item("I062/220", Rule::Fixed(2)),
    item("I062/390", Rule::Compound(I390_SUBFIELDS)),
    item("I062/270", Rule::Extended),
    item("I062/300", Rule::Fixed(1)),
    item("I062/110", Rule::Compound(I110_SUBFIELDS)),
    item("I062/120", Rule::Fixed(2)),
    item("I062/510", Rule::ExtendedParts(3)),
    item("I062/500", Rule::Compound(I500_SUBFIELDS)),
    item("I062/340", Rule::Compound(I340_SUBFIELDS)),
    SPARE,
    SPARE,
    SPARE,
    SPARE,
    SPARE,
    item("I062/RE", Rule::Explicit),
    item("I062/SP", Rule::Explicit),
];

pub(crate) static UAP: Uap = Uap {
    category: 62,
    edition: "1.18",
    items: &ITEMS,
};

/// Latitude/longitude LSB of I062/105 and I062/500 APW: 180/2^25 degrees.
const LATLON_LSB_DEG: f64 = 180.0 / 33_554_432.0;

/// A WGS84 latitude and longitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LatLon {
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// I062/185: the track's velocity in the tracker's Cartesian frame (x east,
/// y north), 0.25 m/s on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CartesianVelocity {
    pub vx_mps: f64,
    pub vy_mps: f64,
}

/// I062/500, the subfields this decoder uses (1 sigma).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TrackAccuracy {
    /// APC: x and y position, 0.5 m on the wire.
    pub position_xy_m: Option<(f64, f64)>,
    /// APW: latitude and longitude, 180/2^25 degrees on the wire.
    pub position_latlon_deg: Option<(f64, f64)>,
    /// AGA: geometric altitude, 6.25 ft on the wire.
    pub geometric_altitude_m: Option<f64>,
    /// ABA: barometric altitude, 1/4 FL on the wire.
    pub barometric_altitude_fl: Option<f64>,
}

/// One CAT062 system track in plain units; `None` items are absent on the
/// wire. I062/010, 070, 040 and (on encoding, as a single zero octet: a
/// confirmed track with no altitude source stated) 080 are always present.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cat062Record {
    /// I062/010.
    pub sac: u8,
    pub sic: u8,
    /// I062/015 service identification.
    pub service_id: Option<u8>,
    /// I062/070 time of track information, 1/128 s on the wire.
    pub time_of_track_s: f64,
    /// I062/105.
    pub position: Option<LatLon>,
    /// I062/185.
    pub velocity: Option<CartesianVelocity>,
    /// I062/060 Mode 3/A code as an octal number.
    pub mode3a: Option<u16>,
    /// I062/245 target identification (its STI bits are not kept).
    pub target_id: Option<Callsign>,
    /// I062/380 ADR.
    pub aircraft_address: Option<u32>,
    /// I062/380 ID.
    pub aircraft_id: Option<Callsign>,
    /// I062/040 the system track number.
    pub track_number: u16,
    /// I062/136 measured flight level, 1/4 FL on the wire.
    pub measured_flight_level: Option<f64>,
    /// I062/130 geometric altitude above the WGS84 ellipsoid, 6.25 ft on the wire.
    pub geometric_altitude_m: Option<f64>,
    /// I062/220 rate of climb/descent, 6.25 ft/min on the wire.
    pub rate_of_climb_mps: Option<f64>,
    /// I062/500.
    pub accuracy: Option<TrackAccuracy>,
}

#[derive(Default)]
struct Seen {
    source: bool,
    time: bool,
    track: bool,
}

fn i16_at(b: &[u8], at: usize) -> f64 {
    f64::from(wire::be_u16(&b[at..]) as i16)
}

fn decode_accuracy(b: &[u8]) -> TrackAccuracy {
    let mut acc = TrackAccuracy::default();
    let _ = wire::walk_compound(I500_SUBFIELDS, b, |idx, sb| match idx {
        0 => {
            let (x, y) = (wire::be_u16(sb), wire::be_u16(&sb[2..]));
            acc.position_xy_m = Some((f64::from(x) * 0.5, f64::from(y) * 0.5));
        }
        2 => {
            let (lat, lon) = (wire::be_u16(sb), wire::be_u16(&sb[2..]));
            acc.position_latlon_deg = Some((
                f64::from(lat) * LATLON_LSB_DEG,
                f64::from(lon) * LATLON_LSB_DEG,
            ));
        }
        3 => acc.geometric_altitude_m = Some(f64::from(sb[0]) * 6.25 * FT_M),
        4 => acc.barometric_altitude_fl = Some(f64::from(sb[0]) * 0.25),
        _ => {}
    });
    acc
}

fn decode_position(b: &[u8]) -> Result<LatLon, String> {
    let lat_deg = f64::from(wire::be_u32(b) as i32) * LATLON_LSB_DEG;
    let lon_deg = f64::from(wire::be_u32(&b[4..]) as i32) * LATLON_LSB_DEG;
    if !(-90.0..=90.0).contains(&lat_deg) || !(-180.0..180.0).contains(&lon_deg) {
        return Err(format!(
            "expected latitude in [-90, 90] and longitude in [-180, 180), found {lat_deg}, {lon_deg}"
        ));
    }
    Ok(LatLon { lat_deg, lon_deg })
}

pub(crate) fn decode_record(
    block: &[u8],
    start: usize,
) -> Result<(Cat062Record, usize), RecordError> {
    let mut rec = Cat062Record::default();
    let mut seen = Seen::default();
    let mut first_error = FirstError::default();
    let end = wire::walk_record(&UAP, block, start, |frn, at, b| {
        match frn {
            1 => {
                (rec.sac, rec.sic) = (b[0], b[1]);
                seen.source = true;
            }
            3 => rec.service_id = Some(b[0]),
            4 => match decode_time_of_day(b) {
                Ok(tod) => {
                    rec.time_of_track_s = tod;
                    seen.time = true;
                }
                Err(e) => first_error.note(at, "I062/070", e),
            },
            5 => match decode_position(b) {
                Ok(p) => rec.position = Some(p),
                Err(e) => first_error.note(at, "I062/105", e),
            },
            7 => {
                rec.velocity = Some(CartesianVelocity {
                    vx_mps: i16_at(b, 0) * 0.25,
                    vy_mps: i16_at(b, 2) * 0.25,
                })
            }
            9 => rec.mode3a = Some(wire::be_u16(b) & 0x0FFF),
            10 => rec.target_id = Some(Callsign::from_wire(&b[1..])),
            11 => {
                let _ = wire::walk_compound(I380_SUBFIELDS, b, |idx, sb| match idx {
                    0 => rec.aircraft_address = Some(wire::be_u24(sb)),
                    1 => rec.aircraft_id = Some(Callsign::from_wire(sb)),
                    _ => {}
                });
            }
            12 => {
                rec.track_number = wire::be_u16(b);
                seen.track = true;
            }
            17 => rec.measured_flight_level = Some(i16_at(b, 0) * 0.25),
            18 => rec.geometric_altitude_m = Some(i16_at(b, 0) * 6.25 * FT_M),
            20 => rec.rate_of_climb_mps = Some(i16_at(b, 0) * 6.25 * FT_M / 60.0),
            27 => rec.accuracy = Some(decode_accuracy(b)),
            _ => {}
        }
        Ok(())
    })
    .map_err(RecordError::Framing)?;
    first_error.missing(
        start,
        &[
            (seen.source, "I062/010"),
            (seen.time, "I062/070"),
            (seen.track, "I062/040"),
        ],
    );
    first_error.finish(rec, end)
}

/// Metres per degree of latitude (mean); enough to turn an angular sigma into metres.
const M_PER_DEG: f64 = 111_320.0;

fn horizontal_sigma_m(rec: &Cat062Record, lat_deg: f64, default_m: f64) -> f64 {
    let acc = rec.accuracy.unwrap_or_default();
    if let Some((sx, sy)) = acc.position_xy_m {
        return ((sx * sx + sy * sy) / 2.0).sqrt();
    }
    if let Some((slat, slon)) = acc.position_latlon_deg {
        let (n, e) = (
            slat * M_PER_DEG,
            slon * M_PER_DEG * lat_deg.to_radians().cos(),
        );
        return ((n * n + e * e) / 2.0).sqrt();
    }
    default_m
}

pub(crate) fn decode_observation(
    ctx: &mut Context,
    block: &[u8],
    start: usize,
) -> Result<(Outcome, usize), RecordError> {
    let (rec, end) = decode_record(block, start)?;
    let Some(pos) = rec.position else {
        return Ok((Outcome::NoPosition, end));
    };
    let acc = rec.accuracy.unwrap_or_default();
    let options = ctx.options;
    let barometric_sigma_m = acc.barometric_altitude_fl.map(|s| s * 100.0 * FT_M);
    let (alt_m, vertical_sigma_m) = altitude(
        rec.geometric_altitude_m
            .map(|h| (h, acc.geometric_altitude_m)),
        rec.measured_flight_level.map(|fl| (fl, barometric_sigma_m)),
        &options,
    );
    // I062/185 is in the tracker's system plane; at a track's position its
    // axes are east and north to within the plane's small rotation.
    let velocity = rec.velocity.map(|v| VelocityEnu {
        ve_mps: v.vx_mps,
        vn_mps: v.vy_mps,
        vu_mps: rec.rate_of_climb_mps.unwrap_or(0.0),
    });
    let measurement = Measurement::Position {
        position: Geodetic::new(pos.lat_deg, pos.lon_deg, alt_m),
        horizontal_sigma_m: horizontal_sigma_m(
            &rec,
            pos.lat_deg,
            options.cat062_horizontal_sigma_m,
        ),
        vertical_sigma_m,
        velocity,
    };
    let callsign = rec.aircraft_id.or(rec.target_id);
    let identity = Identity {
        icao24: rec.aircraft_address,
        callsign: callsign.and_then(Callsign::to_identity),
        system_track: Some(u32::from(rec.track_number)),
        reported_type: rec.mode3a.map(mode3a_text),
        ..Identity::default()
    };
    let outcome = ctx.observation(
        (rec.sac, rec.sic),
        ("I062/070", rec.time_of_track_s),
        measurement,
        identity,
        &block[start..end],
    );
    Ok((outcome, end))
}

fn i16_bytes(
    item: &'static str,
    value: f64,
    lsb: f64,
    expected: &'static str,
) -> Result<[u8; 2], EncodeError> {
    Ok((quantise(item, value, lsb, -32_768, 32_767, expected)? as i16).to_be_bytes())
}

fn u16_bytes(item: &'static str, value: f64, lsb: f64) -> Result<[u8; 2], EncodeError> {
    Ok((quantise(item, value, lsb, 0, 65_535, "0..=65535 LSB")? as u16).to_be_bytes())
}

fn u8_byte(item: &'static str, value: f64, lsb: f64) -> Result<[u8; 1], EncodeError> {
    Ok([quantise(item, value, lsb, 0, 255, "0..=255 LSB")? as u8])
}

fn encode_accuracy(acc: &TrackAccuracy) -> Result<Vec<u8>, EncodeError> {
    let mut parts: Vec<(usize, Vec<u8>)> = Vec::new();
    if let Some((sx, sy)) = acc.position_xy_m {
        let (x, y) = (
            u16_bytes("I062/500 APC", sx, 0.5)?,
            u16_bytes("I062/500 APC", sy, 0.5)?,
        );
        parts.push((0, [x, y].concat()));
    }
    if let Some((slat, slon)) = acc.position_latlon_deg {
        let lat = u16_bytes("I062/500 APW", slat, LATLON_LSB_DEG)?;
        let lon = u16_bytes("I062/500 APW", slon, LATLON_LSB_DEG)?;
        parts.push((2, [lat, lon].concat()));
    }
    if let Some(s) = acc.geometric_altitude_m {
        parts.push((3, u8_byte("I062/500 AGA", s / FT_M, 6.25)?.to_vec()));
    }
    if let Some(s) = acc.barometric_altitude_fl {
        parts.push((4, u8_byte("I062/500 ABA", s, 0.25)?.to_vec()));
    }
    let subfields: Vec<(usize, &[u8])> = parts.iter().map(|(i, b)| (*i, &b[..])).collect();
    Ok(wire::compound_bytes(&subfields))
}

impl AsterixRecord for Cat062Record {
    const CATEGORY: u8 = 62;

    fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = wire::RecordWriter::default();
        w.item(1, &[self.sac, self.sic]);
        if let Some(service) = self.service_id {
            w.item(3, &[service]);
        }
        w.item(4, &encode_time_of_day("I062/070", self.time_of_track_s)?);
        if let Some(p) = self.position {
            let lsb = LATLON_LSB_DEG;
            let lat = quantise(
                "I062/105 LAT",
                p.lat_deg,
                lsb,
                -(1 << 24),
                1 << 24,
                "-90..=90",
            )?;
            let lon = quantise(
                "I062/105 LON",
                p.lon_deg,
                lsb,
                -(1 << 25),
                (1 << 25) - 1,
                "-180..180",
            )?;
            w.item(
                5,
                &[(lat as i32).to_be_bytes(), (lon as i32).to_be_bytes()].concat(),
            );
        }
        if let Some(v) = self.velocity {
            let vx = i16_bytes("I062/185 VX", v.vx_mps, 0.25, "|vx| < 8192 m/s")?;
            let vy = i16_bytes("I062/185 VY", v.vy_mps, 0.25, "|vy| < 8192 m/s")?;
            w.item(7, &[vx, vy].concat());
        }
        if let Some(code) = self.mode3a {
            w.item(9, &mode3a_bytes("I062/060", code)?);
        }
        if let Some(id) = self.target_id {
            w.item(10, &[&[0u8][..], &id.to_wire()?].concat());
        }
        if self.aircraft_address.is_some() || self.aircraft_id.is_some() {
            let adr = self
                .aircraft_address
                .map(|a| address24("I062/380 ADR", a))
                .transpose()?;
            let id = self.aircraft_id.map(Callsign::to_wire).transpose()?;
            let mut subfields: Vec<(usize, &[u8])> = Vec::new();
            if let Some(adr) = &adr {
                subfields.push((0, adr));
            }
            if let Some(id) = &id {
                subfields.push((1, id));
            }
            w.item(11, &wire::compound_bytes(&subfields));
        }
        w.item(12, &self.track_number.to_be_bytes());
        w.item(13, &[0]);
        if let Some(fl) = self.measured_flight_level {
            w.item(17, &i16_bytes("I062/136", fl, 0.25, "|FL| < 8192")?);
        }
        if let Some(h) = self.geometric_altitude_m {
            w.item(
                18,
                &i16_bytes("I062/130", h / FT_M, 6.25, "|h| < 204800 ft")?,
            );
        }
        if let Some(roc) = self.rate_of_climb_mps {
            w.item(
                20,
                &i16_bytes("I062/220", roc * 60.0 / FT_M, 6.25, "|roc| < 204800 ft/min")?,
            );
        }
        if let Some(acc) = &self.accuracy {
            w.item(27, &encode_accuracy(acc)?);
        }
        w.finish(out);
        Ok(())
    }
}

impl Cat062Record {
    /// Decodes every record of one CAT062 data block (header included).
    pub fn decode_block(block: &[u8]) -> Result<Vec<Cat062Record>, String> {
        super::decode_block_with(block, 62, decode_record)
    }
}
