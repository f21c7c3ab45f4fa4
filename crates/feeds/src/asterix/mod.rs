//! EUROCONTROL ASTERIX: decoders from data blocks to observations, and
//! encoders from plain record structs to data blocks (for the simulator).
//!
//! Editions implemented (UAP and item layouts):
//! - CAT048 ed. 1.21 (monoradar target reports; the UAP is unchanged up to ed. 1.30),
//!   see [`cat048`];
//! - CAT062 ed. 1.18 (SDPS system tracks), see [`cat062`];
//! - CAT021 ed. 2.6 (ADS-B target reports; the UAP of eds. 2.1 to 2.6), see [`cat021`].
//!
//! Other categories (CAT034, CAT065, ...) are recognised as blocks and skipped
//! by their length, counted in [`AsterixStats::blocks_other`], not reported as
//! errors: a radar feed carries its service messages beside the plots.
//!
//! # Framing
//! A data block is `CAT (1) LEN (2, big-endian, counting the header) records...`;
//! a UDP datagram may hold several blocks, a block several records. A record
//! is an FSPEC (presence bits, FX-extended) then the present items in FRN order.
//! [`Framing::Datagram`] treats each chunk fed to the decoder as whole (UDP);
//! [`Framing::Stream`] keeps an incomplete trailing block for the next chunk
//! (files, TCP).
//!
//! # Bad input
//! A record whose items cannot be delimited (an item runs past the block, an
//! FSPEC names an FRN the edition leaves spare, ...) loses the rest of its
//! block: the decoder skips to the next block by the block's LEN. A record
//! with a bad value (a latitude beyond 90°) is rejected alone. A block whose
//! LEN is impossible is skipped by scanning for the next plausible block
//! header (a known category and a length that ends exactly at the end of the
//! input or at another plausible header). A LEN that fits but is followed by
//! no plausible header, while a chain of blocks starts at one of its record
//! ends and runs across it, was corrupt: the block ends there (one error for
//! the LEN) instead of taking the blocks after it as its records; so a
//! stream decodes a block once the next block's header has arrived. Every
//! rejection is one
//! [`DecodeError`] naming the category, the byte offset and what was expected.
//!
//! # Event time
//! ASTERIX carries the UTC time of day only (1/128 s). The first record takes
//! the day of [`DecoderConfig::day`]; after that the decoder keeps the feed's
//! clock (the latest time placed) and puts each time of day on the day that
//! brings it nearest to that clock, so 23:59:59 then 00:00:01 crosses
//! midnight, and 00:00:01 then 23:59:58 is a late record from the day before
//! (placed there without moving the clock back). A record more than an hour
//! from the clock either way is not believed at once: one corrupt time (11:40
//! in a feed at 23:59) must not re-anchor the day for every record after it.
//! Such a record is held; when three records in a row agree on the new time
//! (a feed back after an outage) the clock jumps there and the held records
//! are emitted at their times, otherwise (the next record agrees with the
//! clock, or the input ends) each held record is rejected with a
//! [`DecodeError`]. So a corrupt time costs only its own record and a real
//! jump costs nothing.
//!
//! # Hot path
//! Records are decoded into stack structs (no allocation); an observation
//! costs two reference-count increments (source, and sensor from a per-SAC/SIC
//! cache), inline strings for the callsign and Mode 3/A (`SmolStr::new_inline`,
//! no allocation) and one SHA-256 of the record's bytes
//! (`model::Digest::of_record`: sha2's block function, SHA-NI where the CPU
//! has it, padding on the stack), with the record walk the largest costs left.

use std::collections::HashMap;

use model::{Digest, Duration, Identity, Observation, SensorId, SmolStr, Time};

use crate::limits::{asterix_block_bytes_max, asterix_sensors_max, quarantine_record_bytes_max};
use crate::{DecodeError, Decoder, DecoderConfig, Format, Place, Record, Sink};

pub mod cat021;
pub mod cat048;
pub mod cat062;
pub mod defaults;
mod wire;

pub use cat021::Cat021Record;
pub use cat048::Cat048Record;
pub use cat062::Cat062Record;
pub use defaults::AsterixOptions;

/// Metres in one nautical mile.
pub(crate) const NM_M: f64 = 1852.0;
/// Metres in one foot.
pub(crate) const FT_M: f64 = 0.3048;

/// How chunks fed to [`AsterixDecoder`] relate to blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// Each chunk is one UDP datagram: whole blocks, nothing carried over.
    #[default]
    Datagram,
    /// Chunks are pieces of a byte stream (a `.ast` file, TCP): an incomplete
    /// trailing block waits for the next chunk.
    Stream,
}

