//! `guarantor replay`: the real incidents of `scenarios/replay/` through the
//! automatic text and the Article-5-style text, side by side, against what
//! actually happened (`scenarios/replay/actual.toml`, from the public facts).
//!
//! By default each scenario goes through the real loop (`cmd::chain`: sim → wire
//! formats → feeds → fusion → attribution) before the texts; an activation counts
//! from when the last of its incidents was emitted. The delays are measured from
//! the moment the same rung's indicator became true in ground truth (`sim::events`
//! through the same text) and from the first detection of a non-cooperative track.
//! `--truth-incidents` feeds the ground truth itself (what a perfect attribution
//! would raise): the delay is then the trigger's own.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use geo::{Intersects, Point};
use model::incident::FieldValue;
use model::{Duration, Evidence, Geodetic, Incident, IncidentId, Time};
use pact::CompiledPact;
use serde::Deserialize;
use triggers::{Config, Engine, Record};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder of replay scenarios and their `actual.toml`.
    #[arg(long, default_value = "scenarios/replay")]
    pub scenarios: PathBuf,
    /// The automatic text.
    #[arg(long, default_value = "pacts/ukraine-shield.toml")]
    pub automatic: PathBuf,
    /// The Article-5-style text.
    #[arg(long, default_value = "pacts/article5-style.toml")]
    pub article5: PathBuf,
    /// Where `replay.md` is written.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Feed each scenario's ground-truth incidents instead of running the real loop.
    #[arg(long)]
    pub truth_incidents: bool,
    /// Replay only these scenarios (by name, as in `actual.toml`); default: all.
    #[arg(long = "only", value_name = "SCENARIO")]
    pub only: Vec<String>,
    /// Scratch folder for the real loop's sim output.
    #[arg(long, default_value = "target/replay-work")]
    pub work: PathBuf,
}

/// What actually happened, per replay scenario (copied from the public facts with sources).
#[derive(Debug, Deserialize)]
struct Actual {
    incident: Vec<ActualIncident>,
    /// Incidents of the facts file with no scenario, and why.
    #[serde(default)]
    not_replayed: Vec<NotReplayed>,
}

#[derive(Debug, Deserialize)]
struct NotReplayed {
    facts_id: String,
    why: String,
}

#[derive(Debug, Deserialize)]
struct ActualIncident {
    scenario: String,
    facts_id: String,
    name: String,
    /// What was done and when, as the sources say.
    response: String,
    response_at: Option<Time>,
}

/// One text's result on one scenario.
#[derive(Debug, Clone)]
pub struct TextResult {
    pub indicators: Vec<(String, Time)>,
    /// (response, rung, trigger_at, at)
    pub activations: Vec<(String, u32, Time, Time)>,
    /// Decisions still pending at the end (consultation texts).
    pub pending: Vec<(String, Time)>,
    pub first_incident: Option<Time>,
}

pub fn load_pact(path: &Path) -> Result<CompiledPact> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("pact path")?;
    let checked = pact::check(&pact::DiskFiles::new(dir), name)
        .with_context(|| format!("pact {}", path.display()))?;
    let rendered = checked.render();
    checked
        .compiled
        .with_context(|| format!("pact {} does not compile:\n{rendered}", path.display()))
}

/// A scenario's true events as incidents, zones taken from the pact's own polygons.
pub fn truth_incidents(
    scenario_path: &Path,
    pact: &CompiledPact,
) -> Result<(sim::Scenario, Vec<Incident>)> {
    let scenario = sim::Scenario::load(scenario_path)?;
    let base = scenario_path.parent().unwrap_or(Path::new("."));
    let geography = sim::geography::Geography::load(&scenario.geography, base)
        .map_err(|(file, message)| anyhow::anyhow!("{}: {message}", file.display()))?;
    let objects = sim::truth::build_objects(&scenario, &geography, scenario.seed);
    let events = sim::events::true_events(&scenario, &geography, &objects);
    let incidents = events
        .iter()
        .enumerate()
        .map(|(i, e)| incident_of(&scenario.name, i, e, pact))
        .collect();
    Ok((scenario, incidents))
}

