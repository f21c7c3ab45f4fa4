//! The thin layer from internal reports to the wire: each emitter maps
//! reports to one `feeds` encoder's record structs and lets that encoder write
//! the bytes. No encoding is done here.

use std::collections::BTreeMap;

use feeds::ais::{AisEncoder, Framing, Message, PositionReport, StaticVoyage};
use feeds::asterix::cat021::GroundVector;
use feeds::asterix::cat048::{CartesianPosition, PolarPosition, PolarVelocity, TargetReport};
use feeds::asterix::cat062::{CartesianVelocity, LatLon};
use feeds::asterix::{Callsign, Cat021Record, Cat048Record, Cat062Record, encode_block};
use feeds::cot::{CotDetail, CotEvent, CotPoint};
use feeds::sbs::SbsLine;
use model::{Duration, Time};

use crate::report::{
    AdsbReport, AisBody, AisReport, CotReport, Frame, RadarPlot, Report, SystemTrack,
};

/// What an emitter wrote for one frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmitCounts {
    pub records: u64,
    /// Reports the encoder refused (a value out of its field's range).
    pub refused: u64,
}

/// Maps frames of reports to one wire format.
pub trait Emitter {
    /// The format's name in the manifest (`asterix-cat048`, `ais-nmea`, ...).
    fn format(&self) -> &'static str;
    /// The output file's extension.
    fn extension(&self) -> &'static str;
    /// Appends the frame's bytes to `out`.
    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> EmitCounts;
}

fn time_of_day_s(t: Time) -> f64 {
    (t - t.start_of_day()).as_secs_f64()
}

fn callsign(text: &Option<String>) -> Option<Callsign> {
    text.as_deref().and_then(Callsign::new)
}

/// Encodes records as one ASTERIX data block; if the block is refused, keeps
/// the records the encoder accepts, each in its own block.
fn asterix_blocks<R: feeds::asterix::AsterixRecord + Clone>(
    records: &[R],
    out: &mut Vec<u8>,
) -> EmitCounts {
    if records.is_empty() {
        return EmitCounts::default();
    }
    if let Ok(block) = encode_block(records) {
        out.extend_from_slice(&block);
        return EmitCounts {
            records: records.len() as u64,
            refused: 0,
        };
    }
    let mut counts = EmitCounts::default();
    for r in records {
        match encode_block(std::slice::from_ref(r)) {
            Ok(block) => {
                out.extend_from_slice(&block);
                counts.records += 1;
            }
            Err(_) => counts.refused += 1,
        }
    }
    counts
}

/// Writes the frame's reports of one kind (`kind` picks them) as text, each
/// with `write` (false: the encoder refused it), then appends the text to `out`.
fn text_frame<T>(
    text: &mut String,
    frame: &Frame,
    out: &mut Vec<u8>,
    kind: fn(&Report) -> Option<&T>,
    mut write: impl FnMut(&T, &mut String) -> bool,
) -> EmitCounts {
    text.clear();
    let mut counts = EmitCounts::default();
    for report in frame.reports.iter().filter_map(kind) {
        if write(report, text) {
            counts.records += 1;
        } else {
            counts.refused += 1;
        }
    }
    out.extend_from_slice(text.as_bytes());
    counts
}

/// Reports of one kind to one ASTERIX category, one data block per frame (a
/// radar's sector, a tracker's or a receiver's update).
#[derive(Debug)]
pub struct AsterixEmitter<R> {
    format: &'static str,
    /// The category's record for a report of its kind, `None` for the others.
    record: fn(&Report) -> Option<R>,
    records: Vec<R>,
}

impl<R> AsterixEmitter<R> {
    fn new(format: &'static str, record: fn(&Report) -> Option<R>) -> Self {
        AsterixEmitter {
            format,
            record,
            records: Vec::new(),
        }
    }
}

impl<R: feeds::asterix::AsterixRecord + Clone> Emitter for AsterixEmitter<R> {
    fn format(&self) -> &'static str {
        self.format
    }
    fn extension(&self) -> &'static str {
        "ast"
    }
    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> EmitCounts {
        self.records.clear();
        self.records
            .extend(frame.reports.iter().filter_map(self.record));
        asterix_blocks(&self.records, out)
    }
}

impl AsterixEmitter<Cat048Record> {
    /// Radar plots to CAT048.
    pub fn cat048() -> Self {
        AsterixEmitter::new("asterix-cat048", |r| match r {
            Report::Plot(p) => Some(cat048_record(p)),
            _ => None,
        })
    }
}