/// What the decoder has seen so far; the counts only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsterixStats {
    /// Well-framed data blocks of any category.
    pub blocks: u64,
    /// Blocks of categories this decoder does not turn into observations.
    pub blocks_other: u64,
    /// Records of CAT048, CAT062 and CAT021 read whole.
    pub records: u64,
    pub observations: u64,
    /// Records without a position (a CAT048 plot without I048/040, a CAT062
    /// track without I062/105, a CAT021 report without I021/130 or /131).
    pub skipped_no_position: u64,
    /// Errors emitted (each one rejected record, block, or run of garbage).
    pub errors: u64,
}

/// A six-bit ICAO aircraft identification (callsign) of up to 8 characters,
/// as I048/240, I062/245, I062/380 ID and I021/170 carry it. Kept inline so
/// decoding never allocates for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Callsign {
    chars: [u8; 8],
}

impl Callsign {
    /// A callsign from `A`–`Z`, `0`–`9` and spaces, at most 8 characters
    /// (padded with spaces on the wire); `None` for anything else.
    pub fn new(text: &str) -> Option<Callsign> {
        let bytes = text.as_bytes();
        if bytes.len() > 8 || bytes.iter().any(|&b| wire::icao_code(b).is_none()) {
            return None;
        }
        let mut chars = [b' '; 8];
        chars[..bytes.len()].copy_from_slice(bytes);
        Some(Callsign { chars })
    }

