//! CAT021 ed. 2.6, ADS-B target reports: the UAP (that of eds. 2.1 to 2.6),
//! [`Cat021Record`], its decoder (to a WGS84 position with the accuracy the
//! aircraft states in I021/090) and its encoder.
//!
//! Items this module does not use (I021/072, 150, 151, 074, 075, 076, 230,
//! 152, 200, 165, 220, 146, 148, 110, 016, 008, 271, 132, 250, 260, 400, 295,
//! RE, SP) are skipped by their length rules.

use model::{Geodetic, Identity, Measurement, VelocityEnu};

use super::cat048::{address24, angle16, mode3a_bytes, mode3a_text, track12};
use super::wire::{self, ItemSpec, Rule, SPARE, Uap, item};
use super::{
    AsterixRecord, Callsign, Context, EncodeError, FT_M, FirstError, NM_M, Outcome, RecordError,
    altitude, decode_time_of_day, encode_time_of_day, quantise,
};

const I220_SUBFIELDS: &[Rule] = &[
    Rule::Fixed(2),
    Rule::Fixed(2),
    Rule::Fixed(2),
    Rule::Fixed(1),
];
const I110_SUBFIELDS: &[Rule] = &[Rule::Extended, Rule::Repetitive(15)];
const I295_SUBFIELDS: &[Rule] = &[Rule::Fixed(1); 23];

static ITEMS: [ItemSpec; 49] = [
    item("I021/010", Rule::Fixed(2)),
    item("I021/040", Rule::Extended),
    item("I021/161", Rule::Fixed(2)),
    item("I021/015", Rule::Fixed(1)),
    item("I021/071", Rule::Fixed(3)),
    item("I021/130", Rule::Fixed(6)),
    item("I021/131", Rule::Fixed(8)),
    item("I021/072", Rule::Fixed(3)),
    item("I021/150", Rule::Fixed(2)),
    item("I021/151", Rule::Fixed(2)),
    item("I021/080", Rule::Fixed(3)),
    item("I021/073", Rule::Fixed(3)),
    item("I021/074", Rule::Fixed(4)),
    item("I021/075", Rule::Fixed(3)),
    item("I021/076", Rule::Fixed(4)),
    item("I021/140", Rule::Fixed(2)),
    item("I021/090", Rule::Extended),
    item("I021/210", Rule::Fixed(1)),
    item("I021/070", Rule::Fixed(2)),
    item("I021/230", Rule::Fixed(2)),
    item("I021/145", Rule::Fixed(2)),
    item("I021/152", Rule::Fixed(2)),
    item("I021/200", Rule::Fixed(1)),
    item("I021/155", Rule::Fixed(2)),
    item("I021/157", Rule::Fixed(2)),
    item("I021/160", Rule::Fixed(4)),
    item("I021/165", Rule::Fixed(2)),
    item("I021/077", Rule::Fixed(3)),
    item("I021/170", Rule::Fixed(6)),
    item("I021/020", Rule::Fixed(1)),
    item("I021/220", Rule::Compound(I220_SUBFIELDS)),
    item("I021/146", Rule::Fixed(2)),
    item("I021/148", Rule::Fixed(2)),
    item("I021/110", Rule::Compound(I110_SUBFIELDS)),
    item("I021/016", Rule::Fixed(1)),
    item("I021/008", Rule::Fixed(1)),
    item("I021/271", Rule::Extended),
    item("I021/132", Rule::Fixed(1)),
    item("I021/250", Rule::Repetitive(8)),
    item("I021/260", Rule::Fixed(7)),
    item("I021/400", Rule::Fixed(1)),
    item("I021/295", Rule::Compound(I295_SUBFIELDS)),
    SPARE,
    SPARE,
    SPARE,
    SPARE,
    SPARE,
    item("I021/RE", Rule::Explicit),
    item("I021/SP", Rule::Explicit),
];

pub(crate) static UAP: Uap = Uap {
    category: 21,
    edition: "2.6",
    items: &ITEMS,
};

/// LSB of I021/130 (low resolution): 180/2^23 degrees.
const LATLON_LOW_LSB_DEG: f64 = 180.0 / 8_388_608.0;
/// LSB of I021/131 (high resolution): 180/2^30 degrees.
const LATLON_HIGH_LSB_DEG: f64 = 180.0 / 1_073_741_824.0;

pub use super::cat062::LatLon;