impl AsterixEmitter<Cat062Record> {
    /// System tracks to CAT062.
    pub fn cat062() -> Self {
        AsterixEmitter::new("asterix-cat062", |r| match r {
            Report::SystemTrack(t) => Some(cat062_record(t)),
            _ => None,
        })
    }
}

impl AsterixEmitter<Cat021Record> {
    /// ADS-B reports to CAT021.
    pub fn cat021() -> Self {
        AsterixEmitter::new("asterix-cat021", |r| match r {
            Report::Adsb(a) => Some(cat021_record(a)),
            _ => None,
        })
    }
}

fn cat048_record(p: &RadarPlot) -> Cat048Record {
    let (sin_az, cos_az) = p.azimuth_deg.to_radians().sin_cos();
    Cat048Record {
        sac: p.sac,
        sic: p.sic,
        time_of_day_s: time_of_day_s(p.time),
        // TYP 1: single PSR detection; 3: SSR + PSR for transponder replies.
        report: Some(TargetReport {
            detection: if p.mode3a.is_some() { 3 } else { 1 },
            ..TargetReport::default()
        }),
        polar: Some(PolarPosition {
            range_m: p.range_m,
            azimuth_deg: p.azimuth_deg,
        }),
        mode3a: p.mode3a,
        flight_level: p.flight_level,
        aircraft_address: p.icao24,
        callsign: callsign(&p.callsign),
        track_number: p.track_number,
        cartesian: p.track_number.map(|_| CartesianPosition {
            x_m: p.range_m * sin_az,
            y_m: p.range_m * cos_az,
        }),
        velocity: p
            .velocity
            .map(|(ground_speed_mps, heading_deg)| PolarVelocity {
                ground_speed_mps,
                heading_deg,
            }),
        // I048/170 first octet 0: a confirmed track (CNF = 0).
        track_status: p.track_number.map(|_| 0),
        height_3d_m: p.height_m,
        ..Cat048Record::default()
    }
}

fn cat062_record(t: &SystemTrack) -> Cat062Record {
    Cat062Record {
        sac: t.sac,
        sic: t.sic,
        time_of_track_s: time_of_day_s(t.time),
        position: Some(LatLon {
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
        }),
        velocity: Some(CartesianVelocity {
            vx_mps: t.velocity_enu.0,
            vy_mps: t.velocity_enu.1,
        }),
        mode3a: t.mode3a,
        target_id: callsign(&t.callsign),
        aircraft_address: t.icao24,
        track_number: t.track_number,
        geometric_altitude_m: Some(t.alt_m),
        rate_of_climb_mps: Some(t.velocity_enu.2),
        ..Cat062Record::default()
    }
}

fn cat021_record(a: &AdsbReport) -> Cat021Record {
    let tod = time_of_day_s(a.time);
    Cat021Record {
        sac: a.sac,
        sic: a.sic,
        time_of_applicability_position_s: Some(tod),
        position_high_res: Some(LatLon {
            lat_deg: a.lat_deg,
            lon_deg: a.lon_deg,
        }),
        aircraft_address: Some(a.icao24),
        time_of_reception_position_s: Some(tod),
        mode3a: a.squawk,
        flight_level: Some(a.alt_ft / 100.0),
        barometric_vertical_rate_mps: Some(a.vertical_rate_fpm * 0.3048 / 60.0),
        ground_vector: Some(GroundVector {
            ground_speed_mps: a.ground_speed_kt * 1852.0 / 3600.0,
            track_angle_deg: a.track_deg,
        }),
        callsign: callsign(&a.callsign),
        // DO-260B.
        mops_version: Some(2),
        ..Cat021Record::default()
    }
}

/// ADS-B reports to BaseStation (SBS) lines: a position and a velocity line
/// per report, and the identification every tenth report of an aircraft.
#[derive(Debug, Default)]
pub struct SbsEmitter {
    text: String,
    reports_per_aircraft: BTreeMap<u32, u32>,
}

/// A Mode 3/A code held as an octal number (0o7500), as SBS writes it (7500).
fn squawk_digits(code: u16) -> u16 {
    let mut digits = 0u16;
    for shift in [9, 6, 3, 0] {
        digits = digits * 10 + ((code >> shift) & 7);
    }
    digits
}

