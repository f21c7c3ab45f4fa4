//! Fuzzes the AIS NMEA decoder: any bytes, fed in two chunks split where the
//! first byte says, must decode without panicking into well-formed records.
#![no_main]

use feeds::{Collect, Decoder, DecoderConfig, Record};
use libfuzzer_sys::fuzz_target;
use model::{SourceId, Time};

fuzz_target!(|data: &[u8]| {
    let config = DecoderConfig {
        source: SourceId::new("fuzz"),
        day: Time::from_unix_us(0),
    };
    let mut decoder = feeds::ais::AisDecoder::new(config);
    let mut out = Collect::default();
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    decoder.feed(&data[..split], &mut out);
    decoder.feed(&data[split..], &mut out);
    decoder.finish(&mut out);
    for record in &out.records {
        if let Record::Observation(o) = record {
            assert!(o.is_finite());
        }
    }
    // The message layer on its own, as peers and tests use it.
    for line in data.split(|&b| b == b'\n') {
        if let Ok(feeds::ais::Line::Ais(s)) = feeds::ais::parse_line(line) {
            let _ = feeds::ais::decode_payload(s.payload, s.fill_bits);
        }
    }
});
