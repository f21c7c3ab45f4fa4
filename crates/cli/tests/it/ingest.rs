//! `guarantor ingest` through the real binary: files, stdin, a UDP and a TCP
//! stream on 127.0.0.1, and a corrupt record quarantined between good ones.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use feeds::cot::{self, CotDetail, CotEvent, CotPoint};
use model::Time;

fn guarantor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_guarantor"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("guarantor-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn event(i: u32) -> String {
    let time = Time::parse_rfc3339("2025-09-10T01:30:00Z").unwrap();
    cot::to_xml(&CotEvent {
        uid: format!("drone-{i}"),
        cot_type: "a-h-A-M-F-Q".into(),
        how: "m-r".into(),
        time,
        start: time,
        stale: Time::from_unix_us(time.unix_us + 60_000_000),
        point: CotPoint {
            lat_deg: 50.0 + f64::from(i) * 0.01,
            lon_deg: 24.0,
            hae_m: Some(100.0),
            ce_m: Some(30.0),
            le_m: Some(10.0),
        },
        detail: CotDetail {
            callsign: Some(format!("H-{i}")),
            ..CotDetail::default()
        },
    })
}

const CORRUPT: &str = "<event version='2.0' uid='corrupt' type='a-h-A' how='m-r' time='yesterday' start='2025-09-10T01:30:00Z' stale='2025-09-10T01:31:00Z'><point lat='1' lon='1' hae='0' ce='1' le='1'/></event>";

fn uids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            v["identity"]["cot_uid"]
                .as_str()
                .expect("a CoT uid")
                .to_owned()
        })
        .collect()
}

fn quarantined(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn file_with_a_corrupt_record_is_quarantined_and_the_rest_kept() {
    let input = temp("mixed.cot");
    std::fs::write(&input, format!("{}\n{CORRUPT}\n{}\n", event(1), event(2))).unwrap();
    let quarantine = temp("mixed.quarantine.jsonl");
    let out = guarantor()
        .args(["ingest", "--format", "cot", "--quarantine"])
        .arg(&quarantine)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(uids(&out.stdout), ["drone-1", "drone-2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 records, 1 rejected"), "{stderr}");
    assert!(stderr.contains("1  event"), "count by reason: {stderr}");
    let q = quarantined(&quarantine);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["format"], "cot");
    assert_eq!(q[0]["place"]["line"], 2);
    assert!(
        q[0]["reason"]
            .as_str()
            .unwrap()
            .contains("attribute `time`"),
        "{}",
        q[0]
    );
    let raw = q[0]["raw_hex"].as_str().unwrap();
    assert!(raw.starts_with(&hex(&CORRUPT.as_bytes()[..16])), "{raw}");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn clean_stdin_exits_0_and_unreadable_exits_2() {
    let mut child = guarantor()
        .args(["ingest", "--format", "cot", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}{}", event(1), event(2)).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(uids(&out.stdout), ["drone-1", "drone-2"]);
    let out = guarantor()
        .args(["ingest", "--format", "cot", "/nonexistent/feed.cot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/feed.cot: cannot open"));
}

#[test]
fn stix_sample_prints_objects_and_the_resolved_incident() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../feeds/tests/data/stix/oasis_incident_sample_infrastructure.json");
    let out = guarantor()
        .args(["ingest", "--format", "stix"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 10);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: a bare JSON array"), "{stderr}");
    assert!(stderr.contains("note: duplicate id"), "{stderr}");
    assert!(stderr.contains("attributed to Evil Org"), "{stderr}");
}

/// Spawns ingest on a listening input with port 0 and returns the port it printed.
fn spawn_listening(
    format: &str,
    source: &str,
    quarantine: &Path,
) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = guarantor()
        .args([
            "ingest",
            "--format",
            format,
            "--idle-timeout",
            "1500ms",
            "--quarantine",
        ])
        .arg(quarantine)
        .arg(source)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("://").next().unwrap().to_owned();
    assert!(line.contains("listening on"), "{line}");
    // Keep draining stderr so the child never blocks on it.
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).ok();
        rest
    });
    (child, addr, rest)
}

fn finish(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

#[test]
fn cot_over_udp_one_event_per_datagram() {
    let quarantine = temp("udp.quarantine.jsonl");
    let (child, addr, stderr) = spawn_listening("cot", "udp://127.0.0.1:0", &quarantine);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for datagram in [event(1), CORRUPT.to_owned(), event(2), event(3)] {
        socket.send_to(datagram.as_bytes(), &addr).unwrap();
    }
    let out = finish(child);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(uids(&out.stdout), ["drone-1", "drone-2", "drone-3"]);
    assert_eq!(quarantined(&quarantine).len(), 1);
    assert!(
        stderr
            .join()
            .unwrap()
            .contains("no datagram for 1.5s; input ended")
    );
}

#[test]
fn cot_over_tcp_connect_split_across_segments() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let quarantine = temp("tcp.quarantine.jsonl");
    let child = guarantor()
        .args(["ingest", "--format", "cot", "--quarantine"])
        .arg(&quarantine)
        .arg(format!("tcp://{addr}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut stream, _) = listener.accept().unwrap();
    let text = format!("{}\n{CORRUPT}\n{}{}", event(1), event(2), event(3));
    // Small writes with pauses: events arrive cut across TCP segments.
    for piece in text.as_bytes().chunks(97) {
        stream.write_all(piece).unwrap();
        stream.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    drop(stream);
    let out = finish(child);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(uids(&out.stdout), ["drone-1", "drone-2", "drone-3"]);
    assert_eq!(quarantined(&quarantine)[0]["place"]["line"], 2);
}

#[test]
fn tcp_listen_and_a_stalled_stream() {
    let quarantine = temp("stall.quarantine.jsonl");
    let (child, addr, stderr) = spawn_listening("cot", "tcp-listen://127.0.0.1:0", &quarantine);
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(event(1).as_bytes()).unwrap();
    // Then silence, connection open: ingest reports a stall and exits 2,
    // having printed what it read.
    let out = finish(child);
    drop(stream);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(uids(&out.stdout), ["drone-1"]);
    let stderr = stderr.join().unwrap();
    assert!(
        stderr.contains("stalled: no bytes for 1.5s after"),
        "{stderr}"
    );
}
