//! ASTERIX: the GPL samples decode cleanly, field values agree with an
//! independent decoder (asterix_decoder, C++), our encoded blocks are accepted
//! by it, encode→decode round trips, and bad input is reported and skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use feeds::asterix::cat021::{GroundVector, Quality};
use feeds::asterix::cat048::{CartesianPosition, PolarPosition, PolarVelocity, TargetReport};
use feeds::asterix::cat062::{CartesianVelocity, LatLon, TrackAccuracy};
use feeds::asterix::{
    AsterixDecoder, AsterixOptions, Callsign, Cat021Record, Cat048Record, Cat062Record, Framing,
    encode_block,
};
use feeds::{Collect, Decoder, DecoderConfig};
use model::{Measurement, SourceId, Time};
use proptest::prelude::*;
use serde_json::Value;

/// `asterix.pcap` does not follow CAT062 ed. 1.18 (nor, judging by its
/// latitudes of thousands of degrees, any edition asterix_decoder knows): its
/// rejections are justified record by record against the peer below.
const MALFORMED_SAMPLE: &str = "asterix.pcap";

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/asterix")
}

fn peer_python() -> PathBuf {
    let peers = std::env::var_os("GUARANTOR_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/peers"));
    peers.join("asterix-gpl/bin/python")
}

fn config() -> DecoderConfig {
    DecoderConfig {
        source: SourceId::new("asterix:test"),
        day: Time::parse_rfc3339("2025-09-10T00:00:00Z").unwrap(),
    }
}

/// The datagrams of a sample: UDP payloads of a pcap, or the whole file.
fn datagrams(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "pcap") {
        let capture = pcap_parser::PcapCapture::from_file(&bytes).expect("a pcap file");
        capture
            .blocks
            .iter()
            .filter_map(|block| {
                let packet = etherparse::SlicedPacket::from_ethernet(block.data).ok()?;
                match packet.transport? {
                    etherparse::TransportSlice::Udp(udp) => Some(udp.payload().to_vec()),
                    _ => None,
                }
            })
            .collect()
    } else {
        vec![bytes]
    }
}

fn samples() -> Option<Vec<PathBuf>> {
    let dir = samples_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: ASTERIX samples absent at {}", dir.display());
        return None;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "pcap" || e == "raw" || e == "ast")
        })
        .collect();
    paths.sort();
    Some(paths)
}

fn decode_datagrams(datagrams: &[Vec<u8>]) -> (Collect, feeds::asterix::AsterixStats) {
    let mut decoder = AsterixDecoder::new(config());
    let mut sink = Collect::default();
    for datagram in datagrams {
        decoder.feed(datagram, &mut sink);
    }
    decoder.finish(&mut sink);
    (sink, *decoder.stats())
}

/// Every sample decodes with zero errors; the counts are kept beside the test
/// (regenerate with `UPDATE_EXPECT=1`).
#[test]
fn samples_decode_without_errors() {
    let Some(paths) = samples() else { return };
    let mut summary = String::new();
    for path in &paths {
        let (sink, stats) = decode_datagrams(&datagrams(path));
        for error in &sink.errors {
            println!("{}: {error}", path.display());
        }
        if !path.ends_with(MALFORMED_SAMPLE) {
            assert_eq!(sink.errors.len(), 0, "{}", path.display());
        }
        let first = sink
            .observations()
            .next()
            .map(|o| serde_json::to_string(o).unwrap());
        summary += &format!(
            "{}: blocks={} other={} records={} observations={} no_position={} errors={}\n  first={}\n",
            path.file_name().unwrap().to_string_lossy(),
            stats.blocks,
            stats.blocks_other,
            stats.records,
            stats.observations,
            stats.skipped_no_position,
            stats.errors,
            first.unwrap_or_default(),
        );
        assert!(sink.observations().all(|o| o.is_finite()));
    }
    check_golden("asterix_samples.expected", &summary);
}

fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it")
        .join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "golden {name} differs; UPDATE_EXPECT=1 to regenerate"
    );
}

/// The raw file and the same bytes in a pcap decode alike whether fed whole
/// or as a stream cut anywhere.
#[test]
fn stream_framing_is_independent_of_chunking() {
    let Some(_) = samples() else { return };
    let bytes = std::fs::read(samples_dir().join("cat062cat065.raw")).unwrap();
    let whole = {
        let mut d =
            AsterixDecoder::with_options(config(), AsterixOptions::default(), Framing::Stream);
        feeds::decode_all(&mut d, &bytes)
    };
    assert_eq!(whole.errors.len(), 0);
    for cut in 1..bytes.len() {
        let mut d =
            AsterixDecoder::with_options(config(), AsterixOptions::default(), Framing::Stream);
        let mut sink = Collect::default();
        d.feed(&bytes[..cut], &mut sink);
        d.feed(&bytes[cut..], &mut sink);
        d.finish(&mut sink);
        assert_eq!(sink.records, whole.records, "cut at {cut}");
        assert!(sink.errors.is_empty(), "cut at {cut}");
    }
}

/// Upstream's own golden output for `cat_062_065.pcap` (CAT062 records).
#[test]
fn cat062_matches_upstream_golden_output() {
    let Some(_) = samples() else { return };
    let golden =
        std::fs::read_to_string(samples_dir().join("cat_062_065_json.expected.txt")).unwrap();
    let expected: Vec<Value> = golden
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["cat"] == 62)
        .collect();
    let mut ours = Vec::new();
    for datagram in datagrams(&samples_dir().join("cat_062_065.pcap")) {
        for block in blocks(&datagram) {
            if block[0] == 62 {
                ours.extend(Cat062Record::decode_block(block).unwrap());
            }
        }
    }
    assert_eq!(ours.len(), expected.len());
    assert!(ours.len() >= 2);
    for (rec, exp) in ours.iter().zip(&expected) {
        let e = &exp["CAT062"];
        let pos = rec.position.unwrap();
        assert_close(pos.lat_deg, e["I105"]["Lat"].as_f64().unwrap(), 1e-6, "lat");
        assert_close(pos.lon_deg, e["I105"]["Lon"].as_f64().unwrap(), 1e-6, "lon");
        assert_close(
            rec.time_of_track_s,
            e["I070"]["ToT"].as_f64().unwrap(),
            1e-9,
            "tod",
        );
        assert_eq!(
            u64::from(rec.track_number),
            e["I040"]["TrkN"].as_u64().unwrap()
        );
        let adr = e["I380"]["ADR"]["ADR"].as_str().unwrap();
        assert_eq!(
            rec.aircraft_address,
            Some(u32::from_str_radix(adr, 16).unwrap())
        );
        let acid = e["I380"]["ID"]["ACID"].as_str().unwrap();
        assert_eq!(rec.aircraft_id.unwrap().as_str(), acid);
        let mode3a = e["I060"]["Mode3A"].as_str().unwrap();
        assert_eq!(rec.mode3a, Some(u16::from_str_radix(mode3a, 8).unwrap()));
        let vel = rec.velocity.unwrap();
        assert_close(vel.vx_mps, e["I185"]["Vx"].as_f64().unwrap(), 1e-9, "vx");
        assert_close(vel.vy_mps, e["I185"]["Vy"].as_f64().unwrap(), 1e-9, "vy");
        let alt_ft = e["I130"]["Alt"].as_f64().unwrap();
        assert_close(
            rec.geometric_altitude_m.unwrap(),
            alt_ft * 0.3048,
            1e-6,
            "alt",
        );
        let mfl_ft = e["I136"]["MFL"].as_f64().unwrap();
        assert_close(
            rec.measured_flight_level.unwrap() * 100.0,
            mfl_ft,
            1e-9,
            "fl",
        );
    }
}

