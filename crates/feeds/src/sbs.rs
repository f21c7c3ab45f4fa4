//! ADS-B as SBS-1 / BaseStation port-30003 text (`MSG,1..8,...`, 22 comma-
//! separated fields, as dump1090 and Kinetic BaseStation write it): lines in,
//! observations out; and the line encoder the simulator uses.
//!
//! **Event time** is the "generated" date and time (fields 7-8): when the
//! receiver heard the message. The "logged" pair (fields 9-10) is when the
//! program wrote the line (in replays it is the replay's time, days later),
//! and is used only when the generated pair is empty.
//!
//! **What merges.** Only MSG,2 (surface) and MSG,3 (airborne) carry a
//! position; each yields one observation. MSG,1 (callsign), MSG,4 (velocity)
//! and MSG,5/7 (altitude) update a per-ICAO state, bounded by
//! [`limits::sbs_aircraft_max`](crate::limits::sbs_aircraft_max), whose
//! callsign is carried on the following positions, and whose velocity and
//! altitude are when no older than [`STATE_AGE_S_MAX`].
//!
//! **Altitude** is in feet of *pressure* altitude (barometric, 1013.25 hPa
//! datum), converted to metres and put in `alt_m` as is: it is not a height
//! above the WGS84 ellipsoid, and can differ from it by hundreds of metres.
//! Consumers that need geometric height must correct it.
//!
//! **Accuracy.** SBS carries no NIC/NACp, so every position gets
//! [`HORIZONTAL_SIGMA_M`] and [`VERTICAL_SIGMA_M`] (see their docs).

use std::fmt::Write as _;

use model::{
    Digest, Duration, Geodetic, Identity, Measurement, Observation, SensorId, Time, VelocityEnu,
};

use crate::ais::lines::{Framed, LineFramer};
use crate::ais::{BoundedMap, days_from_civil};
use crate::limits::{quarantine_record_bytes_max, sbs_aircraft_max, sbs_line_bytes_max};
use crate::{DecodeError, Decoder, DecoderConfig, Format, Place, Record, Sink};

/// Horizontal 1 sigma. 14 CFR 91.227 requires ADS-B Out to transmit NACp ≥ 8,
/// an estimated position uncertainty under 0.05 NM (92.6 m) at 95 %; 95 % of
/// a circular normal lies within 2.45 sigma, so 92.6 / 2.45 ≈ 38 m, rounded up.
pub const HORIZONTAL_SIGMA_M: f64 = 40.0;
/// Vertical 1 sigma of a pressure altitude: the 25 ft reporting step alone is
/// 2.2 m; the altimetry system error dominates (RVSM tolerates 245 ft, 75 m,
/// at 99.7 %, i.e. 3 sigma), hence 25 m.
pub const VERTICAL_SIGMA_M: f64 = 25.0;
/// How old a velocity or altitude from another message may be and still be
/// merged into a position.
pub const STATE_AGE_S_MAX: i64 = 10;

const FEET_M: f64 = 0.3048;
const KNOT_MPS: f64 = 1852.0 / 3600.0;
const FEET_PER_MIN_MPS: f64 = 0.3048 / 60.0;
const N_FIELDS: usize = 22;

/// One `MSG` line's fields, decoded; `None` where the field is empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SbsLine {
    /// The transmission type, 1-8.
    pub transmission: u8,
    pub icao24: u32,
    /// The generated date and time (the event time).
    pub time: Time,
    pub callsign: Option<String>,
    /// Pressure altitude, feet.
    pub altitude_ft: Option<i32>,
    pub ground_speed_kt: Option<f64>,
    /// Track over ground, degrees from true north.
    pub track_deg: Option<f64>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    /// Feet per minute, up positive.
    pub vertical_rate_fpm: Option<i32>,
    pub squawk: Option<u16>,
    pub on_ground: Option<bool>,
}

impl SbsLine {
    /// MSG,3: an airborne position.
    pub fn position(
        icao24: u32,
        time: Time,
        lat_deg: f64,
        lon_deg: f64,
        altitude_ft: Option<i32>,
    ) -> SbsLine {
        SbsLine {
            transmission: 3,
            icao24,
            time,
            altitude_ft,
            lat_deg: Some(lat_deg),
            lon_deg: Some(lon_deg),
            on_ground: Some(false),
            ..SbsLine::default()
        }
    }

