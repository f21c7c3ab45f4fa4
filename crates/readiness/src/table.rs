//! The terminal report: plain aligned tables, and the demo's headline lines.

use std::fmt::Write as _;

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

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let horizon = r
        .timeline
        .stock
        .first()
        .map_or(0, |s| s.len() as u32 - 1)
        .saturating_sub(r.at_day);
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
    let _ = writeln!(
        out,
        "  {:<4} {:<26} {:>10} {:>10}",
        "who", "item", "pledged", "delivered"
    );
    for (party, item, pledged, delivered) in &r.pledged {
        let shown = if r.with_records {
            format!("{delivered:.0}")
        } else {
            "-".to_owned()
        };
        let _ = writeln!(out, "  {party:<4} {item:<26} {pledged:>10.0} {shown:>10}");
    }
    let _ = writeln!(out, "\ndays of supply (from the as-of date):");
    let _ = writeln!(
        out,
        "  {:<12} {:<20} {:>9} {:>9}  clauses losing backing when dry",
        "depot", "item", "on hand", "dry in"
    );
    for s in &r.supply {
        let _ = writeln!(
            out,
            "  {:<12} {:<20} {:>9.0} {:>9}  {}",
            s.depot,
            s.item,
            s.on_hand,
            days(s.dry_in_days, horizon),
            s.clauses.join(", ")
        );
    }
    if !r.policies.is_empty() {
        let _ = writeln!(
            out,
            "\nshield economics, the tempo's heaviest night (magazines as deep as the policy wants; then as on hand):"
        );
        let _ = writeln!(
            out,
            "  {:<28} {:>9} {:>9} {:>10} {:>10} {:>8}  rounds",
            "policy", "threats", "leakers", "defender", "attacker", "ratio"
        );
        for p in &r.policies {
            let n = &p.night;
            let rounds: Vec<String> = n
                .shots_by_item
                .iter()
                .map(|(i, s)| format!("{i} {s:.0}"))
                .collect();
            let _ = writeln!(
                out,
                "  {:<28} {:>9.0} {:>9.1} {:>10} {:>10} {:>8.2}  {}",
                p.policy.name(),
                n.threats,
                n.leakers,
                usd(n.defender_cost_usd),
                usd(n.attacker_cost_usd),
                n.cost_exchange_ratio(),
                rounds.join(", ")
            );
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
        let _ = writeln!(
            out,
            "  {:<22} {:>7} {:>11} {:>11} {:>8}",
            "zone", "band", "zone km²", "gap km²", "covered"
        );
        for b in &c.bands {
            let _ = writeln!(
                out,
                "  {:<22} {:>6.0}m {:>11.0} {:>11.0} {:>7.1}%",
                b.zone,
                b.band_m,
                b.zone_km2,
                b.gap_km2,
                100.0 * b.covered_share()
            );
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
    let _ = writeln!(
        out,
        "  {:<4} {:>9} {:>9} {:>8} {:>6} {:>6} {:>6} {:>8}",
        "who", "promised", "delivered", "on time", "oblig", "ack", "disch", "in time"
    );
    for s in &r.scorecards {
        let _ = writeln!(
            out,
            "  {:<4} {:>9.0} {:>9.0} {:>4}/{:<3} {:>6} {:>6} {:>6} {:>8}",
            s.party,
            s.promised_due,
            s.delivered_due,
            s.on_time,
            s.commitments_due,
            s.obligations,
            s.acknowledged,
            s.discharged,
            s.discharged_in_time
        );
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
    let horizon = r
        .timeline
        .stock
        .first()
        .map_or(0, |s| s.len() as u32 - 1)
        .saturating_sub(r.at_day);
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
