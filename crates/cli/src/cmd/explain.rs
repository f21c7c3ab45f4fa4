//! `guarantor explain ACTIVATION`: the chain behind one activation, read from the
//! demo's `out/records.json` and `out/incidents.json`: the rule, each indicator's
//! window and count, and each incident with its evidence and confidence.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use model::Incident;
use triggers::Record;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The activation's id, as printed by `guarantor demo` (`ukraine-shield/air-shield/1`).
    pub activation: String,
    /// The folder the demo wrote.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{} (run `guarantor demo` first)", path.display()))?;
    serde_json::from_str(&text).with_context(|| path.display().to_string())
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let records: Vec<Record> = read(&args.out.join("records.json"))?;
    let incidents: Vec<Incident> = read(&args.out.join("incidents.json"))?;
    let Some(a) = records.iter().find_map(|r| match r {
        Record::Activation(a) if a.id == args.activation => Some(a),
        _ => None,
    }) else {
        eprintln!(
            "guarantor: no activation `{}` in {}",
            args.activation,
            args.out.display()
        );
        return Ok(ExitCode::from(1));
    };
    println!("activation {} (rung {}, {:?})", a.id, a.rung, a.cause);
    println!(
        "  rule: response `{}` of pact `{}`, rule hash {}",
        a.response, a.pact, a.rule_hash
    );
    if let Some(from) = &a.escalated_from {
        println!("  escalated from {from}");
    }
    println!(
        "  trigger held at {}; in effect at {}; watermark {}; deadline {}{}",
        a.trigger_at,
        a.at,
        a.watermark,
        a.deadline,
        if a.late {
            " (completed by a late incident)"
        } else {
            ""
        }
    );
    for m in &a.indicators {
        println!(
            "  indicator `{}`: {} incident(s) in window ({}, {}], completed by {}{}",
            m.indicator,
            m.count,
            m.window_start,
            m.window_end,
            m.completed_by,
            if m.late { ", late" } else { "" }
        );
    }
    for id in &a.incidents {
        match incidents.iter().find(|i| &i.id == id) {
            Some(i) => {
                println!(
                    "  incident {} {} at {} zones [{}] origin {} confidence {:.2}",
                    i.id,
                    i.kind.as_str(),
                    i.time,
                    i.zones.join(", "),
                    i.origin.as_deref().unwrap_or("?"),
                    i.confidence
                );
                println!(
                    "    evidence ({}, confidence {:.2}, {} item(s)): {}",
                    i.evidence.method,
                    i.evidence.confidence,
                    i.evidence.items.len(),
                    i.evidence.statement
                );
            }
            None => println!("  incident {id}: not in incidents.json"),
        }
    }
    for id in &a.obligations {
        if let Some(o) = records.iter().find_map(|r| match r {
            Record::Obligation(o) if &o.id == id => Some(o),
            _ => None,
        }) {
            println!(
                "  obligation {} for {}: {} (by {})",
                o.id, o.party, o.action, o.deadline
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
