//! The demo's loop after the pact check: the bundled night scenario through the real
//! stages (`cmd::chain`: sim → wire formats → feeds → fusion → attribution), then the
//! triggers engine, the ledger (feed chunks' digests and every decision), `out/*.json`,
//! `out/report.html` and a summary. Glue only: every decision is the stage crates'.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use ledger::note::{KeyRole, generate_key};
use ledger::{Entry, Log, LogConfig, NoteSigner};
use model::{Digest, Duration, Incident, Track};
use pact::CompiledPact;
use triggers::Record;

use super::chain::{self, Chunk, LoopRun};

/// The bundled night and the geography it names, as `(path, bytes)` under a scratch root.
const SCENARIO: &[(&str, &[u8])] = &[
    (
        "scenarios/night-wave.toml",
        include_bytes!("../../../../scenarios/night-wave.toml"),
    ),
    (
        "pacts/data/borders.geojson",
        include_bytes!("../../../../pacts/data/borders.geojson"),
    ),
    (
        "pacts/data/zones/pl-border-belt.geojson",
        include_bytes!("../../../../pacts/data/zones/pl-border-belt.geojson"),
    ),
    (
        "pacts/data/infrastructure.geojson",
        include_bytes!("../../../../pacts/data/infrastructure.geojson"),
    ),
];

/// The borders attribution reads (the bundled geography's).
pub const BORDERS: &str = include_str!("../../../../pacts/data/borders.geojson");

/// Which part of the bundled night the demo runs: from `skip` after its start, for
/// `hours` (`None`: to its end). Threats launch at their own absolute times, so a
/// window is the same night seen from a later start, objects already in flight.
pub struct Options {
    pub skip: Duration,
    pub hours: Option<i64>,
    /// The pact's version digest (`audit::pact_digest`), logged first.
    pub pact_digest: Digest,
}

