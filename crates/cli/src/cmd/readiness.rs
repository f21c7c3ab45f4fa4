//! `guarantor readiness PACT [--deliveries FILE] [--tempo FILE] [--at DATE]
//! [--sensors SCENARIO] [--triggers FILE] [--out DIR]`: the readiness report as a
//! terminal table and `DIR/readiness.html`. Glue only: files are read here, the
//! arithmetic is the `readiness` crate's.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use readiness::{Area, Config, CoverageSummary, Inputs, Sensor, SensorKind};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pact's TOML file; the GeoJSON files it names are read relative to it.
    pub pact: PathBuf,
    /// Delivery records (TOML `[[delivery]]`: party, item, quantity, date, place); without
    /// it the pact's stocks are taken as in place at day 0 and commitments as met when due.
    #[arg(long)]
    pub deliveries: Option<PathBuf>,
    /// A tempo scenario (`scenarios/tempo/*.toml`); without it each stock's `use_per_day`.
    #[arg(long)]
    pub tempo: Option<PathBuf>,
    /// The as-of date (`YYYY-MM-DD` or RFC 3339); the pact's day 0 by default.
    #[arg(long)]
    pub at: Option<String>,
    /// A sim scenario whose radars and acoustic nets are the sensor laydown for coverage.
    #[arg(long)]
    pub sensors: Option<PathBuf>,
    /// Extra sensors to place greedily where they close the most low-altitude gap.
    #[arg(long, default_value_t = 5)]
    pub extra_sensors: usize,
    /// The triggers stage's records (JSON lines) for the scorecards and reviews.
    #[arg(long)]
    pub triggers: Option<PathBuf>,
    /// Days forecast from day 0.
    #[arg(long, default_value_t = 365)]
    pub horizon_days: u32,
    /// Coverage grid cell, metres.
    #[arg(long, default_value_t = 1000.0)]
    pub cell_m: f64,
    /// Where `readiness.html` is written.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let compiled = load_pact(&args.pact)?;
    let at = match &args.at {
        Some(text) => readiness::deliveries::parse_date(text)
            .with_context(|| format!("--at `{text}` is not YYYY-MM-DD or RFC 3339"))?,
        None => compiled.effective,
    };
    let report = assess(&compiled, args, at)?;
    print!("{}", readiness::table::render(&report));
    std::fs::create_dir_all(&args.out).with_context(|| format!("--out {}", args.out.display()))?;
    let html = args.out.join("readiness.html");
    std::fs::write(&html, readiness::html::render(&report))
        .with_context(|| format!("writing {}", html.display()))?;
    println!("\nwrote {}", html.display());
    let unbacked = report
        .rungs
        .iter()
        .any(|r| r.state == readiness::Backing::Unbacked);
    Ok(if unbacked {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load_pact(path: &Path) -> anyhow::Result<pact::CompiledPact> {
    let dir = path.parent().unwrap_or(Path::new(""));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("PACT `{}` is not a file name in UTF-8", path.display()))?;
    let checked = pact::check(&pact::DiskFiles::new(dir), name)?;
    match checked.compiled {
        Some(c) => Ok(c),
        None => anyhow::bail!(
            "{}: the pact has errors:\n{}",
            path.display(),
            checked.render()
        ),
    }
}

fn read(path: &Path, flag: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{flag} {}", path.display()))
}

fn assess(
    compiled: &pact::CompiledPact,
    args: &Args,
    at: model::Time,
) -> anyhow::Result<readiness::Report> {
    let catalogue = readiness::Catalogue::builtin();
    let known = readiness::deliveries::Known::of(compiled);
    let deliveries = match &args.deliveries {
        Some(p) => Some(readiness::deliveries::parse(
            &p.display().to_string(),
            &read(p, "--deliveries")?,
            &known,
        )?),
        None => None,
    };
    let tempo = match &args.tempo {
        Some(p) => Some(readiness::Tempo::parse(
            &p.display().to_string(),
            &read(p, "--tempo")?,
            &catalogue,
        )?),
        None => None,
    };
    let triggers = match &args.triggers {
        Some(p) => readiness::records::parse(&p.display().to_string(), &read(p, "--triggers")?)?,
        None => Vec::new(),
    };
    let coverage = match &args.sensors {
        Some(p) => Some(coverage(
            compiled,
            &laydown(p)?,
            args.extra_sensors,
            args.cell_m,
        )?),
        None => None,
    };
    let inputs = Inputs {
        catalogue: Some(catalogue),
        deliveries,
        tempo,
        triggers,
        coverage,
    };
    let config = Config {
        at,
        horizon_days: args.horizon_days,
        endurance_days: 30,
    };
    Ok(readiness::assess(compiled, inputs, &config)?)
}

/// The radars and acoustic-net nodes of a sim scenario.
pub fn laydown(path: &Path) -> anyhow::Result<Vec<Sensor>> {
    let scenario = sim::scenario::Scenario::load(path)
        .with_context(|| format!("--sensors {}", path.display()))?;
    let radars = scenario.radar.iter().map(|r| Sensor {
        id: r.id.clone(),
        kind: SensorKind::Radar,
        lat_deg: r.position[0],
        lon_deg: r.position[1],
        antenna_m: r.antenna_height_m,
        range_m: r.range_max_m,
        alt_max_m: f64::INFINITY,
    });
    let acoustic = scenario.acoustic_net.iter().flat_map(|net| {
        net.nodes.iter().enumerate().map(move |(i, node)| Sensor {
            id: format!("{}#{i}", net.id),
            kind: SensorKind::Acoustic,
            lat_deg: node[0],
            lon_deg: node[1],
            antenna_m: 0.0,
            range_m: net.radius_m,
            alt_max_m: net.alt_max_m,
        })
    });
    Ok(radars.chain(acoustic).collect())
}

/// Coverage over the pact's protected airspace and border belts.
pub fn coverage(
    compiled: &pact::CompiledPact,
    sensors: &[Sensor],
    extra: usize,
    cell_m: f64,
) -> anyhow::Result<CoverageSummary> {
    use pact::syntax::ZoneKind;
    let areas: Vec<Area> = compiled
        .zones
        .iter()
        .filter(|z| matches!(z.kind, ZoneKind::ProtectedAirspace | ZoneKind::BorderBelt))
        .map(|z| Area {
            id: z.id.clone(),
            area: z.area.clone(),
        })
        .collect();
    let cov = readiness::Coverage::compute(&areas, sensors, cell_m)?;
    // The extra sensor: a mobile low-level radar on a 10 m mast, 40 km instrumented range
    // (a planning assumption: the facts file gives no gap-filler radar figures).
    let template = Sensor {
        id: "gap-filler".into(),
        kind: SensorKind::Radar,
        lat_deg: 0.0,
        lon_deg: 0.0,
        antenna_m: 10.0,
        range_m: 40_000.0,
        alt_max_m: f64::INFINITY,
    };
    let spacing = (10_000.0 / cell_m).round().max(1.0) as usize;
    let block = (20_000.0 / cell_m).round().max(1.0) as usize;
    Ok(CoverageSummary {
        sensors: sensors.len(),
        bands: cov.report(),
        placements: cov.place(&template, extra, spacing),
        gap_maps: (0..readiness::coverage::BANDS_M.len())
            .map(|b| cov.gap_blocks(b, block))
            .collect(),
        block_km: block as f64 * cell_m / 1000.0,
    })
}

/// The readiness inputs bundled with the binary, as the demo and `guarantor serve` assess
/// them: the `600-every-4` tempo, the bundled delivery records (which may not fit another
/// pact: each caller decides what that means), as of 106 days after the pact's day 0.
pub struct Bundled {
    pub catalogue: readiness::Catalogue,
    pub tempo: readiness::Tempo,
    pub deliveries: Result<Vec<readiness::Delivery>, readiness::InputError>,
    pub config: Config,
}

impl Bundled {
    pub fn of(compiled: &pact::CompiledPact) -> anyhow::Result<Bundled> {
        const TEMPO: &str = include_str!("../../../../scenarios/tempo/600-every-4.toml");
        const DELIVERIES: &str =
            include_str!("../../../../scenarios/deliveries/ukraine-shield.toml");
        let catalogue = readiness::Catalogue::builtin();
        let tempo = readiness::Tempo::parse("scenarios/tempo/600-every-4.toml", TEMPO, &catalogue)?;
        let known = readiness::deliveries::Known::of(compiled);
        let deliveries = readiness::deliveries::parse(
            "scenarios/deliveries/ukraine-shield.toml",
            DELIVERIES,
            &known,
        );
        let config = Config {
            at: compiled.effective + model::Duration::from_days(106),
            horizon_days: 365,
            endurance_days: 30,
        };
        Ok(Bundled {
            catalogue,
            tempo,
            deliveries,
            config,
        })
    }
}

/// The demo's readiness headline for the bundled pact: the bundled tempo and
/// delivery record at day 106, coverage from `scenario`'s laydown when it can be read.
pub fn headline(compiled: &pact::CompiledPact, scenario: &Path) -> anyhow::Result<Vec<String>> {
    let Bundled {
        catalogue,
        tempo,
        deliveries,
        config,
    } = Bundled::of(compiled)?;
    let deliveries = deliveries?;
    let coverage = match laydown(scenario) {
        Ok(sensors) => Some(coverage(compiled, &sensors, 0, 1000.0)?),
        Err(_) => None,
    };
    let inputs = Inputs {
        catalogue: Some(catalogue),
        deliveries: Some(deliveries),
        tempo: Some(tempo),
        triggers: Vec::new(),
        coverage,
    };
    Ok(readiness::headline(&readiness::assess(
        compiled, inputs, &config,
    )?))
}