/// I021/090 quality indicators, as far as this decoder uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quality {
    /// NUCr (MOPS version 0) or NACv (versions 1 and 2), 3 bits.
    pub nucr_nacv: u8,
    /// NUCp (version 0) or NIC (versions 1 and 2), 4 bits.
    pub nucp_nic: u8,
    /// First extension: NACp, 4 bits (with NICbaro and SIL written as 0).
    pub nac_p: Option<u8>,
    /// Second extension: GVA, 2 bits (needs the first extension).
    pub gva: Option<u8>,
}

/// I021/160 airborne ground vector (ed. 2.x layout).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GroundVector {
    /// 2^-14 NM/s on the wire, 15 bits (the RE bit is written 0).
    pub ground_speed_mps: f64,
    /// Track angle clockwise from true north, 360/2^16 degrees on the wire.
    pub track_angle_deg: f64,
}

/// One CAT021 ADS-B report in plain units; `None` items are absent on the
/// wire. I021/010 and I021/040 are always present.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cat021Record {
    /// I021/010.
    pub sac: u8,
    pub sic: u8,
    /// I021/040 first octet without its FX bit (ATP, ARC, RC, RAB).
    pub target_report: u8,
    /// I021/161 the ground station's track number (12 bits).
    pub track_number: Option<u16>,
    /// I021/015 service identification.
    pub service_id: Option<u8>,
    /// I021/071 time of applicability for position.
    pub time_of_applicability_position_s: Option<f64>,
    /// I021/130 (low resolution).
    pub position: Option<LatLon>,
    /// I021/131 (high resolution); preferred when both are present.
    pub position_high_res: Option<LatLon>,
    /// I021/080 ICAO 24-bit address.
    pub aircraft_address: Option<u32>,
    /// I021/073 time of message reception for position.
    pub time_of_reception_position_s: Option<f64>,
    /// I021/140 geometric height, 6.25 ft on the wire.
    pub geometric_height_m: Option<f64>,
    /// I021/090.
    pub quality: Option<Quality>,
    /// I021/210 MOPS version number VN (0: DO-260, 1: DO-260A, 2: DO-260B).
    pub mops_version: Option<u8>,
    /// I021/070 Mode 3/A code as an octal number.
    pub mode3a: Option<u16>,
    /// I021/145 flight level, 1/4 FL on the wire.
    pub flight_level: Option<f64>,
    /// I021/155 barometric vertical rate, 6.25 ft/min on the wire.
    pub barometric_vertical_rate_mps: Option<f64>,
    /// I021/157 geometric vertical rate, 6.25 ft/min on the wire.
    pub geometric_vertical_rate_mps: Option<f64>,
    /// I021/160.
    pub ground_vector: Option<GroundVector>,
    /// I021/077 time of report transmission.
    pub time_of_report_transmission_s: Option<f64>,
    /// I021/170.
    pub callsign: Option<Callsign>,
    /// I021/020 emitter category (ECAT).
    pub emitter_category: Option<u8>,
}

fn latlon(b: &[u8], octets: usize, lsb_deg: f64) -> Result<LatLon, String> {
    let bits = 8 * octets as u32;
    let lat_deg = wire::signed(wire::be_u64(&b[..octets]), bits) as f64 * lsb_deg;
    let lon_deg = wire::signed(wire::be_u64(&b[octets..2 * octets]), bits) as f64 * lsb_deg;
    if !(-90.0..=90.0).contains(&lat_deg) || !(-180.0..=180.0).contains(&lon_deg) {
        return Err(format!(
            "expected latitude in [-90, 90] and longitude in [-180, 180], found {lat_deg}, {lon_deg}"
        ));
    }
    Ok(LatLon { lat_deg, lon_deg })
}

fn vertical_rate(b: &[u8]) -> f64 {
    // Bit 16 is RE (range exceeded); the rate is the 15-bit two's complement below it.
    let raw = wire::signed(u64::from(wire::be_u16(b) & 0x7FFF), 15);
    raw as f64 * 6.25 * FT_M / 60.0
}

fn decode_quality(b: &[u8]) -> Quality {
    Quality {
        nucr_nacv: (b[0] >> 5) & 0x07,
        nucp_nic: (b[0] >> 1) & 0x0F,
        nac_p: (b.len() > 1).then(|| (b[1] >> 1) & 0x0F),
        gva: (b.len() > 2).then(|| (b[2] >> 1) & 0x03),
    }
}

