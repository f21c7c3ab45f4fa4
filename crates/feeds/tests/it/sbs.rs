//! SBS (BaseStation port 30003): the real capture decodes, bad lines are
//! named and skipped, per-aircraft state merges, encode→decode round trips.

use std::path::Path;

use feeds::sbs::{self, SbsDecoder, SbsLine};
use feeds::{Collect, Decoder, DecoderConfig, Place, decode_all};
use model::{Digest, Measurement, SourceId, Time};
use proptest::prelude::*;

fn config() -> DecoderConfig {
    DecoderConfig {
        source: SourceId::new("sbs:test"),
        day: Time::parse_rfc3339("2018-04-03T00:00:00Z").unwrap(),
    }
}

/// The GPL capture stays in ../shared (not copied into the repo).
const SHARED_SBS: &str = "../../../shared/testdata/adsb/ulss7_20180403.sbs.expected.txt";

#[test]
fn real_capture_decodes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHARED_SBS);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: {} absent (GPL sample, read from ../shared only)",
            path.display()
        );
        return;
    };
    let out = decode_all(&mut SbsDecoder::new(config()), text.as_bytes());
    // Counted without our parser: MSG lines whose latitude and longitude are filled in.
    let n_positions = text
        .lines()
        .filter(|l| l.starts_with("MSG,"))
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f.len() == 22 && !f[14].is_empty() && !f[15].is_empty()
        })
        .count();
    assert!(n_positions > 600);
    assert_eq!(out.observations().count(), n_positions);
    // The file ends with two lines of the tool's summary: rejected, named.
    let n_lines = text.lines().count() as u64;
    let places: Vec<u64> = out
        .errors
        .iter()
        .map(|e| match e.place {
            Place::Line { line, .. } => line,
            Place::Byte(b) => b,
        })
        .collect();
    assert_eq!(places, [n_lines - 1, n_lines], "{:#?}", out.errors);
    assert!(
        out.errors[0]
            .reason
            .contains("expected a message type `MSG`")
    );

    let line = "MSG,3,1,1,400159,1,2018/04/03,19:03:29.021,2018/04/10,21:24:39.724,,2625,,,59.74472,30.57192,,,,,,0";
    let o = out
        .observations()
        .find(|o| o.raw_digest == Digest::of(line.as_bytes()))
        .expect("the 400159 position");
    assert_eq!(
        o.time.to_string(),
        "2018-04-03T19:03:29.021Z",
        "event time is the generated time"
    );
    assert_eq!(o.identity.icao24, Some(0x400159));
    let Measurement::Position {
        position,
        vertical_sigma_m,
        ..
    } = &o.measurement
    else {
        panic!()
    };
    assert_eq!((position.lat_deg, position.lon_deg), (59.74472, 30.57192));
    assert!((position.alt_m - 2625.0 * 0.3048).abs() < 1e-9);
    assert_eq!(*vertical_sigma_m, Some(sbs::VERTICAL_SIGMA_M));
    // Callsigns from MSG,1 reach later positions of the same aircraft.
    assert!(out.observations().any(|o| o.identity.callsign.is_some()));
    assert!(out.observations().any(|o| matches!(
        o.measurement,
        Measurement::Position {
            velocity: Some(_),
            ..
        }
    )));
    assert!(out.observations().all(|o| o.is_finite()));
}

#[test]
fn state_merges_into_positions() {
    let t0 = Time::parse_rfc3339("2025-09-10T01:30:00Z").unwrap();
    let later = |s: i64| t0 + model::Duration::from_secs(s);
    let mut text = String::new();
    SbsLine::identification(0x48AE01, t0, "LOT3915").write(&mut text);
    SbsLine::velocity(0x48AE01, later(1), 450.0, 90.0, -600).write(&mut text);
    SbsLine::position(0x48AE01, later(2), 52.1, 21.0, Some(35_000)).write(&mut text);
    // Twenty seconds on, the velocity is stale and left out.
    SbsLine::position(0x48AE01, later(21), 52.2, 21.1, None).write(&mut text);
    let out = decode_all(&mut SbsDecoder::new(config()), text.as_bytes());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let obs: Vec<_> = out.observations().collect();
    assert_eq!(obs.len(), 2);
    assert_eq!(obs[0].identity.callsign.as_deref(), Some("LOT3915"));
    let Measurement::Position {
        velocity: Some(v), ..
    } = &obs[0].measurement
    else {
        panic!("velocity merged")
    };
    assert!((v.ve_mps - 450.0 * 1852.0 / 3600.0).abs() < 1e-6);
    assert!((v.vu_mps + 600.0 * 0.3048 / 60.0).abs() < 1e-9);
    let Measurement::Position {
        velocity,
        vertical_sigma_m,
        ..
    } = &obs[1].measurement
    else {
        panic!()
    };
    assert_eq!((velocity, vertical_sigma_m), (&None, &None));
}

