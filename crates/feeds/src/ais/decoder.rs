//! The AIS NMEA [`Decoder`]: lines to sentences, fragments to messages,
//! messages to observations and vessel static records.

use model::{Digest, Geodetic, Identity, Measurement, Observation, SensorId, Time, VelocityEnu};

use super::VesselStatic;
use super::armor::{ArmorError, Bits};
use super::cache::BoundedMap;
use super::lines::{Framed, LineFramer};
use super::message::{self, Message, PositionReport};
use super::sentence::{self, Line, Sentence};
use crate::limits::{
    ais_fragment_lines_max, ais_fragments_pending_max, ais_payload_chars_max, ais_vessels_max,
    nmea_line_bytes_max, quarantine_record_bytes_max,
};
use crate::{DecodeError, Decoder, DecoderConfig, Format, Place, Record, Sink};

/// One sigma of a position flagged high accuracy. ITU-R M.1371-5 table 50
/// defines the flag as "high (≤ 10 m)", i.e. DGNSS-corrected; we take the
/// bound as one sigma, which is conservative.
pub const HIGH_ACCURACY_SIGMA_M: f64 = 10.0;
/// One sigma of a position flagged low accuracy. The standard says only
/// "> 10 m" (unaugmented GNSS) with no upper bound; 100 m is the GPS SPS 95 %
/// horizontal bound of the selective-availability era in which the flag was
/// defined, a deliberately cautious figure for fusion gating.
pub const LOW_ACCURACY_SIGMA_M: f64 = 100.0;
const KNOT_MPS: f64 = 1852.0 / 3600.0;

/// Decodes `!AIVDM` / `!AIVDO` lines (see the [module docs](super)).
#[derive(Debug)]
pub struct AisDecoder {
    framer: LineFramer,
    state: State,
}

#[derive(Debug)]
struct State {
    config: DecoderConfig,
    bits: Bits,
    pending: Vec<Pending>,
    vessels: BoundedMap<u32, VesselInfo>,
    /// The latest absolute time seen (tag block, receive-time column, type 4/11),
    /// against which a message's UTC second is resolved.
    reference: Option<Time>,
    line_no: u64,
}

/// A multi-sentence message waiting for its other fragments.
#[derive(Debug)]
struct Pending {
    channel: u8,
    sequence_id: Option<u8>,
    fragment_count: u8,
    next_fragment: u8,
    first_line: u64,
    /// Where fragment 1 was, for errors about the message as a whole.
    first_place: Place,
    payload: Vec<u8>,
    raw: Vec<u8>,
    context: Context,
}

/// What the sentence(s) around a message say about it.
#[derive(Debug, Clone, Default)]
struct Context {
    time: Option<Time>,
    sensor: Option<String>,
}

/// Static data remembered per MMSI to label later position reports.
#[derive(Debug, Default)]
struct VesselInfo {
    callsign: Option<String>,
    name: Option<String>,
    reported_type: Option<String>,
}

impl AisDecoder {
    pub fn new(config: DecoderConfig) -> AisDecoder {
        AisDecoder {
            framer: LineFramer::new(nmea_line_bytes_max),
            state: State {
                config,
                bits: Bits::with_capacity(ais_payload_chars_max),
                pending: Vec::with_capacity(ais_fragments_pending_max),
                vessels: BoundedMap::new(ais_vessels_max),
                reference: None,
                line_no: 0,
            },
        }
    }

    /// Static entries dropped because more than [`ais_vessels_max`] MMSIs were seen.
    pub fn n_vessels_evicted(&self) -> u64 {
        self.state.vessels.n_evicted()
    }
}

impl Decoder for AisDecoder {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink) {
        let state = &mut self.state;
        self.framer
            .feed(chunk, &mut |framed| state.on_framed(framed, sink));
    }

    fn finish(&mut self, sink: &mut dyn Sink) {
        let state = &mut self.state;
        self.framer
            .finish(&mut |framed| state.on_framed(framed, sink));
        for pending in std::mem::take(&mut state.pending) {
            let place = pending.first_place;
            let reason = format!(
                "multi-sentence message ended with fragment {} of {} missing at end of input",
                pending.next_fragment, pending.fragment_count
            );
            sink.error(error(place, reason, &pending.raw));
        }
    }
}

fn error(place: Place, reason: String, raw: &[u8]) -> DecodeError {
    DecodeError {
        format: Format::AisNmea,
        place,
        reason,
        raw: raw[..raw.len().min(quarantine_record_bytes_max)].to_vec(),
    }
}

