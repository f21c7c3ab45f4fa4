//! Infrastructure damage: an operator's fault report correlated with the
//! vessels that were near the site before it: suspects ranked, with the
//! evidence for each.

use model::{EvidenceItem, Geodetic, IncidentKind, Time, TrackId};

use crate::engine::Attributor;
use crate::evidence::{Draft, fmt_pos, km};
use crate::limits;

struct Suspect {
    track: TrackId,
    score: f64,
    closest_m: f64,
    closest_time: Time,
    facts: Vec<String>,
    mmsi: Option<u32>,
}

pub(crate) fn fault(
    a: &mut Attributor,
    operator: &str,
    time: Time,
    infrastructure: Option<&str>,
    position: Option<Geodetic>,
    text: &str,
    stix_id: Option<&str>,
) {
    let by_id =
        infrastructure.and_then(|i| a.geo.sites.iter().position(|s| s.id == i || s.name == i));
    let nearest = position.and_then(|p| {
        a.geo
            .sites
            .iter()
            .enumerate()
            .map(|(k, s)| (s.distance_m(&p), k))
            .filter(|(d, _)| *d <= 20_000.0)
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .map(|(_, k)| k)
    });
    let Some(k) = by_id.or(nearest) else {
        a.diagnose(
            Some(time),
            format!("fault report by {operator}"),
            "names no registered infrastructure and gives no position near one; not correlated",
        );
        return;
    };
    let site = a.geo.sites[k].clone();
    let at = position.unwrap_or(site.anchor);
    let since = time - a.config.suspect_lookback;
    let mut suspects: Vec<Suspect> = Vec::new();
    for s in a.tracks.values().filter(|s| s.is_sea()) {
        let Some(&(d, t, _)) = s.closest.get(&k) else {
            continue;
        };
        if t < since || t > time || d > a.config.suspect_radius_m {
            continue;
        }
        let mut score = (-d / 2_000.0).exp();
        let mut facts = vec![format!("closest approach {} at {}", km(d), t)];
        if let Some(&(_, td, len)) = s.dragged.iter().find(|x| x.0 == k) {
            score += 2.0;
            facts.push(format!(
                "anchor-drag pattern across the line at {td}, slow run {}",
                km(len)
            ));
        } else if s.drag.contains_key(&k) {
            score += 2.0;
            facts.push("slow steady passage over the line in progress".into());
        }
        if s.loiter_fired.contains(&k) || s.loiter_since.contains_key(&k) {
            score += 1.0;
            facts.push("loitered inside the buffer".into());
        }
        // Silence counts when a hull without a transponder confirmed it, not when a
        // vessel sailed out of coverage (`dark` is set for every silent MMSI).
        if let Some(dark) = s.dark.filter(|_| a.dark_confirmed.contains(&s.id)) {
            score += 0.5;
            facts.push(format!("AIS silent since {dark}"));
        }
        let mmsi = s.identity.mmsi.or_else(|| {
            a.dark
                .iter()
                .filter(|dv| dv.time <= s.history.first.time + model::Duration::from_secs(600))
                .find(|dv| s.history.first.position.surface_distance_m(&dv.position) < 20_000.0)
                .map(|dv| dv.mmsi)
        });
        if s.identity.mmsi.is_none() {
            score += 0.5;
            facts.push("transmits no identity".into());
        }
        if let Some(m) = mmsi
            && let Some(v) = a.config.shadow_fleet.iter().find(|v| v.mmsi == m)
        {
            score += 1.0;
            facts.push(format!(
                "on the list `{}` as {}",
                a.config.shadow_fleet_list, v.name
            ));
        }
        suspects.push(Suspect {
            track: s.id,
            score,
            closest_m: d,
            closest_time: t,
            facts,
            mmsi,
        });
    }
    suspects.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.track.cmp(&y.track)));
    suspects.truncate(limits::suspects_max);
    let mut d = Draft::new(
        IncidentKind::InfrastructureDamage,
        format!("{}|{operator}", site.id),
        time,
    );
    d.position = Some(at);
    d.zones = a.geo.zones_at(&at);
    d.infrastructure = Some(site.id.clone());
    d.first_detection = time;
    d.text("operator", operator);
    d.text("infrastructure_kind", site.kind_str());
    d.int("suspects", suspects.len() as i64);
    let deliberate = suspects.first().is_some_and(|s| s.score >= 2.0);
    d.flag("deliberate", deliberate);
    d.items.push(EvidenceItem::Report {
        source: operator.to_owned(),
        time,
        text: text.to_owned(),
    });
    if let Some(id) = stix_id {
        d.items.push(EvidenceItem::Stix {
            stix_id: id.to_owned(),
        });
    }
    for (rank, s) in suspects.iter().enumerate() {
        d.items.push(EvidenceItem::Track { track: s.track });
        d.derived(
            &format!("suspect_{}", rank + 1),
            format!(
                "{}{} score {:.2}: {}",
                s.track,
                s.mmsi.map_or(String::new(), |m| format!(" (MMSI {m})")),
                s.score,
                s.facts.join("; ")
            ),
        );
    }
    if let Some(top) = suspects.first() {
        d.int("suspect_track", top.track.0 as i64);
        if let Some(m) = top.mmsi {
            d.int("suspect_mmsi", i64::from(m));
            d.text(
                "suspect_flag",
                crate::mid::flag_of_mmsi(m).map_or("unknown", |f| f.0),
            );
        }
        d.float("suspect_closest_m", top.closest_m);
    }
    if suspects.len() >= 2 && suspects[1].score >= 2.0 {
        d.contradictions
            .push("more than one vessel shows the drag pattern over this site".into());
    }
    d.method = "fault-report-vs-vessel-tracks".into();
    d.confidence = match suspects.first() {
        Some(s) if s.score >= 2.0 => 0.85,
        Some(_) => 0.6,
        None => 0.4,
    };
    let lead = suspects.first().map_or(
        "No vessel track came within the suspect radius in the lookback window.".to_owned(),
        |s| {
            format!(
                "The first suspect is {}{}, whose closest approach was {} at {} ({}).",
                s.track,
                s.mmsi.map_or(String::new(), |m| format!(" (MMSI {m})")),
                km(s.closest_m),
                s.closest_time,
                s.facts.join("; ")
            )
        },
    );
    d.statement = format!(
        "{operator} reported a fault on {} at {} ({}). {} vessel track(s) came within {} of it in the {} before. {lead} Presence and behaviour are shown; causation is inferred.",
        site.name,
        time,
        fmt_pos(&at),
        suspects.len(),
        km(a.config.suspect_radius_m),
        a.config.suspect_lookback
    );
    a.emit(d);
}
