//! CAT048 ed. 1.21, monoradar target reports: the UAP, [`Cat048Record`], its
//! decoder (to a radar plot in the sensor's polar frame) and its encoder.
//!
//! The standard UAP is the same from ed. 1.21 to ed. 1.30; items this module
//! does not use (I048/250 BDS registers, I048/030, 080, 100, 120, 210, 230,
//! 260, 055, 050, 065, 060, SP, RE) are skipped by their length rules.

use model::{Identity, Measurement, SmolStr};

use super::wire::{self, ItemSpec, Rule, Uap, item};
use super::{
    AsterixRecord, Callsign, Context, EncodeError, FT_M, FirstError, NM_M, Outcome, RecordError,
    decode_time_of_day, encode_time_of_day, quantise,
};

const PLOT_SUBFIELDS: &[Rule] = &[Rule::Fixed(1); 7];
const I120_SUBFIELDS: &[Rule] = &[Rule::Fixed(2), Rule::Repetitive(6)];

static ITEMS: [ItemSpec; 28] = [
    item("I048/010", Rule::Fixed(2)),
    item("I048/140", Rule::Fixed(3)),
    item("I048/020", Rule::Extended),
    item("I048/040", Rule::Fixed(4)),
    item("I048/070", Rule::Fixed(2)),
    item("I048/090", Rule::Fixed(2)),
    item("I048/130", Rule::Compound(PLOT_SUBFIELDS)),
    item("I048/220", Rule::Fixed(3)),
    item("I048/240", Rule::Fixed(6)),
    item("I048/250", Rule::Repetitive(8)),
    item("I048/161", Rule::Fixed(2)),
    item("I048/042", Rule::Fixed(4)),
    item("I048/200", Rule::Fixed(4)),
    item("I048/170", Rule::Extended),
    item("I048/210", Rule::Fixed(4)),
    item("I048/030", Rule::Extended),
    item("I048/080", Rule::Fixed(2)),
    item("I048/100", Rule::Fixed(4)),
    item("I048/110", Rule::Fixed(2)),
    item("I048/120", Rule::Compound(I120_SUBFIELDS)),
    item("I048/230", Rule::Fixed(2)),
    item("I048/260", Rule::Fixed(7)),
    item("I048/055", Rule::Fixed(1)),
    item("I048/050", Rule::Fixed(2)),
    item("I048/065", Rule::Fixed(1)),
    item("I048/060", Rule::Fixed(2)),
    item("I048/SP", Rule::Explicit),
    item("I048/RE", Rule::Explicit),
];

pub(crate) static UAP: Uap = Uap {
    category: 48,
    edition: "1.21",
    items: &ITEMS,
};

/// I048/020, first octet: how the plot was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetReport {
    /// TYP: 0 no detection, 1 PSR, 2 SSR, 3 SSR+PSR, 4 Mode S all-call,
    /// 5 Mode S roll-call, 6 all-call+PSR, 7 roll-call+PSR.
    pub detection: u8,
    pub simulated: bool,
    /// RDP chain 2 instead of chain 1.
    pub rdp_chain2: bool,
    /// Special position identification.
    pub spi: bool,
    /// Report from a field monitor (fixed transponder).
    pub fixed_transponder: bool,
}

impl TargetReport {
    fn from_octet(octet: u8) -> TargetReport {
        TargetReport {
            detection: octet >> 5,
            simulated: octet & 0x10 != 0,
            rdp_chain2: octet & 0x08 != 0,
            spi: octet & 0x04 != 0,
            fixed_transponder: octet & 0x02 != 0,
        }
    }

    fn to_octet(self) -> Result<u8, EncodeError> {
        if self.detection > 7 {
            return Err(EncodeError::OutOfRange {
                item: "I048/020 TYP",
                value: self.detection.to_string(),
                expected: "0..=7",
            });
        }
        Ok((self.detection << 5)
            | (u8::from(self.simulated) << 4)
            | (u8::from(self.rdp_chain2) << 3)
            | (u8::from(self.spi) << 2)
            | (u8::from(self.fixed_transponder) << 1))
    }
}

/// I048/040: the measured position in the radar's polar frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolarPosition {
    /// Slant range, 1/256 NM on the wire (below 256 NM).
    pub range_m: f64,
    /// Azimuth clockwise from north, 360/2^16 degrees on the wire.
    pub azimuth_deg: f64,
}

/// I048/042: the position in the radar's Cartesian frame, 1/128 NM on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CartesianPosition {
    pub x_m: f64,
    pub y_m: f64,
}

