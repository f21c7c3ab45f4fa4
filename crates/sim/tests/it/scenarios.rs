//! The shipped scenarios load, and their true events are what they promise.

use model::IncidentKind;
use sim::Scenario;
use sim::geography::Geography;

use crate::scenario_path;

fn events_of(name: &str) -> (Vec<sim::truth::Object>, Vec<sim::events::TrueEvent>) {
    let path = scenario_path(name);
    let scenario = Scenario::load(&path).unwrap();
    let geography = Geography::load(&scenario.geography, path.parent().unwrap()).unwrap();
    let objects = sim::truth::build_objects(&scenario, &geography, scenario.seed);
    let events = sim::events::true_events(&scenario, &geography, &objects);
    (objects, events)
}

#[test]
fn quiet_day_has_traffic_and_no_events() {
    let (objects, events) = events_of("quiet-day.toml");
    assert!(objects.len() > 50, "{}", objects.len());
    assert!(objects.iter().all(|o| !o.class.is_threat()));
    assert_eq!(events, Vec::new());
}

#[test]
fn baltic_cable_flags_the_tanker_and_not_the_fishing_boat() {
    let (_, events) = events_of("baltic-cable.toml");
    let kinds: Vec<(IncidentKind, &str)> = events
        .iter()
        .map(|e| (e.kind, e.objects.first().map_or("", String::as_str)))
        .collect();
    for kind in [
        IncidentKind::AisDark,
        IncidentKind::VesselLoitering,
        IncidentKind::AnchorDrag,
    ] {
        assert!(
            kinds.contains(&(kind, "eagle-x")),
            "{kind:?} missing: {kinds:?}"
        );
    }
    assert!(
        kinds
            .iter()
            .any(|(k, _)| *k == IncidentKind::InfrastructureDamage)
    );
    assert!(
        !kinds
            .iter()
            .any(|(_, o)| o.starts_with("kalastaja") || o.starts_with("lane-west")),
        "{kinds:?}"
    );
    // The drag crosses the cable after the tanker went dark and loitered.
    let time = |k| events.iter().find(|e| e.kind == k).unwrap().time;
    assert!(time(IncidentKind::AisDark) < time(IncidentKind::VesselLoitering));
    assert!(time(IncidentKind::VesselLoitering) < time(IncidentKind::AnchorDrag));
}

/// The pacts' `cable-anchor-drag` reads `length_m` and `infrastructure-sabotage`
/// reads `deliberate`: the true events carry both, measured from the truth.
#[test]
fn anchor_drags_carry_their_length_and_the_fault_is_deliberate() {
    // (scenario, infrastructure, distance from anchor down to the crossing, km)
    for (name, infra, km) in [
        // Anchor down at 59.98 N 26.55 E, cable at ~60.075 N 25.95 E.
        ("replay/fi-estlink2-2024-12-25.toml", "estlink-2", 35.0),
        // Anchor down at 59.35 N 22.35 E, pipeline at ~59.85 N 24.10 E.
        (
            "replay/fi-balticconnector-2023-10-08.toml",
            "balticconnector",
            113.0,
        ),
    ] {
        let (_, events) = events_of(name);
        let drag = events
            .iter()
            .find(|e| {
                e.kind == IncidentKind::AnchorDrag && e.infrastructure.as_deref() == Some(infra)
            })
            .unwrap_or_else(|| panic!("{name}: no drag across {infra}"));
        let length = drag.fields["length_m"].as_f64().unwrap();
        assert!(
            (length / 1000.0 - km).abs() < 0.15 * km,
            "{name}: dragged {length} m, expected ~{km} km"
        );
        let fault = events
            .iter()
            .find(|e| e.kind == IncidentKind::InfrastructureDamage)
            .unwrap();
        assert_eq!(fault.fields["deliberate"], true, "{name}");
    }
    // A fault before any drag across the line is not deliberate.
    let path = scenario_path("baltic-cable.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "time = \"2024-12-25T14:45:00Z\"",
        "time = \"2024-12-25T03:00:00Z\"",
    );
    let scenario = Scenario::parse(&text, &path).unwrap();
    let geography = Geography::load(&scenario.geography, path.parent().unwrap()).unwrap();
    let objects = sim::truth::build_objects(&scenario, &geography, scenario.seed);
    let events = sim::events::true_events(&scenario, &geography, &objects);
    let fault = events
        .iter()
        .find(|e| e.kind == IncidentKind::InfrastructureDamage)
        .unwrap();
    assert_eq!(fault.time.to_string(), "2024-12-25T03:00:00Z");
    assert_eq!(fault.fields["deliberate"], false);
}

