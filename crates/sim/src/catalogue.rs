//! The threat catalogue: each type's kinematics, with the source of every figure.
//!
//! Figures come from `../shared/facts/domain-facts.md` (section 1), which cites
//! the public pages below; the URL of each figure is in the comment beside it.
//! Where the facts file says "not found", the value is marked ASSUMPTION with
//! the reason, and a scenario may override it per wave (`speed_kmh`, `alt_m`).

use serde::{Deserialize, Serialize};

/// The kinds of object a scenario can put in the air or at sea.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectClass {
    /// Shahed-136 / Geran-2 one-way attack drone.
    Shahed,
    /// Gerbera decoy drone.
    Gerbera,
    /// Geran-3, the jet-powered Shahed.
    JetDrone,
    /// Kh-101 / Kalibr-type cruise missile.
    CruiseMissile,
    /// Iskander-M type quasi-ballistic missile.
    BallisticMissile,
    /// A military aircraft (the MiG-31s over Estonia, 19 Sep 2025).
    MannedAircraft,
    Airliner,
    Merchant,
    Tanker,
    Fishing,
    /// A friendly maritime or air patrol, reporting over CoT.
    Patrol,
}

impl ObjectClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectClass::Shahed => "shahed",
            ObjectClass::Gerbera => "gerbera",
            ObjectClass::JetDrone => "jet_drone",
            ObjectClass::CruiseMissile => "cruise_missile",
            ObjectClass::BallisticMissile => "ballistic_missile",
            ObjectClass::MannedAircraft => "manned_aircraft",
            ObjectClass::Airliner => "airliner",
            ObjectClass::Merchant => "merchant",
            ObjectClass::Tanker => "tanker",
            ObjectClass::Fishing => "fishing",
            ObjectClass::Patrol => "patrol",
        }
    }

    /// Threats launched in waves: hostile, uncooperative, state-originated.
    pub fn is_threat(self) -> bool {
        matches!(
            self,
            ObjectClass::Shahed
                | ObjectClass::Gerbera
                | ObjectClass::JetDrone
                | ObjectClass::CruiseMissile
                | ObjectClass::BallisticMissile
                | ObjectClass::MannedAircraft
        )
    }

    pub fn is_drone(self) -> bool {
        matches!(
            self,
            ObjectClass::Shahed | ObjectClass::Gerbera | ObjectClass::JetDrone
        )
    }

    pub fn is_vessel(self) -> bool {
        matches!(
            self,
            ObjectClass::Merchant | ObjectClass::Tanker | ObjectClass::Fishing
        )
    }
}

/// How a type flies: ranges to draw from, and how far it can go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinematics {
    pub speed_kmh: (f64, f64),
    /// Cruise altitude above sea level, metres.
    pub alt_m: (f64, f64),
    /// Distance flown before the fuel runs out and it falls, km.
    pub range_km: f64,
    /// Apogee for ballistic flight, metres; `None` for level flight.
    pub apogee_m: Option<f64>,
}

