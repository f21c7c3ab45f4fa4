//! CoT decoding throughput: a stream of TAK-style events (PLI with contact,
//! track, group and remarks) decoded to observations, one core.
//!
//! `cargo bench -p feeds --bench cot`; the bar is 300,000 events a second on one core,
//! which `decode_stream_whole_on_cpu` measures in the thread's on-CPU time.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feeds::cot::{CotDecoder, CotDetail, CotEvent, CotGroup, CotPoint, write_event};
use feeds::{Decoder, DecoderConfig, Record, Sink};
use model::{SourceId, Time};

#[path = "common/cpu_time.rs"]
mod cpu_time;

const N_EVENTS: usize = 10_000;

fn stream() -> Vec<u8> {
    let t0 = Time::parse_rfc3339("2025-09-10T01:30:00Z").expect("a valid time");
    let mut out = String::new();
    for i in 0..N_EVENTS {
        let time = Time::from_unix_us(t0.unix_us + i as i64 * 250_000);
        let event = CotEvent {
            uid: format!("drone-{}", i % 500),
            cot_type: "a-h-A-M-F-Q".to_owned(),
            how: "m-r".to_owned(),
            time,
            start: time,
            stale: Time::from_unix_us(time.unix_us + 30_000_000),
            point: CotPoint {
                lat_deg: 50.1 + (i % 100) as f64 * 0.001,
                lon_deg: 23.9 + (i % 77) as f64 * 0.001,
                hae_m: Some(150.0 + (i % 13) as f64),
                ce_m: Some(35.5),
                le_m: Some(20.0),
            },
            detail: CotDetail {
                callsign: Some(format!("HOSTILE-{i}")),
                course_deg: Some(271.5),
                speed_mps: Some(51.4),
                group: Some(CotGroup {
                    name: "Red".to_owned(),
                    role: "Team Member".to_owned(),
                }),
                remarks: Some("radar track, Shahed-type".to_owned()),
                producer_uid: Some("radar-lublin".to_owned()),
            },
        };
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
        write_event(&event, &mut out);
        out.push('\n');
    }
    out.into_bytes()
}

/// Counts instead of storing, so the benchmark measures decoding.
#[derive(Default)]
struct Count {
    records: usize,
    errors: usize,
}

impl Sink for Count {
    fn record(&mut self, record: Record) {
        black_box(&record);
        self.records += 1;
    }
    fn error(&mut self, _: feeds::DecodeError) {
        self.errors += 1;
    }
}

fn decode(c: &mut Criterion) {
    let input = stream();
    let config = DecoderConfig {
        source: SourceId::new("bench"),
        day: Time::UNIX_EPOCH,
    };
    let mut group = c.benchmark_group("cot");
    group.throughput(Throughput::Elements(N_EVENTS as u64));
    let whole = || {
        let mut decoder = CotDecoder::new(&config);
        let mut sink = Count::default();
        decoder.feed(black_box(&input), &mut sink);
        decoder.finish(&mut sink);
        assert_eq!((sink.records, sink.errors), (N_EVENTS, 0));
    };
    group.bench_function("decode_stream_whole", |b| b.iter(whole));
    if cpu_time::thread_cpu_ns().is_some() {
        group.bench_function("decode_stream_whole_on_cpu", |b| {
            b.iter_custom(|iters| cpu_time::on_cpu(iters, whole))
        });
    }
    group.bench_function("decode_stream_tcp_chunks", |b| {
        b.iter(|| {
            let mut decoder = CotDecoder::new(&config);
            let mut sink = Count::default();
            for chunk in input.chunks(1460) {
                decoder.feed(black_box(chunk), &mut sink);
            }
            decoder.finish(&mut sink);
            assert_eq!((sink.records, sink.errors), (N_EVENTS, 0));
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
