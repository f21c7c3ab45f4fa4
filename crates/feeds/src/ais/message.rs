//! AIS messages as ITU-R M.1371-5 lays out their bits: decoded from a
//! [`Bits`] payload and encoded back into one. Fields keep their wire units
//! (tenths of a knot, 1/10 000 minute) so a round trip is exact; accessors
//! give physical units and say `None` for the "not available" values.

use super::armor::Bits;

/// Longitude "not available" (181°) in 1/10 000 minute.
pub const LON_NOT_AVAILABLE: i32 = 181 * 600_000;
/// Latitude "not available" (91°) in 1/10 000 minute.
pub const LAT_NOT_AVAILABLE: i32 = 91 * 600_000;
/// Speed over ground "not available" (102.3 kn) in tenths of a knot.
pub const SOG_NOT_AVAILABLE: u16 = 1023;
/// Course over ground "not available" (360°) in tenths of a degree.
pub const COG_NOT_AVAILABLE: u16 = 3600;
/// True heading "not available".
pub const HEADING_NOT_AVAILABLE: u16 = 511;
/// Time stamp (UTC second) "not available"; 61-63 flag positioning modes.
pub const SECOND_NOT_AVAILABLE: u8 = 60;

/// A decoded AIS message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// Types 1, 2, 3 (class A) and 18 (class B).
    Position(PositionReport),
    /// Type 19: a class B position with the static fields of type 24.
    ExtendedClassB(PositionReport, ClassBStatic),
    /// Type 5.
    StaticVoyage(StaticVoyage),
    /// Type 24 part A: the name.
    StaticPartA { repeat: u8, mmsi: u32, name: String },
    /// Type 24 part B: type, vendor, callsign, dimensions.
    StaticPartB(StaticPartB),
    /// Types 4 and 11: a base station's (or a mobile's reply with) UTC date and time.
    BaseStation(BaseStationReport),
    /// Any other type: recognised, not decoded further.
    Other { msg_type: u8, mmsi: u32 },
}

impl Message {
    pub fn msg_type(&self) -> u8 {
        match self {
            Message::Position(p) => p.msg_type,
            Message::ExtendedClassB(..) => 19,
            Message::StaticVoyage(_) => 5,
            Message::StaticPartA { .. } | Message::StaticPartB(_) => 24,
            Message::BaseStation(b) => b.msg_type,
            Message::Other { msg_type, .. } => *msg_type,
        }
    }

    pub fn mmsi(&self) -> u32 {
        match self {
            Message::Position(p) | Message::ExtendedClassB(p, _) => p.mmsi,
            Message::StaticVoyage(s) => s.mmsi,
            Message::StaticPartA { mmsi, .. } | Message::Other { mmsi, .. } => *mmsi,
            Message::StaticPartB(b) => b.mmsi,
            Message::BaseStation(b) => b.mmsi,
        }
    }
}

/// A position report (types 1, 2, 3, 18, and the position part of 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionReport {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    /// Navigational status (class A only; 15 = not defined).
    pub nav_status: u8,
    /// Rate of turn as sent (class A only; -128 = not available).
    pub rot_raw: i8,
    /// Tenths of a knot; 1023 = not available, 1022 = 102.2 kn or more.
    pub sog_raw: u16,
    /// Position accuracy flag: true is high (≤ 10 m), false low (> 10 m).
    pub accurate: bool,
    /// Longitude in 1/10 000 minute; [`LON_NOT_AVAILABLE`] when unknown.
    pub lon_raw: i32,
    /// Latitude in 1/10 000 minute; [`LAT_NOT_AVAILABLE`] when unknown.
    pub lat_raw: i32,
    /// Tenths of a degree; 3600 = not available.
    pub cog_raw: u16,
    /// Degrees; 511 = not available.
    pub heading: u16,
    /// UTC second of the fix (0-59); 60 not available, 61-63 special modes.
    pub second: u8,
    pub raim: bool,
    /// The communication state (radio status) bits, kept for round trips.
    pub radio: u32,
}

