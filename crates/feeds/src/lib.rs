//! Decoders and encoders of the wire formats Guarantor reads.
//!
//! Every decoder has the same shape ([`Decoder`]): it is fed bytes in chunks
//! of any size (a file read whole, a TCP stream, one UDP datagram at a time),
//! emits [`Record`]s and [`DecodeError`]s into a [`Sink`], resynchronises after
//! bad input, and never panics on bytes. Each error names the format, the place
//! (byte offset or line) and what was expected, and carries the rejected bytes
//! so `ingest` can quarantine them. Decoders know nothing of tracks or pacts.
//!
//! Formats carrying only a time of day (ASTERIX, NMEA without tag blocks) take
//! the UTC day from [`DecoderConfig::day`].

use std::fmt;

use model::{Observation, SourceId, Time};

pub mod ais;
pub mod asterix;
pub mod cot;
pub mod limits;
pub mod sbs;
pub mod source;
pub mod stix;

/// Which wire format a decoder reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    Asterix,
    AisNmea,
    Sbs,
    Cot,
    Stix,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Asterix => "asterix",
            Format::AisNmea => "ais",
            Format::Sbs => "sbs",
            Format::Cot => "cot",
            Format::Stix => "stix",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input a record or an error sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Byte offset from the start of the input (binary formats).
    Byte(u64),
    /// Line number, 1-based (text formats), with the byte offset of its start.
    Line { line: u64, byte: u64 },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Byte(offset) => write!(f, "byte {offset}"),
            Place::Line { line, .. } => write!(f, "line {line}"),
        }
    }
}

/// A rejected record: the format, where it was, what was expected, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format} at {place}: {reason}")]
pub struct DecodeError {
    pub format: Format,
    pub place: Place,
    /// What was wrong and what was expected (`I048/040: expected 4 bytes, 2 left`).
    pub reason: String,
    /// The rejected bytes (capped at [`limits::quarantine_record_bytes_max`]).
    pub raw: Vec<u8>,
}

/// What a decoder emits.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Record {
    Observation(Observation),
    /// A vessel's static and voyage data (AIS types 5 and 24), not a position.
    VesselStatic(ais::VesselStatic),
    /// A STIX 2.1 object, or a note on a STIX input that rejects nothing.
    Stix(stix::StixRecord),
}

/// Where decoded records and errors go. A `Vec`-backed [`Collect`] is provided.
pub trait Sink {
    fn record(&mut self, record: Record);
    fn error(&mut self, error: DecodeError);
}

/// Settings every decoder receives.
#[derive(Debug, Clone)]
pub struct DecoderConfig {
    /// Names the feed in every observation.
    pub source: SourceId,
    /// The UTC day for formats that carry only a time of day; any instant in it.
    pub day: Time,
}

/// One wire format's decoder, fed chunks of bytes in order.
pub trait Decoder {
    /// Decodes what it can of `chunk`, keeping an incomplete trailing record
    /// for the next call. Datagram formats (ASTERIX over UDP) treat each chunk
    /// as whole.
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink);
    /// End of input: a record still incomplete is an error.
    fn finish(&mut self, sink: &mut dyn Sink);
}

/// Collects everything into vectors; handy for tests and file decoding.
#[derive(Debug, Default)]
pub struct Collect {
    pub records: Vec<Record>,
    pub errors: Vec<DecodeError>,
}

impl Sink for Collect {
    fn record(&mut self, record: Record) {
        self.records.push(record);
    }
    fn error(&mut self, error: DecodeError) {
        self.errors.push(error);
    }
}

impl Collect {
    pub fn observations(&self) -> impl Iterator<Item = &Observation> {
        self.records.iter().filter_map(|r| match r {
            Record::Observation(o) => Some(o),
            _ => None,
        })
    }
}

/// Decodes a whole input in one go.
pub fn decode_all(decoder: &mut dyn Decoder, input: &[u8]) -> Collect {
    let mut sink = Collect::default();
    decoder.feed(input, &mut sink);
    decoder.finish(&mut sink);
    sink
}
