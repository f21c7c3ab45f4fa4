//! Delivery records: what arrived, from whom, where and when. Later these come
//! as signed records through the API; here from a TOML file of `[[delivery]]`
//! tables, each checked against the pact (party, item, place), in date order.
//!
//! ```toml
//! [[delivery]]
//! party = "GB"
//! item = "interceptor-drone"
//! quantity = 1500
//! date = "2026-03-05"
//! place = "suceava"
//! ```

use model::Time;
use serde::Deserialize;

use crate::error::InputError;
use crate::limits;

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub party: String,
    pub item: String,
    pub quantity: f64,
    pub date: Time,
    /// A depot or zone id of the pact.
    pub place: String,
    /// Where the record is: `delivery #3 (line 14)`.
    pub record: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    delivery: Vec<toml::Spanned<Raw>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    party: String,
    item: String,
    quantity: f64,
    date: String,
    place: String,
}

/// What the pact knows, for checking records against it.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub parties: Vec<String>,
    pub items: Vec<String>,
    pub places: Vec<String>,
}

impl Known {
    pub fn of(pact: &pact::CompiledPact) -> Known {
        let mut items: Vec<String> = pact
            .commitments
            .iter()
            .map(|c| c.asset.clone())
            .chain(pact.stocks.iter().map(|s| s.item.clone()))
            .chain(pact.contracts.iter().map(|c| c.item.clone()))
            .collect();
        items.sort();
        items.dedup();
        let places = pact
            .depots
            .iter()
            .map(|d| d.id.clone())
            .chain(pact.zones.iter().map(|z| z.id.clone()))
            .collect();
        Known {
            parties: pact.parties.iter().map(|p| p.id.clone()).collect(),
            items,
            places,
        }
    }
}

/// Parses a date as `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_date(text: &str) -> Option<Time> {
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    Time::parse_rfc3339(&full).ok()
}

/// Reads and checks a deliveries file; the first bad record is the error, named by
/// its number and line.
pub fn parse(input: &str, text: &str, known: &Known) -> Result<Vec<Delivery>, InputError> {
    let file: File = toml::from_str(text).map_err(|e| InputError::Parse {
        input: input.to_owned(),
        message: e.to_string(),
    })?;
    if file.delivery.len() > limits::deliveries_max {
        return Err(InputError::TooMany {
            input: input.to_owned(),
            what: "deliveries",
            max: limits::deliveries_max,
        });
    }
    let mut out: Vec<Delivery> = Vec::with_capacity(file.delivery.len());
    for (idx, spanned) in file.delivery.iter().enumerate() {
        let line = 1 + text[..spanned.span().start.min(text.len())]
            .matches('\n')
            .count();
        let raw = spanned.get_ref();
        let record = format!(
            "delivery #{} (line {line}: {} {} {} on {})",
            idx + 1,
            raw.party,
            raw.quantity,
            raw.item,
            raw.date
        );
        let delivery = check(input, record, raw, known)?;
        if let Some(previous) = out.last()
            && delivery.date < previous.date
        {
            return Err(InputError::OutOfOrder {
                input: input.to_owned(),
                record: delivery.record,
                date: raw.date.clone(),
                previous: previous.date.to_string(),
            });
        }
        out.push(delivery);
    }
    Ok(out)
}

fn check(input: &str, record: String, raw: &Raw, known: &Known) -> Result<Delivery, InputError> {
    let unknown = |what: &'static str, name: &str| InputError::UnknownName {
        input: input.to_owned(),
        record: record.clone(),
        what,
        name: name.to_owned(),
    };
    if !known.parties.contains(&raw.party) {
        return Err(unknown("party", &raw.party));
    }
    if !known.items.contains(&raw.item) {
        return Err(InputError::UnknownItem {
            input: input.to_owned(),
            record,
            item: raw.item.clone(),
            known: known.items.join(", "),
        });
    }
    if !known.places.contains(&raw.place) {
        return Err(unknown("place (a depot or zone id)", &raw.place));
    }
    if !raw.quantity.is_finite() || raw.quantity < 0.0 {
        return Err(InputError::NegativeQuantity {
            input: input.to_owned(),
            record,
            quantity: raw.quantity,
        });
    }
    let Some(date) = parse_date(&raw.date) else {
        return Err(InputError::Invalid {
            input: input.to_owned(),
            record,
            message: format!("date `{}` is not YYYY-MM-DD or RFC 3339", raw.date),
        });
    };
    Ok(Delivery {
        party: raw.party.clone(),
        item: raw.item.clone(),
        quantity: raw.quantity,
        date,
        place: raw.place.clone(),
        record,
    })
}
