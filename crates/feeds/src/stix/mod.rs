//! STIX 2.1: the cyber-threat-intelligence documents that carry incidents on
//! infrastructure and who is behind them.
//!
//! [`StixDecoder`] reads bundles (and, tolerantly, bare JSON arrays of objects,
//! which it reports) into typed [`StixObject`]s, one [`Record::Stix`] each. A bad
//! object is rejected with its line and bytes and the others are kept;
//! duplicate ids are reported as notes, not rejected (the OASIS sample of the
//! Incident Core Extension has one). Several documents may follow each other
//! in one input (concatenated or one per line). [`resolve`] answers "incident X
//! on infrastructure Y, attributed to Z with confidence C"; [`bundle_json`]
//! writes bundles.

mod encode;
mod object;
mod resolve;

pub use encode::{bundle_json, deterministic_id};
pub use object::{
    AttackPattern, Common, ExternalReference, Identity, Incident, Indicator, Infrastructure,
    IntrusionSet, KillChainPhase, Kind, ObservedData, Relationship, Sighting, StixObject,
    ThreatActor, stix_time,
};
pub use resolve::{Actor, Attribution, Basis, IncidentReport, resolve};

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::limits::{quarantine_record_bytes_max, stix_document_bytes_max};
use crate::{DecodeError, Decoder, Format, Place, Record, Sink};

/// What the STIX decoder emits: an object, or a note about the input that
/// rejects nothing (a bare array instead of a bundle, a duplicate id).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StixRecord {
    Object(Box<StixObject>),
    Note(StixNote),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixNote {
    pub place: Place,
    pub message: String,
}

/// Decodes STIX 2.1 JSON documents.
#[derive(Debug, Default)]
pub struct StixDecoder {
    pending: Vec<u8>,
    /// Stream offset and 0-based line of `pending[0]`.
    offset: u64,
    line: u64,
    /// `(id, modified)` seen so far, to report duplicates with the first place.
    seen: HashMap<(String, Option<model::Time>), Place>,
    /// Set when a document exceeded the bound: bytes are dropped until the end.
    overflowed: Option<Place>,
}

impl StixDecoder {
    pub fn new() -> StixDecoder {
        StixDecoder::default()
    }
}

impl Decoder for StixDecoder {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn Sink) {
        if self.overflowed.is_some() {
            return;
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() > stix_document_bytes_max {
            self.overflowed = Some(Place::Line {
                line: self.line + 1,
                byte: self.offset,
            });
            let raw = self.pending[..quarantine_record_bytes_max].to_vec();
            self.pending = Vec::new();
            sink.error(DecodeError {
                format: Format::Stix,
                place: self.overflowed.unwrap_or(Place::Byte(0)),
                reason: format!(
                    "document longer than {stix_document_bytes_max} bytes; rest of input skipped"
                ),
                raw,
            });
            return;
        }
        // Parse only when the buffer may end a document: avoids re-reading a
        // large document once per chunk.
        let last = self.pending.iter().rev().find(|b| !b.is_ascii_whitespace());
        if matches!(last, Some(b'}' | b']')) {
            self.parse_pending(false, sink);
        }
    }

    fn finish(&mut self, sink: &mut dyn Sink) {
        if self.overflowed.is_none() {
            self.parse_pending(true, sink);
        }
    }
}

