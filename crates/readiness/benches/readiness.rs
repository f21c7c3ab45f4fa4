//! Speed bars: coverage of Ukraine's protected zones at 1 km for 4 bands and
//! 200 sensors (< 2 s), and a 365-day readiness assessment (< 1 s).

use criterion::{Criterion, criterion_group, criterion_main};
use readiness::{Area, Catalogue, Config, Coverage, Inputs, Sensor, SensorKind, Tempo};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn shield() -> pact::CompiledPact {
    let files = pact::DiskFiles::new(format!("{ROOT}/pacts"));
    let checked = pact::check(&files, "ukraine-shield.toml").expect("pact readable");
    checked.compiled.expect("the shield pact compiles")
}

/// 200 radars on a 20 × 10 lattice over Ukraine's extent.
fn sensors() -> Vec<Sensor> {
    (0..200)
        .map(|i| Sensor {
            id: format!("r{i}"),
            kind: SensorKind::Radar,
            lat_deg: 44.6 + 7.6 * f64::from(i / 20) / 9.0,
            lon_deg: 22.3 + 17.8 * f64::from(i % 20) / 19.0,
            antenna_m: 30.0,
            range_m: 250_000.0,
            alt_max_m: f64::INFINITY,
        })
        .collect()
}

fn coverage(c: &mut Criterion) {
    let pact = shield();
    let areas: Vec<Area> = pact
        .zones
        .iter()
        .filter(|z| {
            matches!(
                z.kind,
                pact::syntax::ZoneKind::ProtectedAirspace | pact::syntax::ZoneKind::BorderBelt
            )
        })
        .map(|z| Area {
            id: z.id.clone(),
            area: z.area.clone(),
        })
        .collect();
    let sensors = sensors();
    let mut group = c.benchmark_group("coverage");
    group.sample_size(10);
    group.bench_function("ua zones 1 km 4 bands 200 sensors", |b| {
        b.iter(|| {
            Coverage::compute(&areas, &sensors, 1000.0)
                .expect("coverage")
                .report()
        })
    });
    let cov = Coverage::compute(&areas, &sensors[..20], 1000.0).expect("coverage");
    let template = sensors[0].clone();
    group.bench_function("greedy 10 extra sensors, 10 km lattice", |b| {
        b.iter(|| cov.place(&template, 10, 10))
    });
    group.finish();
}

fn year(c: &mut Criterion) {
    let pact = shield();
    let catalogue = Catalogue::builtin();
    let tempo_text =
        std::fs::read_to_string(format!("{ROOT}/scenarios/tempo/600-every-4.toml")).expect("tempo");
    let tempo = Tempo::parse("600-every-4", &tempo_text, &catalogue).expect("tempo parses");
    let known = readiness::deliveries::Known::of(&pact);
    let d_text =
        std::fs::read_to_string(format!("{ROOT}/scenarios/deliveries/ukraine-shield.toml"))
            .expect("deliveries");
    let deliveries = readiness::deliveries::parse("d", &d_text, &known).expect("deliveries parse");
    let config = Config {
        at: readiness::deliveries::parse_date("2026-06-15").expect("date"),
        horizon_days: 365,
        endurance_days: 30,
    };
    let mut group = c.benchmark_group("readiness");
    group.bench_function("365-day assessment, 600-every-4, records", |b| {
        b.iter(|| {
            let inputs = Inputs {
                catalogue: Some(catalogue.clone()),
                deliveries: Some(deliveries.clone()),
                tempo: Some(tempo.clone()),
                ..Inputs::default()
            };
            readiness::assess(&pact, inputs, &config).expect("assess")
        })
    });
    group.finish();
}

criterion_group!(benches, coverage, year);
criterion_main!(benches);
