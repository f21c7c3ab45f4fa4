//! Fuzzes the ASTERIX decoder: any bytes, as one datagram and as a stream cut
//! where the first byte says, must decode without panicking into finite
//! observations; whatever the record decoders accept must re-encode to bytes
//! that decode and re-encode identically.
#![no_main]

use feeds::asterix::{
    AsterixDecoder, AsterixOptions, AsterixRecord, Cat021Record, Cat048Record, Cat062Record,
    Framing, encode_block,
};
use feeds::{Collect, Decoder, DecoderConfig};
use libfuzzer_sys::fuzz_target;
use model::{SourceId, Time};

fn config() -> DecoderConfig {
    DecoderConfig {
        source: SourceId::new("fuzz"),
        day: Time::from_unix_us(0),
    }
}

fn reencode<R: AsterixRecord>(block: &[u8], decode: fn(&[u8]) -> Result<Vec<R>, String>) {
    let Ok(records) = decode(block) else { return };
    let Ok(bytes) = encode_block(&records) else {
        return;
    };
    let again = decode(&bytes).expect("our own encoding decodes");
    assert_eq!(encode_block(&again).expect("decoded records encode"), bytes);
}

fuzz_target!(|data: &[u8]| {
    let mut datagram = AsterixDecoder::new(config());
    let out = feeds::decode_all(&mut datagram, data);
    assert!(out.observations().all(|o| o.is_finite()));
    assert!(
        out.errors
            .iter()
            .all(|e| e.raw.len() <= feeds::limits::quarantine_record_bytes_max)
    );

    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let mut stream =
        AsterixDecoder::with_options(config(), AsterixOptions::default(), Framing::Stream);
    let mut cut = Collect::default();
    stream.feed(&data[..split], &mut cut);
    stream.feed(&data[split..], &mut cut);
    stream.finish(&mut cut);
    assert!(cut.observations().all(|o| o.is_finite()));

    match data.first() {
        Some(48) => reencode(data, Cat048Record::decode_block),
        Some(62) => reencode(data, Cat062Record::decode_block),
        Some(21) => reencode(data, Cat021Record::decode_block),
        _ => {}
    }
});