impl State {
    fn on_framed(&mut self, framed: Framed<'_>, sink: &mut dyn Sink) {
        match framed {
            Framed::Line(line, place) => {
                self.line_no = line_of(place);
                self.expire_fragments(sink);
                match sentence::parse_line(line) {
                    Ok(Line::Ais(sentence)) => self.on_sentence(&sentence, trim(line), place, sink),
                    Ok(Line::ReceiverTime(t)) => self.reference = Some(t),
                    Ok(Line::Skip) => {}
                    Err(reason) => sink.error(error(place, reason, trim(line))),
                }
            }
            // A `#` comment (sample files) is skipped whatever its length.
            Framed::Overlong([b'#', ..], _) => {}
            Framed::Overlong(head, place) => {
                let reason = format!(
                    "line longer than {nmea_line_bytes_max} bytes: expected an NMEA sentence"
                );
                sink.error(error(place, reason, head));
            }
        }
    }

    fn on_sentence(&mut self, s: &Sentence<'_>, raw: &[u8], place: Place, sink: &mut dyn Sink) {
        if s.payload.len() > ais_payload_chars_max {
            let reason = format!(
                "payload of {} characters: expected at most {ais_payload_chars_max}",
                s.payload.len()
            );
            return sink.error(error(place, reason, raw));
        }
        if s.fragment_count == 1 {
            self.bits.clear();
            if let Err(e) = self.bits.push_payload(s.payload, s.fill_bits, true) {
                return sink.error(error(place, armor_reason(e), raw));
            }
            let context = Context {
                time: s.tag_time.or(s.receive_time),
                sensor: None,
            };
            return self.on_payload(&context, s, raw, place, sink);
        }
        self.on_fragment(s, raw, place, sink);
    }

    fn on_fragment(&mut self, s: &Sentence<'_>, raw: &[u8], place: Place, sink: &mut dyn Sink) {
        let found = self
            .pending
            .iter()
            .position(|p| p.channel == s.channel && p.sequence_id == s.sequence_id);
        if s.fragment_number == 1 {
            if let Some(k) = found {
                let old = self.pending.swap_remove(k);
                let reason = format!(
                    "orphan fragments: fragment 1 of a new message arrived while fragment {} of {} was expected",
                    old.next_fragment, old.fragment_count
                );
                sink.error(error(place, reason, &old.raw));
            }
            if self.pending.len() == ais_fragments_pending_max {
                let oldest = (0..self.pending.len())
                    .min_by_key(|&k| self.pending[k].first_line)
                    .unwrap_or(0);
                let old = self.pending.swap_remove(oldest);
                let reason = format!(
                    "more than {ais_fragments_pending_max} multi-sentence messages pending: the oldest is dropped"
                );
                sink.error(error(place, reason, &old.raw));
            }
            self.pending.push(Pending {
                channel: s.channel,
                sequence_id: s.sequence_id,
                fragment_count: s.fragment_count,
                next_fragment: 2,
                first_line: self.line_no,
                first_place: place,
                payload: s.payload.to_vec(),
                raw: raw.to_vec(),
                context: Context {
                    time: s.tag_time.or(s.receive_time),
                    sensor: sensor_name(s),
                },
            });
            return;
        }
        let Some(k) = found else {
            let reason = format!(
                "orphan fragment {} of {}: no fragment 1 on channel `{}` with sequence id {:?}",
                s.fragment_number,
                s.fragment_count,
                char::from(if s.channel == 0 { b'-' } else { s.channel }),
                s.sequence_id
            );
            return sink.error(error(place, reason, raw));
        };
        let pending = &mut self.pending[k];
        if pending.fragment_count != s.fragment_count || pending.next_fragment != s.fragment_number
        {
            let reason = format!(
                "expected fragment {} of {}, found {} of {}: the message is dropped",
                pending.next_fragment, pending.fragment_count, s.fragment_number, s.fragment_count
            );
            let old = self.pending.swap_remove(k);
            let mut raw_all = old.raw;
            raw_all.push(b'\n');
            raw_all.extend_from_slice(raw);
            return sink.error(error(place, reason, &raw_all));
        }
        pending.payload.extend_from_slice(s.payload);
        pending.raw.push(b'\n');
        pending.raw.extend_from_slice(raw);
        pending.next_fragment += 1;
        if pending.context.time.is_none() {
            pending.context.time = s.tag_time.or(s.receive_time);
        }
        if pending.payload.len() > ais_payload_chars_max {
            let old = self.pending.swap_remove(k);
            let reason =
                format!("assembled payload longer than {ais_payload_chars_max} characters");
            return sink.error(error(place, reason, &old.raw));
        }
        if s.fragment_number < s.fragment_count {
            return;
        }
        let done = self.pending.swap_remove(k);
        self.bits.clear();
        if let Err(e) = self.bits.push_payload(&done.payload, s.fill_bits, true) {
            return sink.error(error(place, armor_reason(e), &done.raw));
        }
        self.on_payload(&done.context, s, &done.raw, place, sink);
    }

