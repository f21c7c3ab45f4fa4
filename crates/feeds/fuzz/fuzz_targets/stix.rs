//! Fuzzes the STIX decoder and resolver: any bytes must decode without
//! panicking, and the resolver must answer on whatever objects came out.
#![no_main]

use feeds::Decoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = feeds::stix::StixDecoder::new();
    let mut out = feeds::Collect::default();
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    decoder.feed(&data[..split], &mut out);
    decoder.feed(&data[split..], &mut out);
    decoder.finish(&mut out);
    let (objects, _, _) = feeds::stix::read_objects(data);
    for report in feeds::stix::resolve(&objects) {
        let _ = report.to_string();
    }
});