fn time_item(
    first_error: &mut FirstError,
    at: usize,
    name: &str,
    b: &[u8],
    slot: &mut Option<f64>,
) {
    match decode_time_of_day(b) {
        Ok(tod) => *slot = Some(tod),
        Err(e) => first_error.note(at, name, e),
    }
}

pub(crate) fn decode_record(
    block: &[u8],
    start: usize,
) -> Result<(Cat021Record, usize), RecordError> {
    let mut rec = Cat021Record::default();
    let (mut has_source, mut has_descriptor) = (false, false);
    let mut first_error = FirstError::default();
    let end = wire::walk_record(&UAP, block, start, |frn, at, b| {
        match frn {
            1 => {
                (rec.sac, rec.sic) = (b[0], b[1]);
                has_source = true;
            }
            2 => {
                rec.target_report = b[0] & 0xFE;
                has_descriptor = true;
            }
            3 => rec.track_number = Some(wire::be_u16(b) & 0x0FFF),
            4 => rec.service_id = Some(b[0]),
            5 => {
                let slot = &mut rec.time_of_applicability_position_s;
                time_item(&mut first_error, at, "I021/071", b, slot)
            }
            6 => match latlon(b, 3, LATLON_LOW_LSB_DEG) {
                Ok(p) => rec.position = Some(p),
                Err(e) => first_error.note(at, "I021/130", e),
            },
            7 => match latlon(b, 4, LATLON_HIGH_LSB_DEG) {
                Ok(p) => rec.position_high_res = Some(p),
                Err(e) => first_error.note(at, "I021/131", e),
            },
            11 => rec.aircraft_address = Some(wire::be_u24(b)),
            12 => {
                let slot = &mut rec.time_of_reception_position_s;
                time_item(&mut first_error, at, "I021/073", b, slot)
            }
            16 => rec.geometric_height_m = Some(f64::from(wire::be_u16(b) as i16) * 6.25 * FT_M),
            17 => rec.quality = Some(decode_quality(b)),
            18 => rec.mops_version = Some((b[0] >> 3) & 0x07),
            19 => rec.mode3a = Some(wire::be_u16(b) & 0x0FFF),
            21 => rec.flight_level = Some(f64::from(wire::be_u16(b) as i16) * 0.25),
            24 => rec.barometric_vertical_rate_mps = Some(vertical_rate(b)),
            25 => rec.geometric_vertical_rate_mps = Some(vertical_rate(b)),
            26 => {
                rec.ground_vector = Some(GroundVector {
                    ground_speed_mps: f64::from(wire::be_u16(b) & 0x7FFF) / 16_384.0 * NM_M,
                    track_angle_deg: f64::from(wire::be_u16(&b[2..])) * (360.0 / 65_536.0),
                })
            }
            28 => {
                let slot = &mut rec.time_of_report_transmission_s;
                time_item(&mut first_error, at, "I021/077", b, slot)
            }
            29 => rec.callsign = Some(Callsign::from_wire(b)),
            30 => rec.emitter_category = Some(b[0]),
            _ => {}
        }
        Ok(())
    })
    .map_err(RecordError::Framing)?;
    first_error.missing(
        start,
        &[(has_source, "I021/010"), (has_descriptor, "I021/040")],
    );
    first_error.finish(rec, end)
}

/// 95 % horizontal position bound (EPU) of each NACp value, metres (DO-260B);
/// 0 means unknown.
const NACP_EPU_M: [f64; 12] = [
    0.0, 18_520.0, 7_408.0, 3_704.0, 1_852.0, 926.0, 555.6, 185.2, 92.6, 30.0, 10.0, 3.0,
];
/// 95 % horizontal figure of merit of each NUCp value, metres (DO-260).
const NUCP_HFOM_M: [f64; 10] = [
    0.0, 18_520.0, 9_260.0, 1_852.0, 926.0, 463.0, 185.2, 92.6, 10.0, 3.0,
];
/// A 95 % radial bound of a circular Gaussian is 2.448 sigma.
const RADIAL_95_PER_SIGMA: f64 = 2.448;
/// 95 % bound of each GVA value, metres (0: unknown or over 150 m).
const GVA_M: [f64; 4] = [0.0, 150.0, 45.0, 0.0];