fn incident_of(
    scenario: &str,
    idx: usize,
    e: &sim::events::TrueEvent,
    pact: &CompiledPact,
) -> Incident {
    let position = e.position.as_ref().map(|p| Geodetic {
        lat_deg: p.lat_deg,
        lon_deg: p.lon_deg,
        alt_m: p.alt_m,
    });
    let mut zones: Vec<String> = match &e.position {
        Some(p) => {
            let point = Point::new(p.lon_deg, p.lat_deg);
            pact.zones
                .iter()
                .filter(|z| z.area.intersects(&point))
                .map(|z| z.id.clone())
                .collect()
        }
        None => e.zones.clone(),
    };
    zones.sort();
    zones.dedup();
    let mut fields = BTreeMap::new();
    for (k, v) in &e.fields {
        let value = match v {
            serde_json::Value::Bool(b) => FieldValue::Bool(*b),
            serde_json::Value::Number(n) if n.is_i64() => FieldValue::Int(n.as_i64().unwrap_or(0)),
            serde_json::Value::Number(n) => FieldValue::Float(n.as_f64().unwrap_or(0.0)),
            // The tracker classifies as `model::TrackClass`; pacts speak of drones and missiles.
            serde_json::Value::String(s) if k == "class" => FieldValue::Text(
                if s.contains("missile") {
                    "missile"
                } else if s.contains("aircraft") || s == "airliner" {
                    "aircraft"
                } else {
                    "drone"
                }
                .to_owned(),
            ),
            serde_json::Value::String(s) => FieldValue::Text(s.clone()),
            _ => continue,
        };
        fields.insert(k.clone(), value);
    }
    Incident {
        id: IncidentId::new(format!("{scenario}/truth/{idx}")),
        kind: e.kind,
        time: e.time,
        position,
        zones,
        infrastructure: e.infrastructure.clone(),
        origin: e.origin.clone(),
        confidence: 1.0,
        fields,
        evidence: Evidence {
            items: Vec::new(),
            method: "ground-truth".to_owned(),
            confidence: 1.0,
            statement: "from the scenario's ground truth (sim::events), not from sensors"
                .to_owned(),
            contradictions: Vec::new(),
        },
        time_to_attribution: Duration::ZERO,
    }
}

/// Runs a text over incidents as if it had been in force for a year.
pub fn run_text(
    pact: &CompiledPact,
    incidents: &[Incident],
    end: Time,
) -> (TextResult, Vec<Record>) {
    let first = incidents.iter().map(|i| i.time).min();
    let config = Config {
        effective_override: first.map(|t| t - Duration::from_days(365)),
        ..Config::default()
    };
    let mut engine = Engine::new(pact.clone(), config);
    let mut sorted = incidents.to_vec();
    sorted.sort_by_key(|i| i.time);
    let mut records = engine.process(&sorted);
    records.extend(engine.advance(end));
    let mut result = TextResult {
        indicators: Vec::new(),
        activations: Vec::new(),
        pending: Vec::new(),
        first_incident: first,
    };
    for r in &records {
        match r {
            Record::IndicatorMet(m)
                if !result.indicators.iter().any(|(i, _)| *i == m.indicator) =>
            {
                result.indicators.push((m.indicator.clone(), m.at));
            }
            Record::Activation(a) => {
                result
                    .activations
                    .push((a.response.clone(), a.rung, a.trigger_at, a.at));
                result.pending.retain(|(p, _)| *p != a.response);
            }
            Record::Change(c) => {
                if let triggers::ChangeKind::DecisionPending {
                    response,
                    decides_at,
                    ..
                } = &c.kind
                {
                    result.pending.push((response.clone(), *decides_at));
                }
            }
            _ => {}
        }
    }
    (result, records)
}

