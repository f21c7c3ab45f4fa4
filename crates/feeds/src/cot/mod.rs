//! Cursor on Target: the XML events TAK clients, servers and many C2 systems speak.
//!
//! [`CotDecoder`] reads a stream of events as TAK sends them over TCP (back to
//! back, no root element, XML declarations and whitespace between them allowed)
//! or one per UDP datagram, and yields one [`Observation`](model::Observation)
//! per event: the `point` as a position with its circular and linear errors,
//! velocity from `track`, the uid, callsign and raw type in the identity. A
//! malformed event is rejected with its line and bytes and the decoder skips to
//! the next `<event`; DTDs and entities other than the predefined five are
//! refused, never expanded.
//!
//! [`to_xml`] writes events back (tracks and incidents go out as CoT; the
//! simulator writes patrol reports); [`CotType`] reads the type hierarchy.

mod encode;
mod event;
mod parse;
mod types;

pub use encode::{to_xml, write_event};
pub use event::{COT_UNKNOWN, CotDetail, CotEvent, CotGroup, CotPoint, UNKNOWN_CE_SIGMA_M};
pub use types::{Affiliation, Branch, CotType, CotTypeError, Dimension, affiliation, dimension};

use model::SourceId;
use parse::{Parsed, find, parse_event};

use crate::limits::{cot_event_bytes_max, quarantine_record_bytes_max};
use crate::{DecodeError, Decoder, DecoderConfig, Format, Place, Record, Sink};

/// Decodes a byte stream of CoT events into observations.
#[derive(Debug)]
pub struct CotDecoder {
    source: SourceId,
    framer: Framer,
}

impl CotDecoder {
    pub fn new(config: &DecoderConfig) -> CotDecoder {
        CotDecoder {
            source: config.source.clone(),
            framer: Framer::default(),
        }
    }
}

impl Decoder for CotDecoder {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink) {
        let source = &self.source;
        self.framer
            .feed(chunk, false, &mut |item| emit(source, item, sink));
    }

    fn finish(&mut self, sink: &mut dyn Sink) {
        let source = &self.source;
        self.framer
            .feed(&[], true, &mut |item| emit(source, item, sink));
    }
}

fn emit(source: &SourceId, item: Item<'_>, sink: &mut dyn Sink) {
    match item {
        Item::Event(event, raw) => {
            sink.record(Record::Observation(event.to_observation(source, raw)))
        }
        Item::Error(error) => sink.error(error),
    }
}

/// Reads every event of a whole input, for callers that want the CoT fields
/// themselves (the simulator's tests, the server's CoT round trips).
pub fn read_events(input: &[u8]) -> (Vec<CotEvent>, Vec<DecodeError>) {
    let (mut events, mut errors) = (Vec::new(), Vec::new());
    let mut framer = Framer::default();
    let mut out = |item: Item<'_>| match item {
        Item::Event(event, _) => events.push(*event),
        Item::Error(error) => errors.push(error),
    };
    framer.feed(input, false, &mut out);
    framer.feed(&[], true, &mut out);
    (events, errors)
}

/// What the framer finds.
enum Item<'a> {
    Event(Box<CotEvent>, &'a [u8]),
    Error(DecodeError),
}

/// Splits a byte stream into events, keeping an incomplete tail (at most
/// [`cot_event_bytes_max`]) for the next chunk.
#[derive(Debug, Default)]
struct Framer {
    pending: Vec<u8>,
    /// Stream offset and 0-based line of `pending[0]` (or of the next chunk).
    offset: u64,
    line: u64,
    /// Bad bytes being skipped up to the next `<event`, reported when it is found.
    skipping: Option<Rejected>,
}

#[derive(Debug)]
struct Rejected {
    place: Place,
    reason: String,
    raw: Vec<u8>,
}

const EVENT_TAG: &[u8] = b"<event";

