//! The tempo scenario: how often raids come, how big and of what mix, and how
//! long a clause's magazines must last (the endurance the pact's backing is
//! judged against). A small TOML format; examples in `scenarios/tempo/`.
//!
//! ```toml
//! name = "600-every-4"
//! description = "a 600-drone night every 4 days, 10% cruise missiles"
//! endurance_days = 30
//! [[raid]]
//! every_days = 4
//! first_day = 0
//! threats = 600
//! mix = { shahed = 0.55, gerbera = 0.35, cruise_missile = 0.10 }
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::catalogue::Catalogue;
use crate::error::InputError;
use crate::limits;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tempo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// How many days a clause's magazines must last at this tempo to count as backed.
    #[serde(default = "default_endurance")]
    pub endurance_days: u32,
    #[serde(default)]
    pub raid: Vec<Raid>,
}

fn default_endurance() -> u32 {
    30
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raid {
    /// One night every this many days.
    pub every_days: u32,
    /// The first night, in days from the start of the forecast.
    #[serde(default)]
    pub first_day: u32,
    /// Threats launched that night.
    pub threats: u32,
    /// Share of each threat class (catalogue ids); shares sum to 1.
    pub mix: BTreeMap<String, f64>,
}

/// Threats of one night by class id, as expected counts.
pub type Night = BTreeMap<String, f64>;

impl Tempo {
    /// Reads and checks a tempo file against the catalogue's threat classes.
    pub fn parse(input: &str, text: &str, catalogue: &Catalogue) -> Result<Tempo, InputError> {
        let tempo: Tempo = toml::from_str(text).map_err(|e| InputError::Parse {
            input: input.to_owned(),
            message: e.to_string(),
        })?;
        if tempo.raid.len() > limits::raids_max {
            return Err(InputError::TooMany {
                input: input.to_owned(),
                what: "raids",
                max: limits::raids_max,
            });
        }
        for (idx, raid) in tempo.raid.iter().enumerate() {
            let record = format!("raid #{}", idx + 1);
            let invalid = |message: String| InputError::Invalid {
                input: input.to_owned(),
                record: record.clone(),
                message,
            };
            if raid.every_days == 0 {
                return Err(invalid("every_days must be at least 1".into()));
            }
            if raid.threats > limits::threats_per_night_max {
                return Err(invalid(format!(
                    "{} threats in a night, more than the {} allowed",
                    raid.threats,
                    limits::threats_per_night_max
                )));
            }
            for (class, share) in &raid.mix {
                if catalogue.threat(class).is_none() {
                    let known: Vec<&str> = catalogue.threat.iter().map(|t| t.id.as_str()).collect();
                    return Err(InputError::UnknownItem {
                        input: input.to_owned(),
                        record: record.clone(),
                        item: class.clone(),
                        known: known.join(", "),
                    });
                }
                if !(share.is_finite() && *share >= 0.0) {
                    return Err(invalid(format!("share of `{class}` is {share}, not >= 0")));
                }
            }
            let total: f64 = raid.mix.values().sum();
            if (total - 1.0).abs() > 1e-6 {
                return Err(invalid(format!("the mix sums to {total}, not 1")));
            }
        }
        Ok(tempo)
    }

    /// The threats of the night `day` days into the forecast (empty when no raid falls on it).
    pub fn night(&self, day: u32) -> Night {
        let mut night = Night::new();
        for raid in &self.raid {
            if day >= raid.first_day && (day - raid.first_day).is_multiple_of(raid.every_days) {
                for (class, share) in &raid.mix {
                    *night.entry(class.clone()).or_default() += share * f64::from(raid.threats);
                }
            }
        }
        night
    }

    /// The heaviest night of the first `days` (the first such if tied): the one the economics show.
    pub fn heaviest_night(&self, days: u32) -> Night {
        let mut best = Night::new();
        let mut best_total = 0.0;
        for day in 0..days {
            let night = self.night(day);
            let total: f64 = night.values().sum();
            if total > best_total {
                best_total = total;
                best = night;
            }
        }
        best
    }
}
