//! The terminal report: plain aligned tables, and the demo's headline lines.

use std::fmt::{Display, Write as _};

use Col::{Left, Right, Tail};

use crate::Report;
use crate::backing::Backing;
use crate::coverage::BANDS_M;

fn usd(x: f64) -> String {
    if x >= 1e6 {
        format!("${:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("${:.0}k", x / 1e3)
    } else {
        format!("${x:.0}")
    }
}

fn days(d: Option<u32>, horizon: u32) -> String {
    d.map_or(format!(">{horizon} d"), |d| format!("{d} d"))
}

/// Days forecast past the as-of date.
fn horizon(r: &Report) -> u32 {
    r.timeline
        .stock
        .first()
        .map_or(0, |s| s.len() as u32 - 1)
        .saturating_sub(r.at_day)
}

/// How a table column lines up: padded to a width on the left or right, or
/// the free text that ends a line, two spaces after the rest.
#[derive(Debug, Clone, Copy)]
enum Col {
    Left(usize),
    Right(usize),
    Tail,
}

/// A table's columns, each heading with how it lines up. The heading and the
/// rows are written from the same columns, so they keep the same widths.
type Columns = [(&'static str, Col)];

fn heading(out: &mut String, columns: &Columns) {
    let titles: Vec<&dyn Display> = columns.iter().map(|(t, _)| t as &dyn Display).collect();
    row(out, columns, &titles);
}

/// Writes one line of an aligned table, indented by two spaces.
fn row(out: &mut String, columns: &Columns, cells: &[&dyn Display]) {
    debug_assert_eq!(columns.len(), cells.len(), "a cell for each column");
    out.push(' ');
    for ((_, col), cell) in columns.iter().zip(cells) {
        let _ = match *col {
            Left(w) => write!(out, " {cell:<w$}"),
            Right(w) => write!(out, " {cell:>w$}"),
            Tail => write!(out, "  {cell}"),
        };
    }
    out.push('\n');
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let horizon = horizon(r);
    let _ = writeln!(
        out,
        "readiness of `{}` at {} (day {}); tempo {}; endurance {} days; {}",
        r.pact,
        r.at,
        r.at_day,
        r.tempo,
        r.endurance_days,
        if r.with_records {
            "delivery records given"
        } else {
            "no delivery records: pledges taken as delivered when due"
        }
    );
    let _ = writeln!(out, "\nclauses (rungs of the ladder):");
    for rung in &r.rungs {
        let _ = writeln!(
            out,
            "  rung {} `{}`: {}",
            rung.rung,
            rung.response,
            rung.state.label()
        );
        for c in &rung.clauses {
            let _ = writeln!(
                out,
                "    {:<4} {:>5} × {:<26} {:<18} {}",
                c.party,
                c.needed,
                c.asset,
                c.state.label(),
                c.reason
            );
        }
    }
    let _ = writeln!(out, "\npledged vs delivered (to date):");
    let columns = [
        ("who", Left(4)),
        ("item", Left(26)),
        ("pledged", Right(10)),
        ("delivered", Right(10)),
    ];
    heading(&mut out, &columns);
    for (party, item, pledged, delivered) in &r.pledged {
        let shown = if r.with_records {
            format!("{delivered:.0}")
        } else {
            "-".to_owned()
        };
        let pledged = format!("{pledged:.0}");
        row(&mut out, &columns, &[party, item, &pledged, &shown]);
    }
    let _ = writeln!(out, "\ndays of supply (from the as-of date):");
    let columns = [
        ("depot", Left(12)),
        ("item", Left(20)),
        ("on hand", Right(9)),
        ("dry in", Right(9)),
        ("clauses losing backing when dry", Tail),
    ];
    heading(&mut out, &columns);
    for s in &r.supply {
        let cells: [&dyn Display; 5] = [
            &s.depot,
            &s.item,
            &format!("{:.0}", s.on_hand),
            &days(s.dry_in_days, horizon),
            &s.clauses.join(", "),
        ];
        row(&mut out, &columns, &cells);
    }
    if !r.policies.is_empty() {
        let _ = writeln!(
            out,
            "\nshield economics, the tempo's heaviest night (magazines as deep as the policy wants; then as on hand):"
        );
        let columns = [
            ("policy", Left(28)),
            ("threats", Right(9)),
            ("leakers", Right(9)),
            ("defender", Right(10)),
            ("attacker", Right(10)),
            ("ratio", Right(8)),
            ("rounds", Tail),
        ];
        heading(&mut out, &columns);
        for p in &r.policies {
            let n = &p.night;
            let rounds: Vec<String> = n
                .shots_by_item
                .iter()
                .map(|(i, s)| format!("{i} {s:.0}"))
                .collect();
            let cells: [&dyn Display; 7] = [
                &p.policy.name(),
                &format!("{:.0}", n.threats),
                &format!("{:.1}", n.leakers),
                &usd(n.defender_cost_usd),
                &usd(n.attacker_cost_usd),
                &format!("{:.2}", n.cost_exchange_ratio()),
                &rounds.join(", "),
            ];
            row(&mut out, &columns, &cells);
        }
        for p in &r.policies {
            let n = &p.night_on_hand;
            let _ = writeln!(
                out,
                "  {:<28} first night with the magazines on hand: {:.0} leakers, defender {}, ratio {:.2}",
                p.policy.name(),
                n.leakers,
                usd(n.defender_cost_usd),
                n.cost_exchange_ratio()
            );
        }
    }
    if let Some(c) = &r.coverage {
        let _ = writeln!(out, "\ncoverage by altitude band ({} sensors):", c.sensors);
        let columns = [
            ("zone", Left(22)),
            ("band", Right(7)),
            ("zone km²", Right(11)),
            ("gap km²", Right(11)),
            ("covered", Right(8)),
        ];
        heading(&mut out, &columns);
        for b in &c.bands {
            let cells: [&dyn Display; 5] = [
                &b.zone,
                &format!("{:.0}m", b.band_m),
                &format!("{:.0}", b.zone_km2),
                &format!("{:.0}", b.gap_km2),
                &format!("{:.1}%", 100.0 * b.covered_share()),
            ];
            row(&mut out, &columns, &cells);
        }
        for (i, p) in c.placements.iter().enumerate() {
            let _ = writeln!(
                out,
                "  extra sensor {}: {:.3}, {:.3} closes {:.0} km² at {} m",
                i + 1,
                p.lat_deg,
                p.lon_deg,
                p.gain_km2,
                BANDS_M[0]
            );
        }
    }
    let _ = writeln!(out, "\nmilestones:");
    for m in &r.milestones {
        let _ = writeln!(
            out,
            "  {:<11} {:<26} {} to {}: {}",
            m.id,
            m.name,
            m.from,
            m.to,
            m.status.label()
        );
        for d in &m.deliverables {
            let _ = writeln!(
                out,
                "    {:<24} {:<9} {}",
                d.deliverable,
                d.status.label(),
                d.commitments.join(", ")
            );
        }
    }
    let _ = writeln!(out, "\nscorecards:");
    let columns = [
        ("who", Left(4)),
        ("promised", Right(9)),
        ("delivered", Right(9)),
        ("on time", Right(8)),
        ("oblig", Right(6)),
        ("ack", Right(6)),
        ("disch", Right(6)),
        ("in time", Right(8)),
    ];
    heading(&mut out, &columns);
    for s in &r.scorecards {
        let cells: [&dyn Display; 8] = [
            &s.party,
            &format!("{:.0}", s.promised_due),
            &format!("{:.0}", s.delivered_due),
            // "on time" is two numbers in one column: 4 wide, a slash, 3 wide.
            &format!("{:>4}/{:<3}", s.on_time, s.commitments_due),
            &s.obligations,
            &s.acknowledged,
            &s.discharged,
            &s.discharged_in_time,
        ];
        row(&mut out, &columns, &cells);
    }
    let _ = writeln!(out, "\nreviews:");
    for l in &r.reviews {
        let _ = writeln!(
            out,
            "  {} {:<8} {:<11} {}",
            l.at, l.review, l.what, l.outcome
        );
    }
    out
}

pub fn headline(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let count = |s: Backing| r.rungs.iter().filter(|x| x.state == s).count();
    out.push(format!(
        "readiness at {} (day {}), tempo {}: {} rung(s) backed, {} unbacked, {} with uncounted magazines, {} not yet in force",
        r.at,
        r.at_day,
        r.tempo,
        count(Backing::Backed),
        count(Backing::Unbacked),
        count(Backing::Uncounted),
        count(Backing::NotInForce)
    ));
    for c in r
        .rungs
        .iter()
        .flat_map(|x| &x.clauses)
        .filter(|c| c.state == Backing::Unbacked)
    {
        out.push(format!(
            "  unbacked: rung {} `{}`: {}",
            c.rung, c.response, c.reason
        ));
    }
    let horizon = horizon(r);
    let dos: Vec<String> = r
        .supply
        .iter()
        .map(|s| format!("{} at {} {}", s.item, s.depot, days(s.dry_in_days, horizon)))
        .collect();
    out.push(format!("days of supply: {}", dos.join("; ")));
    if !r.policies.is_empty() {
        let cer: Vec<String> = r
            .policies
            .iter()
            .map(|p| format!("{} {:.2}", p.policy.name(), p.night.cost_exchange_ratio()))
            .collect();
        out.push(format!(
            "cost-exchange (defender/attacker): {}",
            cer.join("; ")
        ));
    }
    if let Some(c) = &r.coverage {
        let (zone, covered): (f64, f64) = c
            .bands
            .iter()
            .filter(|b| b.band_m == BANDS_M[0])
            .fold((0.0, 0.0), |(z, v), b| (z + b.zone_km2, v + b.covered_km2));
        if zone > 0.0 {
            out.push(format!(
                "low-altitude coverage ({} m): {:.1}% of the protected zones ({:.0} of {:.0} km²), {} sensors",
                BANDS_M[0],
                100.0 * covered / zone,
                covered,
                zone,
                c.sensors
            ));
        }
    }
    out
}
