//! The `indicators` benchmark's stream through the engine, once, for profiling
//! (`valgrind --tool=callgrind target/release/examples/indicator_stream [plain|cel|cel_field] [n]`)
//! and for comparing outputs across changes (a third argument `digest` prints a
//! digest of the records' JSON beside their number).

use std::collections::BTreeMap;
use std::path::PathBuf;

use model::incident::FieldValue;
use model::{Digest, Duration, Evidence, Incident, IncidentId, IncidentKind, Time};
use pact::DiskFiles;
use triggers::{Config, Engine};

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "plain".to_owned());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let digest = args.next().is_some_and(|a| a == "digest");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let text = std::fs::read_to_string(data.join("test.toml")).expect("test pact");
    let text = match which.as_str() {
        "cel" | "cel_field" => text,
        _ => text.replace("when = \"fields.state_originated == true\"\n", ""),
    };
    let checked = pact::check_text(&DiskFiles::new(&data), "test.toml", &text);
    let pact = checked.compiled.expect("the test pact compiles");
    let start = Time::parse_rfc3339("2026-01-10T00:00:00Z").expect("time");
    let zones = ["pl-belt", "ua-airspace", "elsewhere"];
    let incidents: Vec<Incident> = (0..n)
        .map(|i| Incident {
            id: IncidentId::new(format!("i{i}")),
            kind: IncidentKind::AirspaceEntry,
            time: start + Duration::from_us(i as i64 * 100_000),
            position: None,
            zones: vec![zones[i % 3].to_owned()],
            infrastructure: None,
            origin: Some("RU".to_owned()),
            confidence: 0.95,
            fields: if which == "cel_field" {
                BTreeMap::from([("state_originated".to_owned(), FieldValue::Bool(true))])
            } else {
                BTreeMap::new()
            },
            evidence: Evidence {
                items: Vec::new(),
                method: "bench".to_owned(),
                confidence: 0.95,
                statement: String::new(),
                contradictions: Vec::new(),
            },
            time_to_attribution: Duration::ZERO,
        })
        .collect();
    let config = Config {
        parallel_batch_min: usize::MAX,
        ..Config::default()
    };
    let mut engine = Engine::new(pact, config);
    let mut json = String::new();
    let mut n_records = 0;
    for chunk in incidents.chunks(4096) {
        for r in engine.process(chunk) {
            n_records += 1;
            if !digest {
                continue;
            }
            json.push_str(&serde_json::to_string(&r).expect("json"));
            json.push('\n');
        }
    }
    if std::env::var_os("DUMP").is_some() {
        print!("{json}");
    }
    println!(
        "{n_records} records, digest {}",
        Digest::of(json.as_bytes()).to_hex()
    );
}