    /// The 8 characters as on the wire, trailing spaces included.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (see `from_wire` and `new`).
        std::str::from_utf8(&self.chars).unwrap_or("????????")
    }

    /// The callsign without trailing spaces; `None` when blank.
    pub fn trimmed(&self) -> Option<&str> {
        let text = self.as_str().trim_end();
        (!text.is_empty()).then_some(text)
    }

    /// The trimmed callsign as `Identity::callsign` holds it; `None` when blank.
    pub(crate) fn to_identity(self) -> Option<SmolStr> {
        // At most 8 bytes, so always inline (`new_inline` takes up to 23
        // and skips `SmolStr::new`'s checks for other representations).
        self.trimmed().map(SmolStr::new_inline)
    }

    /// Decodes 6 octets of 8 six-bit characters.
    pub(crate) fn from_wire(bytes: &[u8]) -> Callsign {
        let bits = wire::be_u64(&bytes[..6]);
        let mut chars = [b' '; 8];
        for (idx, ch) in chars.iter_mut().enumerate() {
            *ch = wire::ICAO_CHARS[((bits >> (42 - 6 * idx)) & 0x3F) as usize];
        }
        Callsign { chars }
    }

    pub(crate) fn to_wire(self) -> Result<[u8; 6], EncodeError> {
        let mut bits = 0u64;
        for &ch in &self.chars {
            let code = wire::icao_code(ch).ok_or_else(|| EncodeError::OutOfRange {
                item: "callsign",
                value: format!("{:?}", self.as_str()),
                expected: "A-Z, 0-9 and spaces",
            })?;
            bits = (bits << 6) | u64::from(code);
        }
        let b = bits.to_be_bytes();
        Ok([b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

/// Why a record could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    #[error("{item}: {value} is out of range (expected {expected})")]
    OutOfRange {
        item: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("the block would be {bytes} bytes; a data block holds at most 65535")]
    BlockTooLong { bytes: usize },
}

/// A record struct of one category that can be written to the wire.
pub trait AsterixRecord {
    /// The category number (48, 62, 21).
    const CATEGORY: u8;
    /// Appends the record (FSPEC and items) to `out`.
    fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// Encodes records of one category into one data block (`CAT LEN records`).
///
/// ```
/// use feeds::asterix::{encode_block, Cat048Record};
/// let plot = Cat048Record {
///     sac: 25,
///     sic: 3,
///     time_of_day_s: 3600.0,
///     polar: Some(feeds::asterix::cat048::PolarPosition { range_m: 92_600.0, azimuth_deg: 45.0 }),
///     ..Cat048Record::default()
/// };
/// let block = encode_block(&[plot]).unwrap();
/// assert_eq!(block[0], 48);
/// ```
pub fn encode_block<R: AsterixRecord>(records: &[R]) -> Result<Vec<u8>, EncodeError> {
    let mut out = vec![R::CATEGORY, 0, 0];
    for record in records {
        record.encode_into(&mut out)?;
    }
    let len =
        u16::try_from(out.len()).map_err(|_| EncodeError::BlockTooLong { bytes: out.len() })?;
    out[1..3].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

/// Quantises `value / lsb` to the nearest integer in `[min, max]`.
pub(crate) fn quantise(
    item: &'static str,
    value: f64,
    lsb: f64,
    min: i64,
    max: i64,
    expected: &'static str,
) -> Result<i64, EncodeError> {
    let n = (value / lsb).round();
    if !n.is_finite() || n < min as f64 || n > max as f64 {
        return Err(EncodeError::OutOfRange {
            item,
            value: format!("{value}"),
            expected,
        });
    }
    Ok(n as i64)
}

/// Encodes a time of day (I048/140, I062/070, I021/07x): 1/128 s in 24 bits.
pub(crate) fn encode_time_of_day(item: &'static str, tod_s: f64) -> Result<[u8; 3], EncodeError> {
    let n = quantise(
        item,
        tod_s,
        1.0 / 128.0,
        0,
        86_400 * 128 - 1,
        "0 <= s < 86400",
    )?;
    let b = (n as u32).to_be_bytes();
    Ok([b[1], b[2], b[3]])
}

/// Decodes a time of day, refusing one past midnight.
pub(crate) fn decode_time_of_day(bytes: &[u8]) -> Result<f64, String> {
    let raw = wire::be_u24(bytes);
    if raw >= 86_400 * 128 {
        return Err(format!(
            "a time of day below 86400 s, found {} s",
            f64::from(raw) / 128.0
        ));
    }
    Ok(f64::from(raw) / 128.0)
}

/// A record failed to decode: either its end is unknown (the rest of the
/// block is lost) or only its values are bad (the next record can be read).
#[derive(Debug)]
pub(crate) enum RecordError {
    Framing(wire::WireError),
    Value { end: usize, error: wire::WireError },
}

/// Keeps the first value error met while walking a record.
#[derive(Debug, Default)]
pub(crate) struct FirstError(Option<wire::WireError>);

impl FirstError {
    pub fn note(&mut self, offset: usize, item: &str, reason: String) {
        if self.0.is_none() {
            self.0 = Some(wire::WireError::new(offset, format!("{item}: {reason}")));
        }
    }

    /// Notes each mandatory item the record lacks (the first error noted
    /// still wins): each item's name with whether the walk saw it.
    pub fn missing(&mut self, offset: usize, items: &[(bool, &str)]) {
        for &(seen, item) in items {
            if !seen {
                self.note(offset, item, "the mandatory item is missing".to_owned());
            }
        }
    }

    #[inline]
    pub fn finish<T>(self, record: T, end: usize) -> Result<(T, usize), RecordError> {
        match self.0 {
            None => Ok((record, end)),
            Some(error) => Err(RecordError::Value { end, error }),
        }
    }
}

/// A category's record decoder: the record at an offset and the offset past it.
pub(crate) type DecodeRecord<T> = fn(&[u8], usize) -> Result<(T, usize), RecordError>;

/// A category's decoder from a record to what the decoder emits.
type DecodeOutcome = fn(&mut Context, &[u8], usize) -> Result<(Outcome, usize), RecordError>;

/// Decodes every record of a data block of `category` into record structs;
/// the first error stops it and names the byte offset within the block.
pub(crate) fn decode_block_with<T>(
    block: &[u8],
    category: u8,
    decode: DecodeRecord<T>,
) -> Result<Vec<T>, String> {
    if block.len() < 3 || block[0] != category {
        return Err(format!("byte 0: expected a CAT{category:03} block header"));
    }
    let len = usize::from(wire::be_u16(&block[1..3]));
    if len != block.len() {
        return Err(format!("byte 1: expected LEN {}, found {len}", block.len()));
    }
    let mut records = Vec::new();
    let mut pos = 3;
    while pos < block.len() {
        match decode(block, pos) {
            Ok((record, end)) => {
                records.push(record);
                pos = end;
            }
            Err(RecordError::Framing(e) | RecordError::Value { error: e, .. }) => {
                return Err(format!("byte {}: {}", e.offset, e.reason));
            }
        }
    }
    Ok(records)
}

/// Places times of day on days, following midnight (see the module docs).
#[derive(Debug, Clone)]
struct DayClock {
    /// Midnight of [`DecoderConfig::day`], for the first record.
    day_first: Time,
    /// The latest time believed: the feed's clock.
    clock: Option<Time>,
    /// Records that disagree with the clock but agree with each other.
    candidate: Option<Candidate>,
    /// What became of the held records, once it is known.
    resolution: Option<Resolution>,
}

/// A run of records far from the feed's clock that agree among themselves:
/// either corrupt times (one or two records) or a real jump of the feed.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    latest: Time,
    agreeing: u8,
}

/// Where a time of day was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    Believed(Time),
    /// Too far from the clock to believe yet: the record waits (at this
    /// time) for the records after it to confirm the jump or not; the reason
    /// says why if they do not.
    Held(Time, String),
}

/// The verdict on the records held so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolution {
    /// Enough records agreed with them: they are believed at their times.
    Confirmed,
    /// A record agreed with the clock, or started another run: rejected.
    Rejected,
}

const DAY: Duration = Duration::from_days(1);
const HALF_DAY: Duration = Duration::from_hours(12);
const HALF_DAY_BACK: Duration = Duration::from_hours(-12);
/// The largest step from the feed's clock a single record may take, either
/// way: a late record (a stall released, a reordered datagram) or a gap.
const STEP_MAX: Duration = Duration::from_hours(1);
const STEP_MAX_BACK: Duration = Duration::from_hours(-1);
/// How many records in a row must agree on a time beyond [`STEP_MAX`] from
/// the clock before the clock moves there. At most `JUMP_CONFIRMING - 1`
/// records are ever held.
const JUMP_CONFIRMING: u8 = 3;

impl DayClock {
    fn new(day: Time) -> DayClock {
        DayClock {
            day_first: day.start_of_day(),
            clock: None,
            candidate: None,
            resolution: None,
        }
    }

    /// The time of day `tod_us` placed on the day that brings it nearest to `near`.
    fn place(tod_us: i64, near: Time) -> Time {
        let time = near.start_of_day() + Duration::from_us(tod_us);
        let step = time - near;
        if step >= HALF_DAY {
            time - DAY
        } else if step < HALF_DAY_BACK {
            time + DAY
        } else {
            time
        }
    }

    fn within_step(time: Time, near: Time) -> bool {
        let step = time - near;
        (STEP_MAX_BACK..=STEP_MAX).contains(&step)
    }

    /// Places a record's time of day; [`DayClock::take_resolution`] then
    /// says whether this record settled the ones held before it.
    fn event_time(&mut self, tod_s: f64) -> Placement {
        let tod_us = (tod_s * 1e6).round() as i64;
        let Some(clock) = self.clock else {
            let time = self.day_first + Duration::from_us(tod_us);
            self.clock = Some(time);
            return Placement::Believed(time);
        };
        let time = DayClock::place(tod_us, clock);
        if DayClock::within_step(time, clock) {
            // Midnight is crossed here, by a small step; a late record
            // does not move the clock back.
            if self.candidate.take().is_some() {
                self.resolution = Some(Resolution::Rejected);
            }
            self.clock = Some(time.max(clock));
            return Placement::Believed(time);
        }
        let (time, candidate) = match self.candidate {
            Some(c) if DayClock::within_step(DayClock::place(tod_us, c.latest), c.latest) => {
                let time = DayClock::place(tod_us, c.latest);
                let agreeing = c.agreeing + 1;
                (
                    time,
                    Candidate {
                        latest: time.max(c.latest),
                        agreeing,
                    },
                )
            }
            other => {
                if other.is_some() {
                    self.resolution = Some(Resolution::Rejected);
                }
                (
                    time,
                    Candidate {
                        latest: time,
                        agreeing: 1,
                    },
                )
            }
        };
        if candidate.agreeing >= JUMP_CONFIRMING {
            self.candidate = None;
            self.clock = Some(candidate.latest);
            self.resolution = Some(Resolution::Confirmed);
            return Placement::Believed(time);
        }
        self.candidate = Some(candidate);
        let step = (time - clock).as_secs_f64().abs();
        Placement::Held(
            time,
            format!(
                "a time of day within {} min of the feed's clock ({}), found {} ({} h {} min away); \
                 not followed by {JUMP_CONFIRMING} records in a row agreeing on it",
                STEP_MAX.as_secs_f64() / 60.0,
                clock_of_day(clock),
                clock_of_day(time),
                (step / 3600.0) as u64,
                (step / 60.0) as u64 % 60,
            ),
        )
    }

    /// What became of the held records, once (then forgotten).
    fn take_resolution(&mut self) -> Option<Resolution> {
        self.resolution.take()
    }
}

/// `hh:mm:ss.sss` of a time.
fn clock_of_day(time: Time) -> String {
    let s = (time - time.start_of_day()).as_secs_f64();
    let whole = s as u64;
    format!(
        "{:02}:{:02}:{:06.3}",
        whole / 3600,
        whole / 60 % 60,
        s - (whole / 60 * 60) as f64
    )
}

/// A position's altitude and vertical sigma from what a record carries: the
/// geometric height (above the ellipsoid, as `Geodetic` wants) first, else the
/// flight level as a pressure altitude, less accurate; each with the record's
/// own sigma in metres where it gives one, else the options' default. Neither:
/// 0 m and no vertical sigma.
pub(crate) fn altitude(
    geometric: Option<(f64, Option<f64>)>,
    flight_level: Option<(f64, Option<f64>)>,
    options: &AsterixOptions,
) -> (f64, Option<f64>) {
    match (geometric, flight_level) {
        (Some((h, sigma)), _) => (h, Some(sigma.unwrap_or(options.geometric_vertical_sigma_m))),
        (None, Some((fl, sigma))) => (
            fl * 100.0 * FT_M,
            Some(sigma.unwrap_or(options.barometric_vertical_sigma_m)),
        ),
        (None, None) => (0.0, None),
    }
}

/// What the category modules need to turn a record into an observation.
#[derive(Debug)]
pub(crate) struct Context {
    config: DecoderConfig,
    pub options: AsterixOptions,
    clock: DayClock,
    sensors: HashMap<u16, SensorId>,
    sensor_last: Option<(u16, SensorId)>,
}

impl Context {
    fn new(config: DecoderConfig, options: AsterixOptions) -> Context {
        let clock = DayClock::new(config.day);
        Context {
            config,
            options,
            clock,
            sensors: HashMap::new(),
            sensor_last: None,
        }
    }

    fn sensor(&mut self, sac: u8, sic: u8) -> SensorId {
        let key = u16::from_be_bytes([sac, sic]);
        // Consecutive records nearly always come from the same sensor.
        if let Some((last_key, id)) = &self.sensor_last
            && *last_key == key
        {
            return id.clone();
        }
        let id = self.sensor_lookup(key, sac, sic);
        self.sensor_last = Some((key, id.clone()));
        id
    }

    fn sensor_lookup(&mut self, key: u16, sac: u8, sic: u8) -> SensorId {
        if let Some(id) = self.sensors.get(&key) {
            return id.clone();
        }
        let id = SensorId::new(format!("sac{sac}-sic{sic}"));
        if self.sensors.len() < asterix_sensors_max {
            self.sensors.insert(key, id.clone());
        }
        id
    }

    /// Builds the observation common to every category. Held when the
    /// feed's clock does not believe its time yet (see [`DayClock`]).
    #[inline]
    pub fn observation(
        &mut self,
        (sac, sic): (u8, u8),
        (time_item, tod_s): (&str, f64),
        measurement: model::Measurement,
        identity: Identity,
        raw: &[u8],
    ) -> Outcome {
        let (time, held) = match self.clock.event_time(tod_s) {
            Placement::Believed(time) => (time, None),
            Placement::Held(time, reason) => (time, Some(format!("{time_item}: {reason}"))),
        };
        let observation = Observation {
            source: self.config.source.clone(),
            sensor: self.sensor(sac, sic),
            time,
            measurement,
            identity,
            raw_digest: Digest::of_record(raw),
        };
        match held {
            None => Outcome::Observation(observation),
            Some(reason) => Outcome::Held(observation, reason),
        }
    }
}

/// What a category module made of one record.
#[derive(Debug)]
// Boxing would cost an allocation per record on the hot path; the
// observation moves into the sink right away.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome {
    Observation(Observation),
    /// An observation whose time waits for the records after it; the
    /// reason to reject it if they do not confirm it.
    Held(Observation, String),
    NoPosition,
}

