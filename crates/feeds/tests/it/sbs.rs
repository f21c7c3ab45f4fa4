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

// ---- independent peers --------------------------------------------------

/// The GPL Beast capture the SBS file above was made from (../shared only).
const SHARED_BEAST: &str = "../../../shared/testdata/adsb/ulss7_20180403.beast";
/// Near the receiver of that capture (St Petersburg area): the reference for
/// pyModeS' single-message CPR decoding, valid within 180 NM.
const CAPTURE_REFERENCE: (f64, f64) = (59.7, 30.6);
const DUMP1090: &str = "/usr/bin/dump1090-mutability";

fn peers_dir() -> std::path::PathBuf {
    std::env::var_os("GUARANTOR_PEERS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/peers"))
}

/// A TCP port free on loopback now (dump1090 takes ports by number).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("an ephemeral port")
}

/// Kills the child when the test ends, passing or not.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs dump1090-mutability on loopback, feeds it the Beast capture on its
/// Beast input port and returns what it wrote on its SBS port; `None` when
/// dump1090 dropped our connection (it closes an SBS client the moment one
/// write does not fit the socket, which a loaded machine can provoke).
fn dump1090_sbs(beast: &[u8]) -> Option<String> {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    let [ri, ro, sbs, bi, bo] = std::array::from_fn(|_| free_port());
    let ports = [
        ("--net-ri-port", ri),
        ("--net-ro-port", ro),
        ("--net-sbs-port", sbs),
        ("--net-bi-port", bi),
        ("--net-bo-port", bo),
    ];
    let mut command = std::process::Command::new(DUMP1090);
    command.args(["--net-only", "--quiet", "--net-bind-address", "127.0.0.1"]);
    command.args(["--net-heartbeat", "0"]);
    for (flag, port) in ports {
        command.arg(flag).arg(port.to_string());
    }
    let _child = Child(
        command
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("dump1090 starts"),
    );
    // It listens once it has started; retry the connection until then.
    let connect = |port: u16| {
        (0..100)
            .find_map(|_| {
                TcpStream::connect(("127.0.0.1", port))
                    .map_err(|_| std::thread::sleep(Duration::from_millis(50)))
                    .ok()
            })
            .expect("dump1090 listens")
    };
    let mut sbs_out = connect(sbs);
    // Written from another thread while this one reads.
    let mut input = beast.to_vec();
    // Then a frame of an aircraft the capture does not hold (the DF17
    // identification of 4840D6, KLM1023, from the Mode S literature): its
    // MSG,1 line marks the end of dump1090's output for the capture.
    // Three times: dump1090 reports a new aircraft only once it has heard it
    // more than once.
    for _ in 0..3 {
        input.extend([0x1A, 0x33, 0, 0, 0, 0, 0, 1, 0x80]);
        input.extend([
            0x8D, 0x48, 0x40, 0xD6, 0x20, 0x2C, 0xC3, 0x71, 0xC3, 0x2C, 0xE0, 0x57, 0x60, 0x98,
        ]);
    }
    let mut beast_in = connect(bi);
    // Paced: dump1090 closes an SBS client whose socket buffer fills, and a
    // whole capture at once outruns a reader on a busy machine.
    let writer = std::thread::spawn(move || {
        for piece in input.chunks(512) {
            beast_in.write_all(piece)?;
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok::<(), std::io::Error>(())
    });
    sbs_out
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut text = Vec::new();
    let mut buf = [0u8; 65_536];
    let marker = b",4840D6,";
    // Scanning only what arrived (the test runs unoptimised, and a slow
    // reader is dropped).
    let mut marker_at = None;
    loop {
        let n = sbs_out
            .read(&mut buf)
            .expect("dump1090 writes SBS within a minute");
        if n == 0 {
            eprintln!("dump1090 closed its SBS port after {} bytes", text.len());
            return None;
        }
        let from = text.len().saturating_sub(marker.len());
        text.extend_from_slice(&buf[..n]);
        if marker_at.is_none() {
            marker_at = memchr::memmem::find(&text[from..], marker).map(|at| from + at);
        }
        if marker_at.is_some_and(|at| memchr::memchr(b'\n', &text[at..]).is_some()) {
            break;
        }
    }
    writer.join().unwrap().ok()?;
    let text = String::from_utf8(text).expect("SBS is ASCII");
    // The capture's lines only.
    Some(
        text.lines()
            .filter(|line| !line.contains(",4840D6,"))
            .map(|line| format!("{line}\n"))
            .collect(),
    )
}

/// Our SBS decoder on dump1090's SBS output of a real Beast capture agrees,
/// position by position, with pyModeS' own decoding of the same Beast frames:
/// ICAO address, latitude and longitude, and the barometric altitude.
#[test]
fn sbs_from_dump1090_agrees_with_pymodes_on_the_beast_frames() {
    let beast_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHARED_BEAST);
    let Ok(beast) = std::fs::read(&beast_path) else {
        eprintln!(
            "skipped: {} absent (GPL sample, read from ../shared only)",
            beast_path.display()
        );
        return;
    };
    if !Path::new(DUMP1090).exists() {
        eprintln!(
            "skipped: {DUMP1090} not installed (Debian dump1090-mutability; `cargo xtask peers`)"
        );
        return;
    }
    let python = peers_dir().join("adsb/bin/python");
    if !python.exists() {
        eprintln!(
            "skipped: pyModeS venv missing at {} (`cargo xtask peers`)",
            python.display()
        );
        return;
    }

    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/beast_positions_pymodes.py");
    let output = std::process::Command::new(&python)
        .arg(&script)
        .arg(&beast_path)
        .arg(CAPTURE_REFERENCE.0.to_string())
        .arg(CAPTURE_REFERENCE.1.to_string())
        .output()
        .expect("pyModeS runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // ICAO → (lat, lon, altitude ft) of every airborne position pyModeS read.
    let mut peer: std::collections::HashMap<u32, Vec<(f64, f64, Option<i64>)>> = Default::default();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let icao = u32::from_str_radix(v["icao"].as_str().unwrap(), 16).unwrap();
        peer.entry(icao).or_default().push((
            v["lat"].as_f64().unwrap(),
            v["lon"].as_f64().unwrap(),
            v["alt_ft"].as_i64(),
        ));
    }
    assert!(peer.values().map(Vec::len).sum::<usize>() > 1000);

    let text = (0..3)
        .find_map(|_| dump1090_sbs(&beast))
        .expect("dump1090 kept our SBS connection in one of three runs");
    let out = decode_all(&mut SbsDecoder::new(config()), text.as_bytes());
    assert!(
        out.errors.is_empty(),
        "{:#?}",
        &out.errors[..out.errors.len().min(5)]
    );
    let mut n_positions = 0;
    let mut n_agree = 0;
    for o in out.observations() {
        let Measurement::Position { position, .. } = &o.measurement else {
            panic!("SBS gives WGS84 positions")
        };
        n_positions += 1;
        let icao = o
            .identity
            .icao24
            .expect("every SBS line names its aircraft");
        // dump1090 writes 5 decimals; pyModeS' CPR arithmetic is its own.
        let same = peer
            .get(&icao)
            .into_iter()
            .flatten()
            .any(|&(lat, lon, alt_ft)| {
                (lat - position.lat_deg).abs() < 2e-5
                    && (lon - position.lon_deg).abs() < 2e-5
                    && alt_ft.is_some_and(|ft| (ft as f64 * 0.3048 - position.alt_m).abs() < 1e-6)
            });
        n_agree += usize::from(same);
    }
    eprintln!(
        "dump1090 → our SBS decoder: {n_positions} positions, {n_agree} as pyModeS reads the frame"
    );
    assert!(n_positions > 1000, "{n_positions} positions");
    // The few left are surface positions and aircraft beyond pyModeS'
    // 180 NM reference range (decoded globally by dump1090).
    assert!(
        n_agree * 100 >= n_positions * 90,
        "{n_agree} of {n_positions} agree"
    );
}