pub fn run(pact: &CompiledPact, out: &Path, options: &Options) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| out.display().to_string())?;
    let scratch = std::env::temp_dir().join(format!("guarantor-demo-{}", std::process::id()));
    let (scenario_path, mut scenario) = bundled_night(&scratch)?;
    let full = scenario.duration;
    let skip = options.skip.min(full);
    scenario.duration = (scenario.start + full) - (scenario.start + skip);
    scenario.start = scenario.start + skip;
    if let Some(h) = options.hours {
        scenario.duration = Duration::from_hours(h).min(scenario.duration);
    }
    let shortened = scenario.duration < full;
    eprintln!(
        "scenario `{}`: {} of {} from {} (seed {}); sim → feeds → fusion → attribution → triggers → ledger",
        scenario.name,
        fmt_hours(scenario.duration),
        fmt_hours(full),
        scenario.start,
        scenario.seed
    );
    let base = scenario_path.parent().unwrap_or(Path::new("."));
    // The same night's ground-truth incidents through the same text, for comparison:
    // what a perfect fusion and attribution would have let the pact do.
    let truth = super::replay::truth_incidents(&scenario_path, pact).map(|(_, mut incidents)| {
        let end = scenario.start + scenario.duration;
        incidents.retain(|i| i.time >= scenario.start && i.time < end);
        let (_, records) = super::replay::run_text(pact, &incidents, end + Duration::from_hours(1));
        (incidents, records)
    });
    let run = chain::run(&scenario, base, &scratch.join("feeds"), pact, BORDERS, true);
    let _ = std::fs::remove_dir_all(&scratch);
    let run = run?;
    let mut stages = run.stages.clone();
    let incidents = &run.incidents;

    let t0 = Instant::now();
    let end = scenario.start + scenario.duration + Duration::from_hours(1);
    let (sorted, config, records) = run_triggers(pact, incidents, end);
    stages.push(("triggers".to_owned(), t0.elapsed().as_secs_f64()));

    let t0 = Instant::now();
    let ledger_dir = out.join("ledger");
    let _ = std::fs::remove_dir_all(&ledger_dir);
    let pair = generate_key("guarantor-demo", KeyRole::Log)?;
    let signer = NoteSigner::parse("demo key", &pair.signer_key)?;
    let log_config = LogConfig {
        origin: signer.name().to_owned(),
        witnesses: Vec::new(),
        quorum: 0,
    };
    let log_key = signer.verifier_key();
    let mut log = Log::create(&ledger_dir, signer, log_config)?;
    let inputs = LedgerInputs {
        pact,
        pact_digest: options.pact_digest,
        config: &config,
        chunks: &run.chunks,
        incidents: &sorted,
        end,
    };
    let entries = ledger_entries(&inputs, &records)?;
    for batch in entries.chunks(ledger::limits::BATCH_ENTRIES_MAX) {
        log.append_entries(batch)?;
    }
    let outcome = log.checkpoint()?;
    let keys = log.trusted_keys().clone();
    let report = ledger::verify_log(
        &ledger_dir,
        &keys,
        ledger::VerifyOptions {
            check_entries: true,
        },
    )?;
    let key_file = out.join("ledger.pub");
    std::fs::write(&key_file, format!("{log_key}\n"))
        .with_context(|| key_file.display().to_string())?;
    stages.push((
        "ledger (append, checkpoint, verify)".to_owned(),
        t0.elapsed().as_secs_f64(),
    ));
    let t0 = Instant::now();
    let audit = super::audit::audit_log(
        &ledger_dir,
        &keys,
        pact,
        options.pact_digest,
        &super::audit::PartyKeys::default(),
    )
    .map_err(|e| match e {
        super::audit::AuditError::Verify(e) => anyhow::Error::from(e),
        super::audit::AuditError::Unreadable(e) => e,
    })?;
    stages.push((
        "ledger audit (re-run triggers, compare)".to_owned(),
        t0.elapsed().as_secs_f64(),
    ));

    let t0 = Instant::now();
    write_json(&out.join("incidents.json"), incidents)?;
    write_json(&out.join("records.json"), &records)?;
    write_json(&out.join("tracks.json"), &run.finals)?;
    let html = report_html(pact, &run.snapshots, incidents, &records);
    std::fs::write(out.join("report.html"), html)?;
    stages.push((
        "out/*.json, out/report.html".to_owned(),
        t0.elapsed().as_secs_f64(),
    ));

    if shortened {
        println!(
            "\nthe bundled night, shortened: {} of `{}`'s {}, from {} to {} (same scenario and \
             seed, objects already in flight at the start), so that the demo ends within a minute",
            fmt_hours(scenario.duration),
            scenario.name,
            fmt_hours(full),
            scenario.start,
            scenario.start + scenario.duration
        );
    }
    summary(pact, &run, &records);
    match &truth {
        Ok((incidents, records)) => {
            let activations: Vec<String> = records
                .iter()
                .filter_map(|r| match r {
                    Record::Activation(a) => Some(format!(
                        "`{}` rung {} at {} (indicator true at {})",
                        a.response, a.rung, a.at, a.trigger_at
                    )),
                    _ => None,
                })
                .collect();
            println!(
                "\nfor comparison, the night's ground-truth incidents through the same text \
                 (a perfect fusion and attribution): {} incidents; activations: {}",
                incidents.len(),
                if activations.is_empty() {
                    "none".to_owned()
                } else {
                    activations.join("; ")
                }
            );
        }
        Err(e) => println!("\n(ground-truth comparison unavailable: {e:#})"),
    }
    let n_chunks = run.chunks.len();
    println!(
        "\nledger {}: {} entries ({n_chunks} feed chunks, the rest incidents and decisions); checkpoint {}; verified: size {} root {}",
        ledger_dir.display(),
        entries.len(),
        match outcome {
            ledger::CheckpointOutcome::Published { size, .. } =>
                format!("published at size {size}"),
            other => format!("{other:?}"),
        },
        report.checkpoint.size(),
        report.checkpoint.root()
    );
    println!(
        "audited: the triggers engine re-run on the {} logged incidents derives {} decisions; \
         {} logged, {} mismatch(es){} (`guarantor audit {} --key \"$(cat {})\"`)",
        audit.incidents_n,
        audit.derived_n,
        audit.logged_n,
        audit.mismatches.len(),
        if audit.mismatches.is_empty() {
            ": every one derived again byte for byte"
        } else {
            ""
        },
        ledger_dir.display(),
        key_file.display()
    );
    for m in audit.mismatches.iter().take(10) {
        println!("  {m}");
    }
    println!("\ntime per stage (wall):");
    let total: f64 = stages.iter().map(|(_, s)| s).sum();
    for (stage, s) in &stages {
        println!("  {stage:<40} {:>9.1} ms", s * 1e3);
    }
    println!("  {:<40} {:>9.1} ms", "total", total * 1e3);
    println!(
        "\nwrote {0}/report.html, {0}/incidents.json, {0}/records.json, {0}/tracks.json",
        out.display()
    );
    Ok(())
}