/// A record held by the clock, with what its rejection would need.
#[derive(Debug)]
struct HeldRecord {
    observation: Observation,
    offset: u64,
    reason: String,
    raw: Vec<u8>,
}

/// Categories whose blocks a resynchronising scan accepts as plausible:
/// the ones we decode and the ones that travel with them on real feeds.
const CATEGORIES_KNOWN: &[u8] = &[
    1, 2, 4, 8, 10, 11, 19, 20, 21, 23, 25, 30, 31, 32, 34, 48, 62, 63, 65, 205, 240, 247, 252,
];

/// Decodes ASTERIX data blocks into observations. See the module docs.
#[derive(Debug)]
pub struct AsterixDecoder {
    context: Context,
    framing: Framing,
    stats: AsterixStats,
    /// Stream offset of the first byte not yet consumed.
    offset: u64,
    /// Stream framing only: bytes of an incomplete block (< 65535 + 3).
    pending: Vec<u8>,
    /// Records whose time waits for confirmation (fewer than `JUMP_CONFIRMING`).
    held: Vec<HeldRecord>,
}

impl AsterixDecoder {
    /// A decoder with the default sensor accuracies, for UDP datagrams.
    pub fn new(config: DecoderConfig) -> AsterixDecoder {
        AsterixDecoder::with_options(config, AsterixOptions::default(), Framing::Datagram)
    }

