//! Fuzzes the CoT decoder: any bytes, fed in two chunks split where the first
//! byte says, must decode without panicking into well-formed records whose
//! rejections keep at most the quarantine cap; then the same bytes as one
//! event through the encoder and back must be stable.
#![no_main]

use feeds::{Collect, Decoder, DecoderConfig, Record};
use libfuzzer_sys::fuzz_target;
use model::{SourceId, Time};

fuzz_target!(|data: &[u8]| {
    let config = DecoderConfig {
        source: SourceId::new("fuzz"),
        day: Time::from_unix_us(0),
    };
    let mut decoder = feeds::cot::CotDecoder::new(&config);
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
    for error in &out.errors {
        assert!(error.raw.len() <= feeds::limits::quarantine_record_bytes_max);
    }
    // What decodes, re-encodes to something that decodes to the same event.
    let (events, _) = feeds::cot::read_events(data);
    for event in events {
        let (again, errors) = feeds::cot::read_events(feeds::cot::to_xml(&event).as_bytes());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(again, vec![event]);
    }
});
