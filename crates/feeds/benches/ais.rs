//! AIS NMEA decoding throughput: sentences per second on one core, over a
//! simulated mix (class A and B positions, two-sentence type 5 static data).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feeds::ais::{AisDecoder, AisEncoder, Framing, Message, PositionReport, StaticVoyage};
use feeds::{DecodeError, Decoder, DecoderConfig, Record, Sink};
use model::{SourceId, Time};

/// Counts what it is given, so the benchmark measures the decoder, not a Vec.
#[derive(Default)]
struct Count {
    n_records: u64,
    n_errors: u64,
}

impl Sink for Count {
    fn record(&mut self, record: Record) {
        self.n_records += 1;
        std::hint::black_box(record);
    }
    fn error(&mut self, error: DecodeError) {
        self.n_errors += 1;
        std::hint::black_box(error);
    }
}

/// `n_vessels` vessels each sending positions, one in ten of them type 5 too.
fn traffic(n_messages: usize, tag_blocks: bool) -> (Vec<u8>, usize) {
    let mut encoder = AisEncoder::new();
    let mut out = String::new();
    let mut n_sentences = 0;
    for k in 0..n_messages {
        let mmsi = 244_000_000 + (k as u32 % 500);
        let lat = 54.0 + (k % 997) as f64 * 1e-3;
        let lon = 18.0 + (k % 991) as f64 * 1e-3;
        let message = match k % 10 {
            0 => Message::StaticVoyage(StaticVoyage {
                mmsi,
                callsign: "SPA1234".into(),
                name: "BALTIC TRADER".into(),
                ship_type: 70,
                destination: "GDANSK".into(),
                ..StaticVoyage::default()
            }),
            1..=3 => Message::Position(PositionReport::class_b(
                mmsi,
                lat,
                lon,
                Some(6.5),
                Some(45.0),
            )),
            _ => {
                let mut report = PositionReport::class_a(mmsi, lat, lon, Some(12.3), Some(271.4));
                report.second = (k % 60) as u8;
                Message::Position(report)
            }
        };
        let framing = Framing {
            channel: if k % 2 == 0 { b'A' } else { b'B' },
            tag_time: tag_blocks
                .then(|| Time::from_unix_us(1_757_462_400_000_000 + k as i64 * 100_000)),
            tag_source: tag_blocks.then(|| "rx1".to_owned()),
        };
        n_sentences += encoder
            .encode(&message, &framing, &mut out)
            .expect("encodable");
    }
    (out.into_bytes(), n_sentences)
}

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`), so a
/// figure taken on a shared, loaded machine is not inflated by the time the
/// scheduler gave to others. `None` off Linux.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn decode_once(config: &DecoderConfig, input: &[u8]) -> u64 {
    let mut decoder = AisDecoder::new(config.clone());
    let mut sink = Count::default();
    decoder.feed(input, &mut sink);
    decoder.finish(&mut sink);
    assert_eq!(sink.n_errors, 0);
    sink.n_records
}

fn bench(c: &mut Criterion) {
    let config = DecoderConfig {
        source: SourceId::new("ais:bench"),
        day: Time::from_unix_us(1_757_462_400_000_000),
    };
    let mut group = c.benchmark_group("ais");
    for (name, tag_blocks) in [("decode", false), ("decode_tag_blocks", true)] {
        let (input, n_sentences) = traffic(20_000, tag_blocks);
        group.throughput(Throughput::Elements(n_sentences as u64));
        group.bench_function(name, |b| b.iter(|| decode_once(&config, &input)));
        if thread_cpu_ns().is_some() {
            // The same work timed in on-CPU time of the benchmark thread.
            group.bench_function(format!("{name}_on_cpu"), |b| {
                b.iter_custom(|iters| {
                    let start = thread_cpu_ns().unwrap_or(0);
                    for _ in 0..iters {
                        std::hint::black_box(decode_once(&config, &input));
                    }
                    std::time::Duration::from_nanos(thread_cpu_ns().unwrap_or(0) - start)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