    pub fn with_options(
        config: DecoderConfig,
        options: AsterixOptions,
        framing: Framing,
    ) -> AsterixDecoder {
        AsterixDecoder {
            context: Context::new(config, options),
            framing,
            stats: AsterixStats::default(),
            offset: 0,
            pending: Vec::new(),
            held: Vec::new(),
        }
    }

    pub fn stats(&self) -> &AsterixStats {
        &self.stats
    }

    fn error(&mut self, sink: &mut dyn Sink, offset: u64, reason: String, raw: &[u8]) {
        self.stats.errors += 1;
        let raw = raw[..raw.len().min(quarantine_record_bytes_max)].to_vec();
        sink.error(DecodeError {
            format: Format::Asterix,
            place: Place::Byte(offset),
            reason,
            raw,
        });
    }

    /// Decodes the blocks of `buf` (whose first byte is at stream offset
    /// `base`); returns how many bytes were consumed. With `whole`, an
    /// incomplete block at the end is an error; without, it is left.
    fn process(&mut self, buf: &[u8], base: u64, whole: bool, sink: &mut dyn Sink) -> usize {
        let mut pos = 0;
        while pos < buf.len() {
            let rest = &buf[pos..];
            let header_ok = rest.len() >= 3;
            let known = header_ok && CATEGORIES_KNOWN.contains(&rest[0]);
            let len = if header_ok {
                usize::from(wire::be_u16(&rest[1..3]))
            } else {
                0
            };
            // In a stream, a block is decoded once the header after it has
            // arrived too (see `block_len`), so the verdict does not depend
            // on where the chunks were cut.
            let complete = if whole {
                len <= rest.len()
            } else {
                len + 3 <= rest.len()
            };
            if known && len >= 4 && complete {
                let len = self.block_len(rest, len, base + pos as u64, whole, sink);
                self.block(&rest[..len], base + pos as u64, sink);
                pos += len;
                continue;
            }
            if !whole && (!header_ok || (known && len >= 4)) {
                // A plausible header whose block has not fully arrived.
                return pos;
            }
            let expected = if !header_ok {
                format!(
                    "a data block header (CAT, LEN: 3 bytes), {} left",
                    rest.len()
                )
            } else if !known {
                format!(
                    "a data block of a known ASTERIX category, found CAT{:03}",
                    rest[0]
                )
            } else if len < 4 {
                format!("a block LEN of at least 4 (CAT{:03}), found {len}", rest[0])
            } else {
                format!(
                    "a CAT{:03} block of LEN {len}, {} bytes left",
                    rest[0],
                    rest.len()
                )
            };
            let skip = next_plausible_block(rest, 1, whole);
            self.error(
                sink,
                base + pos as u64,
                expected + &format!("; skipped {skip} bytes"),
                &rest[..skip],
            );
            pos += skip;
        }
        pos
    }