/// The kinematics of a wave's threat type.
pub fn kinematics(class: ObjectClass) -> Kinematics {
    match class {
        ObjectClass::Shahed => Kinematics {
            // 150–170 km/h cruise: https://www.sq.com.ua/ukr/novini/10.11.2023/ppo-zbila-saxed-u-xarkivskii-oblasti
            // up to ~190 km/h: https://tech.wp.pl/ukrainscy-alarmuja-rosjanie-uzywaja-ich-nawet-250-300-jednoczesnie,6940738821184128a
            speed_kmh: (150.0, 190.0),
            // 2025 trend "raised to 3–4 km": https://24tv.ua/ataki-dronami-efektivni-mobilni-vognevi-grupi_n2933333/amp
            alt_m: (3_000.0, 4_000.0),
            // "up to 2,000 km": https://www.sq.com.ua/ukr/novini/10.11.2023/ppo-zbila-saxed-u-xarkivskii-oblasti
            range_km: 2_000.0,
            apogee_m: None,
        },
        ObjectClass::Gerbera => Kinematics {
            // max speed 160 km/h (Ukrainian data via Reuters):
            // https://www.dcnews.ro/ce-sunt-dronele-gerbera-instrumentele-ieftine-ale-rusiei-detalii-noi-dupa-incidentul-din-polonia_1006406.html
            // ASSUMPTION: the lower bound (120 km/h) is not published; a cruise below the maximum.
            speed_kmh: (120.0, 160.0),
            // ASSUMPTION: no altitude figure found; a decoy flies like the Shahed it
            // imitates, taken lower (1–3 km) because it is a lighter airframe.
            alt_m: (1_000.0, 3_000.0),
            // max range 600 km: same dcnews.ro page as the speed.
            range_km: 600.0,
            apogee_m: None,
        },
        ObjectClass::JetDrone => Kinematics {
            // >500 km/h (Klymenko), up to 600 km/h (Krivolap):
            // https://ziare.com/razboi-ucraina/drone-shahed-atac-kiev-1956419
            speed_kmh: (500.0, 600.0),
            // up to 9,000 m (Krivolap), same page. ASSUMPTION: lower bound 3 km.
            alt_m: (3_000.0, 9_000.0),
            // ASSUMPTION: range not found in the facts; 1,000 km, below the Shahed's
            // because a jet engine burns more fuel in the same airframe.
            range_km: 1_000.0,
            apogee_m: None,
        },
        ObjectClass::CruiseMissile => Kinematics {
            // Kh-101 ~900 km/h, "close to the ground", subsonic:
            // https://exxpress.at/78-millionen-euro-das-kostete-moskau-ein-einziger-raketenangriff-auf-dnipro/
            speed_kmh: (850.0, 950.0),
            // ASSUMPTION: "close to the ground" has no figure in the facts (gap listed
            // there); 30–100 m terrain following.
            alt_m: (30.0, 100.0),
            // 2,500–5,500 km across sources; lower bound used:
            // https://fr.businessam.be/larmee-russe-perd-91-millions-de-dollars-en-un-jour
            range_km: 2_500.0,
            apogee_m: None,
        },
        ObjectClass::BallisticMissile => Kinematics {
            // Iskander-M 7,500 km/h:
            // https://www.rmf24.pl/raporty/raport-wojna-z-rosja/news-ukraina-rakieta-iskander-uderzyla-w-czernihowie,nId,5858991
            speed_kmh: (7_500.0, 7_500.0),
            alt_m: (0.0, 0.0),
            // 50–500 km: http://tass.com/russia/808097
            range_km: 500.0,
            // ASSUMPTION: apogee not in the facts; ~50 km for a quasi-ballistic profile.
            apogee_m: Some(50_000.0),
        },
        ObjectClass::MannedAircraft => Kinematics {
            // ASSUMPTION: no speed or altitude in the facts for the MiG-31 incursion
            // (3f2, incidents.json gives only "~12 min, <10 km deep"); subsonic transit.
            speed_kmh: (800.0, 950.0),
            alt_m: (8_000.0, 11_000.0),
            range_km: 3_000.0,
            apogee_m: None,
        },
        ObjectClass::Airliner => Kinematics {
            // ASSUMPTION: civil cruise, not in the facts (not a threat figure).
            speed_kmh: (780.0, 880.0),
            alt_m: (10_000.0, 12_000.0),
            range_km: 10_000.0,
            apogee_m: None,
        },
        ObjectClass::Merchant
        | ObjectClass::Tanker
        | ObjectClass::Fishing
        | ObjectClass::Patrol => {
            // Vessels and patrols take their speeds from the scenario (knots).
            Kinematics {
                speed_kmh: (0.0, 0.0),
                alt_m: (0.0, 0.0),
                range_km: 20_000.0,
                apogee_m: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_threat_has_a_positive_speed_and_range() {
        for class in [
            ObjectClass::Shahed,
            ObjectClass::Gerbera,
            ObjectClass::JetDrone,
            ObjectClass::CruiseMissile,
            ObjectClass::BallisticMissile,
            ObjectClass::MannedAircraft,
        ] {
            let k = kinematics(class);
            assert!(class.is_threat());
            assert!(
                k.speed_kmh.0 > 0.0 && k.speed_kmh.0 <= k.speed_kmh.1,
                "{class:?}"
            );
            assert!(k.range_km > 0.0, "{class:?}");
        }
    }
}
