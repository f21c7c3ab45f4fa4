//! The effector catalogue and the threat classes it faces: cost per shot,
//! probability of kill by threat, range, altitude band, magazine, each figure
//! with its source. The default is `data/effectors.toml`, built in.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::InputError;
use crate::limits;

/// The catalogue shipped with the crate (figures from domain-facts.md).
pub const DEFAULT_CATALOGUE: &str = include_str!("../data/effectors.toml");

/// The fields every threat must source.
const THREAT_SOURCED: &[&str] = &["cost", "alt"];
/// The fields every effector must source.
const EFFECTOR_SOURCED: &[&str] = &["cost", "pk", "range", "alt", "magazine", "shots"];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The attacker's cost of one.
    pub cost_usd: f64,
    /// Typical cruise altitude.
    pub alt_m: f64,
    pub source: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Ew,
    Gun,
    InterceptorDrone,
    ShortRangeMissile,
    MediumRangeSam,
    LongRangeSam,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effector {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub layer: Layer,
    /// The stock item one shot consumes.
    pub item: String,
    /// The committed assets that fire it.
    #[serde(default)]
    pub platforms: Vec<String>,
    pub cost_per_shot_usd: f64,
    /// Rounds fired per engagement.
    pub shots: f64,
    pub range_m: f64,
    pub alt_min_m: f64,
    pub alt_max_m: f64,
    /// Rounds ready per platform; 0 when not limited by a ready load.
    pub magazine: u32,
    /// Probability one engagement kills, by threat id; absent means it cannot engage.
    pub pk: BTreeMap<String, f64>,
    pub source: BTreeMap<String, String>,
}

impl Effector {
    /// The probability of kill against `threat` when it can reach it, else 0.
    pub fn pk_against(&self, threat: &Threat) -> f64 {
        let reaches = threat.alt_m >= self.alt_min_m && threat.alt_m <= self.alt_max_m;
        if !reaches {
            return 0.0;
        }
        self.pk.get(&threat.id).copied().unwrap_or(0.0)
    }

    /// Expected cost of one kill: rounds per engagement times cost, over Pk.
    pub fn cost_per_kill_usd(&self, threat: &Threat) -> f64 {
        let pk = self.pk_against(threat);
        if pk <= 0.0 {
            f64::INFINITY
        } else {
            self.shots * self.cost_per_shot_usd / pk
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(default)]
    pub threat: Vec<Threat>,
    #[serde(default)]
    pub effector: Vec<Effector>,
}

impl Catalogue {
    /// The built-in catalogue. It is checked by the tests, so a failure here is a bug.
    pub fn builtin() -> Catalogue {
        match Catalogue::parse("data/effectors.toml", DEFAULT_CATALOGUE) {
            Ok(c) => c,
            Err(e) => panic!("the built-in catalogue is invalid: {e}"),
        }
    }

    /// Reads and checks a catalogue; `input` names it in errors.
    pub fn parse(input: &str, text: &str) -> Result<Catalogue, InputError> {
        let catalogue: Catalogue = toml::from_str(text).map_err(|e| InputError::Parse {
            input: input.to_owned(),
            message: e.to_string(),
        })?;
        catalogue.check(input)?;
        Ok(catalogue)
    }

    pub fn threat(&self, id: &str) -> Option<&Threat> {
        self.threat.iter().find(|t| t.id == id)
    }

    pub fn effector(&self, id: &str) -> Option<&Effector> {
        self.effector.iter().find(|e| e.id == id)
    }

    /// The effectors a committed asset fires (by platform) or that consume it (by item).
    pub fn effectors_of_asset<'a>(&'a self, asset: &'a str) -> impl Iterator<Item = &'a Effector> {
        self.effector
            .iter()
            .filter(move |e| e.item == asset || e.platforms.iter().any(|p| p == asset))
    }

    fn check(&self, input: &str) -> Result<(), InputError> {
        if self.threat.len() + self.effector.len() > limits::catalogue_entries_max {
            return Err(InputError::TooMany {
                input: input.to_owned(),
                what: "catalogue entries",
                max: limits::catalogue_entries_max,
            });
        }
        let invalid = |record: String, message: String| InputError::Invalid {
            input: input.to_owned(),
            record,
            message,
        };
        for t in &self.threat {
            let record = format!("threat `{}`", t.id);
            if !(t.cost_usd.is_finite() && t.cost_usd >= 0.0 && t.alt_m.is_finite()) {
                return Err(invalid(
                    record,
                    "cost_usd and alt_m must be finite, cost >= 0".into(),
                ));
            }
            missing_source(&t.source, THREAT_SOURCED).map_or(Ok(()), |f| {
                Err(invalid(
                    record,
                    format!("no source for `{f}`: add source.{f}"),
                ))
            })?;
        }
        for e in &self.effector {
            let record = format!("effector `{}`", e.id);
            let numbers = [
                e.cost_per_shot_usd,
                e.shots,
                e.range_m,
                e.alt_min_m,
                e.alt_max_m,
            ];
            if numbers.iter().any(|x| !x.is_finite() || *x < 0.0) || e.shots <= 0.0 {
                return Err(invalid(
                    record,
                    "cost, shots, range and altitudes must be finite and >= 0, shots > 0".into(),
                ));
            }
            if e.alt_min_m > e.alt_max_m {
                return Err(invalid(record, "alt_min_m is above alt_max_m".into()));
            }
            for (threat, pk) in &e.pk {
                if self.threat(threat).is_none() {
                    return Err(InputError::UnknownName {
                        input: input.to_owned(),
                        record,
                        what: "threat",
                        name: threat.clone(),
                    });
                }
                if !(0.0..=1.0).contains(pk) {
                    return Err(invalid(
                        record,
                        format!("pk for `{threat}` is {pk}, not in 0..=1"),
                    ));
                }
            }
            missing_source(&e.source, EFFECTOR_SOURCED).map_or(Ok(()), |f| {
                Err(invalid(
                    record,
                    format!("no source for `{f}`: add source.{f}"),
                ))
            })?;
        }
        Ok(())
    }
}

fn missing_source<'a>(source: &BTreeMap<String, String>, fields: &[&'a str]) -> Option<&'a str> {
    fields
        .iter()
        .find(|f| source.get(**f).is_none_or(|s| s.trim().is_empty()))
        .copied()
}