#[test]
fn bad_lines_are_named_and_skipped() {
    let good = "MSG,3,1,1,780A5C,1,2018/04/03,19:02:28.298,2018/04/10,21:24:39.437,,33000,,,59.1,30.2,,,,,,0";
    let cases = [
        (
            "MSG,3,1,1,780A5C,1,2018/04/03,19:02:28.298",
            "expected 22 comma-separated fields",
        ),
        (
            "MSG,9,1,1,780A5C,1,2018/04/03,19:02:28.298,2018/04/10,21:24:39.437,,33000,,,59.1,30.2,,,,,,0",
            "transmission type",
        ),
        (
            "MSG,3,1,1,78ZA5C,1,2018/04/03,19:02:28.298,2018/04/10,21:24:39.437,,33000,,,59.1,30.2,,,,,,0",
            "6 hex digits",
        ),
        (
            "MSG,3,1,1,780A5C,1,2018-04-03,19:02:28.298,2018/04/10,21:24:39.437,,33000,,,59.1,30.2,,,,,,0",
            "YYYY/MM/DD",
        ),
        (
            "MSG,3,1,1,780A5C,1,2018/04/03,19:02:28.298,2018/04/10,21:24:39.437,,33000,,,99.1,30.2,,,,,,0",
            "latitude",
        ),
        (
            "MSG,3,1,1,780A5C,1,2018/04/03,19:02:28.298,2018/04/10,21:24:39.437,,33000,,,NaN,30.2,,,,,,0",
            "latitude",
        ),
        ("garbage \u{1}\u{2}", "expected a message type"),
        // A two-byte character across the 16-byte cut of the quoted field
        // once panicked (cargo-fuzz crash-da09e47a).
        ("abcdefghijklmno\u{277}xyz,1", "expected a message type"),
    ];
    let mut text = format!("{good}\n");
    for (line, _) in &cases {
        text += line;
        text += "\n";
    }
    text += &"X".repeat(2000);
    text += "\n";
    text += good;
    let out = decode_all(&mut SbsDecoder::new(config()), text.as_bytes());
    assert_eq!(out.observations().count(), 2);
    for (k, (_, words)) in cases.iter().enumerate() {
        let e = &out.errors[k];
        assert_eq!(
            e.place,
            Place::Line {
                line: k as u64 + 2,
                byte: e_byte(&text, k + 1)
            }
        );
        assert!(
            e.reason.contains(words),
            "line {}: {} lacks {words:?}",
            k + 2,
            e.reason
        );
    }
    assert!(
        out.errors[cases.len()]
            .reason
            .contains("longer than 512 bytes")
    );
    assert_eq!(out.errors.len(), cases.len() + 1);
}

fn e_byte(text: &str, line_idx: usize) -> u64 {
    text.split_inclusive('\n')
        .take(line_idx)
        .map(|l| l.len() as u64)
        .sum()
}

proptest! {
    #[test]
    fn encode_decode_round_trip(
        transmission in prop_oneof![Just(1u8), Just(3), Just(4), Just(5)],
        icao24 in 0u32..1 << 24,
        unix_ms in 1_500_000_000_000i64..1_900_000_000_000,
        lat in -90.0f64..90.0, lon in -180.0f64..180.0,
        alt in -1000i32..60_000, speed in 0.0f64..700.0, track in 0.0f64..359.9, vrate in -6000i32..6000,
        callsign in "[A-Z0-9]{1,8}",
    ) {
        let t = Time::from_unix_us(unix_ms * 1000);
        let line = match transmission {
            1 => SbsLine::identification(icao24, t, &callsign),
            3 => SbsLine::position(icao24, t, lat, lon, Some(alt)),
            4 => SbsLine::velocity(icao24, t, speed, track, vrate),
            _ => SbsLine::altitude(icao24, t, alt),
        };
        let mut text = String::new();
        line.write(&mut text);
        let parsed = sbs::parse_line(text.as_bytes()).unwrap().unwrap();
        prop_assert_eq!(parsed.time, t);
        prop_assert_eq!((parsed.transmission, parsed.icao24, &parsed.callsign), (line.transmission, line.icao24, &line.callsign));
        prop_assert_eq!((parsed.altitude_ft, parsed.vertical_rate_fpm, parsed.on_ground), (line.altitude_ft, line.vertical_rate_fpm, line.on_ground));
        let close = |a: Option<f64>, b: Option<f64>, tol: f64| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= tol,
            (a, b) => a.is_none() && b.is_none(),
        };
        prop_assert!(close(parsed.lat_deg, line.lat_deg, 5e-6) && close(parsed.lon_deg, line.lon_deg, 5e-6));
        prop_assert!(close(parsed.ground_speed_kt, line.ground_speed_kt, 0.05) && close(parsed.track_deg, line.track_deg, 0.05));
    }

    #[test]
    fn hostile_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600), split in 0usize..600) {
        let mut decoder = SbsDecoder::new(config());
        let mut out = Collect::default();
        let split = split.min(bytes.len());
        decoder.feed(&bytes[..split], &mut out);
        decoder.feed(&bytes[split..], &mut out);
        decoder.finish(&mut out);
        for o in out.observations() {
            prop_assert!(o.is_finite());
        }
    }
}