/// Writes the bundled night and its geography under `scratch` and loads it.
pub fn bundled_night(scratch: &Path) -> Result<(std::path::PathBuf, sim::Scenario)> {
    for (path, bytes) in SCENARIO {
        let p = scratch.join(path);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        }
        std::fs::write(&p, bytes).with_context(|| p.display().to_string())?;
    }
    let path = scratch.join(SCENARIO[0].0);
    let scenario = sim::Scenario::load(&path)?;
    Ok((path, scenario))
}

fn fmt_hours(d: Duration) -> String {
    format!("{:.1} h", d.as_secs_f64() / 3600.0)
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text).with_context(|| path.display().to_string())
}

/// The triggers engine over `incidents` as `replay::run_text` runs a text, with the
/// settings kept for the ledger: the pact in force from a year before the first incident,
/// the incidents in time order, then event time advanced to `end`. Returns the incidents in
/// the order fed, the settings and the records.
pub(super) fn run_triggers(
    pact: &CompiledPact,
    incidents: &[Incident],
    end: model::Time,
) -> (Vec<Incident>, triggers::Config, Vec<Record>) {
    let mut sorted = incidents.to_vec();
    sorted.sort_by_key(|i| i.time);
    let config = triggers::Config {
        effective_override: sorted.first().map(|i| i.time - Duration::from_days(365)),
        ..triggers::Config::default()
    };
    let mut engine = triggers::Engine::new(pact.clone(), config.clone());
    let mut records = engine.process(&sorted);
    records.extend(engine.advance(end));
    (sorted, config, records)
}

/// What the demo's ledger records besides the decisions: enough to derive them again.
pub(super) struct LedgerInputs<'a> {
    pub pact: &'a CompiledPact,
    pub pact_digest: Digest,
    pub config: &'a triggers::Config,
    pub chunks: &'a [Chunk],
    /// In the order the engine took them.
    pub incidents: &'a [Incident],
    /// Where event time was advanced to after the last incident.
    pub end: model::Time,
}

/// The demo's entries, in the order `guarantor audit` replays them: the pact version, the
/// engine's settings, the feed chunks, the incidents as fed to the engine, the advance to
/// the end, then the decisions (the encodings are `triggers::entries`').
pub(super) fn ledger_entries(inputs: &LedgerInputs, records: &[Record]) -> Result<Vec<Entry>> {
    let mut entries = vec![
        Entry::PactVersion {
            v: ledger::ENTRY_VERSION,
            pact: inputs.pact.id.clone(),
            version: String::new(),
            digest: inputs.pact_digest,
        },
        super::audit::EngineSettings::entry(inputs.config)?,
    ];
    entries.extend(inputs.chunks.iter().map(|c| Entry::FeedChunk {
        v: ledger::ENTRY_VERSION,
        source: c.source.clone(),
        first_time_us: c.first_time_us,
        last_time_us: c.last_time_us,
        records_n: c.records_n,
        bytes_n: c.bytes_n,
        digest: c.digest,
    }));
    for incident in inputs.incidents {
        entries.push(super::audit::incident_entry(incident)?);
    }
    entries.push(super::audit::advance_entry(inputs.end));
    for record in records {
        entries.extend(super::audit::decision_entry(record)?);
    }
    Ok(entries)
}

