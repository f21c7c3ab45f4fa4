//! CoT out to a real TAK client: pytak connects to the server's CoT port and reads what it
//! streams; takproto (TAK's protocol v1 library) parses each event. Hostile air tracks must
//! arrive with their MIL-STD-2525 CoT types, positions and stale times, incidents as
//! detections; a client that never reads is dropped while the engine goes on.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use model::TrackClass;
use tokio::io::AsyncReadExt as _;

use crate::{at, entry, fixture, get, send, track};

fn peer_python() -> PathBuf {
    let peers = std::env::var_os("GUARANTOR_PEERS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/peers"),
        PathBuf::from,
    );
    peers.join("cot/bin/python")
}

/// A drone, a cruise missile and an airliner (which transmits its identity).
fn scan(step: i64) -> Vec<model::Track> {
    let lon = 24.0 + 0.01 * step as f64;
    let mut missile = track(8, step, 49.0, lon);
    missile.class = TrackClass::CruiseMissile;
    missile.position.alt_m = 60.0;
    let mut airliner = track(9, step, 52.0, 21.0);
    airliner.class = TrackClass::MannedAircraft;
    airliner.cooperative = true;
    airliner.identity.icao24 = Some(0x48_8f_01);
    airliner.identity.callsign = Some("LOT3".into());
    vec![track(7, step, 50.4, lon), missile, airliner]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tak_client_gets_hostile_air_tracks_with_types_positions_and_stale_times() {
    let python = peer_python();
    if !python.exists() {
        println!(
            "skipped: no pytak venv at {} (cargo xtask peers)",
            python.display()
        );
        return;
    }
    let f = fixture();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(server::cot::serve(listener, f.state.clone()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cot_client.py");
    // Two scans of three tracks, the incident, a third scan.
    let client = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(port.to_string())
        .arg("10")
        .output();
    let feeder = f.state.clone();
    let feed = async move {
        for _ in 0..200 {
            if feeder.cot_clients() > 0 {
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
        assert_eq!(feeder.cot_clients(), 1, "pytak never connected");
        for step in 0..3 {
            feeder.push_tracks(at(step), &scan(step));
            if step == 1 {
                feeder.push_incidents(&[entry("inc-1", 1)]);
            }
            tokio::time::sleep(StdDuration::from_millis(100)).await;
        }
    };
    let (output, ()) = tokio::join!(client, feed);
    let output = output.expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pytak client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 10, "{stdout}");
    let t0_ms = at(0).unix_us / 1000;
    let minute_ms = 60_000;
    let mut seen = Vec::new();
    for (i, e) in events.iter().enumerate() {
        // Batches arrive whole and in order: scan 0, scan 1, the incident, scan 2.
        let (step, uid) = match i {
            0..=5 => ((i / 3) as i64, e["uid"].as_str().unwrap()),
            6 => (1, e["uid"].as_str().unwrap()),
            _ => (2, e["uid"].as_str().unwrap()),
        };
        let send_ms = e["send_ms"].as_i64().unwrap();
        let stale_ms = e["stale_ms"].as_i64().unwrap();
        assert_eq!(send_ms, t0_ms + step * minute_ms, "{e}");
        let lon = 24.0 + 0.01 * step as f64;
        let (want_type, lat, lon, stale_s) = match uid {
            "guarantor.track.7" => ("a-h-A-M-F-Q", 50.4, lon, 30),
            "guarantor.track.8" => ("a-h-A-W-M-L", 49.0, lon, 30),
            "guarantor.track.9" => ("a-n-A-C-F", 52.0, 21.0, 30),
            "guarantor.incident.inc-1" => ("b-d", 50.5, 22.5, 3600),
            other => panic!("unexpected uid {other}: {e}"),
        };
        assert_eq!(e["type"], want_type, "{e}");
        assert!((e["lat"].as_f64().unwrap() - lat).abs() < 1e-9, "{e}");
        assert!((e["lon"].as_f64().unwrap() - lon).abs() < 1e-9, "{e}");
        assert_eq!(stale_ms - send_ms, stale_s * 1000, "{e}");
        seen.push(uid.to_owned());
    }
    let drone = &events[0];
    assert_eq!(drone["hae"], 250.0);
    assert_eq!(drone["ce"], 50.0);
    assert_eq!(drone["speed"], 40.0);
    assert_eq!(drone["course"], 90.0);
    assert_eq!(events[2]["callsign"], "LOT3");
    assert_eq!(seen.iter().filter(|u| u.ends_with(".7")).count(), 3);
    assert!(seen.contains(&"guarantor.incident.inc-1".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tak_client_that_never_reads_is_dropped_and_the_engine_goes_on() {
    let f = fixture();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::cot::serve(listener, f.state.clone()));
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    for _ in 0..200 {
        if f.state.cot_clients() > 0 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    assert_eq!(f.state.cot_clients(), 1);
    // Scans of 2,000 tracks (about 0.8 MB of CoT each), far more than the channel and the
    // socket buffers hold: the stalled client must fall behind and be dropped.
    let many: Vec<model::Track> = (0..2000)
        .map(|i| track(i, 0, 50.0, 24.0 + i as f64 * 1e-4))
        .collect();
    for step in 0..400 {
        f.state.push_tracks(at(step), &many);
        if step % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let mut waited = 0;
    while f.state.cot_clients() > 0 && waited < 200 {
        tokio::time::sleep(StdDuration::from_millis(50)).await;
        waited += 1;
    }
    assert_eq!(
        f.state.cot_clients(),
        0,
        "the stalled client was not dropped"
    );
    let (_, metrics) = send(&f.router, get("/metrics")).await;
    assert!(
        metrics.contains("guarantor_cot_dropped_total 1\n"),
        "{metrics}"
    );
    // Its socket is closed: reading drains what was sent and then reaches the end.
    let mut sink = vec![0u8; 1 << 20];
    let mut total = 0usize;
    loop {
        match tokio::time::timeout(StdDuration::from_secs(10), stalled.read(&mut sink)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => total += n,
            Err(_) => panic!("the server kept the stalled client's socket open"),
        }
    }
    assert!(total > 0);
}
