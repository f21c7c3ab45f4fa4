//! The demo's loop after the pact check: the bundled night scenario's incidents
//! through the triggers engine into the ledger, then `out/*.json`, `out/report.html`
//! and a summary. Glue only: every decision is the stage crates'.
//!
//! Incidents come from the scenario's ground truth (`cmd::replay::truth_incidents`)
//! until feeds → fusion → attribution are wired into this loop.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use ledger::note::{KeyRole, generate_key};
use ledger::{Entry, Log, LogConfig, NoteSigner};
use model::{Digest, Duration, Incident};
use pact::CompiledPact;
use triggers::Record;

pub fn run(pact: &CompiledPact, scenario: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| out.display().to_string())?;
    let mut stages: Vec<(&str, f64)> = Vec::new();
    let t0 = Instant::now();
    let (scenario, incidents) = super::replay::truth_incidents(scenario, pact)?;
    stages.push(("sim (ground truth → incidents)", t0.elapsed().as_secs_f64()));
    eprintln!(
        "scenario `{}`: {} incidents",
        scenario.name,
        incidents.len()
    );

    let t0 = Instant::now();
    let end = scenario.start + scenario.duration;
    let (_, records) = super::replay::run_text(pact, &incidents, end + Duration::from_hours(1));
    stages.push(("triggers", t0.elapsed().as_secs_f64()));

    let t0 = Instant::now();
    let ledger_dir = out.join("ledger");
    let _ = std::fs::remove_dir_all(&ledger_dir);
    let pair = generate_key("guarantor-demo", KeyRole::Log)?;
    let signer = NoteSigner::parse("demo key", &pair.signer_key)?;
    let config = LogConfig {
        origin: signer.name().to_owned(),
        witnesses: Vec::new(),
        quorum: 0,
    };
    let mut log = Log::create(&ledger_dir, signer, config)?;
    let entries = ledger_entries(pact, &incidents, &records)?;
    log.append_entries(&entries)?;
    let outcome = log.checkpoint()?;
    let keys = log.trusted_keys().clone();
    let report = ledger::verify_log(
        &ledger_dir,
        &keys,
        ledger::VerifyOptions {
            check_entries: true,
        },
    )?;
    stages.push((
        "ledger (append, checkpoint, verify)",
        t0.elapsed().as_secs_f64(),
    ));

    let t0 = Instant::now();
    write_json(&out.join("incidents.json"), &incidents)?;
    write_json(&out.join("records.json"), &records)?;
    let html = report_html(pact, &incidents, &records);
    std::fs::write(out.join("report.html"), html)?;
    stages.push(("out/*.json, out/report.html", t0.elapsed().as_secs_f64()));

    summary(&incidents, &records);
    println!(
        "\nledger {}: {} entries; checkpoint {:?}; verified: size {} root {}",
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
    println!("\ntime per stage:");
    for (stage, s) in stages {
        println!("  {stage:<40} {:>8.1} ms", s * 1e3);
    }
    println!(
        "\nwrote {0}/report.html, {0}/incidents.json, {0}/records.json",
        out.display()
    );
    Ok(())
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text).with_context(|| path.display().to_string())
}

fn ledger_entries(
    pact: &CompiledPact,
    incidents: &[Incident],
    records: &[Record],
) -> Result<Vec<Entry>> {
    let mut entries = vec![Entry::PactVersion {
        v: 1,
        pact: pact.id.clone(),
        version: String::new(),
        digest: Digest::of(pact.summary().as_bytes()),
    }];
    for incident in incidents {
        let body = serde_json::to_value(incident)?;
        entries.push(Entry::Incident {
            v: 1,
            incident: incident.id.to_string(),
            evidence: vec![Digest::of(
                serde_json::to_string(&incident.evidence)?.as_bytes(),
            )],
            body,
        });
    }
    for record in records {
        match record {
            Record::Activation(a) => entries.push(Entry::Activation {
                v: 1,
                activation: a.id.clone(),
                rule_version: Digest::from_hex(&a.rule_hash).unwrap_or(Digest([0; 32])),
                reason: serde_json::to_value(a)?,
            }),
            Record::Obligation(o) => entries.push(Entry::Obligation {
                v: 1,
                obligation: o.id.clone(),
                party: o.party.clone(),
                body: serde_json::to_value(o)?,
            }),
            _ => {}
        }
    }
    Ok(entries)
}

fn summary(incidents: &[Incident], records: &[Record]) {
    let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
    for i in incidents {
        *by_kind.entry(i.kind.as_str()).or_default() += 1;
    }
    println!("\nincidents by kind:");
    for (k, n) in by_kind {
        println!("  {k:<28} {n:>6}");
    }
    println!("\nactivations:");
    for r in records {
        if let Record::Activation(a) = r {
            println!(
                "  {} (rung {}, {:?}) at {} deadline {}: {} incidents, {} obligations",
                a.id,
                a.rung,
                a.cause,
                a.at,
                a.deadline,
                a.incidents.len(),
                a.obligations.len()
            );
        }
    }
    let n_obligations = records
        .iter()
        .filter(|r| matches!(r, Record::Obligation(_)))
        .count();
    let n_flagged = records
        .iter()
        .filter(|r| matches!(r, Record::MeasureFlagged(_)))
        .count();
    let n_diag = records
        .iter()
        .filter(|r| matches!(r, Record::Diagnostic(_)))
        .count();
    println!(
        "obligations: {n_obligations}; measures flagged (not issued): {n_flagged}; diagnostics: {n_diag}"
    );
}

/// A self-contained page: an inline SVG map (zones, incidents) and timeline, drawn from the data.
fn report_html(pact: &CompiledPact, incidents: &[Incident], records: &[Record]) -> String {
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
         </head><body><h1>Guarantor demo: {}</h1><p>{} incidents; zones and incidents (red) on the map.</p>{svg}\
         <h2>Timeline</h2><table>{rows}</table></body></html>\n",
        html_escape(&pact.title),
        incidents.len()
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}