impl StixDecoder {
    fn place_at(&self, buf: &[u8], at: usize) -> Place {
        let lines = buf[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        Place::Line {
            line: self.line + lines + 1,
            byte: self.offset + at as u64,
        }
    }

    fn parse_pending(&mut self, finishing: bool, sink: &mut dyn Sink) {
        let buf = std::mem::take(&mut self.pending);
        let mut stream = serde_json::Deserializer::from_slice(&buf).into_iter::<&RawValue>();
        let mut used = 0;
        loop {
            match stream.next() {
                None => {
                    used = buf.len();
                    break;
                }
                Some(Ok(doc)) => {
                    used = stream.byte_offset();
                    self.document(&buf, doc, sink);
                }
                Some(Err(err)) if err.is_eof() && !finishing => break,
                Some(Err(err)) => {
                    let start = used
                        + buf[used..]
                            .iter()
                            .take_while(|b| b.is_ascii_whitespace())
                            .count();
                    sink.error(DecodeError {
                        format: Format::Stix,
                        place: self.place_at(&buf, start),
                        reason: format!("not JSON: {err}; rest of input skipped"),
                        raw: buf[start..]
                            .iter()
                            .take(quarantine_record_bytes_max)
                            .copied()
                            .collect(),
                    });
                    used = buf.len();
                    break;
                }
            }
        }
        let lines = buf[..used].iter().filter(|&&b| b == b'\n').count() as u64;
        self.line += lines;
        self.offset += used as u64;
        self.pending = buf[used..].to_vec();
    }

    fn document(&mut self, buf: &[u8], doc: &RawValue, sink: &mut dyn Sink) {
        let at = offset_in(buf, doc.get());
        let place = self.place_at(buf, at);
        let objects: Vec<&RawValue> = if doc.get().starts_with('[') {
            sink.record(Record::Stix(StixRecord::Note(StixNote {
                place,
                message: "a bare JSON array of objects, not a STIX bundle; read anyway".to_owned(),
            })));
            match Vec::<&RawValue>::deserialize(doc) {
                Ok(objects) => objects,
                Err(err) => return self.reject(buf, doc.get(), format!("array: {err}"), sink),
            }
        } else {
            match Envelope::deserialize(doc) {
                Ok(envelope) if envelope.object_type == "bundle" => {
                    envelope.objects.unwrap_or_default()
                }
                // A lone object is read as a bundle of one.
                Ok(_) => vec![doc],
                Err(err) => {
                    return self.reject(buf, doc.get(), format!("expected a bundle: {err}"), sink);
                }
            }
        };
        for object in objects {
            self.object(buf, object, sink);
        }
    }

    fn object(&mut self, buf: &[u8], raw: &RawValue, sink: &mut dyn Sink) {
        let value: serde_json::Value = match serde_json::from_str(raw.get()) {
            Ok(value) => value,
            Err(err) => return self.reject(buf, raw.get(), err.to_string(), sink),
        };
        match StixObject::from_json(&value) {
            Ok(object) => {
                let place = self.place_at(buf, offset_in(buf, raw.get()));
                let key = (object.common.id.clone(), object.common.modified);
                if let Some(first) = self.seen.get(&key) {
                    let message = format!(
                        "duplicate id `{}` with the same `modified` (first at {first}); both kept",
                        object.common.id
                    );
                    sink.record(Record::Stix(StixRecord::Note(StixNote { place, message })));
                } else {
                    self.seen.insert(key, place);
                }
                sink.record(Record::Stix(StixRecord::Object(Box::new(object))));
            }
            Err(reason) => {
                let id = value
                    .get("id")
                    .and_then(|v| v.as_str())
                    .unwrap_or("without id");
                self.reject(buf, raw.get(), format!("object `{id}`: {reason}"), sink);
            }
        }
    }

    fn reject(&self, buf: &[u8], text: &str, reason: String, sink: &mut dyn Sink) {
        let at = offset_in(buf, text);
        let raw = text.as_bytes();
        sink.error(DecodeError {
            format: Format::Stix,
            place: self.place_at(buf, at),
            reason,
            raw: raw[..raw.len().min(quarantine_record_bytes_max)].to_vec(),
        });
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", default)]
    object_type: String,
    #[serde(borrow, default)]
    objects: Option<Vec<&'a RawValue>>,
}

/// Where a sub-slice borrowed from `buf` starts in it.
fn offset_in(buf: &[u8], part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(buf.as_ptr() as usize)
        .min(buf.len())
}

/// The objects of a whole input, with notes and errors; for callers that
/// want the objects rather than records (the resolver, tests).
pub fn read_objects(input: &[u8]) -> (Vec<StixObject>, Vec<StixNote>, Vec<DecodeError>) {
    let collected = crate::decode_all(&mut StixDecoder::new(), input);
    let (mut objects, mut notes) = (Vec::new(), Vec::new());
    for record in collected.records {
        match record {
            Record::Stix(StixRecord::Object(object)) => objects.push(*object),
            Record::Stix(StixRecord::Note(note)) => notes.push(note),
            _ => {}
        }
    }
    (objects, notes, collected.errors)
}