fn assert_close(ours: f64, theirs: f64, tolerance: f64, what: &str) {
    assert!(
        (ours - theirs).abs() <= tolerance,
        "{what}: ours {ours}, peer {theirs}"
    );
}

/// Splits a datagram into blocks by their LEN (test helper; assumes valid framing).
fn blocks(datagram: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 3 <= datagram.len() {
        let len = usize::from(u16::from_be_bytes([datagram[pos + 1], datagram[pos + 2]]));
        out.push(&datagram[pos..pos + len]);
        pos += len;
    }
    out
}

/// Runs the peer on datagrams; `None` (after printing why) when it is not installed.
fn peer_decode(datagrams: &[Vec<u8>]) -> Option<Vec<Value>> {
    peer_run(datagrams, &[])
}

/// Like `peer_decode`, with the item names the peer found in each record.
fn peer_decode_raw(datagrams: &[Vec<u8>]) -> Option<Vec<Value>> {
    peer_run(datagrams, &["--items"])
}

fn peer_run(datagrams: &[Vec<u8>], args: &[&str]) -> Option<Vec<Value>> {
    let python = peer_python();
    if !python.exists() {
        println!(
            "skipped: asterix_decoder peer not installed at {} (cargo xtask peers)",
            python.display()
        );
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/asterix_decoder_dump.py");
    let mut child = Command::new(&python)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = String::new();
    for datagram in datagrams {
        for b in datagram {
            input += &format!("{b:02x}");
        }
        input.push('\n');
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "peer failed");
    let text = String::from_utf8(output.stdout).unwrap();
    Some(
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

/// Our records of categories 48, 62 and 21, in datagram order, beside their datagram index.
enum Ours {
    C48(Cat048Record),
    C62(Cat062Record),
    C21(Cat021Record),
}

fn our_records(datagrams: &[Vec<u8>]) -> Vec<(usize, Ours)> {
    let mut out = Vec::new();
    for (idx, datagram) in datagrams.iter().enumerate() {
        for block in blocks(datagram) {
            match block[0] {
                48 => out.extend(
                    Cat048Record::decode_block(block)
                        .unwrap()
                        .into_iter()
                        .map(|r| (idx, Ours::C48(r))),
                ),
                62 => out.extend(
                    Cat062Record::decode_block(block)
                        .unwrap()
                        .into_iter()
                        .map(|r| (idx, Ours::C62(r))),
                ),
                21 => out.extend(
                    Cat021Record::decode_block(block)
                        .unwrap()
                        .into_iter()
                        .map(|r| (idx, Ours::C21(r))),
                ),
                _ => {}
            }
        }
    }
    out
}

fn opt_close(ours: Option<f64>, theirs: &Value, tolerance: f64, what: &str) {
    match (ours, theirs.as_f64()) {
        (None, None) => {}
        (Some(a), Some(b)) => assert_close(a, b, tolerance, what),
        (a, _) => panic!("{what}: ours {a:?}, peer {theirs}"),
    }
}

fn opt_int(ours: Option<u64>, theirs: &Value, what: &str) {
    assert_eq!(ours, theirs.as_u64(), "{what}");
}

fn opt_text(ours: Option<Callsign>, theirs: &Value, what: &str) {
    assert_eq!(
        ours.as_ref().map(Callsign::as_str),
        theirs.as_str(),
        "{what}"
    );
}

fn compare_048(r: &Cat048Record, f: &Value) {
    assert_eq!(u64::from(r.sac), f["sac"].as_u64().unwrap());
    assert_eq!(u64::from(r.sic), f["sic"].as_u64().unwrap());
    assert_close(
        r.time_of_day_s,
        f["tod_s"].as_f64().unwrap(),
        1e-9,
        "I048/140",
    );
    opt_int(
        r.report.map(|t| u64::from(t.detection)),
        &f["typ"],
        "I048/020 TYP",
    );
    opt_close(
        r.polar.map(|p| p.range_m / 1852.0),
        &f["rho_nm"],
        1e-9,
        "I048/040 RHO",
    );
    opt_close(
        r.polar.map(|p| p.azimuth_deg),
        &f["theta_deg"],
        1e-9,
        "I048/040 THETA",
    );
    opt_int(r.mode3a.map(u64::from), &f["mode3a"], "I048/070");
    opt_close(r.flight_level, &f["fl"], 1e-9, "I048/090");
    opt_int(r.aircraft_address.map(u64::from), &f["address"], "I048/220");
    opt_text(r.callsign, &f["callsign"], "I048/240");
    opt_int(r.track_number.map(u64::from), &f["track"], "I048/161");
    opt_close(
        r.cartesian.map(|c| c.x_m / 1852.0),
        &f["x_nm"],
        1e-9,
        "I048/042 X",
    );
    opt_close(
        r.cartesian.map(|c| c.y_m / 1852.0),
        &f["y_nm"],
        1e-9,
        "I048/042 Y",
    );
    let gs_kt = r.velocity.map(|v| v.ground_speed_mps / 1852.0 * 3600.0);
    opt_close(gs_kt, &f["gs_kt"], 1e-6, "I048/200 GSP");
    opt_close(
        r.velocity.map(|v| v.heading_deg),
        &f["heading_deg"],
        1e-9,
        "I048/200 HDG",
    );
    opt_close(
        r.height_3d_m.map(|h| h / 0.3048),
        &f["height_ft"],
        1e-6,
        "I048/110",
    );
}

fn compare_062(r: &Cat062Record, f: &Value) {
    assert_eq!(u64::from(r.sac), f["sac"].as_u64().unwrap());
    assert_eq!(u64::from(r.sic), f["sic"].as_u64().unwrap());
    assert_close(
        r.time_of_track_s,
        f["tod_s"].as_f64().unwrap(),
        1e-9,
        "I062/070",
    );
    opt_close(
        r.position.map(|p| p.lat_deg),
        &f["lat_deg"],
        1e-7,
        "I062/105 lat",
    );
    opt_close(
        r.position.map(|p| p.lon_deg),
        &f["lon_deg"],
        1e-7,
        "I062/105 lon",
    );
    opt_close(
        r.velocity.map(|v| v.vx_mps),
        &f["vx_mps"],
        1e-9,
        "I062/185 vx",
    );
    opt_close(
        r.velocity.map(|v| v.vy_mps),
        &f["vy_mps"],
        1e-9,
        "I062/185 vy",
    );
    opt_int(r.mode3a.map(u64::from), &f["mode3a"], "I062/060");
    opt_int(
        r.aircraft_address.map(u64::from),
        &f["address"],
        "I062/380 ADR",
    );
    opt_text(r.aircraft_id, &f["acid"], "I062/380 ID");
    assert_eq!(
        u64::from(r.track_number),
        f["track"].as_u64().unwrap(),
        "I062/040"
    );
    opt_close(
        r.measured_flight_level.map(|fl| fl * 100.0),
        &f["fl_ft"],
        1e-9,
        "I062/136",
    );
    opt_close(
        r.geometric_altitude_m.map(|h| h / 0.3048),
        &f["alt_ft"],
        1e-6,
        "I062/130",
    );
    let roc = r.rate_of_climb_mps.map(|v| v * 60.0 / 0.3048);
    opt_close(roc, &f["roc_ft_min"], 1e-6, "I062/220");
    let apc = r.accuracy.and_then(|a| a.position_xy_m);
    opt_close(apc.map(|(x, _)| x), &f["apc_x_m"], 1e-9, "I062/500 APC x");
    opt_close(apc.map(|(_, y)| y), &f["apc_y_m"], 1e-9, "I062/500 APC y");
}

fn compare_021(r: &Cat021Record, f: &Value) {
    assert_eq!(u64::from(r.sac), f["sac"].as_u64().unwrap());
    assert_eq!(u64::from(r.sic), f["sic"].as_u64().unwrap());
    opt_int(r.track_number.map(u64::from), &f["track"], "I021/161");
    opt_close(
        r.time_of_applicability_position_s,
        &f["tod_071_s"],
        1e-9,
        "I021/071",
    );
    opt_close(
        r.position.map(|p| p.lat_deg),
        &f["lat_deg"],
        1e-7,
        "I021/130 lat",
    );
    opt_close(
        r.position.map(|p| p.lon_deg),
        &f["lon_deg"],
        1e-7,
        "I021/130 lon",
    );
    opt_close(
        r.position_high_res.map(|p| p.lat_deg),
        &f["lat_hr_deg"],
        1e-8,
        "I021/131 lat",
    );
    opt_close(
        r.position_high_res.map(|p| p.lon_deg),
        &f["lon_hr_deg"],
        1e-8,
        "I021/131 lon",
    );
    opt_int(r.aircraft_address.map(u64::from), &f["address"], "I021/080");
    opt_close(
        r.time_of_reception_position_s,
        &f["tod_073_s"],
        1e-9,
        "I021/073",
    );
    opt_close(
        r.geometric_height_m.map(|h| h / 0.3048),
        &f["height_ft"],
        1e-6,
        "I021/140",
    );
    opt_int(
        r.quality.map(|q| u64::from(q.nucp_nic)),
        &f["nucp_nic"],
        "I021/090 NUCp/NIC",
    );
    opt_int(
        r.quality.and_then(|q| q.nac_p).map(u64::from),
        &f["nacp"],
        "I021/090 NACp",
    );
    opt_int(r.mops_version.map(u64::from), &f["mops"], "I021/210");
    opt_int(r.mode3a.map(u64::from), &f["mode3a"], "I021/070");
    opt_close(r.flight_level, &f["fl"], 1e-9, "I021/145");
    let gs = r.ground_vector.map(|v| v.ground_speed_mps / 1852.0);
    opt_close(gs, &f["gs_nm_s"], 1e-9, "I021/160 GS");
    opt_close(
        r.ground_vector.map(|v| v.track_angle_deg),
        &f["ta_deg"],
        1e-9,
        "I021/160 TA",
    );
    opt_text(r.callsign, &f["callsign"], "I021/170");
    opt_int(r.emitter_category.map(u64::from), &f["ecat"], "I021/020");
}

fn compare_with_peer(datagrams: &[Vec<u8>]) -> Option<[usize; 3]> {
    let theirs = peer_decode(datagrams)?;
    let ours = our_records(datagrams);
    assert_eq!(ours.len(), theirs.len(), "record counts differ");
    let mut counts = [0; 3];
    for ((idx, rec), peer) in ours.iter().zip(&theirs) {
        assert_eq!(*idx as u64, peer["datagram"].as_u64().unwrap());
        let fields = &peer["fields"];
        match rec {
            Ours::C48(r) => {
                compare_048(r, fields);
                counts[0] += 1;
            }
            Ours::C62(r) => {
                compare_062(r, fields);
                counts[1] += 1;
            }
            Ours::C21(r) => {
                compare_021(r, fields);
                counts[2] += 1;
            }
        }
    }
    Some(counts)
}

/// A peer record is sound when it decoded every field it listed and the
/// values are in their ranges.
fn peer_record_is_sound(fields: &Value) -> bool {
    let in_range = |key: &str, limit: f64| fields[key].as_f64().is_none_or(|v| v.abs() <= limit);
    fields["sac"].is_u64()
        && fields["tod_s"]
            .as_f64()
            .is_some_and(|t| (0.0..86_400.0).contains(&t))
        && in_range("lat_deg", 90.0)
        && in_range("lon_deg", 180.0)
}

/// In `asterix.pcap`, every datagram we reject is one the peer also decodes
/// to nonsense or not at all (`items` it could not read come back empty or
/// with times past midnight and latitudes beyond 90°); every datagram we
/// accept, the peer reads with the same values.
#[test]
fn malformed_sample_rejections_are_justified_by_the_peer() {
    let Some(_) = samples() else { return };
    let datagrams = datagrams(&samples_dir().join(MALFORMED_SAMPLE));
    let Some(theirs) = peer_decode_raw(&datagrams) else {
        return;
    };
    let (mut rejected, mut accepted) = (0, 0);
    for (idx, datagram) in datagrams.iter().enumerate() {
        let mut decoder = AsterixDecoder::new(config());
        let sink = feeds::decode_all(&mut decoder, datagram);
        let peer: Vec<&Value> = theirs
            .iter()
            .filter(|v| v["datagram"].as_u64() == Some(idx as u64))
            .collect();
        if sink.errors.is_empty() {
            accepted += 1;
            let ours = Cat062Record::decode_block(datagram).unwrap();
            assert_eq!(ours.len(), peer.len(), "datagram {idx}");
            for (rec, p) in ours.iter().zip(&peer) {
                compare_062(rec, &p["fields"]);
            }
        } else {
            rejected += 1;
            let peer_sound = !peer.is_empty()
                && peer
                    .iter()
                    .all(|p| p["items"].as_array().is_some_and(|i| !i.is_empty()))
                && peer.iter().all(|p| peer_record_is_sound(&p["fields"]));
            assert!(
                !peer_sound,
                "datagram {idx}: we reject {:?}, the peer reads {peer:?}",
                sink.errors
            );
        }
    }
    println!(
        "{MALFORMED_SAMPLE}: {rejected} datagrams rejected (peer agrees), {accepted} accepted"
    );
    assert_eq!(rejected + accepted, datagrams.len());
}

/// Every CAT048/062/021 record of every sample, field by field, against asterix_decoder.
#[test]
fn samples_agree_with_asterix_decoder() {
    let Some(paths) = samples() else { return };
    let all: Vec<Vec<u8>> = paths
        .iter()
        .filter(|p| !p.ends_with(MALFORMED_SAMPLE))
        .flat_map(|p| datagrams(p))
        .collect();
    let Some(counts) = compare_with_peer(&all) else {
        return;
    };
    println!("compared with asterix_decoder: {counts:?} CAT048/062/021 records");
    assert!(counts.iter().all(|&n| n >= 2), "{counts:?}");
}

fn sample_048(idx: u16) -> Cat048Record {
    let i = f64::from(idx);
    Cat048Record {
        sac: 25,
        sic: 3,
        time_of_day_s: 86_000.0 + i * 7.25,
        report: Some(TargetReport {
            detection: (idx % 8) as u8,
            spi: idx.is_multiple_of(3),
            ..TargetReport::default()
        }),
        polar: Some(PolarPosition {
            range_m: 1_000.0 + i * 4_321.0,
            azimuth_deg: (i * 37.7) % 360.0,
        }),
        mode3a: Some(0o7000 + idx),
        flight_level: Some(-10.0 + i * 23.25),
        aircraft_address: Some(0x4CA7A8 + u32::from(idx)),
        callsign: Callsign::new(&format!("RYR{idx}")),
        track_number: Some(idx * 97 % 4096),
        cartesian: Some(CartesianPosition {
            x_m: -90_000.0 + i * 1000.0,
            y_m: 45_000.5,
        }),
        velocity: Some(PolarVelocity {
            ground_speed_mps: 60.0 + i,
            heading_deg: 359.99 - i,
        }),
        track_status: Some(0x40),
        height_3d_m: idx.is_multiple_of(2).then_some(3_000.0 + i * 10.0),
        ..Cat048Record::default()
    }
}

fn sample_062(idx: u16) -> Cat062Record {
    let i = f64::from(idx);
    Cat062Record {
        sac: 25,
        sic: 100,
        service_id: Some(1),
        time_of_track_s: 1_000.0 + i,
        position: Some(LatLon {
            lat_deg: 50.0 + i * 0.01,
            lon_deg: 20.0 - i * 0.02,
        }),
        velocity: Some(CartesianVelocity {
            vx_mps: -50.25 + i,
            vy_mps: 100.0,
        }),
        mode3a: Some(0o1234),
        target_id: Callsign::new("SHAHED"),
        aircraft_address: idx.is_multiple_of(2).then_some(0xABCDEF),
        aircraft_id: Callsign::new(&format!("PLF{idx}")),
        track_number: 4000 + idx,
        measured_flight_level: Some(350.0),
        geometric_altitude_m: Some(10_000.0 + i),
        rate_of_climb_mps: Some(-5.0),
        accuracy: Some(TrackAccuracy {
            position_xy_m: Some((25.5, 30.0)),
            geometric_altitude_m: Some(20.0),
            ..TrackAccuracy::default()
        }),
    }
}

fn sample_021(idx: u16) -> Cat021Record {
    let i = f64::from(idx);
    Cat021Record {
        sac: 0,
        sic: 1,
        target_report: 0,
        track_number: Some(idx),
        time_of_applicability_position_s: Some(43_200.0 + i),
        position: Some(LatLon {
            lat_deg: 52.0 + i * 0.1,
            lon_deg: 21.0,
        }),
        position_high_res: Some(LatLon {
            lat_deg: 52.0 + i * 0.1,
            lon_deg: 21.000_001,
        }),
        aircraft_address: Some(0x48_0000 + u32::from(idx)),
        time_of_reception_position_s: Some(43_200.5 + i),
        geometric_height_m: Some(11_000.0),
        quality: Some(Quality {
            nucr_nacv: 1,
            nucp_nic: 8,
            nac_p: Some(9),
            gva: Some(2),
        }),
        mops_version: Some(2),
        mode3a: Some(0o2000),
        flight_level: Some(360.0),
        ground_vector: Some(GroundVector {
            ground_speed_mps: 230.0,
            track_angle_deg: 90.0 + i,
        }),
        callsign: Callsign::new("LOT3"),
        emitter_category: Some(3),
        ..Cat021Record::default()
    }
}

/// Our encoded blocks decode in asterix_decoder to the values we wrote.
#[test]
fn encoded_blocks_are_accepted_by_asterix_decoder() {
    let c48: Vec<Cat048Record> = (0..40).map(sample_048).collect();
    let c62: Vec<Cat062Record> = (0..10).map(sample_062).collect();
    let c21: Vec<Cat021Record> = (0..10).map(sample_021).collect();
    let datagram = [
        encode_block(&c48).unwrap(),
        encode_block(&c62).unwrap(),
        encode_block(&c21).unwrap(),
    ]
    .concat();
    let Some(theirs) = peer_decode(std::slice::from_ref(&datagram)) else {
        return;
    };
    assert_eq!(theirs.len(), 60);
    for (rec, peer) in c48.iter().zip(&theirs[..40]) {
        // What the peer read equals what we meant, to the wire's resolution.
        let decoded =
            &Cat048Record::decode_block(&encode_block(std::slice::from_ref(rec)).unwrap()).unwrap()
                [0];
        compare_048(decoded, &peer["fields"]);
        assert_close(
            decoded.polar.unwrap().range_m,
            rec.polar.unwrap().range_m,
            1852.0 / 512.0,
            "range",
        );
    }
    for (rec, peer) in c62.iter().zip(&theirs[40..50]) {
        let decoded =
            &Cat062Record::decode_block(&encode_block(std::slice::from_ref(rec)).unwrap()).unwrap()
                [0];
        compare_062(decoded, &peer["fields"]);
    }
    for (rec, peer) in c21.iter().zip(&theirs[50..]) {
        let decoded =
            &Cat021Record::decode_block(&encode_block(std::slice::from_ref(rec)).unwrap()).unwrap()
                [0];
        compare_021(decoded, &peer["fields"]);
    }
}

/// A decoded CAT048 plot becomes a polar observation with the stated conversions.
#[test]
fn cat048_observation_units_and_identity() {
    let block = encode_block(&[sample_048(1)]).unwrap();
    let mut decoder = AsterixDecoder::new(config());
    let sink = feeds::decode_all(&mut decoder, &block);
    assert!(sink.errors.is_empty());
    let obs = sink.observations().next().unwrap();
    assert_eq!(obs.sensor.as_str(), "sac25-sic3");
    assert_eq!(obs.time.to_string(), "2025-09-10T23:53:27.250Z");
    assert_eq!(obs.identity.callsign.as_deref(), Some("RYR1"));
    assert_eq!(obs.identity.icao24, Some(0x4CA7A9));
    assert_eq!(obs.identity.system_track, Some(97));
    assert_eq!(obs.identity.reported_type.as_deref(), Some("mode3a:7001"));
    assert_eq!(obs.raw_digest, model::Digest::of(&block[3..]));
    let Measurement::Polar {
        range_m,
        azimuth_deg,
        height_m,
        range_sigma_m,
        ..
    } = obs.measurement
    else {
        panic!("expected a polar measurement, got {:?}", obs.measurement);
    };
    assert_close(range_m, 5_321.0, 1852.0 / 512.0, "range");
    assert_close(azimuth_deg, 37.7, 360.0 / 131_072.0, "azimuth");
    // No I048/110 on odd plots: the flight level (13.25) as a pressure altitude.
    assert_close(height_m.unwrap(), 13.25 * 100.0 * 0.3048, 1e-9, "height");
    assert_eq!(
        range_sigma_m,
        AsterixOptions::default().cat048_range_sigma_m
    );
}

/// Datagrams crossing midnight keep event time increasing.
#[test]
fn event_time_follows_midnight() {
    let mut late = sample_048(0);
    late.time_of_day_s = 86_399.5;
    let mut early = sample_048(0);
    early.time_of_day_s = 0.25;
    let mut decoder = AsterixDecoder::new(config());
    let mut sink = Collect::default();
    decoder.feed(&encode_block(&[late]).unwrap(), &mut sink);
    decoder.feed(&encode_block(&[early]).unwrap(), &mut sink);
    let times: Vec<String> = sink.observations().map(|o| o.time.to_string()).collect();
    assert_eq!(
        times,
        ["2025-09-10T23:59:59.500Z", "2025-09-11T00:00:00.250Z"]
    );
}

/// Bad input: each case is a datagram (hex) and the expected outcome: the
/// observations kept and each error's place and reason.
fn check_bad(input_hex: &str, expected: &str) {
    let bytes: Vec<u8> = (0..input_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&input_hex[i..i + 2], 16).unwrap())
        .collect();
    let mut decoder = AsterixDecoder::new(config());
    let sink = feeds::decode_all(&mut decoder, &bytes);
    let mut actual = format!("observations={}\n", sink.records.len());
    for error in &sink.errors {
        actual += &format!("{error}\n");
    }
    assert_eq!(actual.trim_end(), expected.trim_end(), "input {input_hex}");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn bad_input_is_reported_and_skipped() {
    let good = hex(&encode_block(&[sample_048(2)]).unwrap());
    let two = hex(&encode_block(&[sample_048(2), sample_048(3)]).unwrap());
    // Garbage between two good blocks.
    check_bad(
        &format!("{good}deadbeef{good}"),
        &format!(
            "observations=2\nasterix at byte {}: a data block of a known ASTERIX category, found CAT222; skipped 4 bytes",
            good.len() / 2
        ),
    );
    // A block LEN longer than the datagram: scan to the next block.
    let mut long = good.clone();
    long.replace_range(2..6, "0fff");
    check_bad(
        &format!("{long}{good}"),
        &format!(
            "observations=1\nasterix at byte 0: a CAT048 block of LEN 4095, {} bytes left; skipped {} bytes",
            good.len(),
            good.len() / 2
        ),
    );
    // A truncated record: I048/040 cut short, the block LEN honest about it.
    check_bad(
        "300005c019",
        "observations=0\nasterix at byte 4: CAT048 record: I048/010: expected 2 octets, 1 left; skipped the rest of the block (2 bytes)",
    );
    // An FSPEC running past the block.
    check_bad(
        "300005ffff",
        "observations=0\nasterix at byte 4: CAT048 record: FSPEC: FX set in octet 2, no octet follows in the block; skipped the rest of the block (2 bytes)",
    );
    // An out-of-range time of day rejects its record only; the next is kept.
    let mut bad_time = two.clone();
    let second = 3 + (two.len() / 2 - 3) / 2;
    let tod_at = 2 * (second + 4 + 2);
    bad_time.replace_range(tod_at..tod_at + 6, "ffffff");
    check_bad(
        &bad_time,
        &format!(
            "observations=1\nasterix at byte {}: CAT048 record: I048/140: a time of day below 86400 s, found 131071.9921875 s",
            second + 4 + 2
        ),
    );
    // A record of a CAT062 block whose FSPEC sets a spare FRN.
    check_bad(
        "3e00054000",
        "observations=0\nasterix at byte 4: CAT062 record: FRN 2 is not defined in the CAT062 ed. 1.18 UAP; skipped the rest of the block (2 bytes)",
    );
}

fn arb_callsign() -> impl Strategy<Value = Option<Callsign>> {
    proptest::option::of("[A-Z0-9 ]{0,8}".prop_map(|s| Callsign::new(&s).unwrap()))
}

prop_compose! {
    fn arb_048()(
        sac in any::<u8>(), sic in any::<u8>(), tod in 0u32..86_400 * 128,
        typ in 0u8..8, polar in proptest::option::of((0u16.., 0u16..)),
        mode3a in proptest::option::of(0u16..=0o7777), fl in proptest::option::of(-8192i32..8192),
        address in proptest::option::of(0u32..0x100_0000), callsign in arb_callsign(),
        track in proptest::option::of(0u16..4096), xy in proptest::option::of((any::<i16>(), any::<i16>())),
        vel in proptest::option::of((0u16.., 0u16..)), height in proptest::option::of(-8192i32..8192),
        status in proptest::option::of(any::<u8>()),
    ) -> Cat048Record {
        Cat048Record {
            sac, sic,
            time_of_day_s: f64::from(tod) / 128.0,
            report: Some(TargetReport { detection: typ, ..TargetReport::default() }),
            polar: polar.map(|(r, t)| PolarPosition {
                range_m: f64::from(r) / 256.0 * 1852.0,
                azimuth_deg: f64::from(t) * 360.0 / 65_536.0,
            }),
            mode3a,
            flight_level: fl.map(|n| f64::from(n) / 4.0),
            plot: None,
            aircraft_address: address,
            callsign,
            track_number: track,
            cartesian: xy.map(|(x, y)| CartesianPosition {
                x_m: f64::from(x) / 128.0 * 1852.0,
                y_m: f64::from(y) / 128.0 * 1852.0,
            }),
            velocity: vel.map(|(g, h)| PolarVelocity {
                ground_speed_mps: f64::from(g) / 16_384.0 * 1852.0,
                heading_deg: f64::from(h) * 360.0 / 65_536.0,
            }),
            track_status: status.map(|s| s & 0xFE),
            height_3d_m: height.map(|n| f64::from(n) * 25.0 * 0.3048),
        }
    }
}

prop_compose! {
    fn arb_062()(
        sac in any::<u8>(), tod in 0u32..86_400 * 128,
        pos in proptest::option::of((-(1i32 << 24)..=(1 << 24), -(1i32 << 25)..(1 << 25))),
        vel in proptest::option::of((any::<i16>(), any::<i16>())),
        mode3a in proptest::option::of(0u16..=0o7777), tid in arb_callsign(), acid in arb_callsign(),
        address in proptest::option::of(0u32..0x100_0000), track in any::<u16>(),
        fl in proptest::option::of(any::<i16>()), alt in proptest::option::of(any::<i16>()),
        roc in proptest::option::of(any::<i16>()), apc in proptest::option::of((any::<u16>(), any::<u16>())),
    ) -> Cat062Record {
        Cat062Record {
            sac, sic: 7, service_id: None,
            time_of_track_s: f64::from(tod) / 128.0,
            position: pos.map(|(lat, lon)| LatLon {
                lat_deg: f64::from(lat) * 180.0 / 33_554_432.0,
                lon_deg: f64::from(lon) * 180.0 / 33_554_432.0,
            }),
            velocity: vel.map(|(x, y)| CartesianVelocity { vx_mps: f64::from(x) / 4.0, vy_mps: f64::from(y) / 4.0 }),
            mode3a, target_id: tid, aircraft_address: address, aircraft_id: acid, track_number: track,
            measured_flight_level: fl.map(|n| f64::from(n) / 4.0),
            geometric_altitude_m: alt.map(|n| f64::from(n) * 6.25 * 0.3048),
            rate_of_climb_mps: roc.map(|n| f64::from(n) * 6.25 * 0.3048 / 60.0),
            accuracy: apc.map(|(x, y)| TrackAccuracy {
                position_xy_m: Some((f64::from(x) / 2.0, f64::from(y) / 2.0)),
                ..TrackAccuracy::default()
            }),
        }
    }
}

prop_compose! {
    fn arb_021()(
        sac in any::<u8>(), track in proptest::option::of(0u16..4096),
        t071 in proptest::option::of(0u32..86_400 * 128), t073 in proptest::option::of(0u32..86_400 * 128),
        pos in proptest::option::of((-(1i32 << 21)..=(1 << 21), -(1i32 << 23)..(1 << 23))),
        hr in proptest::option::of((-(1i64 << 28)..=(1 << 28), -(1i64 << 29)..=(1 << 29))),
        address in proptest::option::of(0u32..0x100_0000), height in proptest::option::of(any::<i16>()),
        quality in proptest::option::of((0u8..8, 0u8..16, proptest::option::of(0u8..16))),
        fl in proptest::option::of(any::<i16>()), gv in proptest::option::of((0u16..0x8000, any::<u16>())),
        callsign in arb_callsign(), ecat in proptest::option::of(any::<u8>()),
        rate in proptest::option::of(-16_384i32..16_384),
    ) -> Cat021Record {
        Cat021Record {
            sac, sic: 9, target_report: 0x20, track_number: track, service_id: None,
            time_of_applicability_position_s: t071.map(|t| f64::from(t) / 128.0),
            position: pos.map(|(lat, lon)| LatLon {
                lat_deg: f64::from(lat) * 180.0 / 8_388_608.0,
                lon_deg: f64::from(lon) * 180.0 / 8_388_608.0,
            }),
            position_high_res: hr.map(|(lat, lon)| LatLon {
                lat_deg: lat as f64 * 180.0 / 1_073_741_824.0,
                lon_deg: lon as f64 * 180.0 / 1_073_741_824.0,
            }),
            aircraft_address: address,
            time_of_reception_position_s: t073.map(|t| f64::from(t) / 128.0),
            geometric_height_m: height.map(|n| f64::from(n) * 6.25 * 0.3048),
            quality: quality.map(|(r, p, nacp)| Quality { nucr_nacv: r, nucp_nic: p, nac_p: nacp, gva: None }),
            mops_version: Some(2), mode3a: None,
            flight_level: fl.map(|n| f64::from(n) / 4.0),
            barometric_vertical_rate_mps: None,
            geometric_vertical_rate_mps: rate.map(|n| f64::from(n) * 6.25 * 0.3048 / 60.0),
            ground_vector: gv.map(|(g, a)| GroundVector {
                ground_speed_mps: f64::from(g) / 16_384.0 * 1852.0,
                track_angle_deg: f64::from(a) * 360.0 / 65_536.0,
            }),
            time_of_report_transmission_s: None, callsign, emitter_category: ecat,
        }
    }
}

/// Values on the wire grid survive up to float rounding; the bytes are exact.
fn same_bytes_again<R: feeds::asterix::AsterixRecord + Clone>(
    records: &[R],
    decode: fn(&[u8]) -> Result<Vec<R>, String>,
) -> Result<(), TestCaseError> {
    let block = encode_block(records).unwrap();
    let decoded = decode(&block).map_err(TestCaseError::fail)?;
    prop_assert_eq!(decoded.len(), records.len());
    prop_assert_eq!(encode_block(&decoded).unwrap(), block);
    Ok(())
}

proptest! {
    #[test]
    fn cat048_round_trips(records in proptest::collection::vec(arb_048(), 1..20)) {
        same_bytes_again(&records, Cat048Record::decode_block)?;
        let block = encode_block(&records).unwrap();
        let decoded = Cat048Record::decode_block(&block).unwrap();
        for (a, b) in records.iter().zip(&decoded) {
            prop_assert_eq!(a.mode3a, b.mode3a);
            prop_assert_eq!(a.callsign, b.callsign);
            prop_assert_eq!(a.aircraft_address, b.aircraft_address);
            prop_assert_eq!(a.track_number, b.track_number);
            prop_assert_eq!(a.time_of_day_s, b.time_of_day_s);
            prop_assert_eq!(a.flight_level, b.flight_level);
            if let (Some(p), Some(q)) = (a.polar, b.polar) {
                prop_assert!((p.range_m - q.range_m).abs() < 1e-6);
                prop_assert!((p.azimuth_deg - q.azimuth_deg).abs() < 1e-9);
            } else {
                prop_assert_eq!(a.polar.is_some(), b.polar.is_some());
            }
        }
    }

    #[test]
    fn cat062_round_trips(records in proptest::collection::vec(arb_062(), 1..20)) {
        same_bytes_again(&records, Cat062Record::decode_block)?;
        let decoded = Cat062Record::decode_block(&encode_block(&records).unwrap()).unwrap();
        for (a, b) in records.iter().zip(&decoded) {
            prop_assert_eq!(a.track_number, b.track_number);
            prop_assert_eq!(a.aircraft_id, b.aircraft_id);
            prop_assert_eq!(a.position, b.position);
            prop_assert_eq!(a.velocity, b.velocity);
        }
    }

    #[test]
    fn cat021_round_trips(records in proptest::collection::vec(arb_021(), 1..20)) {
        same_bytes_again(&records, Cat021Record::decode_block)?;
        let decoded = Cat021Record::decode_block(&encode_block(&records).unwrap()).unwrap();
        for (a, b) in records.iter().zip(&decoded) {
            prop_assert_eq!(a.position, b.position);
            prop_assert_eq!(a.quality, b.quality);
            prop_assert_eq!(a.callsign, b.callsign);
            prop_assert_eq!(a.time_of_reception_position_s, b.time_of_reception_position_s);
        }
    }

    /// Random and mutated bytes never panic, every error names ASTERIX and a
    /// place inside the input, and stream decoding does not depend on the cut.
    #[test]
    fn hostile_bytes_never_panic(
        records in proptest::collection::vec(arb_048(), 1..6),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        noise in proptest::collection::vec(any::<u8>(), 0..64),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = encode_block(&records).unwrap();
        for (at, value) in flips {
            let idx = at.index(bytes.len());
            bytes[idx] = value;
        }
        bytes.extend_from_slice(&noise);
        let mut datagram = AsterixDecoder::new(config());
        let sink = feeds::decode_all(&mut datagram, &bytes);
        for error in &sink.errors {
            prop_assert_eq!(error.format, feeds::Format::Asterix);
            let feeds::Place::Byte(offset) = error.place else { panic!("not a byte place") };
            prop_assert!(offset < bytes.len() as u64);
        }
        prop_assert!(sink.observations().all(|o| o.is_finite()));
        let at = cut.index(bytes.len() + 1);
        let mut stream = AsterixDecoder::with_options(config(), AsterixOptions::default(), Framing::Stream);
        let mut cut_sink = Collect::default();
        stream.feed(&bytes[..at], &mut cut_sink);
        stream.feed(&bytes[at..], &mut cut_sink);
        stream.finish(&mut cut_sink);
        let mut whole = AsterixDecoder::with_options(config(), AsterixOptions::default(), Framing::Stream);
        let whole_sink = feeds::decode_all(&mut whole, &bytes);
        prop_assert_eq!(cut_sink.records, whole_sink.records);
    }
}

/// A radar feed crossing midnight with one corrupt time of day in the middle
/// (11:40 while the feed is at 23:55, as a flipped byte in night-wave's Lutsk
/// file read): every good plot is decoded at its true absolute time, in any
/// chunking, and only the corrupt one is rejected, naming its byte offset.
#[test]
fn a_corrupt_time_of_day_does_not_derail_midnight() {
    let day = Time::parse_rfc3339("2025-09-09T00:00:00Z").unwrap();
    let start_s = 23.0 * 3600.0 + 50.0 * 60.0;
    // 300 plots 4 s apart, 23:50:00 on the 9th to 00:09:56 on the 10th.
    let truth: Vec<f64> = (0..300).map(|i| start_s + 4.0 * f64::from(i)).collect();
    let plot = |abs_s: f64| Cat048Record {
        sac: 25,
        sic: 7,
        time_of_day_s: abs_s % 86_400.0,
        polar: Some(PolarPosition {
            range_m: 50_000.0,
            azimuth_deg: abs_s % 360.0,
        }),
        ..Cat048Record::default()
    };
    let corrupt = 75; // 23:55:00, replaced below
    let mut bytes = Vec::new();
    let mut corrupt_offset = 0;
    for (b, chunk) in truth.chunks(10).enumerate() {
        let mut records: Vec<Cat048Record> = chunk.iter().map(|&t| plot(t)).collect();
        if b == corrupt / 10 {
            records.insert(corrupt % 10, plot(11.0 * 3600.0 + 40.0 * 60.0));
            let before = encode_block(&records[..corrupt % 10]).unwrap();
            corrupt_offset = bytes.len() + before.len();
        }
        bytes.extend(encode_block(&records).unwrap());
    }
    for chunk_len in [bytes.len(), 7, 64] {
        let mut decoder = AsterixDecoder::with_options(
            DecoderConfig {
                source: SourceId::new("asterix:midnight"),
                day,
            },
            AsterixOptions::default(),
            Framing::Stream,
        );
        let mut sink = Collect::default();
        for piece in bytes.chunks(chunk_len) {
            decoder.feed(piece, &mut sink);
        }
        decoder.finish(&mut sink);
        let times: Vec<String> = sink.observations().map(|o| o.time.to_string()).collect();
        let expected: Vec<String> = truth
            .iter()
            .map(|&s| (day + model::Duration::from_secs_f64(s)).to_string())
            .collect();
        assert_eq!(times, expected, "chunks of {chunk_len}");
        assert_eq!(sink.errors.len(), 1, "{:#?}", sink.errors);
        let error = sink.errors[0].to_string();
        assert_eq!(
            sink.errors[0].place,
            feeds::Place::Byte(corrupt_offset as u64),
            "{error}"
        );
        assert!(
            error.contains("I048/140") && error.contains("11:40:00.000"),
            "{error}"
        );
    }
}

/// A feed back after a five-hour outage loses nothing: the first plots after
/// the gap wait until the next ones confirm the jump.
#[test]
fn a_feed_back_after_an_outage_loses_no_plot() {
    let plot = |tod_s: f64| Cat048Record {
        sac: 25,
        sic: 7,
        time_of_day_s: tod_s,
        polar: Some(PolarPosition {
            range_m: 50_000.0,
            azimuth_deg: 10.0,
        }),
        ..Cat048Record::default()
    };
    let tods = [3_600.0, 3_604.0, 21_600.0, 21_604.0, 21_608.0, 21_612.0];
    let mut bytes = Vec::new();
    for &t in &tods {
        bytes.extend(encode_block(&[plot(t)]).unwrap());
    }
    let sink = feeds::decode_all(&mut AsterixDecoder::new(config()), &bytes);
    assert!(sink.errors.is_empty(), "{:#?}", sink.errors);
    let times: Vec<String> = sink.observations().map(|o| o.time.to_string()).collect();
    assert_eq!(
        times,
        [
            "2025-09-10T01:00:00Z",
            "2025-09-10T01:00:04Z",
            "2025-09-10T06:00:00Z",
            "2025-09-10T06:00:04Z",
            "2025-09-10T06:00:08Z",
            "2025-09-10T06:00:12Z"
        ]
    );
}

/// A corrupt block header far from the end of the input (night-wave's Lutsk
/// file: CAT000 at byte 89,755 of 1 MB) loses only itself: the scan finds the
/// next block whatever follows it, fed whole or in pieces.
#[test]
fn resynchronises_far_from_the_end_of_the_input() {
    let block = |i: u16| encode_block(&[sample_048(i % 8)]).unwrap();
    let mut bytes = Vec::new();
    for i in 0..3 {
        bytes.extend(block(i));
    }
    bytes.extend([0x00, 0x12, 0x34, 0x56]);
    for i in 3..200 {
        bytes.extend(block(i));
    }
    for piece_len in [bytes.len(), 4096, 7] {
        let mut decoder =
            AsterixDecoder::with_options(config(), AsterixOptions::default(), Framing::Stream);
        let mut sink = Collect::default();
        for piece in bytes.chunks(piece_len) {
            decoder.feed(piece, &mut sink);
        }
        decoder.finish(&mut sink);
        assert_eq!(sink.observations().count(), 200, "pieces of {piece_len}");
        // One error for the four bytes (two when a piece ends inside them).
        let errors: Vec<String> = sink.errors.iter().map(|e| e.to_string()).collect();
        let skipped: usize = sink.errors.iter().map(|e| e.raw.len()).sum();
        assert_eq!(skipped, 4, "pieces of {piece_len}: {errors:#?}");
        assert!(errors[0].contains("found CAT000; skipped"), "{errors:?}");
        if piece_len > 7 {
            assert_eq!(errors.len(), 1, "{errors:?}");
        }
    }
}

/// A corrupt block LEN that still fits in the input (night-wave's Lutsk feed:
/// one flipped bit made a block of LEN 62,766 that took thousands of plots
/// behind it as its records, lost with one error): the block ends where a
/// chain of plausible blocks starts, and every plot is kept.
#[test]
fn a_corrupt_block_len_does_not_swallow_the_blocks_after_it() {
    let blocks: Vec<Vec<u8>> = (0..8)
        .map(|i| encode_block(&[sample_048(i)]).unwrap())
        .collect();
    let mut input: Vec<u8> = blocks.concat();
    // Block 2's LEN now covers blocks 2 to 4 and half of block 5.
    let at = blocks[0].len() + blocks[1].len();
    let swallowed = blocks[2].len() + blocks[3].len() + blocks[4].len() + blocks[5].len() / 2;
    input[at + 1..at + 3].copy_from_slice(&(swallowed as u16).to_be_bytes());
    for framing in [Framing::Stream, Framing::Datagram] {
        let mut d = AsterixDecoder::with_options(config(), AsterixOptions::default(), framing);
        let sink = feeds::decode_all(&mut d, &input);
        assert_eq!(sink.records.len(), 8, "{framing:?}: {:?}", sink.errors);
        assert_eq!(sink.errors.len(), 1, "{framing:?}: {:?}", sink.errors);
        assert_eq!(
            sink.errors[0].to_string(),
            format!(
                "asterix at byte {at}: a CAT048 block LEN ending at a block header: LEN {swallowed} \
                 is followed by no plausible header, a chain of blocks starts at +{}; decoded as LEN {}",
                blocks[2].len(),
                blocks[2].len()
            )
        );
    }
}