    /// Drops multi-sentence messages whose later fragments never came.
    fn expire_fragments(&mut self, sink: &mut dyn Sink) {
        if self.pending.is_empty() {
            return;
        }
        let line_no = self.line_no;
        let mut k = 0;
        while k < self.pending.len() {
            if line_no - self.pending[k].first_line > ais_fragment_lines_max {
                let old = self.pending.swap_remove(k);
                let place = old.first_place;
                let reason = format!(
                    "orphan fragments: fragment {} of {} did not arrive within {ais_fragment_lines_max} lines",
                    old.next_fragment, old.fragment_count
                );
                sink.error(error(place, reason, &old.raw));
            } else {
                k += 1;
            }
        }
    }

    /// `self.bits` holds a whole message.
    fn on_payload(
        &mut self,
        context: &Context,
        s: &Sentence<'_>,
        raw: &[u8],
        place: Place,
        sink: &mut dyn Sink,
    ) {
        let message = match message::decode(&self.bits) {
            Ok(m) => m,
            Err(e) => return sink.error(error(place, e.0, raw)),
        };
        if let Some(t) = context.time {
            self.reference = Some(t);
        }
        let sensor = || {
            context
                .sensor
                .clone()
                .or_else(|| sensor_name(s))
                .unwrap_or_else(|| "ais".to_owned())
        };
        match message {
            Message::Position(report) => {
                self.position(&report, context, sensor(), raw, place, sink)
            }
            Message::ExtendedClassB(report, fields) => {
                let info = self
                    .vessels
                    .entry(report.mmsi, self.line_no, VesselInfo::default);
                set_text(&mut info.name, &fields.name);
                info.reported_type = ship_type(fields.ship_type);
                self.position(&report, context, sensor(), raw, place, sink);
            }
            Message::StaticVoyage(v) => {
                let info = self
                    .vessels
                    .entry(v.mmsi, self.line_no, VesselInfo::default);
                set_text(&mut info.callsign, &v.callsign);
                set_text(&mut info.name, &v.name);
                info.reported_type = ship_type(v.ship_type);
                let record = VesselStatic {
                    imo: (v.imo != 0).then_some(v.imo),
                    callsign: non_empty(&v.callsign),
                    name: non_empty(&v.name),
                    ship_type: (v.ship_type != 0).then_some(v.ship_type),
                    dimensions: Some(v.dimensions),
                    destination: non_empty(&v.destination),
                    draught_m: (v.draught_dm != 0).then(|| f64::from(v.draught_dm) / 10.0),
                    ..self.vessel_static(v.mmsi, context, sensor(), raw)
                };
                sink.record(Record::VesselStatic(record));
            }
            Message::StaticPartA { mmsi, name, .. } => {
                let info = self.vessels.entry(mmsi, self.line_no, VesselInfo::default);
                set_text(&mut info.name, &name);
                let record = VesselStatic {
                    name: non_empty(&name),
                    ..self.vessel_static(mmsi, context, sensor(), raw)
                };
                sink.record(Record::VesselStatic(record));
            }
            Message::StaticPartB(b) => {
                let info = self
                    .vessels
                    .entry(b.mmsi, self.line_no, VesselInfo::default);
                set_text(&mut info.callsign, &b.callsign);
                info.reported_type = ship_type(b.ship_type);
                let record = VesselStatic {
                    callsign: non_empty(&b.callsign),
                    ship_type: (b.ship_type != 0).then_some(b.ship_type),
                    dimensions: Some(b.dimensions),
                    ..self.vessel_static(b.mmsi, context, sensor(), raw)
                };
                sink.record(Record::VesselStatic(record));
            }
            Message::BaseStation(b) => {
                if let Some(t) = base_station_time(&b) {
                    self.reference = Some(t);
                }
            }
            _ => {}
        }
    }

    fn vessel_static(
        &self,
        mmsi: u32,
        context: &Context,
        sensor: String,
        raw: &[u8],
    ) -> VesselStatic {
        VesselStatic {
            source: self.config.source.clone(),
            sensor: SensorId::new(sensor),
            time: self.event_time(context, None),
            mmsi,
            imo: None,
            callsign: None,
            name: None,
            ship_type: None,
            dimensions: None,
            destination: None,
            draught_m: None,
            raw_digest: Digest::of(raw),
        }
    }