/// Per indicator: incidents it counts, and those it would count but for the pact's
/// `min_confidence`: the usual reason attributed incidents activate nothing.
fn indicator_notes(pact: &CompiledPact, incidents: &[Incident]) {
    println!("\nindicators (incidents counted; more below the text's min_confidence):");
    for ind in &pact.indicators {
        let admitted = incidents
            .iter()
            .filter(|i| ind.admits(i).unwrap_or(false))
            .count();
        let below: Vec<f64> = incidents
            .iter()
            .filter(|i| i.confidence < ind.min_confidence)
            .filter(|i| {
                let mut sure = (*i).clone();
                sure.confidence = 1.0;
                ind.admits(&sure).unwrap_or(false)
            })
            .map(|i| i.confidence)
            .collect();
        if admitted == 0 && below.is_empty() {
            continue;
        }
        let range = below
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
        println!(
            "  {:<28} {admitted:>5} counted{}",
            ind.id,
            if below.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} below min_confidence {:.2} (theirs {:.2}-{:.2})",
                    below.len(),
                    ind.min_confidence,
                    range.0,
                    range.1
                )
            }
        );
    }
}

fn summary(pact: &CompiledPact, run: &LoopRun, records: &[Record]) {
    let incidents = &run.incidents;
    let n_bytes: u64 = run.chunks.iter().map(|c| c.bytes_n).sum();
    println!(
        "\nfeeds: {} files, {:.1} MB in {} chunks, {} observations, {} decode errors",
        run.manifest.files.len(),
        n_bytes as f64 / 1e6,
        run.chunks.len(),
        run.n_observations,
        run.decode_errors
    );
    if !run.rejects.is_empty() {
        let r: Vec<String> = run
            .rejects
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("fusion rejected: {}", r.join(", "));
    }
    let mut by_class: BTreeMap<(&str, String), u64> = BTreeMap::new();
    for t in &run.finals {
        let band = serde_json::to_value(t.band)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        *by_class.entry((t.class.as_str(), band)).or_default() += 1;
    }
    println!(
        "\ntracks by class and band ({} tracks, {} updates):",
        run.finals.len(),
        run.snapshots.len()
    );
    for ((class, band), n) in by_class {
        println!("  {class:<20} {band:<8} {n:>6}");
    }
    let g = &run.gospa;
    println!(
        "\nGOSPA against truth (p = 1, c = {:.0} km, {} samples 10 min apart, per sample): \
         {:.0} (mean {:.0} objects true: {:.1} missed, {:.1} false tracks, {:.0} m mean localisation error)",
        g.cutoff_m / 1e3,
        g.samples,
        g.mean_distance,
        g.mean_truths,
        g.mean_missed,
        g.mean_false,
        g.mean_localisation_m
    );
    print!("{}", run.score.render());
    let mut by_kind: BTreeMap<&str, (u64, Vec<f64>)> = BTreeMap::new();
    for i in incidents {
        let e = by_kind.entry(i.kind.as_str()).or_default();
        e.0 += 1;
        e.1.push(i.time_to_attribution.as_secs_f64());
    }
    println!(
        "\nincidents by kind ({}; time to attribution from first detection, event time):",
        incidents.len()
    );
    for (k, (n, mut tta)) in by_kind {
        tta.sort_by(f64::total_cmp);
        println!("  {k:<28} {n:>6}   median {:>7.0} s", tta[tta.len() / 2]);
    }
    for note in run.attribution_notes.iter().take(5) {
        println!("  note: {note}");
    }
    indicator_notes(pact, incidents);
    let obligations: BTreeMap<&str, &triggers::Obligation> = records
        .iter()
        .filter_map(|r| match r {
            Record::Obligation(o) => Some((o.id.as_str(), o)),
            _ => None,
        })
        .collect();
    println!("\nactivations:");
    let mut any = false;
    for r in records {
        if let Record::Activation(a) = r {
            any = true;
            let known = chain::known_at(a, &run.emitted_at);
            println!(
                "  {} `{}` rung {} ({:?}) at {known} ({:.0} s after its indicator held in the attributed incidents at {}), deadline {}: {} incidents, {} obligations",
                a.id,
                a.response,
                a.rung,
                a.cause,
                known.seconds_since(a.trigger_at),
                a.trigger_at,
                a.deadline,
                a.incidents.len(),
                a.obligations.len()
            );
            for id in &a.obligations {
                if let Some(o) = obligations.get(id.as_str()) {
                    println!("      {}: {} by {}", o.party, o.action, o.deadline);
                }
            }
        }
    }
    if !any {
        println!("  none");
    }
    let n_flagged = records
        .iter()
        .filter(|r| matches!(r, Record::MeasureFlagged(_)))
        .count();
    let n_diag = records
        .iter()
        .filter(|r| matches!(r, Record::Diagnostic(_)))
        .count();
    println!(
        "obligations: {}; measures flagged (not issued): {n_flagged}; diagnostics: {n_diag}",
        obligations.len()
    );
}