    /// The LEN of the block at the start of `rest`, checked against what
    /// follows it. A corrupt LEN that still fits would take the blocks after
    /// it as its records (up to 64 KiB of them, lost behind one error): when
    /// the bytes after the block are not a plausible header but a chain of
    /// plausible blocks starts at the end of one of its records and runs
    /// across the LEN's end, the block ends there, with an error naming the
    /// LEN. A block ending at the end of the input is taken as it is.
    fn block_len(
        &mut self,
        rest: &[u8],
        len: usize,
        offset: u64,
        whole: bool,
        sink: &mut dyn Sink,
    ) -> usize {
        if rest.len() < len + 3 || header_plausible(&rest[len..]) {
            return len;
        }
        let uap = match rest[0] {
            48 => &cat048::UAP,
            62 => &cat062::UAP,
            21 => &cat021::UAP,
            _ => return len,
        };
        // The block's own records, walked one by one: the first record end
        // from which a chain of blocks runs across the LEN's end is the
        // block's true end. A record that cannot be walked keeps the LEN.
        let mut end = 3;
        loop {
            match wire::walk_record(uap, rest, end, |_, _, _| Ok(())) {
                Ok(next) if next < len => end = next,
                _ => return len,
            }
            if chain_across(rest, end, len, whole) {
                break;
            }
        }
        let reason = format!(
            "a CAT{:03} block LEN ending at a block header: LEN {len} is followed by \
             no plausible header, a chain of blocks starts at +{end}; decoded as LEN {end}",
            rest[0]
        );
        self.error(sink, offset, reason, &rest[..3]);
        end
    }

    fn block(&mut self, block: &[u8], base: u64, sink: &mut dyn Sink) {
        self.stats.blocks += 1;
        let category = block[0];
        let decode: DecodeOutcome = match category {
            48 => cat048::decode_observation,
            62 => cat062::decode_observation,
            21 => cat021::decode_observation,
            _ => {
                self.stats.blocks_other += 1;
                return;
            }
        };
        let mut pos = 3;
        while pos < block.len() {
            match decode(&mut self.context, block, pos) {
                Ok((outcome, end)) => {
                    self.stats.records += 1;
                    if let Some(resolution) = self.context.clock.take_resolution() {
                        self.settle_held(resolution, sink);
                    }
                    match outcome {
                        Outcome::Observation(observation) => {
                            self.stats.observations += 1;
                            sink.record(Record::Observation(observation));
                        }
                        Outcome::Held(observation, reason) => {
                            let bytes = (end - pos).min(quarantine_record_bytes_max);
                            self.held.push(HeldRecord {
                                observation,
                                offset: base + pos as u64,
                                reason: format!("CAT{category:03} record: {reason}"),
                                raw: block[pos..pos + bytes].to_vec(),
                            });
                        }
                        Outcome::NoPosition => self.stats.skipped_no_position += 1,
                    }
                    pos = end;
                }
                Err(RecordError::Value { end, error }) => {
                    let reason = format!("CAT{category:03} record: {}", error.reason);
                    self.error(sink, place(base, &error, block), reason, &block[pos..end]);
                    pos = end;
                }
                Err(RecordError::Framing(error)) => {
                    let reason = format!(
                        "CAT{category:03} record: {}; skipped the rest of the block ({} bytes)",
                        error.reason,
                        block.len() - pos
                    );
                    self.error(sink, place(base, &error, block), reason, &block[pos..]);
                    return;
                }
            }
        }
    }
}