    fn position(
        &mut self,
        report: &PositionReport,
        context: &Context,
        sensor: String,
        raw: &[u8],
        place: Place,
        sink: &mut dyn Sink,
    ) {
        if report.position_out_of_range() {
            let reason = format!(
                "type {} position lat {} lon {} (1/10000 min): expected within ±90°/±180° or 91°/181° for not available",
                report.msg_type, report.lat_raw, report.lon_raw
            );
            return sink.error(error(place, reason, raw));
        }
        // "Not available" positions say nothing about where the vessel is.
        let Some((lat_deg, lon_deg)) = report.lat_lon_deg() else {
            return;
        };
        let mut identity = Identity {
            mmsi: Some(report.mmsi),
            ..Identity::default()
        };
        if let Some(info) = self.vessels.get(&report.mmsi) {
            identity.callsign = info.callsign.as_deref().map(model::SmolStr::new);
            identity.reported_type = info.reported_type.as_deref().map(model::SmolStr::new);
        }
        let observation = Observation {
            source: self.config.source.clone(),
            sensor: SensorId::new(sensor),
            time: self.event_time(context, report.utc_second()),
            measurement: Measurement::Position {
                // AIS carries no altitude: the vessel is on the sea surface,
                // and `vertical_sigma_m: None` says the height is not measured.
                position: Geodetic::new(lat_deg, lon_deg, 0.0),
                horizontal_sigma_m: if report.accurate {
                    HIGH_ACCURACY_SIGMA_M
                } else {
                    LOW_ACCURACY_SIGMA_M
                },
                vertical_sigma_m: None,
                velocity: velocity(report),
            },
            identity,
            raw_digest: Digest::of(raw),
        };
        sink.record(Record::Observation(observation));
    }

    /// Event time of a message (see the module docs): the nearest instant to
    /// the reference time whose UTC second is the message's own; the
    /// reference itself for messages without a second; the configured day's
    /// midnight plus the second when no absolute time has been seen yet.
    fn event_time(&self, context: &Context, second: Option<u8>) -> Time {
        let reference = context.time.or(self.reference);
        match (reference, second) {
            (Some(t), Some(s)) => nearest_with_second(t, s),
            (Some(t), None) => t,
            (None, Some(s)) => {
                self.config.day.start_of_day() + model::Duration::from_secs(i64::from(s))
            }
            (None, None) => self.config.day.start_of_day(),
        }
    }
}

/// The instant nearest `reference` whose second-of-minute is `second`.
fn nearest_with_second(reference: Time, second: u8) -> Time {
    const MINUTE_US: i64 = 60_000_000;
    let minute = reference.unix_us.div_euclid(MINUTE_US) * MINUTE_US;
    let candidate = minute + i64::from(second) * 1_000_000;
    let best = [candidate - MINUTE_US, candidate, candidate + MINUTE_US]
        .into_iter()
        .min_by_key(|c| (c - reference.unix_us).abs())
        .unwrap_or(candidate);
    Time::from_unix_us(best)
}

/// ENU velocity from SOG/COG; a vessel reported still (SOG 0) has zero
/// velocity even without a course.
fn velocity(report: &PositionReport) -> Option<VelocityEnu> {
    let sog_mps = report.sog_kn()? * KNOT_MPS;
    let cog_rad = match report.cog_deg() {
        Some(c) => c.to_radians(),
        None if sog_mps == 0.0 => 0.0,
        None => return None,
    };
    let (sin, cos) = cog_rad.sin_cos();
    Some(VelocityEnu {
        ve_mps: sog_mps * sin,
        vn_mps: sog_mps * cos,
        vu_mps: 0.0,
    })
}

fn base_station_time(b: &message::BaseStationReport) -> Option<Time> {
    let valid = (1..=9999).contains(&b.year)
        && (1..=12).contains(&b.month)
        && (1..=31).contains(&b.day)
        && b.hour < 24
        && b.minute < 60
        && b.second < 60;
    if !valid {
        return None;
    }
    let days = super::days_from_civil(i64::from(b.year), u32::from(b.month), u32::from(b.day));
    let seconds =
        days * 86_400 + i64::from(b.hour) * 3600 + i64::from(b.minute) * 60 + i64::from(b.second);
    Some(Time::from_unix_us(seconds * 1_000_000))
}

fn sensor_name(s: &Sentence<'_>) -> Option<String> {
    s.tag_source
        .or(s.receiver)
        .map(|name| String::from_utf8_lossy(name).into_owned())
}

fn ship_type(code: u8) -> Option<String> {
    (code != 0).then(|| format!("ais-ship-type:{code}"))
}

fn set_text(slot: &mut Option<String>, text: &str) {
    if !text.is_empty() {
        *slot = Some(text.to_owned());
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn armor_reason(e: ArmorError) -> String {
    match e {
        ArmorError::BadChar { index, byte } => format!(
            "payload character {index} is `{}`: expected 6-bit armouring (`0`-`W`, `` ` ``-`w`)",
            [byte].escape_ascii()
        ),
        ArmorError::FillTooLong => "fill bits exceed the payload".to_owned(),
        ArmorError::TooLong => format!("payload longer than {ais_payload_chars_max} characters"),
    }
}

fn line_of(place: Place) -> u64 {
    match place {
        Place::Line { line, .. } => line,
        Place::Byte(_) => 0,
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |k| k + 1);
    &line[..end]
}
