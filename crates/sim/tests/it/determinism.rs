//! Same scenario and seed: the same bytes in every file; another seed: different.

use std::collections::BTreeMap;
use std::path::Path;

use sim::Scenario;

use crate::{out_dir, scenario_path};

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            std::fs::read(entry.path()).unwrap(),
        );
    }
    out
}

/// The baltic scenario touches every model but radar: AIS (terrestrial and
/// satellite), CoT patrols, STIX, faults are added below.
fn short_baltic() -> Scenario {
    let path = scenario_path("baltic-cable.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("duration = \"24h\"", "duration = \"16h\"")
        + "\n[[fault]]\nsensor = \"fi-ais-helsinki\"\ndrop = 0.05\nduplicate = 0.02\nreorder = 0.02\ncorrupt = 0.01\n";
    Scenario::parse(&text, &path).unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let scenario = short_baltic();
    let base = scenario_path("");
    let (a, b, c) = (out_dir("det-a"), out_dir("det-b"), out_dir("det-c"));
    sim::run(&scenario, &base, &a, 7).unwrap();
    sim::run(&scenario, &base, &b, 7).unwrap();
    sim::run(&scenario, &base, &c, 8).unwrap();
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert!(fa.len() >= 8, "{:?}", fa.keys());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(
            bytes == &fb[name],
            "{name} differs between two runs with the same seed"
        );
    }
    let differing: Vec<&String> = fa.keys().filter(|k| fa[*k] != fc[*k]).collect();
    assert!(
        differing.iter().any(|k| k.ends_with(".nmea")),
        "another seed changed only {differing:?}"
    );
    assert!(
        differing.contains(&&"truth.csv".to_owned()),
        "the loiter drift is drawn from the seed"
    );
}

#[test]
fn radar_output_is_deterministic_and_decodes() {
    let path = scenario_path("night-wave.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("duration = \"12h\"", "duration = \"3h\"");
    let scenario = Scenario::parse(&text, &path).unwrap();
    let base = scenario_path("");
    let (a, b) = (out_dir("radar-a"), out_dir("radar-b"));
    let manifest = sim::run(&scenario, &base, &a, 1).unwrap();
    sim::run(&scenario, &base, &b, 1).unwrap();
    let name = "pl-radar-lublin.ast";
    let bytes = std::fs::read(a.join(name)).unwrap();
    assert_eq!(bytes, std::fs::read(b.join(name)).unwrap());
    // Our own decoder reads back every record the encoder wrote.
    let entry = manifest.files.iter().find(|f| f.path == name).unwrap();
    assert!(entry.records > 1000, "{entry:?}");
    let config = feeds::DecoderConfig {
        source: model::SourceId::new("t"),
        day: scenario.start,
    };
    let mut decoder = feeds::asterix::AsterixDecoder::new(config);
    let decoded = feeds::decode_all(&mut decoder, &bytes);
    assert!(decoded.errors.is_empty(), "{:?}", decoded.errors.first());
    assert_eq!(decoder.stats().records, entry.records);
}