/// A self-contained page: an inline SVG map (zones, incidents) and timeline, drawn from the data.
fn report_html(
    pact: &CompiledPact,
    snapshots: &[Track],
    incidents: &[Incident],
    records: &[Record],
) -> String {
    let (lon0, lon1, lat0, lat1) = (14.0, 41.0, 43.0, 56.0);
    let (w, h) = (900.0, 520.0);
    let x = |lon: f64| (lon - lon0) / (lon1 - lon0) * w;
    let y = |lat: f64| (lat1 - lat) / (lat1 - lat0) * h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' style='background:#0b1a2a'>"
    );
    for zone in &pact.zones {
        let colour = match zone.kind {
            pact::syntax::ZoneKind::NoGoArea => "#c0392b",
            pact::syntax::ZoneKind::EngagementZone => "#27ae60",
            pact::syntax::ZoneKind::BorderBelt => "#f39c12",
            _ => "#2e86c1",
        };
        for polygon in &zone.area.0 {
            let points: Vec<String> = polygon
                .exterior()
                .points()
                .step_by(4)
                .map(|p| format!("{:.1},{:.1}", x(p.x()), y(p.y())))
                .collect();
            let _ = write!(
                svg,
                "<polygon points='{}' fill='{colour}' fill-opacity='0.15' stroke='{colour}' stroke-width='0.8'><title>{}</title></polygon>",
                points.join(" "),
                zone.id
            );
        }
    }
    // Tracks as trails, one point a minute, coloured by class.
    let mut trails: BTreeMap<model::TrackId, (model::TrackClass, Vec<String>, i64)> =
        BTreeMap::new();
    for t in snapshots {
        let e = trails
            .entry(t.id)
            .or_insert_with(|| (t.class, Vec::new(), i64::MIN));
        e.0 = t.class;
        if t.time.unix_us.saturating_sub(e.2) >= 60_000_000 {
            e.2 = t.time.unix_us;
            e.1.push(format!(
                "{:.1},{:.1}",
                x(t.position.lon_deg),
                y(t.position.lat_deg)
            ));
        }
    }
    // Tracks shorter than three minutes (mostly clutter and fragments) are left off.
    trails.retain(|_, (_, points, _)| points.len() >= 3);
    for (id, (class, points, _)) in &trails {
        let colour = match class.as_str() {
            c if c.contains("missile") => "#ff9800",
            c if c.contains("drone") => "#e040fb",
            c if c.contains("aircraft") || c.contains("civil") => "#90caf9",
            c if c.contains("vessel") => "#4dd0e1",
            _ => "#bbbbbb",
        };
        let _ = write!(
            svg,
            "<polyline points='{}' fill='none' stroke='{colour}' stroke-width='0.7' stroke-opacity='0.7'><title>track {} {}</title></polyline>",
            points.join(" "),
            id.0,
            class.as_str()
        );
    }
    for i in incidents {
        if let Some(p) = i.position {
            let _ = write!(
                svg,
                "<circle cx='{:.1}' cy='{:.1}' r='2.5' fill='#ff5252'><title>{} {} {}</title></circle>",
                x(p.lon_deg),
                y(p.lat_deg),
                i.kind.as_str(),
                i.time,
                i.id
            );
        }
    }
    svg.push_str("</svg>");
    let mut rows = String::new();
    for r in records {
        let line = match r {
            Record::Activation(a) => format!(
                "<b>activation</b> {} rung {} deadline {}",
                a.id, a.rung, a.deadline
            ),
            Record::IndicatorMet(m) => {
                format!("indicator {} met ({} in window)", m.indicator, m.count)
            }
            Record::Obligation(o) => format!(
                "obligation {} for {}: {} (by {})",
                o.id, o.party, o.action, o.deadline
            ),
            Record::MeasureFlagged(f) => {
                format!("flagged {}/{}: {}", f.activation, f.measure_idx, f.reason)
            }
            Record::Change(c) => serde_json::to_string(&c.kind).unwrap_or_default(),
            _ => continue,
        };
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td></tr>",
            r.time(),
            html_escape(&line)
        );
    }
    format!(
        "<!doctype html><html><head><meta charset='utf-8'><title>Guarantor demo</title>\
         <style>body{{font-family:sans-serif;background:#111;color:#ddd}}td{{padding:2px 8px;border-bottom:1px solid #333}}</style>\
         </head><body><h1>Guarantor demo: {}</h1><p>{} tracks of three minutes or more (trails: drones magenta, missiles orange, aircraft blue, vessels cyan), {} incidents (red) and the pact's zones on the map.</p>{svg}\
         <h2>Timeline</h2><table>{rows}</table></body></html>\n",
        html_escape(&pact.title),
        trails.len(),
        incidents.len()
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(id: u64, minute: i64) -> Track {
        Track {
            id: model::TrackId(id),
            time: model::Time {
                unix_us: 1_757_462_400_000_000 + minute * 60_000_000,
            },
            position: model::Geodetic {
                lat_deg: 51.0,
                lon_deg: 24.0 + 0.01 * minute as f64,
                alt_m: 200.0,
            },
            velocity: model::VelocityEnu::default(),
            position_sigma_m: 50.0,
            velocity_sigma_mps: 5.0,
            class: model::TrackClass::Drone,
            class_confidence: 0.9,
            band: model::AltitudeBand::Low,
            identity: model::Identity::default(),
            cooperative: false,
            quality: 1.0,
            n_updates: 10,
            sensors: Vec::new(),
        }
    }

    /// A track seen for five minutes is drawn as a trail of a point a minute; one seen for
    /// a minute is left off. (The first point once overflowed against its `i64::MIN` start.)
    #[test]
    fn report_draws_trails_of_tracks_seen_for_minutes() {
        let pact = crate::cmd::demo::bundled_pact().expect("the bundled pact compiles");
        let mut snapshots: Vec<Track> = (0..5).map(|m| snapshot(7, m)).collect();
        snapshots.push(snapshot(8, 0));
        let html = report_html(&pact, &snapshots, &[], &[]);
        let trails: Vec<&str> = html.matches("<polyline").collect();
        assert_eq!(trails.len(), 1, "one trail expected");
        assert!(html.contains("<title>track 7 drone</title>"));
        assert!(!html.contains("<title>track 8 "));
        let points = html
            .split("<polyline points='")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap_or_default();
        assert_eq!(points.split(' ').count(), 5, "a point a minute: {points}");
    }
}