impl PositionReport {
    /// A class A report (type 1) from physical values, quantised to the wire.
    /// `None` marks a value as not available.
    pub fn class_a(
        mmsi: u32,
        lat_deg: f64,
        lon_deg: f64,
        sog_kn: Option<f64>,
        cog_deg: Option<f64>,
    ) -> Self {
        PositionReport {
            msg_type: 1,
            repeat: 0,
            mmsi,
            nav_status: 0,
            rot_raw: -128,
            sog_raw: sog_kn.map_or(SOG_NOT_AVAILABLE, quantise_sog),
            accurate: false,
            lon_raw: quantise_minutes(lon_deg),
            lat_raw: quantise_minutes(lat_deg),
            cog_raw: cog_deg.map_or(COG_NOT_AVAILABLE, quantise_cog),
            heading: HEADING_NOT_AVAILABLE,
            second: SECOND_NOT_AVAILABLE,
            raim: false,
            radio: 0,
        }
    }

    /// A class B report (type 18) from physical values.
    pub fn class_b(
        mmsi: u32,
        lat_deg: f64,
        lon_deg: f64,
        sog_kn: Option<f64>,
        cog_deg: Option<f64>,
    ) -> Self {
        PositionReport {
            msg_type: 18,
            ..PositionReport::class_a(mmsi, lat_deg, lon_deg, sog_kn, cog_deg)
        }
    }

    pub fn is_class_a(&self) -> bool {
        matches!(self.msg_type, 1..=3)
    }

    /// Latitude and longitude in degrees; `None` when either is "not available".
    pub fn lat_lon_deg(&self) -> Option<(f64, f64)> {
        if self.lat_raw == LAT_NOT_AVAILABLE || self.lon_raw == LON_NOT_AVAILABLE {
            return None;
        }
        Some((
            f64::from(self.lat_raw) / 600_000.0,
            f64::from(self.lon_raw) / 600_000.0,
        ))
    }

    /// True when a position is given but outside ±90° / ±180°.
    pub fn position_out_of_range(&self) -> bool {
        self.lat_lon_deg().is_some()
            && (self.lat_raw.abs() > 90 * 600_000 || self.lon_raw.abs() > 180 * 600_000)
    }

    /// Knots; `None` when not available.
    pub fn sog_kn(&self) -> Option<f64> {
        (self.sog_raw < SOG_NOT_AVAILABLE).then(|| f64::from(self.sog_raw) / 10.0)
    }

    /// Degrees from true north; `None` when not available (3600) or invalid (> 3600).
    pub fn cog_deg(&self) -> Option<f64> {
        (self.cog_raw < COG_NOT_AVAILABLE).then(|| f64::from(self.cog_raw) / 10.0)
    }

    /// The UTC second of the fix, when given.
    pub fn utc_second(&self) -> Option<u8> {
        (self.second < SECOND_NOT_AVAILABLE).then_some(self.second)
    }
}

/// Degrees to 1/10 000 minute, clamped into the field's range.
pub fn quantise_minutes(deg: f64) -> i32 {
    (deg * 600_000.0)
        .round()
        .clamp(-(181.0 * 600_000.0), 181.0 * 600_000.0) as i32
}

fn quantise_sog(kn: f64) -> u16 {
    (kn * 10.0).round().clamp(0.0, 1022.0) as u16
}

fn quantise_cog(deg: f64) -> u16 {
    ((deg.rem_euclid(360.0) * 10.0).round() as u16) % 3600
}

/// Ship dimensions from the reference point, metres (0 = not available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Dimensions {
    pub to_bow_m: u16,
    pub to_stern_m: u16,
    pub to_port_m: u8,
    pub to_starboard_m: u8,
}

/// Type 5: static and voyage related data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaticVoyage {
    pub repeat: u8,
    pub mmsi: u32,
    pub ais_version: u8,
    pub imo: u32,
    pub callsign: String,
    pub name: String,
    pub ship_type: u8,
    pub dimensions: Dimensions,
    pub epfd: u8,
    /// ETA month, day, hour, minute as sent (0/0/24/60 = not available).
    pub eta: [u8; 4],
    /// Tenths of a metre.
    pub draught_dm: u8,
    pub destination: String,
    pub dte: bool,
}

