//! Each fault option does what it says, on a synthetic feed.

use model::{Duration, Time};
use sim::faults::FaultInjector;
use sim::random::{SimRng, StreamClass};
use sim::report::{CotReport, Frame, Report};
use sim::scenario::{FaultSpec, StallSpec};

fn t(s: i64) -> Time {
    Time::from_unix_us(1_757_462_400_000_000 + s * 1_000_000)
}

fn report(n: u32) -> Report {
    Report::Cot(CotReport {
        time: t(i64::from(n)),
        uid: format!("u{n}"),
        cot_type: "a-u-A".into(),
        lat_deg: 50.0,
        lon_deg: 24.0,
        hae_m: 0.0,
        ce_m: 10.0,
        le_m: 10.0,
        stale_s: 60.0,
        callsign: None,
        course_deg: None,
        speed_mps: None,
        remarks: None,
        truth: Some(n),
    })
}

fn spec() -> FaultSpec {
    FaultSpec {
        sensor: "*".into(),
        drop: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
        reorder_window: 4,
        corrupt: 0.0,
        clock_skew: Duration::ZERO,
        stall: None,
    }
}

/// Feeds 20,000 one-report frames through `spec`; returns the truth ids sent and the counts.
fn through(spec: FaultSpec) -> (Vec<(Time, u32)>, sim::faults::FaultCounts) {
    let mut injector = FaultInjector::new(spec, SimRng::stream(9, StreamClass::Fault, 0));
    let mut sent = Vec::new();
    let mut collect = |f: Frame| {
        for r in f.reports {
            let Report::Cot(c) = r else { unreachable!() };
            sent.push((c.time, c.truth.unwrap()));
        }
    };
    for n in 0..20_000 {
        injector.push(
            Frame {
                time: t(i64::from(n)),
                reports: vec![report(n)],
            },
            &mut collect,
        );
    }
    injector.finish(t(20_000), &mut collect);
    (sent, injector.counts)
}

#[test]
fn no_faults_is_the_identity() {
    let (sent, _) = through(spec());
    assert_eq!(
        sent.iter().map(|s| s.1).collect::<Vec<_>>(),
        (0..20_000).collect::<Vec<_>>()
    );
}

#[test]
fn drop_rate_is_the_configured_rate() {
    let (sent, counts) = through(FaultSpec {
        drop: 0.1,
        ..spec()
    });
    let rate = 1.0 - sent.len() as f64 / 20_000.0;
    assert!((rate - 0.1).abs() < 0.01, "{rate}");
    assert_eq!(counts.dropped as usize, 20_000 - sent.len());
    assert!(
        sent.windows(2).all(|w| w[0].1 < w[1].1),
        "dropping must not reorder"
    );
}

#[test]
fn duplicates_are_adjacent_copies() {
    let (sent, counts) = through(FaultSpec {
        duplicate: 0.05,
        ..spec()
    });
    let repeats = sent.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(repeats as u64, counts.duplicated);
    assert!((repeats as f64 / 20_000.0 - 0.05).abs() < 0.01, "{repeats}");
    assert_eq!(sent.len(), 20_000 + repeats);
}

#[test]
fn reorder_keeps_every_report_but_not_the_order() {
    let (sent, counts) = through(FaultSpec {
        reorder: 0.05,
        reorder_window: 6,
        ..spec()
    });
    let mut ids: Vec<u32> = sent.iter().map(|s| s.1).collect();
    let inversions = ids.windows(2).filter(|w| w[0] > w[1]).count();
    assert!(inversions > 500, "{inversions}");
    assert!(counts.reordered > 800, "{counts:?}");
    // Nothing is held back further than the window (plus its own slot).
    for (pos, id) in ids.iter().enumerate() {
        assert!(
            pos as i64 - i64::from(*id) <= 7,
            "report {id} came out at {pos}"
        );
    }
    ids.sort_unstable();
    assert_eq!(ids, (0..20_000).collect::<Vec<_>>());
}

#[test]
fn clock_skew_shifts_every_timestamp() {
    let (sent, _) = through(FaultSpec {
        clock_skew: Duration::from_secs(-3),
        ..spec()
    });
    assert!(sent.iter().all(|(time, id)| *time == t(i64::from(*id) - 3)));
}

#[test]
fn a_stall_sends_nothing_then_the_backlog() {
    let stall = StallSpec {
        from: t(100),
        to: t(200),
    };
    let mut injector = FaultInjector::new(
        FaultSpec {
            stall: Some(stall),
            ..spec()
        },
        SimRng::stream(9, StreamClass::Fault, 1),
    );
    let mut arrivals: Vec<(u32, u32)> = Vec::new(); // (pushed after frame n, report id)
    for n in 0..300 {
        injector.push(
            Frame {
                time: t(i64::from(n)),
                reports: vec![report(n)],
            },
            &mut |f| {
                for r in f.reports {
                    let Report::Cot(c) = r else { unreachable!() };
                    arrivals.push((n, c.truth.unwrap()));
                }
            },
        );
    }
    // Reports 100..200 all arrive when report 200 is pushed, in order.
    assert!(
        arrivals
            .iter()
            .filter(|a| (100..200).contains(&a.1))
            .all(|a| a.0 == 200)
    );
    assert_eq!(arrivals.len(), 300);
    assert_eq!(injector.counts.stalled_frames, 100);
}

#[test]
fn corruption_changes_bytes_at_the_rate() {
    let mut injector = FaultInjector::new(
        FaultSpec {
            corrupt: 0.2,
            ..spec()
        },
        SimRng::stream(9, StreamClass::Fault, 2),
    );
    let original = vec![0x30u8; 64];
    let mut changed = 0;
    for _ in 0..5_000 {
        let mut bytes = original.clone();
        injector.corrupt(&mut bytes);
        let diff = bytes.iter().zip(&original).filter(|(a, b)| a != b).count();
        assert!(diff <= 1);
        changed += diff;
    }
    assert!((changed as f64 / 5_000.0 - 0.2).abs() < 0.02, "{changed}");
}