impl AsterixDecoder {
    /// Emits the held records as observations or as errors.
    fn settle_held(&mut self, resolution: Resolution, sink: &mut dyn Sink) {
        for held in std::mem::take(&mut self.held) {
            match resolution {
                Resolution::Confirmed => {
                    self.stats.observations += 1;
                    sink.record(Record::Observation(held.observation));
                }
                Resolution::Rejected => self.error(sink, held.offset, held.reason, &held.raw),
            }
        }
    }
}

/// The stream offset an error names: where the item starts, or the block's
/// last byte when the block ended before the item.
fn place(base: u64, error: &wire::WireError, block: &[u8]) -> u64 {
    base + error.offset.min(block.len() - 1) as u64
}

/// Offset in `buf` (at least `from`) of the next plausible block header, or
/// `buf.len()` when there is none. Without `whole` (a stream whose next bytes
/// have not arrived), a header or block cut by the end of `buf` is plausible:
/// it waits for the rest instead of being skipped.
fn next_plausible_block(buf: &[u8], from: usize, whole: bool) -> usize {
    (from..buf.len())
        .find(|&pos| plausible_at(buf, pos, 1, whole))
        .unwrap_or(buf.len())
}

/// A known category and a LEN of at least 4 whose block fits in `buf`, and,
/// checking `depth` more, another plausible header right after it (or the
/// end of `buf`). Without `whole`, running past the end of `buf` is not held
/// against it.
fn plausible_at(buf: &[u8], pos: usize, depth: u8, whole: bool) -> bool {
    let Some(header) = buf.get(pos..pos + 3) else {
        // The input ends inside the header: only the next bytes can tell.
        return !whole;
    };
    let len = usize::from(wire::be_u16(&header[1..3]));
    if !CATEGORIES_KNOWN.contains(&header[0]) || len < 4 {
        return false;
    }
    let end = pos + len;
    if end >= buf.len() {
        return end == buf.len() || !whole;
    }
    depth == 0 || plausible_at(buf, end, depth - 1, whole)
}

/// Whether plausible block headers, each at the end of the one before,
/// lead from `from` across `past` to one more plausible header (or to the
/// end of the input): the blocks a corrupt LEN at the start of `buf` claims.
/// Only headers are looked at, so the verdict does not depend on how much
/// of a stream has arrived after them.
fn chain_across(buf: &[u8], from: usize, past: usize, whole: bool) -> bool {
    let mut pos = from;
    while pos < past {
        match buf.get(pos..) {
            Some(header) if header_plausible(header) => {
                pos += usize::from(wire::be_u16(&header[1..3]));
            }
            _ => return false,
        }
    }
    buf.get(pos..).is_some_and(header_plausible) || (whole && pos == buf.len())
}

/// A known category and a LEN of at least 4 in the first 3 bytes.
fn header_plausible(bytes: &[u8]) -> bool {
    bytes.len() >= 3 && CATEGORIES_KNOWN.contains(&bytes[0]) && wire::be_u16(&bytes[1..3]) >= 4
}