impl Framer {
    fn feed(&mut self, chunk: &[u8], finishing: bool, out: &mut dyn FnMut(Item<'_>)) {
        if self.pending.is_empty() {
            // The common case (a file read whole, a datagram): no copy.
            let used = self.process(chunk, finishing, out);
            self.pending.extend_from_slice(&chunk[used..]);
        } else {
            let mut buf = std::mem::take(&mut self.pending);
            buf.extend_from_slice(chunk);
            let used = self.process(&buf, finishing, out);
            buf.drain(..used);
            self.pending = buf;
        }
    }

    /// Moves the stream position over `bytes`.
    fn advance(&mut self, bytes: &[u8]) {
        self.offset += bytes.len() as u64;
        // memchr's vectorised count: every byte of every event passes here.
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
    }

    fn place(&self) -> Place {
        Place::Line {
            line: self.line + 1,
            byte: self.offset,
        }
    }

    /// Starts skipping at the current place; `first` (one byte at least) is consumed.
    fn reject(&mut self, reason: String, first: &[u8]) {
        let raw = first[..first.len().min(quarantine_record_bytes_max)].to_vec();
        self.skipping = Some(Rejected {
            place: self.place(),
            reason,
            raw,
        });
        self.advance(first);
    }

    /// Decodes what it can of `buf`; returns how many bytes it consumed.
    fn process(&mut self, buf: &[u8], finishing: bool, out: &mut dyn FnMut(Item<'_>)) -> usize {
        let mut pos = 0;
        loop {
            if self.skipping.is_some() {
                pos = self.skip(buf, pos, finishing, out);
                if self.skipping.is_some() {
                    return pos;
                }
            }
            let blank = buf[pos..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            self.advance(&buf[pos..pos + blank]);
            pos += blank;
            let rest = &buf[pos..];
            if rest.is_empty() {
                return pos;
            }
            match self.step(rest, finishing, out) {
                Some(used) => pos += used,
                None => return pos,
            }
        }
    }

    /// Handles one item at the start of `rest`; returns the bytes consumed
    /// (at least one), or `None` to wait for more input.
    fn step(
        &mut self,
        rest: &[u8],
        finishing: bool,
        out: &mut dyn FnMut(Item<'_>),
    ) -> Option<usize> {
        if rest.starts_with(b"<?") || rest.starts_with(b"<!--") {
            let close: &[u8] = if rest.starts_with(b"<?") {
                b"?>"
            } else {
                b"-->"
            };
            if let Some(end) = find(rest, close) {
                let used = end + close.len();
                self.advance(&rest[..used]);
                return Some(used);
            }
            if !finishing && rest.len() <= cot_event_bytes_max {
                return None;
            }
            self.reject(
                "unterminated XML declaration or comment".to_owned(),
                &rest[..1],
            );
            return Some(1);
        }
        if rest.len() < EVENT_TAG.len() + 1 && !finishing && is_prefix_of_token(rest) {
            return None;
        }
        let is_event = rest.starts_with(EVENT_TAG)
            && rest
                .get(EVENT_TAG.len())
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        if !is_event {
            let reason = if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
                "DTD refused: `<!DOCTYPE` is not accepted in CoT".to_owned()
            } else {
                // Only the first byte: the reason must not depend on how the
                // input was chunked; the quarantined bytes show the rest.
                format!(
                    "expected `<event`, found {}",
                    std::ascii::escape_default(rest[0])
                )
            };
            self.reject(reason, &rest[..1]);
            return Some(1);
        }
        // Parse only up to the first `</event…>`: what the parser sees must not
        // depend on how much of the stream has arrived, or the verdict on a
        // malformed event would change with the chunking.
        let closing = find(rest, b"</event").and_then(|at| {
            rest[at..]
                .iter()
                .position(|&b| b == b'>')
                .map(|gt| at + gt + 1)
        });
        let slice = match closing {
            Some(end) => &rest[..end],
            None if finishing || rest.len() > cot_event_bytes_max => rest,
            None => return None,
        };
        match parse_event(slice) {
            Parsed::Event(_, used) if used > cot_event_bytes_max => {
                self.reject(
                    format!("event longer than {cot_event_bytes_max} bytes"),
                    &rest[..1],
                );
                Some(1)
            }
            Parsed::Event(event, used) => {
                out(Item::Event(event, &rest[..used]));
                self.advance(&rest[..used]);
                Some(used)
            }
            Parsed::Incomplete if finishing => {
                self.reject(
                    "input ends inside an event (expected `</event>`)".to_owned(),
                    rest,
                );
                Some(rest.len())
            }
            Parsed::Incomplete if rest.len() > cot_event_bytes_max => {
                self.reject(
                    format!("event longer than {cot_event_bytes_max} bytes"),
                    &rest[..1],
                );
                Some(1)
            }
            Parsed::Incomplete => None,
            Parsed::Malformed(reason) => {
                self.reject(reason, &rest[..1]);
                Some(1)
            }
        }
    }

    /// Skips to the next `<event` and reports what was skipped; returns the new position.
    fn skip(
        &mut self,
        buf: &[u8],
        pos: usize,
        finishing: bool,
        out: &mut dyn FnMut(Item<'_>),
    ) -> usize {
        let rest = &buf[pos..];
        let (end, found) = match find(rest, EVENT_TAG) {
            Some(i) => (i, true),
            // Keep a tail that may be the start of a `<event` split across chunks.
            None if !finishing => (rest.len().saturating_sub(EVENT_TAG.len() - 1), false),
            None => (rest.len(), false),
        };
        if let Some(rejected) = self.skipping.as_mut() {
            let room = quarantine_record_bytes_max.saturating_sub(rejected.raw.len());
            rejected.raw.extend_from_slice(&rest[..end.min(room)]);
        }
        self.advance(&rest[..end]);
        if (found || finishing)
            && let Some(rejected) = self.skipping.take()
        {
            out(Item::Error(DecodeError {
                format: Format::Cot,
                place: rejected.place,
                reason: rejected.reason,
                raw: rejected.raw,
            }));
        }
        pos + end
    }
}

/// True when `rest` could still grow into `<event `, `<?`, `<!--` or `<!DOCTYPE`.
fn is_prefix_of_token(rest: &[u8]) -> bool {
    [&b"<event "[..], b"<!--", b"<!DOCTYPE", b"<?"]
        .iter()
        .any(|token| token.starts_with(rest))
}
