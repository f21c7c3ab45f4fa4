//! Cyber: STIX incidents on registered infrastructure, with the resolver's
//! attributions and confidence carried through; operators' fault reports that
//! arrive as STIX incidents go to `damage`.

use feeds::stix::{self, Basis, Kind, StixObject};
use model::{EvidenceItem, Geodetic, IncidentKind};

use crate::engine::Attributor;
use crate::evidence::Draft;

/// A "Reported position 60.0700, 25.9500." in a description.
fn reported_position(text: &str) -> Option<Geodetic> {
    let rest = text.split("position").nth(1)?;
    let mut numbers = rest
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|s| !s.is_empty() && s.chars().any(|c| c.is_ascii_digit()))
        .map(|s| s.trim_end_matches('.').parse::<f64>());
    let lat = numbers.next()?.ok()?;
    let lon = numbers.next()?.ok()?;
    let p = Geodetic::new(lat, lon, 0.0);
    p.is_valid().then_some(p)
}

fn is_destructive(o: &StixObject) -> bool {
    let labels = o
        .common
        .labels
        .iter()
        .any(|l| l == "destructive" || l == "sabotage");
    let extension = o.common.extensions.values().any(|v| {
        v.get("impacts").is_some()
            || v.get("determination").and_then(|d| d.as_str()) == Some("successful-attempt")
    });
    labels || extension
}

pub(crate) fn resolve(a: &mut Attributor) {
    let reports = stix::resolve(&a.stix);
    for r in reports {
        if a.stix_done.contains(&r.incident.id) {
            continue;
        }
        let Some(object) = a
            .stix
            .iter()
            .rev()
            .find(|o| o.common.id == r.incident.id)
            .cloned()
        else {
            continue;
        };
        a.stix_done.insert(r.incident.id.clone());
        let time = object
            .common
            .created
            .or(object.common.modified)
            .unwrap_or(a.watermark);
        let (name, description) = match &object.kind {
            Kind::Incident(i) => (i.name.clone(), i.description.clone().unwrap_or_default()),
            _ => continue,
        };
        let site = r.infrastructure.iter().find_map(|inf| {
            let n = inf.name.as_deref().unwrap_or_default();
            a.geo.sites.iter().position(|s| s.id == n || s.name == n)
        });
        if object
            .common
            .labels
            .iter()
            .any(|l| l == "infrastructure-damage")
        {
            let operator = object
                .common
                .created_by_ref
                .as_deref()
                .and_then(|id| a.stix.iter().find(|o| o.common.id == id))
                .and_then(|o| o.name().map(str::to_owned))
                .unwrap_or_else(|| "unnamed operator".to_owned());
            let site_id = site.map(|k| a.geo.sites[k].id.clone());
            crate::damage::fault(
                a,
                &operator,
                time,
                site_id.as_deref(),
                reported_position(&description),
                &format!("{name}. {description}"),
                Some(&r.incident.id),
            );
            continue;
        }
        let Some(k) = site else {
            let names: Vec<String> = r.infrastructure.iter().map(|i| i.to_string()).collect();
            a.diagnose(
                Some(time),
                r.incident.id.clone(),
                &format!(
                    "STIX incident `{name}` targets no registered infrastructure ({}); not an incident of the pact",
                    if names.is_empty() { "no target".to_owned() } else { names.join(", ") }
                ),
            );
            continue;
        };
        if !is_destructive(&object) {
            a.diagnose(
                Some(time),
                r.incident.id.clone(),
                &format!("STIX incident `{name}` on `{}` is not labelled destructive; not a cyber attack in the pact's sense", a.geo.sites[k].id),
            );
            continue;
        }
        let site = a.geo.sites[k].clone();
        let mut d = Draft::new(IncidentKind::CyberAttack, r.incident.id.clone(), time);
        d.position = Some(site.anchor);
        d.zones = a.geo.zones_at(&site.anchor);
        d.infrastructure = Some(site.id.clone());
        d.first_detection = time;
        d.text("name", name.clone());
        d.text("infrastructure_kind", site.kind_str());
        d.flag("destructive", true);
        d.items.push(EvidenceItem::Stix {
            stix_id: r.incident.id.clone(),
        });
        let direct: Vec<&stix::Attribution> = r
            .attributions
            .iter()
            .filter(|x| x.basis == Basis::AttributedTo)
            .collect();
        let top = direct.iter().max_by_key(|x| {
            (
                x.confidence.unwrap_or(0),
                std::cmp::Reverse(x.actor.id.clone()),
            )
        });
        for x in &r.attributions {
            for rel in &x.path {
                d.items.push(EvidenceItem::Stix {
                    stix_id: rel.clone(),
                });
            }
            d.items.push(EvidenceItem::Stix {
                stix_id: x.actor.id.clone(),
            });
            d.derived(
                "attribution",
                format!(
                    "{} ({}) with confidence {}",
                    x.actor,
                    match &x.basis {
                        Basis::AttributedTo => "attributed-to".to_owned(),
                        Basis::RelatedTo => "related-to".to_owned(),
                        Basis::SharedUse { via } => format!("uses the same {via}"),
                    },
                    x.confidence
                        .map_or("not stated".to_owned(), |c| c.to_string())
                ),
            );
        }
        let stated = top.and_then(|x| x.confidence).or(object.common.confidence);
        d.confidence = stated.map_or(0.5, |c| f64::from(c) / 100.0);
        if let Some(x) = top {
            d.text(
                "actor",
                x.actor.name.clone().unwrap_or_else(|| x.actor.id.clone()),
            );
        }
        d.int("stix_confidence", i64::from(stated.unwrap_or(0)));
        d.int("attributions", direct.len() as i64);
        d.flag("contradictory", r.contradictory);
        if r.contradictory {
            let names: Vec<String> = direct.iter().map(|x| x.actor.to_string()).collect();
            d.contradictions.push(format!(
                "two attributions name unrelated actors: {}",
                names.join(" and ")
            ));
        }
        d.method = "stix-resolve".into();
        d.statement = format!(
            "The intelligence feed reports `{name}` on {} ({}) at {}: {}. The attribution is the feed's, carried through with its stated confidence; this stage does not verify it.",
            site.name,
            site.kind_str(),
            time,
            r
        );
        a.emit(d);
    }
}