/// The static fields of type 19.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassBStatic {
    pub name: String,
    pub ship_type: u8,
    pub dimensions: Dimensions,
    pub epfd: u8,
}

/// Type 24 part B.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaticPartB {
    pub repeat: u8,
    pub mmsi: u32,
    pub ship_type: u8,
    /// Manufacturer id, three 6-bit characters (ITU-R M.1371-5).
    pub vendor_id: String,
    pub model: u8,
    pub serial: u32,
    pub callsign: String,
    /// For an auxiliary craft (MMSI 98xxxxxxx) these 30 bits are the
    /// mothership's MMSI instead; kept as dimensions as most decoders do.
    pub dimensions: Dimensions,
}

/// Types 4 and 11: UTC date and time with the station's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseStationReport {
    pub msg_type: u8,
    pub mmsi: u32,
    /// Year, month, day, hour, minute, second; 0 / 24 / 60 mark "not available".
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// Why a payload did not decode as its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError(pub String);

/// Decodes an assembled payload.
pub fn decode(bits: &Bits) -> Result<Message, MessageError> {
    if bits.len_bits() < 38 {
        return Err(MessageError(format!(
            "payload of {} bits: expected at least 38 (type, repeat, MMSI)",
            bits.len_bits()
        )));
    }
    let msg_type = bits.u(0, 6) as u8;
    let repeat = bits.u(6, 2) as u8;
    let mmsi = bits.u(8, 30) as u32;
    let need = |n_bits: usize| {
        if bits.len_bits() < n_bits {
            Err(MessageError(format!(
                "type {msg_type} payload of {} bits: expected at least {n_bits}",
                bits.len_bits()
            )))
        } else {
            Ok(())
        }
    };
    Ok(match msg_type {
        // 168 bits by the standard; gpsd's samples include a real type 1 of
        // 163 bits (fill bits eating into the radio status), which gpsd and
        // pyais accept, so only the fields up to RAIM are required.
        1..=3 => {
            need(149)?;
            Message::Position(class_a(bits, msg_type, repeat, mmsi))
        }
        18 => {
            need(148)?;
            Message::Position(class_b(bits, repeat, mmsi))
        }
        19 => {
            need(312)?;
            let static_fields = ClassBStatic {
                name: bits.text(143, 20),
                ship_type: bits.u(263, 8) as u8,
                dimensions: dimensions(bits, 271),
                epfd: bits.u(301, 4) as u8,
            };
            Message::ExtendedClassB(class_b(bits, repeat, mmsi), static_fields)
        }
        5 => {
            // The standard says 424 bits; many transponders send 420 (the
            // last two characters' padding is dropped), which every decoder
            // we compare with accepts.
            need(420)?;
            Message::StaticVoyage(static_voyage(bits, repeat, mmsi))
        }
        24 => match bits.u(38, 2) {
            0 => {
                need(160)?;
                Message::StaticPartA {
                    repeat,
                    mmsi,
                    name: bits.text(40, 20),
                }
            }
            1 => {
                need(162)?;
                Message::StaticPartB(StaticPartB {
                    repeat,
                    mmsi,
                    ship_type: bits.u(40, 8) as u8,
                    vendor_id: bits.text(48, 3),
                    model: bits.u(66, 4) as u8,
                    serial: bits.u(70, 20) as u32,
                    callsign: bits.text(90, 7),
                    dimensions: dimensions(bits, 132),
                })
            }
            part => {
                return Err(MessageError(format!(
                    "type 24 part number {part}: expected 0 (A) or 1 (B)"
                )));
            }
        },
        4 | 11 => {
            need(168)?;
            Message::BaseStation(BaseStationReport {
                msg_type,
                mmsi,
                year: bits.u(38, 14) as u16,
                month: bits.u(52, 4) as u8,
                day: bits.u(56, 5) as u8,
                hour: bits.u(61, 5) as u8,
                minute: bits.u(66, 6) as u8,
                second: bits.u(72, 6) as u8,
            })
        }
        _ => Message::Other { msg_type, mmsi },
    })
}