#[test]
fn replay_has_nineteen_violations_of_polish_airspace() {
    let (_, events) = events_of("replay/pl-2025-09-10.toml");
    let into_pl: Vec<_> = events
        .iter()
        .filter(|e| e.kind == IncidentKind::AirspaceEntry && e.fields["into"] == "PL")
        .collect();
    // incidents.json 3a: 19 violations (official count).
    assert_eq!(into_pl.len(), 19);
    // Launched from the Gomel region (the scenario's ASSUMPTION): the state they came
    // from is Belarus, whatever the political attribution (Russia).
    assert!(into_pl.iter().all(|e| e.origin.as_deref() == Some("BY")));
    assert!(events.iter().any(|e| e.kind == IncidentKind::MassIncursion));
}

#[test]
fn cyber_grid_raises_only_destructive_attacks() {
    let (_, events) = events_of("cyber-grid.toml");
    let infra: Vec<&str> = events
        .iter()
        .map(|e| e.infrastructure.as_deref().unwrap())
        .collect();
    assert_eq!(infra, ["trypilska-tpp", "rzeszow-substation"]);
    assert!(events.iter().all(|e| e.kind == IncidentKind::CyberAttack));
}

#[test]
fn unknown_fields_are_refused_naming_file_and_field() {
    let path = std::path::Path::new("scenarios/typo.toml");
    let text = "name = \"x\"\nstart = \"2025-01-01T00:00:00Z\"\nduration = \"1h\"\nseed = 1\nrotaton = 3\n";
    let err = Scenario::parse(text, path).unwrap_err().to_string();
    assert!(
        err.contains("scenarios/typo.toml") && err.contains("rotaton"),
        "{err}"
    );
    let bad_leg = format!(
        "{}[[vessel]]\nname = \"v\"\nclass = \"tanker\"\nmmsi = 1\nstart_at = \"2025-01-01T00:00:00Z\"\nposition = [60.0, 25.0]\nlegs = [{{ to = [60.1, 25.0] }}]\n",
        text.replace("rotaton = 3\n", "")
    );
    let err = Scenario::parse(&bad_leg, path).unwrap_err().to_string();
    assert!(err.contains("vessel `v`.legs[0]"), "{err}");
}

#[test]
fn baltic_cable_loitering_is_seen_by_a_sensor() {
    // The tanker loiters with its AIS off: only the Border Guard boat watching the
    // crossing sees it, and must see it for the whole of the loitering hour.
    let path = scenario_path("baltic-cable.toml");
    let scenario = Scenario::load(&path).unwrap();
    let (_, events) = events_of("baltic-cable.toml");
    let loiter = events
        .iter()
        .find(|e| e.kind == IncidentKind::VesselLoitering)
        .unwrap();
    let at = loiter.position.as_ref().unwrap();
    let at = model::Geodetic::new(at.lat_deg, at.lon_deg, 0.0);
    let out = std::env::temp_dir().join(format!("sim-baltic-loiter-{}", std::process::id()));
    let manifest = sim::run(&scenario, path.parent().unwrap(), &out, scenario.seed).unwrap();
    let from = loiter.time - scenario.events.loiter_min;
    let mut seen = Vec::new();
    for f in manifest.files.iter().filter(|f| f.format == "cot") {
        let bytes = std::fs::read(out.join(&f.path)).unwrap();
        let config = feeds::DecoderConfig {
            source: model::SourceId::new(f.sensor.clone().unwrap_or_default()),
            day: manifest.start,
        };
        let mut decoder = feeds::cot::CotDecoder::new(&config);
        for r in feeds::decode_all(&mut decoder, &bytes).records {
            if let feeds::Record::Observation(o) = r {
                let model::Measurement::Position { position, .. } = o.measurement else {
                    continue;
                };
                if o.time >= from
                    && o.time <= loiter.time
                    && position.surface_distance_m(&at) < 2_000.0
                {
                    seen.push(o.time);
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    // A report a minute: at least 50 of the hour's 60.
    assert!(seen.len() >= 50, "{} reports of the loitering", seen.len());
}
