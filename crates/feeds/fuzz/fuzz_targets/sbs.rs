//! Fuzzes the SBS (BaseStation) decoder: any bytes, in two chunks, must decode
//! without panicking into well-formed observations.
#![no_main]

use feeds::{Collect, Decoder, DecoderConfig};
use libfuzzer_sys::fuzz_target;
use model::{SourceId, Time};

fuzz_target!(|data: &[u8]| {
    let config = DecoderConfig {
        source: SourceId::new("fuzz"),
        day: Time::from_unix_us(0),
    };
    let mut decoder = feeds::sbs::SbsDecoder::new(config);
    let mut out = Collect::default();
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    decoder.feed(&data[..split], &mut out);
    decoder.feed(&data[split..], &mut out);
    decoder.finish(&mut out);
    for o in out.observations() {
        assert!(o.is_finite());
    }
});