impl Emitter for SbsEmitter {
    fn format(&self) -> &'static str {
        "sbs"
    }
    fn extension(&self) -> &'static str {
        "sbs"
    }
    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> EmitCounts {
        let reports_per_aircraft = &mut self.reports_per_aircraft;
        let adsb: fn(&Report) -> Option<&AdsbReport> = |r| match r {
            Report::Adsb(a) => Some(a),
            _ => None,
        };
        text_frame(&mut self.text, frame, out, adsb, |a, text| {
            let n = reports_per_aircraft.entry(a.icao24).or_insert(0);
            if (*n).is_multiple_of(10)
                && let Some(cs) = &a.callsign
            {
                SbsLine::identification(a.icao24, a.time, cs).write(text);
            }
            *n += 1;
            let mut pos = SbsLine::position(
                a.icao24,
                a.time,
                a.lat_deg,
                a.lon_deg,
                Some(a.alt_ft as i32),
            );
            pos.squawk = a.squawk.map(squawk_digits);
            pos.write(text);
            SbsLine::velocity(
                a.icao24,
                a.time,
                a.ground_speed_kt,
                a.track_deg,
                a.vertical_rate_fpm as i32,
            )
            .write(text);
            true
        })
    }
}

/// AIS reports to `!AIVDM` sentences with tag blocks (time and receiver).
#[derive(Debug, Default)]
pub struct AisEmitter {
    encoder: AisEncoder,
    text: String,
    channel_b: bool,
}

impl Emitter for AisEmitter {
    fn format(&self) -> &'static str {
        "ais-nmea"
    }
    fn extension(&self) -> &'static str {
        "nmea"
    }
    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> EmitCounts {
        let ais: fn(&Report) -> Option<&AisReport> = |r| match r {
            Report::Ais(a) => Some(a),
            _ => None,
        };
        text_frame(&mut self.text, frame, out, ais, |a, text| {
            let message = match &a.body {
                AisBody::Position {
                    lat_deg,
                    lon_deg,
                    sog_kn,
                    cog_deg,
                    heading_deg,
                    nav_status,
                } => {
                    let mut p = PositionReport::class_a(
                        a.mmsi,
                        *lat_deg,
                        *lon_deg,
                        Some(*sog_kn),
                        Some(*cog_deg),
                    );
                    p.nav_status = *nav_status;
                    p.heading = (*heading_deg as u16) % 360;
                    p.second = (a.time.unix_us.div_euclid(1_000_000).rem_euclid(60)) as u8;
                    p.accurate = true;
                    Message::Position(p)
                }
                AisBody::Static {
                    name,
                    callsign,
                    ship_type,
                } => Message::StaticVoyage(StaticVoyage {
                    mmsi: a.mmsi,
                    name: name.chars().take(20).collect(),
                    callsign: callsign.chars().take(7).collect(),
                    ship_type: *ship_type,
                    ..StaticVoyage::default()
                }),
            };
            // Transponders alternate between the two AIS channels.
            self.channel_b = !self.channel_b;
            let framing = Framing {
                channel: if self.channel_b { b'B' } else { b'A' },
                tag_time: Some(a.time),
                tag_source: Some(a.station.clone()),
            };
            self.encoder.encode(&message, &framing, text).is_ok()
        })
    }
}

/// CoT events, one XML element per line.
#[derive(Debug, Default)]
pub struct CotEmitter {
    text: String,
}

fn known(v: f64) -> Option<f64> {
    (v < 9_999_999.0).then_some(v)
}

impl CotEmitter {
    fn event(c: &CotReport) -> CotEvent {
        CotEvent {
            uid: c.uid.clone(),
            cot_type: c.cot_type.clone(),
            // Machine-derived positions: GPS for a patrol's own fix, estimated otherwise.
            how: if c.cot_type.starts_with("a-f") {
                "m-g".into()
            } else {
                "m-r".into()
            },
            time: c.time,
            start: c.time,
            stale: c.time + Duration::from_secs_f64(c.stale_s),
            point: CotPoint {
                lat_deg: c.lat_deg,
                lon_deg: c.lon_deg,
                hae_m: known(c.hae_m),
                ce_m: known(c.ce_m),
                le_m: known(c.le_m),
            },
            detail: CotDetail {
                callsign: c.callsign.clone(),
                course_deg: c.course_deg,
                speed_mps: c.speed_mps,
                remarks: c.remarks.clone(),
                ..CotDetail::default()
            },
        }
    }
}

impl Emitter for CotEmitter {
    fn format(&self) -> &'static str {
        "cot"
    }
    fn extension(&self) -> &'static str {
        "cot"
    }
    fn encode(&mut self, frame: &Frame, out: &mut Vec<u8>) -> EmitCounts {
        let cot: fn(&Report) -> Option<&CotReport> = |r| match r {
            Report::Cot(c) => Some(c),
            _ => None,
        };
        text_frame(&mut self.text, frame, out, cot, |c, text| {
            feeds::cot::write_event(&CotEmitter::event(c), text);
            text.push('\n');
            true
        })
    }
}