    /// MSG,4: an airborne velocity.
    pub fn velocity(
        icao24: u32,
        time: Time,
        ground_speed_kt: f64,
        track_deg: f64,
        vertical_rate_fpm: i32,
    ) -> SbsLine {
        SbsLine {
            transmission: 4,
            icao24,
            time,
            ground_speed_kt: Some(ground_speed_kt),
            track_deg: Some(track_deg),
            vertical_rate_fpm: Some(vertical_rate_fpm),
            ..SbsLine::default()
        }
    }

    /// MSG,1: identification (callsign).
    pub fn identification(icao24: u32, time: Time, callsign: &str) -> SbsLine {
        SbsLine {
            transmission: 1,
            icao24,
            time,
            callsign: Some(callsign.to_owned()),
            ..SbsLine::default()
        }
    }

    /// MSG,5: a surveillance altitude reply.
    pub fn altitude(icao24: u32, time: Time, altitude_ft: i32) -> SbsLine {
        SbsLine {
            transmission: 5,
            icao24,
            time,
            altitude_ft: Some(altitude_ft),
            ..SbsLine::default()
        }
    }

    /// Appends the line (ending `\r\n`, as BaseStation writes it) to `out`.
    /// Lat/lon get 5 decimals, speed and track 1, as dump1090 writes them.
    pub fn write(&self, out: &mut String) {
        let (date, clock) = date_time_text(self.time);
        let _ = write!(
            out,
            "MSG,{},1,1,{:06X},1,{date},{clock},{date},{clock},",
            self.transmission,
            self.icao24 & 0xFF_FFFF
        );
        if let Some(c) = &self.callsign {
            out.push_str(c);
        }
        out.push(',');
        opt(out, self.altitude_ft, |o, v| write!(o, "{v}"));
        opt(out, self.ground_speed_kt, |o, v| write!(o, "{v:.1}"));
        opt(out, self.track_deg, |o, v| write!(o, "{v:.1}"));
        opt(out, self.lat_deg, |o, v| write!(o, "{v:.5}"));
        opt(out, self.lon_deg, |o, v| write!(o, "{v:.5}"));
        opt(out, self.vertical_rate_fpm, |o, v| write!(o, "{v}"));
        opt(out, self.squawk, |o, v| write!(o, "{v:04}"));
        out.push_str(",,,");
        if let Some(g) = self.on_ground {
            out.push(if g { '1' } else { '0' });
        }
        out.push_str("\r\n");
    }
}

fn opt<T: Copy>(
    out: &mut String,
    value: Option<T>,
    write: impl Fn(&mut String, T) -> std::fmt::Result,
) {
    if let Some(v) = value {
        let _ = write(out, v);
    }
    out.push(',');
}

/// `YYYY/MM/DD` and `HH:MM:SS.mmm` of a time.
fn date_time_text(time: Time) -> (String, String) {
    let seconds = time.unix_us.div_euclid(1_000_000);
    let ms = time.unix_us.rem_euclid(1_000_000) / 1000;
    let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    (
        format!("{y:04}/{m:02}/{d:02}"),
        format!(
            "{:02}:{:02}:{:02}.{ms:03}",
            in_day / 3600,
            in_day / 60 % 60,
            in_day % 60
        ),
    )
}