fn fmt_delay(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// The columns of one row: indicators, activation, delay from the indicator true in
/// ground truth, delay from the first detection; and that first delay for the bar.
fn describe(
    result: &TextResult,
    truth: &TextResult,
    end: Time,
    first_detection: Option<Time>,
) -> (String, String, String, String, Option<Duration>) {
    let indicators = if result.indicators.is_empty() {
        "none".to_owned()
    } else {
        result
            .indicators
            .iter()
            .map(|(i, _)| i.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((response, rung, trigger_at, at)) = result.activations.first() else {
        let pending = result.pending.first().map_or("none".to_owned(), |(r, t)| {
            format!("none by {end}; `{r}` decided at {t}")
        });
        return (indicators, pending, "—".to_owned(), "—".to_owned(), None);
    };
    // The same rung's indicator in ground truth; without one, the activation's own.
    let true_at = truth
        .activations
        .iter()
        .find(|(r, n, _, _)| r == response && n == rung)
        .map_or(*trigger_at, |(_, _, t, _)| *t);
    let from_truth = *at - true_at;
    let from_first = first_detection
        .or(result.first_incident)
        .map_or("—".to_owned(), |f| fmt_delay(*at - f));
    (
        indicators,
        format!("`{response}` (rung {rung}) at {at}"),
        fmt_delay(from_truth),
        from_first,
        Some(from_truth),
    )
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let automatic = load_pact(&args.automatic)?;
    let article5 = load_pact(&args.article5)?;
    let actual_path = args.scenarios.join("actual.toml");
    let actual: Actual = toml::from_str(
        &std::fs::read_to_string(&actual_path)
            .with_context(|| actual_path.display().to_string())?,
    )
    .with_context(|| actual_path.display().to_string())?;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Replay: the automatic text against an Article-5-style text\n"
    );
    let _ = writeln!(
        md,
        "{} Both texts are read as if in force for a year. Delays are event time, from the \
         moment the rung's indicator became true in ground truth and from the first detection.\n",
        if args.truth_incidents {
            "Incidents are each scenario's ground truth (what a perfect attribution would raise); \
             with no sensors, the first-detection column counts from the first true incident."
        } else {
            "Incidents come from the real loop (sim → wire formats → feeds → fusion → \
             attribution); an activation counts from the emission of its last incident."
        }
    );
    let _ = writeln!(
        md,
        "| incident | text | indicators met | activation | delay from indicator true | delay from first detection | what actually happened |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- |");
    if let Some(unknown) = args
        .only
        .iter()
        .find(|name| !actual.incident.iter().any(|i| &i.scenario == *name))
    {
        anyhow::bail!(
            "--only {unknown}: no such scenario in {} (expected one of: {})",
            actual_path.display(),
            actual
                .incident
                .iter()
                .map(|i| i.scenario.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut bar_met = true;
    for item in actual
        .incident
        .iter()
        .filter(|i| args.only.is_empty() || args.only.contains(&i.scenario))
    {
        let path = args.scenarios.join(format!("{}.toml", item.scenario));
        for (label, pact, pact_path) in [
            ("automatic", &automatic, &args.automatic),
            ("article5-style", &article5, &args.article5),
        ] {
            let (scenario, truth) = truth_incidents(&path, pact)?;
            let decision = pact.activation.decision_delay.unwrap_or(Duration::ZERO);
            let end = scenario.start + scenario.duration + decision + Duration::from_days(1);
            let (truth_result, _) = run_text(pact, &truth, end);
            let (result, first_detection) = if args.truth_incidents {
                (truth_result.clone(), None)
            } else {
                real_loop(&path, &scenario, pact, pact_path, &args.work, end)?
            };
            let (indicators, activation, from_truth, from_first, delay) =
                describe(&result, &truth_result, end, first_detection);
            if label == "automatic" {
                // Every activation the ground truth makes must come, and within 60 s.
                bar_met &= truth_result.activations.is_empty()
                    || delay.is_some_and(|d| d <= Duration::from_secs(60));
            }
            let happened = match item.response_at {
                Some(t) => format!("{} ({t})", item.response),
                None => item.response.clone(),
            };
            let _ = writeln!(
                md,
                "| {} ({}) | {label} | {indicators} | {activation} | {from_truth} | {from_first} | {happened} |",
                item.name, item.facts_id
            );
        }
    }
    if !actual.not_replayed.is_empty() && args.only.is_empty() {
        let _ = writeln!(md, "\nNot replayed:\n");
        for n in &actual.not_replayed {
            let _ = writeln!(md, "- {}: {}", n.facts_id, n.why);
        }
    }
    let _ = writeln!(
        md,
        "\nBar (automatic text, every activation within 60 s of its indicator becoming true): {}",
        if bar_met { "met" } else { "NOT met" }
    );
    print!("{md}");
    std::fs::create_dir_all(&args.out).with_context(|| format!("--out {}", args.out.display()))?;
    let path = args.out.join("replay.md");
    std::fs::write(&path, &md).with_context(|| path.display().to_string())?;
    eprintln!("wrote {}", path.display());
    Ok(if bar_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One scenario through the real loop and one text: its result (activations at the
/// time their last incident was emitted) and the first detection.
fn real_loop(
    path: &Path,
    scenario: &sim::Scenario,
    pact: &CompiledPact,
    pact_path: &Path,
    work: &Path,
    end: Time,
) -> Result<(TextResult, Option<Time>)> {
    let borders_path = pact_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("data/borders.geojson");
    let borders = std::fs::read_to_string(&borders_path)
        .with_context(|| borders_path.display().to_string())?;
    let base = path.parent().unwrap_or(Path::new("."));
    let run = super::chain::run(
        scenario,
        base,
        &work.join(&scenario.name),
        pact,
        &borders,
        false,
    )?;
    let (mut result, records) = run_text(pact, &run.incidents, end);
    result.activations = records
        .iter()
        .filter_map(|r| match r {
            Record::Activation(a) => Some((
                a.response.clone(),
                a.rung,
                a.trigger_at,
                super::chain::known_at(a, &run.emitted_at),
            )),
            _ => None,
        })
        .collect();
    eprintln!(
        "{} through `{}`: {} observations, {} tracks, {} incidents, {} activations",
        scenario.name,
        pact.id,
        run.n_observations,
        run.finals.len(),
        run.incidents.len(),
        result.activations.len()
    );
    Ok((result, run.first_detection))
}