fn class_a(bits: &Bits, msg_type: u8, repeat: u8, mmsi: u32) -> PositionReport {
    PositionReport {
        msg_type,
        repeat,
        mmsi,
        nav_status: bits.u(38, 4) as u8,
        rot_raw: bits.i(42, 8) as i8,
        sog_raw: bits.u(50, 10) as u16,
        accurate: bits.u(60, 1) == 1,
        lon_raw: bits.i(61, 28) as i32,
        lat_raw: bits.i(89, 27) as i32,
        cog_raw: bits.u(116, 12) as u16,
        heading: bits.u(128, 9) as u16,
        second: bits.u(137, 6) as u8,
        raim: bits.u(148, 1) == 1,
        radio: bits.u(149, 19) as u32,
    }
}

fn class_b(bits: &Bits, repeat: u8, mmsi: u32) -> PositionReport {
    let msg_type = bits.u(0, 6) as u8;
    PositionReport {
        msg_type,
        repeat,
        mmsi,
        nav_status: 15,
        rot_raw: -128,
        sog_raw: bits.u(46, 10) as u16,
        accurate: bits.u(56, 1) == 1,
        lon_raw: bits.i(57, 28) as i32,
        lat_raw: bits.i(85, 27) as i32,
        cog_raw: bits.u(112, 12) as u16,
        heading: bits.u(124, 9) as u16,
        second: bits.u(133, 6) as u8,
        raim: if msg_type == 18 {
            bits.u(147, 1) == 1
        } else {
            bits.u(305, 1) == 1
        },
        radio: if msg_type == 18 {
            bits.u(148, 20) as u32
        } else {
            0
        },
    }
}

fn static_voyage(bits: &Bits, repeat: u8, mmsi: u32) -> StaticVoyage {
    StaticVoyage {
        repeat,
        mmsi,
        ais_version: bits.u(38, 2) as u8,
        imo: bits.u(40, 30) as u32,
        callsign: bits.text(70, 7),
        name: bits.text(112, 20),
        ship_type: bits.u(232, 8) as u8,
        dimensions: dimensions(bits, 240),
        epfd: bits.u(270, 4) as u8,
        eta: [
            bits.u(274, 4) as u8,
            bits.u(278, 5) as u8,
            bits.u(283, 5) as u8,
            bits.u(288, 6) as u8,
        ],
        draught_dm: bits.u(294, 8) as u8,
        destination: bits.text(302, 20),
        dte: bits.u(422, 1) == 1,
    }
}

fn dimensions(bits: &Bits, start: usize) -> Dimensions {
    Dimensions {
        to_bow_m: bits.u(start, 9) as u16,
        to_stern_m: bits.u(start + 9, 9) as u16,
        to_port_m: bits.u(start + 18, 6) as u8,
        to_starboard_m: bits.u(start + 24, 6) as u8,
    }
}