/// I048/200: the track's ground velocity.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolarVelocity {
    /// 2^-14 NM/s on the wire (below 4 NM/s).
    pub ground_speed_mps: f64,
    /// Heading clockwise from north, 360/2^16 degrees on the wire.
    pub heading_deg: f64,
}

/// I048/130, radar plot characteristics, raw octets in the units of the
/// edition: SRL and PRL 360/2^13 deg, SRR a count, SAM and PAM dBm (signed),
/// RPD 1/256 NM (signed), APD 360/2^14 deg (signed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlotCharacteristics {
    pub srl: Option<u8>,
    pub srr: Option<u8>,
    pub sam: Option<u8>,
    pub prl: Option<u8>,
    pub pam: Option<u8>,
    pub rpd: Option<u8>,
    pub apd: Option<u8>,
}

impl PlotCharacteristics {
    fn fields(&self) -> [Option<u8>; 7] {
        [
            self.srl, self.srr, self.sam, self.prl, self.pam, self.rpd, self.apd,
        ]
    }

    fn fields_mut(&mut self) -> [&mut Option<u8>; 7] {
        [
            &mut self.srl,
            &mut self.srr,
            &mut self.sam,
            &mut self.prl,
            &mut self.pam,
            &mut self.rpd,
            &mut self.apd,
        ]
    }
}

/// One CAT048 target report in plain units. `None` items are absent on the
/// wire. I048/010 and I048/140 are always present.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cat048Record {
    /// I048/010 System Area Code and System Identification Code.
    pub sac: u8,
    pub sic: u8,
    /// I048/140 UTC time of day, 1/128 s on the wire.
    pub time_of_day_s: f64,
    /// I048/020 (first octet only).
    pub report: Option<TargetReport>,
    /// I048/040.
    pub polar: Option<PolarPosition>,
    /// I048/070 Mode 3/A code as an octal number (`0o7700`); V/G/L flags dropped.
    pub mode3a: Option<u16>,
    /// I048/090 flight level (hundreds of feet), 1/4 FL on the wire.
    pub flight_level: Option<f64>,
    /// I048/130.
    pub plot: Option<PlotCharacteristics>,
    /// I048/220 ICAO 24-bit address.
    pub aircraft_address: Option<u32>,
    /// I048/240.
    pub callsign: Option<Callsign>,
    /// I048/161 the radar's track number (12 bits).
    pub track_number: Option<u16>,
    /// I048/042.
    pub cartesian: Option<CartesianPosition>,
    /// I048/200.
    pub velocity: Option<PolarVelocity>,
    /// I048/170 first octet without its FX bit (CNF, RAD, DOU, MAH, CDM).
    pub track_status: Option<u8>,
    /// I048/110 height measured by a 3-D radar, 25 ft on the wire.
    pub height_3d_m: Option<f64>,
}

/// Decodes the record at `block[start..]`.
#[inline]
pub(crate) fn decode_record(
    block: &[u8],
    start: usize,
) -> Result<(Cat048Record, usize), RecordError> {
    let mut rec = Cat048Record::default();
    let (mut has_source, mut has_time) = (false, false);
    let mut first_error = FirstError::default();
    let end = wire::walk_record(&UAP, block, start, |frn, at, b| {
        match frn {
            1 => {
                (rec.sac, rec.sic) = (b[0], b[1]);
                has_source = true;
            }
            2 => match decode_time_of_day(b) {
                Ok(tod) => {
                    rec.time_of_day_s = tod;
                    has_time = true;
                }
                Err(e) => first_error.note(at, "I048/140", e),
            },
            3 => rec.report = Some(TargetReport::from_octet(b[0])),
            4 => {
                rec.polar = Some(PolarPosition {
                    range_m: f64::from(wire::be_u16(b)) / 256.0 * NM_M,
                    azimuth_deg: f64::from(wire::be_u16(&b[2..])) * (360.0 / 65_536.0),
                })
            }
            5 => rec.mode3a = Some(wire::be_u16(b) & 0x0FFF),
            6 => {
                let raw = wire::signed(u64::from(wire::be_u16(b) & 0x3FFF), 14);
                rec.flight_level = Some(raw as f64 / 4.0);
            }
            7 => {
                let mut plot = PlotCharacteristics::default();
                let mut fields = plot.fields_mut();
                // The length was checked by the walk; this cannot fail now.
                let _ =
                    wire::walk_compound(PLOT_SUBFIELDS, b, |idx, sb| *fields[idx] = Some(sb[0]));
                rec.plot = Some(plot);
            }
            8 => rec.aircraft_address = Some(wire::be_u24(b)),
            9 => rec.callsign = Some(Callsign::from_wire(b)),
            11 => rec.track_number = Some(wire::be_u16(b) & 0x0FFF),
            12 => {
                rec.cartesian = Some(CartesianPosition {
                    x_m: f64::from(wire::be_u16(b) as i16) / 128.0 * NM_M,
                    y_m: f64::from(wire::be_u16(&b[2..]) as i16) / 128.0 * NM_M,
                })
            }
            13 => {
                rec.velocity = Some(PolarVelocity {
                    ground_speed_mps: f64::from(wire::be_u16(b)) / 16_384.0 * NM_M,
                    heading_deg: f64::from(wire::be_u16(&b[2..])) * (360.0 / 65_536.0),
                })
            }
            14 => rec.track_status = Some(b[0] & 0xFE),
            19 => {
                let raw = wire::signed(u64::from(wire::be_u16(b) & 0x3FFF), 14);
                rec.height_3d_m = Some(raw as f64 * 25.0 * FT_M);
            }
            _ => {}
        }
        Ok(())
    })
    .map_err(RecordError::Framing)?;
    first_error.missing(start, &[(has_source, "I048/010"), (has_time, "I048/140")]);
    first_error.finish(rec, end)
}