/// Lines our SBS encoder writes, served on TCP as port 30003 would, are read
/// by an independent BaseStation client (the npm package `sbs1`, installed
/// by `cargo xtask test` from tests/peers/sbs1's lockfile) field by field.
#[test]
fn sbs_encoder_output_is_read_by_the_sbs1_client() {
    use std::io::Write;

    let peer_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/sbs1");
    if !peer_dir.join("node_modules/sbs1").exists() {
        eprintln!(
            "skipped: npm package sbs1 not installed in {} (`npm ci` there, or `cargo xtask test`)",
            peer_dir.display()
        );
        return;
    }
    let t0 = Time::parse_rfc3339("2025-09-10T01:30:00.250Z").unwrap();
    let mut lines = Vec::new();
    for (k, icao) in [0x48AE01u32, 0x4CA2D6, 0x0000FF].into_iter().enumerate() {
        let k = k as i64;
        let at = t0 + model::Duration::from_secs(k);
        lines.push(SbsLine::identification(
            icao,
            at,
            ["LOT3915", "RYR12A", "X"][k as usize],
        ));
        lines.push(SbsLine::velocity(
            icao,
            at,
            451.5 - k as f64,
            90.5 + k as f64,
            -640 + 64 * k as i32,
        ));
        // Five decimals, as the encoder writes them, so the text reads back exactly.
        let (lat, lon) = [(52.12345, -21.5), (50.5, 30.25), (-33.98765, 151.17712)][k as usize];
        lines.push(SbsLine::position(
            icao,
            at,
            lat,
            lon,
            Some(35_000 - 25 * k as i32),
        ));
        lines.push(SbsLine::altitude(icao, at, 1_000 * k as i32));
    }
    let mut text = String::new();
    for line in &lines {
        line.write(&mut text);
    }

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let node = std::process::Command::new("node")
        .current_dir(&peer_dir)
        .arg("read.js")
        .arg(port.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(node) = node else {
        eprintln!("skipped: node not found");
        return;
    };
    let (mut socket, _) = listener.accept().expect("the sbs1 client connects");
    socket.write_all(text.as_bytes()).unwrap();
    drop(socket);
    let output = node.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let read: Vec<serde_json::Value> =
        serde_json::from_str(stdout.lines().last().expect("the messages as JSON")).unwrap();

    assert_eq!(read.len(), lines.len());
    for (ours, theirs) in lines.iter().zip(&read) {
        let ctx = format!("{ours:?} read as {theirs}");
        assert_eq!(theirs["message_type"], "MSG", "{ctx}");
        assert_eq!(theirs["transmission_type"], ours.transmission, "{ctx}");
        assert_eq!(theirs["hex_ident"], format!("{:06X}", ours.icao24), "{ctx}");
        assert_eq!(theirs["generated_date"], "2025/09/10", "{ctx}");
        let second = ours.time.seconds_since(t0) as i64;
        assert_eq!(
            theirs["generated_time"],
            format!("01:30:0{second}.250"),
            "{ctx}"
        );
        assert_eq!(
            theirs["callsign"],
            serde_json::json!(ours.callsign),
            "{ctx}"
        );
        assert_eq!(
            theirs["altitude"],
            serde_json::json!(ours.altitude_ft),
            "{ctx}"
        );
        // sbs1 reads speed and track as integers (parseInt of "451.5" is 451).
        assert_eq!(
            theirs["ground_speed"],
            serde_json::json!(ours.ground_speed_kt.map(|v| v.trunc() as i64)),
            "{ctx}"
        );
        assert_eq!(
            theirs["track"],
            serde_json::json!(ours.track_deg.map(|v| v.trunc() as i64)),
            "{ctx}"
        );
        assert_eq!(theirs["lat"], serde_json::json!(ours.lat_deg), "{ctx}");
        assert_eq!(theirs["lon"], serde_json::json!(ours.lon_deg), "{ctx}");
        assert_eq!(
            theirs["vertical_rate"],
            serde_json::json!(ours.vertical_rate_fpm),
            "{ctx}"
        );
        assert_eq!(
            theirs["is_on_ground"],
            serde_json::json!(ours.on_ground),
            "{ctx}"
        );
    }
}