fn horizontal_sigma_m(rec: &Cat021Record, default_m: f64) -> f64 {
    let Some(q) = rec.quality else {
        return default_m;
    };
    let bound_m = match (q.nac_p, rec.mops_version) {
        (Some(nacp), _) => NACP_EPU_M.get(usize::from(nacp)).copied().unwrap_or(0.0),
        // Without NACp, octet 1 is NUCp only under MOPS version 0 (or unstated).
        (None, None | Some(0)) => NUCP_HFOM_M
            .get(usize::from(q.nucp_nic))
            .copied()
            .unwrap_or(0.0),
        (None, Some(_)) => 0.0,
    };
    if bound_m > 0.0 {
        bound_m / RADIAL_95_PER_SIGMA
    } else {
        default_m
    }
}

pub(crate) fn decode_observation(
    ctx: &mut Context,
    block: &[u8],
    start: usize,
) -> Result<(Outcome, usize), RecordError> {
    let (rec, end) = decode_record(block, start)?;
    let Some(pos) = rec.position_high_res.or(rec.position) else {
        return Ok((Outcome::NoPosition, end));
    };
    // The time the position was measured: its reception, else the time of
    // applicability the aircraft gave, else when the report was sent.
    let tod = rec
        .time_of_reception_position_s
        .or(rec.time_of_applicability_position_s)
        .or(rec.time_of_report_transmission_s);
    let Some(tod_s) = tod else {
        let error = wire::WireError::new(
            start,
            "I021/073, 071 or 077: expected a time of day".to_owned(),
        );
        return Err(RecordError::Value { end, error });
    };
    let options = ctx.options;
    // GVA is a 95 % bound: 1.96 sigma.
    let gva_sigma_m = rec
        .quality
        .and_then(|q| q.gva)
        .map(|g| GVA_M[usize::from(g)])
        .filter(|&gva_m| gva_m > 0.0)
        .map(|gva_m| gva_m / 1.96);
    let (alt_m, vertical_sigma_m) = altitude(
        rec.geometric_height_m.map(|h| (h, gva_sigma_m)),
        rec.flight_level.map(|fl| (fl, None)),
        &options,
    );
    let velocity = rec.ground_vector.map(|v| {
        let (sin, cos) = v.track_angle_deg.to_radians().sin_cos();
        VelocityEnu {
            ve_mps: v.ground_speed_mps * sin,
            vn_mps: v.ground_speed_mps * cos,
            vu_mps: rec
                .geometric_vertical_rate_mps
                .or(rec.barometric_vertical_rate_mps)
                .unwrap_or(0.0),
        }
    });
    let measurement = Measurement::Position {
        position: Geodetic::new(pos.lat_deg, pos.lon_deg, alt_m),
        horizontal_sigma_m: horizontal_sigma_m(&rec, options.cat021_horizontal_sigma_m),
        vertical_sigma_m,
        velocity,
    };
    // The emitter category says more about what flies than a Mode 3/A code.
    let reported_type = match rec.emitter_category {
        Some(ecat) => Some(format!("adsb-ecat:{ecat}").into()),
        None => rec.mode3a.map(mode3a_text),
    };
    let identity = Identity {
        icao24: rec.aircraft_address,
        callsign: rec.callsign.and_then(Callsign::to_identity),
        system_track: rec.track_number.map(u32::from),
        reported_type,
        ..Identity::default()
    };
    let outcome = ctx.observation(
        (rec.sac, rec.sic),
        ("I021/073, 071 or 077", tod_s),
        measurement,
        identity,
        &block[start..end],
    );
    Ok((outcome, end))
}

fn latlon_bytes(
    item: &'static str,
    p: LatLon,
    octets: usize,
    lsb_deg: f64,
) -> Result<Vec<u8>, EncodeError> {
    let half = 1i64 << (8 * octets - 1);
    let lat_max = (90.0 / lsb_deg).round() as i64;
    let lat = quantise(item, p.lat_deg, lsb_deg, -lat_max, lat_max, "-90..=90")?;
    let lon = quantise(item, p.lon_deg, lsb_deg, -half, half - 1, "-180..180")?;
    let mut out = Vec::with_capacity(2 * octets);
    for value in [lat, lon] {
        out.extend_from_slice(&value.to_be_bytes()[8 - octets..]);
    }
    Ok(out)
}

fn rate_bytes(item: &'static str, rate_mps: f64) -> Result<[u8; 2], EncodeError> {
    let n = quantise(
        item,
        rate_mps * 60.0 / FT_M,
        6.25,
        -16_384,
        16_383,
        "|rate| < 102400 ft/min",
    )?;
    Ok(((n as u16) & 0x7FFF).to_be_bytes())
}