/// Decodes one record and turns it into a radar plot observation.
pub(crate) fn decode_observation(
    ctx: &mut Context,
    block: &[u8],
    start: usize,
) -> Result<(Outcome, usize), RecordError> {
    let (rec, end) = decode_record(block, start)?;
    let Some(polar) = rec.polar else {
        return Ok((Outcome::NoPosition, end));
    };
    // A 3-D radar's measured height first; else the Mode C flight level as a
    // pressure altitude (the tracker knows it is barometric from the sensor type).
    let height_m = rec
        .height_3d_m
        .or(rec.flight_level.map(|fl| fl * 100.0 * FT_M));
    let measurement = Measurement::Polar {
        range_m: polar.range_m,
        azimuth_deg: polar.azimuth_deg,
        height_m,
        range_sigma_m: ctx.options.cat048_range_sigma_m,
        azimuth_sigma_deg: ctx.options.cat048_azimuth_sigma_deg,
    };
    let identity = Identity {
        icao24: rec.aircraft_address,
        callsign: rec.callsign.and_then(Callsign::to_identity),
        system_track: rec.track_number.map(u32::from),
        reported_type: rec.mode3a.map(mode3a_text),
        ..Identity::default()
    };
    let outcome = ctx.observation(
        (rec.sac, rec.sic),
        ("I048/140", rec.time_of_day_s),
        measurement,
        identity,
        &block[start..end],
    );
    Ok((outcome, end))
}

/// How a Mode 3/A code appears in `Identity::reported_type`: `mode3a:7700`.
pub(crate) fn mode3a_text(code: u16) -> SmolStr {
    // Written digit by digit into an inline string: `format!` and a heap
    // `String` cost more than the rest of a plot's decoding.
    let mut text = *b"mode3a:0000";
    for (digit, shift) in text[7..].iter_mut().zip([9, 6, 3, 0]) {
        *digit = b'0' + ((code >> shift) & 7) as u8;
    }
    // 11 bytes: inline (`new_inline` takes up to 23).
    SmolStr::new_inline(std::str::from_utf8(&text).unwrap_or("mode3a:????"))
}

fn u16_item(
    item: &'static str,
    value: f64,
    lsb: f64,
    (min, max): (i64, i64),
    expected: &'static str,
) -> Result<[u8; 2], EncodeError> {
    Ok((quantise(item, value, lsb, min, max, expected)? as u16).to_be_bytes())
}

/// Quantises an angle in degrees to 360/2^16, wrapping at 360.
pub(crate) fn angle16(item: &'static str, deg: f64) -> Result<[u8; 2], EncodeError> {
    let n = quantise(
        item,
        deg.rem_euclid(360.0),
        360.0 / 65_536.0,
        0,
        65_536,
        "a finite angle",
    )?;
    Ok(((n & 0xFFFF) as u16).to_be_bytes())
}

