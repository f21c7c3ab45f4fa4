//! AIS over NMEA 0183: `!AIVDM` / `!AIVDO` sentences in, observations and
//! vessel static records out; and the encoders the simulator uses.
//!
//! The layers, each its own module: [`lines`] frames the byte stream into
//! lines; `sentence` checks a line's tag block, checksum and fields; the
//! decoder assembles fragments keyed by (channel, sequential message id),
//! bounded by [`crate::limits::ais_fragments_pending_max`] and expired after
//! [`crate::limits::ais_fragment_lines_max`] lines; `armor` turns the
//! 6-bit payload into a bit buffer; [`message`] reads the ITU-R M.1371-5
//! layouts of types 1, 2, 3, 4, 5, 11, 18, 19 and 24.
//!
//! **Event time.** An AIS position carries only the UTC second of its fix.
//! The decoder keeps a reference time: the sentence's tag block `c:` (or the
//! UNIX receive-time column USCG receivers append), else the latest such time,
//! type 4/11 base-station UTC, or `$xxRMC` fix time of the receiver's own GNSS
//! seen earlier in the stream. A position's
//! time is the instant nearest that reference whose second is the message's
//! own (a fix is at most 30 s from its reception, so this picks the right
//! minute). Messages without a second (type 5, 24, or second 60-63) take the
//! reference itself. Before any absolute time has been seen, the time is the
//! configured [`DecoderConfig::day`](crate::DecoderConfig)'s midnight plus the
//! message's second: deterministic, but only the day is meaningful.
//!
//! **Accuracy.** The position-accuracy flag gives the horizontal sigma:
//! [`HIGH_ACCURACY_SIGMA_M`] or [`LOW_ACCURACY_SIGMA_M`] (their docs say where
//! the figures come from). AIS has no altitude: positions are at height 0
//! with `vertical_sigma_m: None`. "Not available" positions (91°, 181°) are
//! never emitted; SOG 102.3 kn or COG 360° leave the velocity out.
//!
//! **Identity.** Every observation carries the MMSI; callsign and ship type
//! come from a per-MMSI cache of static messages (5, 19, 24), bounded by
//! [`crate::limits::ais_vessels_max`]. Static messages are also emitted as
//! [`Record::VesselStatic`](crate::Record::VesselStatic).
//!
//! **Raw digest.** SHA-256 of the sentence line as received (tag block
//! included, line ending and trailing blanks excluded); for a multi-sentence
//! message, of its lines joined by `\n`.

use model::{Digest, SensorId, SourceId, Time};
use serde::Serialize;

mod armor;
mod cache;
mod decoder;
mod encode;
pub(crate) mod lines;
pub mod message;
mod sentence;

pub use armor::Bits;
pub use decoder::{AisDecoder, HIGH_ACCURACY_SIGMA_M, LOW_ACCURACY_SIGMA_M};
pub use encode::{AisEncoder, Framing};
pub use message::{
    BaseStationReport, ClassBStatic, Dimensions, Message, MessageError, PositionReport,
    StaticPartB, StaticVoyage,
};
pub use sentence::{Line, Sentence, parse_line};

pub(crate) use cache::BoundedMap;

/// A vessel's static and voyage data (AIS types 5 and 24), as a record of its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VesselStatic {
    pub source: SourceId,
    pub sensor: SensorId,
    pub time: Time,
    pub mmsi: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imo: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callsign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ITU-R M.1371-5 table 53 ship and cargo type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draught_m: Option<f64>,
    pub raw_digest: Digest,
}

/// Decodes one whole payload (all fragments' characters, concatenated) with
/// its fill bits: the layer tests and peers compare at.
pub fn decode_payload(payload: &[u8], fill_bits: u8) -> Result<Message, MessageError> {
    let mut bits = Bits::with_capacity(payload.len());
    bits.push_payload(payload, fill_bits, true)
        .map_err(|e| MessageError(format!("payload: {e:?}")))?;
    message::decode(&bits)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`); written out because it is six lines on the hot path
/// of SBS decoding and needs no calendar crate.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2018, 4, 3), 17_624);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