/// Encodes the messages the simulator sends into `bits` (cleared first).
/// Returns an error for types we do not encode (`Other`, `BaseStation`).
pub(crate) fn encode(message: &Message, bits: &mut Bits) -> Result<(), MessageError> {
    bits.clear();
    let header = |bits: &mut Bits, msg_type: u8, repeat: u8, mmsi: u32| {
        bits.push_bits(u64::from(msg_type), 6);
        bits.push_bits(u64::from(repeat), 2);
        bits.push_bits(u64::from(mmsi), 30);
    };
    match message {
        Message::Position(p) if p.is_class_a() => {
            header(bits, p.msg_type, p.repeat, p.mmsi);
            bits.push_bits(u64::from(p.nav_status), 4);
            bits.push_bits(u64::from(p.rot_raw as u8), 8);
            bits.push_bits(u64::from(p.sog_raw), 10);
            bits.push_bits(u64::from(p.accurate), 1);
            push_signed(bits, p.lon_raw, 28);
            push_signed(bits, p.lat_raw, 27);
            bits.push_bits(u64::from(p.cog_raw), 12);
            bits.push_bits(u64::from(p.heading), 9);
            bits.push_bits(u64::from(p.second), 6);
            bits.push_bits(0, 2 + 3); // manoeuvre indicator, spare
            bits.push_bits(u64::from(p.raim), 1);
            bits.push_bits(u64::from(p.radio), 19);
        }
        Message::Position(p) if p.msg_type == 18 => {
            header(bits, 18, p.repeat, p.mmsi);
            bits.push_bits(0, 8);
            push_class_b_kinematics(bits, p);
            bits.push_bits(0, 2); // regional
            // Class B "CS" unit, no display, no DSC, whole band, accepts message 22.
            bits.push_bits(0b10011, 5);
            bits.push_bits(0, 1); // assigned
            bits.push_bits(u64::from(p.raim), 1);
            bits.push_bits(u64::from(p.radio), 20);
        }
        Message::StaticVoyage(s) => {
            header(bits, 5, s.repeat, s.mmsi);
            bits.push_bits(u64::from(s.ais_version), 2);
            bits.push_bits(u64::from(s.imo), 30);
            bits.push_text(&s.callsign, 7);
            bits.push_text(&s.name, 20);
            bits.push_bits(u64::from(s.ship_type), 8);
            push_dimensions(bits, &s.dimensions);
            bits.push_bits(u64::from(s.epfd), 4);
            for (value, width) in s.eta.iter().zip([4, 5, 5, 6]) {
                bits.push_bits(u64::from(*value), width);
            }
            bits.push_bits(u64::from(s.draught_dm), 8);
            bits.push_text(&s.destination, 20);
            bits.push_bits(u64::from(s.dte), 1);
            bits.push_bits(0, 1);
        }
        Message::StaticPartA { repeat, mmsi, name } => {
            header(bits, 24, *repeat, *mmsi);
            bits.push_bits(0, 2);
            bits.push_text(name, 20);
            // Part A is 160 bits; ITU-R M.1371-5 pads to 168 for slot use.
            bits.push_bits(0, 8);
        }
        Message::StaticPartB(b) => {
            header(bits, 24, b.repeat, b.mmsi);
            bits.push_bits(1, 2);
            bits.push_bits(u64::from(b.ship_type), 8);
            bits.push_text(&b.vendor_id, 3);
            bits.push_bits(u64::from(b.model), 4);
            bits.push_bits(u64::from(b.serial), 20);
            bits.push_text(&b.callsign, 7);
            push_dimensions(bits, &b.dimensions);
            bits.push_bits(0, 6); // EPFD type and spare
        }
        other => {
            return Err(MessageError(format!(
                "encoding type {} is not supported",
                other.msg_type()
            )));
        }
    }
    Ok(())
}

fn push_class_b_kinematics(bits: &mut Bits, p: &PositionReport) {
    bits.push_bits(u64::from(p.sog_raw), 10);
    bits.push_bits(u64::from(p.accurate), 1);
    push_signed(bits, p.lon_raw, 28);
    push_signed(bits, p.lat_raw, 27);
    bits.push_bits(u64::from(p.cog_raw), 12);
    bits.push_bits(u64::from(p.heading), 9);
    bits.push_bits(u64::from(p.second), 6);
}

fn push_signed(bits: &mut Bits, value: i32, width: usize) {
    bits.push_bits((value as u32 as u64) & ((1u64 << width) - 1), width);
}

fn push_dimensions(bits: &mut Bits, d: &Dimensions) {
    bits.push_bits(u64::from(d.to_bow_m.min(511)), 9);
    bits.push_bits(u64::from(d.to_stern_m.min(511)), 9);
    bits.push_bits(u64::from(d.to_port_m.min(63)), 6);
    bits.push_bits(u64::from(d.to_starboard_m.min(63)), 6);
}
