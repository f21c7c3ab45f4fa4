//! AIS encoders for the simulator: messages to `!AIVDM` sentences, split into
//! fragments when long (type 5), with an optional IEC 61162-450 tag block.

use std::fmt::Write as _;

use model::Time;

use super::armor::Bits;
use super::message::{self, Message, MessageError};
use super::sentence::checksum;
use crate::limits::ais_payload_chars_max;

/// Payload characters per sentence: 60 keeps a fragment within NMEA 0183's
/// 82-character sentence (ITU-R M.1371-5 annex 8 shows type 5 split 60 + 11).
const CHARS_PER_SENTENCE_MAX: usize = 60;

/// How the sentences of one message are framed.
#[derive(Debug, Clone)]
pub struct Framing {
    /// The VHF channel, `b'A'` or `b'B'`.
    pub channel: u8,
    /// When set, a tag block `\c:<unix seconds>*hh\` (with `s:` below) leads each sentence.
    pub tag_time: Option<Time>,
    /// The tag block's source (`s:`), e.g. a receiver name; only with `tag_time`.
    pub tag_source: Option<String>,
}

impl Default for Framing {
    fn default() -> Framing {
        Framing {
            channel: b'A',
            tag_time: None,
            tag_source: None,
        }
    }
}

/// Encodes messages into sentences, rotating the sequential message id of
/// multi-sentence messages (0-9) as a transponder does.
///
/// ```
/// use feeds::ais::{AisEncoder, Framing, Message, PositionReport};
/// let mut encoder = AisEncoder::new();
/// let mut out = String::new();
/// let report = PositionReport::class_a(244_123_456, 54.5, 18.6, Some(12.3), Some(90.0));
/// encoder.encode(&Message::Position(report), &Framing::default(), &mut out).unwrap();
/// assert!(out.starts_with("!AIVDM,1,1,,A,"));
/// ```
#[derive(Debug)]
pub struct AisEncoder {
    bits: Bits,
    payload: String,
    next_sequence_id: u8,
}

impl Default for AisEncoder {
    fn default() -> AisEncoder {
        AisEncoder::new()
    }
}

impl AisEncoder {
    pub fn new() -> AisEncoder {
        AisEncoder {
            bits: Bits::with_capacity(ais_payload_chars_max),
            payload: String::new(),
            next_sequence_id: 0,
        }
    }

    /// Appends the sentence lines (each ending `\r\n`) of `message` to `out`
    /// and returns how many there are. Types 1, 2, 3, 5, 18 and 24 (A and B)
    /// are encoded; others are an error.
    pub fn encode(
        &mut self,
        message: &Message,
        framing: &Framing,
        out: &mut String,
    ) -> Result<usize, MessageError> {
        message::encode(message, &mut self.bits)?;
        self.payload.clear();
        let fill_bits = self.bits.armor_into(&mut self.payload);
        let chunks: Vec<&str> = self
            .payload
            .as_bytes()
            .chunks(CHARS_PER_SENTENCE_MAX)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        let n = chunks.len();
        let sequence_id = if n > 1 {
            let id = self.next_sequence_id;
            self.next_sequence_id = (id + 1) % 10;
            Some(id)
        } else {
            None
        };
        for (k, chunk) in chunks.iter().enumerate() {
            if let Some(t) = framing.tag_time {
                write_tag_block(out, t, framing.tag_source.as_deref());
            }
            let start = out.len();
            let fill = if k + 1 == n { fill_bits } else { 0 };
            let sequence = sequence_id.map(|id| char::from(b'0' + id));
            let _ = write!(
                out,
                "!AIVDM,{n},{},{},{},{chunk},{fill}",
                k + 1,
                sequence.map_or(String::new(), String::from),
                char::from(framing.channel)
            );
            let sum = checksum(&out.as_bytes()[start + 1..]);
            let _ = write!(out, "*{sum:02X}\r\n");
        }
        Ok(n)
    }
}

fn write_tag_block(out: &mut String, time: Time, source: Option<&str>) {
    out.push('\\');
    let start = out.len();
    if let Some(source) = source {
        let _ = write!(out, "s:{source},");
    }
    let _ = write!(out, "c:{}", time.unix_us.div_euclid(1_000_000));
    let sum = checksum(&out.as_bytes()[start..]);
    let _ = write!(out, "*{sum:02X}\\");
}