/// The inverse of `days_from_civil` (H. Hinnant).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Parses one line: `Ok(None)` for lines that are valid BaseStation output
/// but carry no aircraft data (`SEL`, `ID`, `AIR`, `STA`, `CLK`) and blank lines.
pub fn parse_line(line: &[u8]) -> Result<Option<SbsLine>, String> {
    let line = trim(line);
    let Ok(text) = std::str::from_utf8(line) else {
        return Err("expected ASCII text".to_owned());
    };
    if text.is_empty() {
        return Ok(None);
    }
    let mut fields = [""; N_FIELDS];
    let mut n_fields = 0;
    for field in text.split(',') {
        if n_fields < N_FIELDS {
            fields[n_fields] = field;
        }
        n_fields += 1;
    }
    match fields[0] {
        "MSG" => {}
        "SEL" | "ID" | "AIR" | "STA" | "CLK" => return Ok(None),
        other => {
            return Err(format!(
                "expected a message type `MSG` (or SEL, ID, AIR, STA, CLK), found `{}`",
                // Cut by bytes, not chars: a multi-byte character may straddle
                // the cut (found by cargo-fuzz).
                other.as_bytes()[..other.len().min(16)].escape_ascii()
            ));
        }
    }
    if n_fields != N_FIELDS {
        return Err(format!(
            "expected {N_FIELDS} comma-separated fields in a MSG line, found {n_fields}"
        ));
    }
    let transmission = match fields[1].parse::<u8>() {
        Ok(t @ 1..=8) => t,
        _ => {
            return Err(format!(
                "field 2 (transmission type): expected 1-8, found `{}`",
                fields[1].escape_debug()
            ));
        }
    };
    let icao24 = match fields[4] {
        hex if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?
        }
        other => {
            return Err(format!(
                "field 5 (hex ident): expected 6 hex digits, found `{}`",
                other.escape_debug()
            ));
        }
    };
    let time = match (fields[6], fields[7]) {
        ("", "") => parse_time(fields[8], fields[9], 9)?,
        (date, clock) => parse_time(date, clock, 7)?,
    };
    let callsign = Some(fields[10].trim())
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    Ok(Some(SbsLine {
        transmission,
        icao24,
        time,
        callsign,
        altitude_ft: number(fields[11], 12, "altitude (ft)", -2_000.0, 150_000.0)?
            .map(|v| v as i32),
        ground_speed_kt: number(fields[12], 13, "ground speed (kt)", 0.0, 5_000.0)?,
        track_deg: number(fields[13], 14, "track (deg)", 0.0, 360.0)?,
        lat_deg: number(fields[14], 15, "latitude (deg)", -90.0, 90.0)?,
        lon_deg: number(fields[15], 16, "longitude (deg)", -180.0, 180.0)?,
        vertical_rate_fpm: number(
            fields[16],
            17,
            "vertical rate (ft/min)",
            -100_000.0,
            100_000.0,
        )?
        .map(|v| v as i32),
        squawk: number(fields[17], 18, "squawk", 0.0, 7777.0)?.map(|v| v as u16),
        on_ground: match fields[21] {
            "" => None,
            "0" => Some(false),
            "1" | "-1" => Some(true),
            other => {
                return Err(format!(
                    "field 22 (is on ground): expected 0, 1 or -1, found `{}`",
                    other.escape_debug()
                ));
            }
        },
    }))
}

fn number(
    field: &str,
    position: usize,
    name: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, String> {
    if field.is_empty() {
        return Ok(None);
    }
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(Some(v)),
        _ => Err(format!(
            "field {position} ({name}): expected a number in {min}..={max}, found `{}`",
            field.escape_debug()
        )),
    }
}

/// `2018/04/03` and `19:02:28.136` (fraction optional, up to 9 digits).
fn parse_time(date: &str, clock: &str, position: usize) -> Result<Time, String> {
    let bad = || {
        format!(
            "fields {position}-{} (date, time): expected `YYYY/MM/DD` and `HH:MM:SS.sss`, found `{}` `{}`",
            position + 1,
            date.escape_debug(),
            clock.escape_debug()
        )
    };
    let d = date.as_bytes();
    let c = clock.as_bytes();
    if d.len() != 10 || d[4] != b'/' || d[7] != b'/' || c.len() < 8 || c[2] != b':' || c[5] != b':'
    {
        return Err(bad());
    }
    let digits = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let (year, month, day) = (digits(&d[0..4]), digits(&d[5..7]), digits(&d[8..10]));
    let (hour, minute, second) = (digits(&c[0..2]), digits(&c[3..5]), digits(&c[6..8]));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (year, month, day, hour, minute, second)
    else {
        return Err(bad());
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let mut micros = 0i64;
    match &c[8..] {
        [] => {}
        [b'.', fraction @ ..] if !fraction.is_empty() && fraction.len() <= 9 => {
            let value = digits(fraction).ok_or_else(bad)?;
            micros = i64::from(value) * 10i64.pow(9 - fraction.len() as u32) / 1000;
        }
        _ => return Err(bad()),
    }
    let days = days_from_civil(i64::from(year), month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Ok(Time::from_unix_us(seconds * 1_000_000 + micros))
}

fn trim(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |k| k + 1);
    &line[..end]
}

/// Decodes SBS lines (see the [module docs](self)).
#[derive(Debug)]
pub struct SbsDecoder {
    framer: LineFramer,
    state: State,
}

#[derive(Debug)]
struct State {
    config: DecoderConfig,
    aircraft: BoundedMap<u32, Aircraft>,
    line_no: u64,
}

#[derive(Debug, Default)]
struct Aircraft {
    callsign: Option<String>,
    altitude: Option<(i32, Time)>,
    velocity: Option<(VelocityEnu, Time)>,
}

impl SbsDecoder {
    pub fn new(config: DecoderConfig) -> SbsDecoder {
        SbsDecoder {
            framer: LineFramer::new(sbs_line_bytes_max),
            state: State {
                config,
                aircraft: BoundedMap::new(sbs_aircraft_max),
                line_no: 0,
            },
        }
    }

    /// Aircraft states dropped because more than `sbs_aircraft_max` were heard.
    pub fn n_aircraft_evicted(&self) -> u64 {
        self.state.aircraft.n_evicted()
    }
}

impl Decoder for SbsDecoder {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink) {
        let state = &mut self.state;
        self.framer
            .feed(chunk, &mut |framed| state.on_framed(framed, sink));
    }

    fn finish(&mut self, sink: &mut dyn Sink) {
        let state = &mut self.state;
        self.framer
            .finish(&mut |framed| state.on_framed(framed, sink));
    }
}

