//! SBS (BaseStation) decoding throughput: lines per second on one core, over a
//! simulated mix of positions, velocities, callsigns and altitudes.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feeds::sbs::{SbsDecoder, SbsLine};
use feeds::{DecodeError, Decoder, DecoderConfig, Record, Sink};
use model::{Duration, SourceId, Time};

#[derive(Default)]
struct Count {
    n_errors: u64,
}

impl Sink for Count {
    fn record(&mut self, record: Record) {
        std::hint::black_box(record);
    }
    fn error(&mut self, error: DecodeError) {
        self.n_errors += 1;
        std::hint::black_box(error);
    }
}

fn traffic(n_lines: usize) -> Vec<u8> {
    let start = Time::from_unix_us(1_757_462_400_000_000);
    let mut out = String::new();
    for k in 0..n_lines {
        let icao = 0x48_0000 + (k as u32 % 300);
        let t = start + Duration::from_us(k as i64 * 10_000);
        let line = match k % 4 {
            0 => SbsLine::identification(icao, t, "LOT123"),
            1 => SbsLine::velocity(icao, t, 450.0, 87.5, -640),
            2 => SbsLine::altitude(icao, t, 35_000),
            _ => SbsLine::position(icao, t, 52.1 + (k % 100) as f64 * 1e-3, 21.0, Some(35_000)),
        };
        line.write(&mut out);
    }
    out.into_bytes()
}

/// On-CPU nanoseconds of this thread (Linux `schedstat`); see benches/ais.rs.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn decode_once(config: &DecoderConfig, input: &[u8]) {
    let mut decoder = SbsDecoder::new(config.clone());
    let mut sink = Count::default();
    decoder.feed(input, &mut sink);
    decoder.finish(&mut sink);
    assert_eq!(sink.n_errors, 0);
}

fn bench(c: &mut Criterion) {
    let config = DecoderConfig {
        source: SourceId::new("sbs:bench"),
        day: Time::from_unix_us(1_757_462_400_000_000),
    };
    let n_lines = 20_000;
    let input = traffic(n_lines);
    let mut group = c.benchmark_group("sbs");
    group.throughput(Throughput::Elements(n_lines as u64));
    group.bench_function("decode", |b| b.iter(|| decode_once(&config, &input)));
    if thread_cpu_ns().is_some() {
        group.bench_function("decode_on_cpu", |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_ns().unwrap_or(0);
                for _ in 0..iters {
                    decode_once(&config, &input);
                }
                std::time::Duration::from_nanos(thread_cpu_ns().unwrap_or(0) - start)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