fn quality_bytes(q: Quality) -> Result<Vec<u8>, EncodeError> {
    let out_of_range = |value: String| EncodeError::OutOfRange {
        item: "I021/090",
        value,
        expected: "NUCr/NACv <= 7, NUCp/NIC <= 15, NACp <= 15, GVA <= 3, GVA only with NACp",
    };
    if q.nucr_nacv > 7
        || q.nucp_nic > 15
        || q.nac_p.is_some_and(|n| n > 15)
        || q.gva.is_some_and(|g| g > 3)
        || (q.gva.is_some() && q.nac_p.is_none())
    {
        return Err(out_of_range(format!("{q:?}")));
    }
    let mut out = vec![(q.nucr_nacv << 5) | (q.nucp_nic << 1)];
    if let Some(nacp) = q.nac_p {
        out[0] |= 1;
        out.push(nacp << 1);
    }
    if let Some(gva) = q.gva {
        out[1] |= 1;
        out.push(gva << 1);
    }
    Ok(out)
}

impl AsterixRecord for Cat021Record {
    const CATEGORY: u8 = 21;

    fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = wire::RecordWriter::default();
        w.item(1, &[self.sac, self.sic]);
        w.item(2, &[self.target_report & 0xFE]);
        if let Some(track) = self.track_number {
            w.item(3, &track12("I021/161", track)?);
        }
        if let Some(service) = self.service_id {
            w.item(4, &[service]);
        }
        if let Some(tod) = self.time_of_applicability_position_s {
            w.item(5, &encode_time_of_day("I021/071", tod)?);
        }
        if let Some(p) = self.position {
            w.item(6, &latlon_bytes("I021/130", p, 3, LATLON_LOW_LSB_DEG)?);
        }
        if let Some(p) = self.position_high_res {
            w.item(7, &latlon_bytes("I021/131", p, 4, LATLON_HIGH_LSB_DEG)?);
        }
        if let Some(address) = self.aircraft_address {
            w.item(11, &address24("I021/080", address)?);
        }
        if let Some(tod) = self.time_of_reception_position_s {
            w.item(12, &encode_time_of_day("I021/073", tod)?);
        }
        if let Some(h) = self.geometric_height_m {
            let n = quantise(
                "I021/140",
                h / FT_M,
                6.25,
                -32_768,
                32_767,
                "|h| < 204800 ft",
            )?;
            w.item(16, &(n as i16).to_be_bytes());
        }
        if let Some(q) = self.quality {
            w.item(17, &quality_bytes(q)?);
        }
        if let Some(vn) = self.mops_version {
            if vn > 7 {
                let value = vn.to_string();
                return Err(EncodeError::OutOfRange {
                    item: "I021/210",
                    value,
                    expected: "0..=7",
                });
            }
            w.item(18, &[vn << 3]);
        }
        if let Some(code) = self.mode3a {
            w.item(19, &mode3a_bytes("I021/070", code)?);
        }
        if let Some(fl) = self.flight_level {
            let n = quantise("I021/145", fl, 0.25, -32_768, 32_767, "|FL| < 8192")?;
            w.item(21, &(n as i16).to_be_bytes());
        }
        if let Some(rate) = self.barometric_vertical_rate_mps {
            w.item(24, &rate_bytes("I021/155", rate)?);
        }
        if let Some(rate) = self.geometric_vertical_rate_mps {
            w.item(25, &rate_bytes("I021/157", rate)?);
        }
        if let Some(v) = self.ground_vector {
            let lsb = 1.0 / 16_384.0;
            let gs = v.ground_speed_mps / NM_M;
            let n = quantise("I021/160 GS", gs, lsb, 0, 32_767, "0 <= speed < 2 NM/s")?;
            let angle = angle16("I021/160 TA", v.track_angle_deg)?;
            let speed = (n as u16).to_be_bytes();
            w.item(26, &[speed[0], speed[1], angle[0], angle[1]]);
        }
        if let Some(tod) = self.time_of_report_transmission_s {
            w.item(28, &encode_time_of_day("I021/077", tod)?);
        }
        if let Some(callsign) = self.callsign {
            w.item(29, &callsign.to_wire()?);
        }
        if let Some(ecat) = self.emitter_category {
            w.item(30, &[ecat]);
        }
        w.finish(out);
        Ok(())
    }
}

impl Cat021Record {
    /// Decodes every record of one CAT021 data block (header included).
    pub fn decode_block(block: &[u8]) -> Result<Vec<Cat021Record>, String> {
        super::decode_block_with(block, 21, decode_record)
    }
}