fn error(place: Place, reason: String, raw: &[u8]) -> DecodeError {
    DecodeError {
        format: Format::Sbs,
        place,
        reason,
        raw: raw[..raw.len().min(quarantine_record_bytes_max)].to_vec(),
    }
}

impl State {
    fn on_framed(&mut self, framed: Framed<'_>, sink: &mut dyn Sink) {
        let (line, place) = match framed {
            Framed::Line(line, place) => (line, place),
            Framed::Overlong(head, place) => {
                let reason = format!(
                    "line longer than {sbs_line_bytes_max} bytes: expected an SBS MSG line"
                );
                return sink.error(error(place, reason, head));
            }
        };
        if let Place::Line { line, .. } = place {
            self.line_no = line;
        }
        match parse_line(line) {
            Ok(Some(msg)) => self.on_message(&msg, trim(line), sink),
            Ok(None) => {}
            Err(reason) => sink.error(error(place, reason, trim(line))),
        }
    }

    fn on_message(&mut self, msg: &SbsLine, raw: &[u8], sink: &mut dyn Sink) {
        let aircraft = self
            .aircraft
            .entry(msg.icao24, self.line_no, Aircraft::default);
        if let Some(callsign) = &msg.callsign {
            aircraft.callsign = Some(callsign.clone());
        }
        if let Some(alt) = msg.altitude_ft {
            aircraft.altitude = Some((alt, msg.time));
        }
        let own_velocity = velocity(msg);
        if let (4, Some(v)) = (msg.transmission, own_velocity) {
            aircraft.velocity = Some((v, msg.time));
        }
        let (Some(lat_deg), Some(lon_deg)) = (msg.lat_deg, msg.lon_deg) else {
            return;
        };
        let fresh = |t: Time| (msg.time - t).us.abs() <= Duration::from_secs(STATE_AGE_S_MAX).us;
        let altitude_ft = msg
            .altitude_ft
            .or(aircraft.altitude.filter(|(_, t)| fresh(*t)).map(|(a, _)| a));
        let velocity =
            own_velocity.or(aircraft.velocity.filter(|(_, t)| fresh(*t)).map(|(v, _)| v));
        let observation = Observation {
            source: self.config.source.clone(),
            sensor: SensorId::new("sbs"),
            time: msg.time,
            measurement: Measurement::Position {
                position: Geodetic::new(
                    lat_deg,
                    lon_deg,
                    altitude_ft.map_or(0.0, |a| f64::from(a) * FEET_M),
                ),
                horizontal_sigma_m: HORIZONTAL_SIGMA_M,
                vertical_sigma_m: altitude_ft.map(|_| VERTICAL_SIGMA_M),
                velocity,
            },
            identity: Identity {
                icao24: Some(msg.icao24),
                callsign: aircraft.callsign.as_deref().map(model::SmolStr::new),
                ..Identity::default()
            },
            raw_digest: Digest::of(raw),
        };
        sink.record(Record::Observation(observation));
    }
}

/// ENU velocity from ground speed, track and vertical rate, when the line has them.
fn velocity(msg: &SbsLine) -> Option<VelocityEnu> {
    let (speed_kt, track_deg) = (msg.ground_speed_kt?, msg.track_deg?);
    let speed_mps = speed_kt * KNOT_MPS;
    let (sin, cos) = track_deg.to_radians().sin_cos();
    let vu_mps = msg
        .vertical_rate_fpm
        .map_or(0.0, |r| f64::from(r) * FEET_PER_MIN_MPS);
    Some(VelocityEnu {
        ve_mps: speed_mps * sin,
        vn_mps: speed_mps * cos,
        vu_mps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_text_round_trips() {
        let t = Time::parse_rfc3339("2018-04-03T19:02:28.136Z").unwrap();
        let (date, clock) = date_time_text(t);
        assert_eq!(
            (date.as_str(), clock.as_str()),
            ("2018/04/03", "19:02:28.136")
        );
        assert_eq!(parse_time(&date, &clock, 7), Ok(t));
    }
}