impl Decoder for AsterixDecoder {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink) {
        match self.framing {
            Framing::Datagram => {
                self.process(chunk, self.offset, true, sink);
                self.offset += chunk.len() as u64;
            }
            Framing::Stream if self.pending.is_empty() => {
                let consumed = self.process(chunk, self.offset, false, sink);
                self.offset += consumed as u64;
                self.pending.extend_from_slice(&chunk[consumed..]);
            }
            Framing::Stream => {
                self.pending.extend_from_slice(chunk);
                let pending = std::mem::take(&mut self.pending);
                let consumed = self.process(&pending, self.offset, false, sink);
                self.offset += consumed as u64;
                self.pending = pending[consumed..].to_vec();
            }
        }
        debug_assert!(self.pending.len() < asterix_block_bytes_max + 3);
    }

    fn finish(&mut self, sink: &mut dyn Sink) {
        let pending = std::mem::take(&mut self.pending);
        let consumed = self.process(&pending, self.offset, true, sink);
        self.offset += consumed as u64;
        // Nothing came to confirm the last jump.
        self.settle_held(Resolution::Rejected, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The placement, then `held` or the resolution of the held ones.
    fn placed(clock: &mut DayClock, tod_s: f64) -> String {
        let placement = match clock.event_time(tod_s) {
            Placement::Believed(time) => time.to_string(),
            Placement::Held(time, _) => format!("{time} held"),
        };
        match clock.take_resolution() {
            None => placement,
            Some(resolution) => format!("{placement} ({resolution:?})"),
        }
    }

    #[test]
    fn midnight_rollover_forward_and_late_records() {
        let day = Time::parse_rfc3339("2025-09-10T12:00:00Z").unwrap();
        let mut clock = DayClock::new(day);
        assert_eq!(placed(&mut clock, 86_399.0), "2025-09-10T23:59:59Z");
        assert_eq!(placed(&mut clock, 1.0), "2025-09-11T00:00:01Z");
        // A late plot from before midnight stays on the 10th...
        assert_eq!(placed(&mut clock, 86_398.0), "2025-09-10T23:59:58Z");
        // ...and does not move the clock back.
        assert_eq!(placed(&mut clock, 2.0), "2025-09-11T00:00:02Z");
    }

    #[test]
    fn a_corrupt_time_is_held_then_rejected_and_does_not_move_the_clock() {
        let day = Time::parse_rfc3339("2025-09-09T00:00:00Z").unwrap();
        let mut clock = DayClock::new(day);
        assert_eq!(placed(&mut clock, 86_340.0), "2025-09-09T23:59:00Z");
        // 11:40 is 11 h 41 min ahead of the clock (or 12 h 19 min behind): too far either way.
        match clock.event_time(42_000.0) {
            Placement::Held(_, reason) => assert_eq!(
                reason,
                "a time of day within 60 min of the feed's clock (23:59:00.000), found \
                 11:40:00.000 (11 h 41 min away); not followed by 3 records in a row agreeing on it"
            ),
            other => panic!("{other:?}"),
        }
        // The records after it cross midnight as if it had not been there.
        assert_eq!(
            placed(&mut clock, 86_399.0),
            "2025-09-09T23:59:59Z (Rejected)"
        );
        assert_eq!(placed(&mut clock, 30.0), "2025-09-10T00:00:30Z");
        // Two corrupt times far apart, then a late record.
        assert_eq!(placed(&mut clock, 7_300.0), "2025-09-10T02:01:40Z held");
        assert_eq!(
            placed(&mut clock, 50_000.0),
            "2025-09-09T13:53:20Z held (Rejected)"
        );
        assert_eq!(
            placed(&mut clock, 86_390.0),
            "2025-09-09T23:59:50Z (Rejected)"
        );
        assert_eq!(placed(&mut clock, 31.0), "2025-09-10T00:00:31Z");
    }

    #[test]
    fn a_real_jump_is_believed_once_records_agree_on_it() {
        let day = Time::parse_rfc3339("2025-09-09T00:00:00Z").unwrap();
        let mut clock = DayClock::new(day);
        assert_eq!(placed(&mut clock, 3_600.0), "2025-09-09T01:00:00Z");
        // A feed back after a five-hour outage: the first records wait
        // until JUMP_CONFIRMING of them agree, then all are believed.
        assert_eq!(placed(&mut clock, 21_600.0), "2025-09-09T06:00:00Z held");
        assert_eq!(placed(&mut clock, 21_601.0), "2025-09-09T06:00:01Z held");
        assert_eq!(
            placed(&mut clock, 21_602.0),
            "2025-09-09T06:00:02Z (Confirmed)"
        );
        assert_eq!(placed(&mut clock, 21_603.0), "2025-09-09T06:00:03Z");
        // Across midnight too, from a feed at 20:00 silent for four hours.
        let mut clock = DayClock::new(day);
        assert_eq!(placed(&mut clock, 72_000.0), "2025-09-09T20:00:00Z");
        assert_eq!(placed(&mut clock, 86_000.0), "2025-09-09T23:53:20Z held");
        assert_eq!(placed(&mut clock, 100.0), "2025-09-10T00:01:40Z held");
        assert_eq!(
            placed(&mut clock, 200.0),
            "2025-09-10T00:03:20Z (Confirmed)"
        );
    }

    #[test]
    fn callsign_six_bit_round_trip() {
        let cs = Callsign::new("RYR174C").unwrap();
        assert_eq!(Callsign::from_wire(&cs.to_wire().unwrap()), cs);
        assert_eq!(cs.trimmed(), Some("RYR174C"));
        assert_eq!(Callsign::new("ryr"), None);
        assert_eq!(Callsign::new("TOOLONGXX"), None);
    }

    #[test]
    fn scan_finds_a_block_after_garbage() {
        let good = [48u8, 0, 5, 0x80, 1];
        let mut buf = vec![0xDE, 0xAD];
        buf.extend_from_slice(&good);
        assert_eq!(next_plausible_block(&buf, 1, true), 2);
        assert_eq!(next_plausible_block(&[0xDE, 0xAD, 0xBE], 1, true), 3);
        // Far from the end: a block followed by another plausible header.
        let mut many = vec![0xDE, 0xAD];
        for _ in 0..10 {
            many.extend_from_slice(&good);
        }
        assert_eq!(next_plausible_block(&many, 1, true), 2);
        // A stream cut inside a header waits for the rest.
        assert_eq!(next_plausible_block(&[0xDE, 0xAD, 48, 0], 1, false), 2);
        assert_eq!(next_plausible_block(&[0xDE, 0xAD, 48, 0], 1, true), 4);
    }
}