pub(crate) fn mode3a_bytes(item: &'static str, code: u16) -> Result<[u8; 2], EncodeError> {
    if code > 0o7777 {
        return Err(EncodeError::OutOfRange {
            item,
            value: format!("{code:o} (octal)"),
            expected: "0o0000..=0o7777",
        });
    }
    Ok(code.to_be_bytes())
}

impl AsterixRecord for Cat048Record {
    const CATEGORY: u8 = 48;

    fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = wire::RecordWriter::default();
        w.item(1, &[self.sac, self.sic]);
        w.item(2, &encode_time_of_day("I048/140", self.time_of_day_s)?);
        if let Some(report) = self.report {
            w.item(3, &[report.to_octet()?]);
        }
        if let Some(p) = self.polar {
            let rho = u16_item(
                "I048/040 RHO",
                p.range_m / NM_M,
                1.0 / 256.0,
                (0, 65_535),
                "0 <= range < 256 NM",
            )?;
            let theta = angle16("I048/040 THETA", p.azimuth_deg)?;
            w.item(4, &[rho[0], rho[1], theta[0], theta[1]]);
        }
        if let Some(code) = self.mode3a {
            w.item(5, &mode3a_bytes("I048/070", code)?);
        }
        if let Some(fl) = self.flight_level {
            let n = quantise("I048/090", fl, 0.25, -8192, 8191, "-2048 <= FL < 2048")?;
            w.item(6, &((n as u16) & 0x3FFF).to_be_bytes());
        }
        if let Some(plot) = self.plot {
            let fields = plot.fields();
            let present: Vec<(usize, [u8; 1])> = (0..7)
                .filter_map(|idx| fields[idx].map(|v| (idx, [v])))
                .collect();
            let subfields: Vec<(usize, &[u8])> =
                present.iter().map(|(idx, v)| (*idx, &v[..])).collect();
            w.item(7, &wire::compound_bytes(&subfields));
        }
        if let Some(address) = self.aircraft_address {
            w.item(8, &address24("I048/220", address)?);
        }
        if let Some(callsign) = self.callsign {
            w.item(9, &callsign.to_wire()?);
        }
        if let Some(track) = self.track_number {
            w.item(11, &track12("I048/161", track)?);
        }
        if let Some(c) = self.cartesian {
            let range = (-32_768, 32_767);
            let x = u16_item(
                "I048/042 X",
                c.x_m / NM_M,
                1.0 / 128.0,
                range,
                "|x| < 256 NM",
            )?;
            let y = u16_item(
                "I048/042 Y",
                c.y_m / NM_M,
                1.0 / 128.0,
                range,
                "|y| < 256 NM",
            )?;
            w.item(12, &[x[0], x[1], y[0], y[1]]);
        }
        if let Some(v) = self.velocity {
            let gs = u16_item(
                "I048/200 GSP",
                v.ground_speed_mps / NM_M,
                1.0 / 16_384.0,
                (0, 65_535),
                "0 <= speed < 4 NM/s",
            )?;
            let hdg = angle16("I048/200 HDG", v.heading_deg)?;
            w.item(13, &[gs[0], gs[1], hdg[0], hdg[1]]);
        }
        if let Some(status) = self.track_status {
            w.item(14, &[status & 0xFE]);
        }
        if let Some(h) = self.height_3d_m {
            let n = quantise(
                "I048/110",
                h / FT_M,
                25.0,
                -8192,
                8191,
                "|height| < 204800 ft",
            )?;
            w.item(19, &((n as u16) & 0x3FFF).to_be_bytes());
        }
        w.finish(out);
        Ok(())
    }
}

pub(crate) fn address24(item: &'static str, address: u32) -> Result<[u8; 3], EncodeError> {
    if address > 0xFF_FFFF {
        return Err(EncodeError::OutOfRange {
            item,
            value: format!("{address:#x}"),
            expected: "a 24-bit address",
        });
    }
    let b = address.to_be_bytes();
    Ok([b[1], b[2], b[3]])
}

pub(crate) fn track12(item: &'static str, track: u16) -> Result<[u8; 2], EncodeError> {
    if track > 0x0FFF {
        return Err(EncodeError::OutOfRange {
            item,
            value: track.to_string(),
            expected: "0..=4095",
        });
    }
    Ok(track.to_be_bytes())
}

impl Cat048Record {
    /// Decodes every record of one CAT048 data block (header included).
    /// The first error stops the walk; it names the byte offset in the block.
    pub fn decode_block(block: &[u8]) -> Result<Vec<Cat048Record>, String> {
        super::decode_block_with(block, 48, decode_record)
    }
}
