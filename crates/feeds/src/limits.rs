//! Every bound on what the decoders hold, in one place.

/// Bytes of a rejected record kept for the quarantine file.
#[allow(non_upper_case_globals)]
pub const quarantine_record_bytes_max: usize = 4096;

/// Bytes of one CoT event (from `<event` to `</event>`); TAK's own stream
/// framing caps a message at 64 KiB, and anything longer is rejected and
/// skipped rather than buffered without end.
#[allow(non_upper_case_globals)]
pub const cot_event_bytes_max: usize = 64 * 1024;

/// XML elements nested inside one CoT event; deeper nesting is an error, so a
/// hostile event cannot make the parser track an unbounded stack.
#[allow(non_upper_case_globals)]
pub const cot_depth_max: usize = 32;

/// Bytes of one STIX document (a bundle or a bare array) held until it parses.
#[allow(non_upper_case_globals)]
pub const stix_document_bytes_max: usize = 64 * 1024 * 1024;

/// Objects followed from an incident when the STIX resolver walks relationships.
#[allow(non_upper_case_globals)]
pub const stix_resolve_depth_max: usize = 8;

/// Bytes read from a stream or file in one go and handed to a decoder.
#[allow(non_upper_case_globals)]
pub const source_chunk_bytes_max: usize = 64 * 1024;

/// One UDP datagram (the largest IPv4 payload).
#[allow(non_upper_case_globals)]
pub const udp_datagram_bytes_max: usize = 65_507;

const _: () = assert!(cot_event_bytes_max <= stix_document_bytes_max);
const _: () = assert!(quarantine_record_bytes_max <= cot_event_bytes_max);

/// Octets (or parts) of one FX-extended ASTERIX field; no edition defines more
/// than six, so a longer run is malformed rather than buffered.
#[allow(non_upper_case_globals)]
pub const asterix_extended_octets_max: usize = 16;

/// Bytes of one ASTERIX data block: its LEN field is 16 bits. A stream decoder
/// holds at most one incomplete block.
#[allow(non_upper_case_globals)]
pub const asterix_block_bytes_max: usize = 65_535;

/// Distinct SAC/SIC pairs whose `SensorId` the ASTERIX decoder keeps formatted;
/// beyond this it formats the id afresh per record (slower, still correct).
#[allow(non_upper_case_globals)]
pub const asterix_sensors_max: usize = 1024;

const _: () = assert!(quarantine_record_bytes_max <= asterix_block_bytes_max);

/// Bytes of one NMEA line, tag block and receiver columns included. NMEA 0183
/// caps a sentence at 82 characters; a tag block and USCG-style receive
/// columns add under 200 more.
#[allow(non_upper_case_globals)]
pub const nmea_line_bytes_max: usize = 512;

/// Payload characters of one assembled AIS message: the longest message
/// (5 slots, 1 008 bits + stuffing) is 168 characters; we allow a margin.
#[allow(non_upper_case_globals)]
pub const ais_payload_chars_max: usize = 512;

/// Multi-sentence AIS messages awaiting fragments at once; when full, the
/// oldest is dropped and reported. Only ten sequence ids per channel exist.
#[allow(non_upper_case_globals)]
pub const ais_fragments_pending_max: usize = 64;

/// Lines after which an incomplete multi-sentence message is reported as
/// orphan fragments and dropped.
#[allow(non_upper_case_globals)]
pub const ais_fragment_lines_max: u64 = 256;

/// Vessels whose static data (name, callsign, type) is remembered; when full
/// the least recently heard half is forgotten.
#[allow(non_upper_case_globals)]
pub const ais_vessels_max: usize = 100_000;

/// Bytes of one SBS (BaseStation) line.
#[allow(non_upper_case_globals)]
pub const sbs_line_bytes_max: usize = 512;

/// Aircraft whose callsign, altitude and velocity are remembered to merge into
/// positions; when full the least recently heard half is forgotten.
#[allow(non_upper_case_globals)]
pub const sbs_aircraft_max: usize = 100_000;

const _: () = assert!(nmea_line_bytes_max <= quarantine_record_bytes_max);
const _: () = assert!(sbs_line_bytes_max <= quarantine_record_bytes_max);
const _: () = assert!(ais_fragments_pending_max >= 2 * 10);
