//! The critical-infrastructure register: real places, with where each
//! coordinate comes from.
//!
//! Coordinates given in `../shared/facts/incidents.json` (airport reference
//! points, the Kattegat anchorage) are used as they are there and say so.
//! Everything else is a well-known public position, marked "approximate, public
//! knowledge": good to a few hundred metres for points, and for cables and
//! pipelines a few vertices through the publicly described landing points, not
//! the surveyed route (which is not published).

use geojson::JsonObject;
use serde_json::Value;

use super::{Feature, feature};

/// The kinds of infrastructure a pact can list.
pub const KINDS: [&str; 10] = [
    "subsea_cable",
    "pipeline",
    "power_plant",
    "substation",
    "airport",
    "port",
    "refinery",
    "shipyard",
    "hospital",
    "data_centre",
];

/// Protection buffer by kind, in metres. Cables and pipelines: one nautical
/// mile either side, the corridor in which a vessel loitering or dragging an
/// anchor is a threat. Airports: 5 km, the distance at which drone sightings
/// closed Copenhagen, Aalborg and Munich. Nuclear plants get their own 5 km.
pub fn default_buffer_m(kind: &str) -> u32 {
    match kind {
        "subsea_cable" | "pipeline" => 1_852,
        "airport" => 5_000,
        "power_plant" | "port" => 3_000,
        "refinery" => 2_000,
        "substation" | "shipyard" => 1_000,
        _ => 500,
    }
}

const NUCLEAR_BUFFER_M: u32 = 5_000;

const APPROX: &str = "approximate, public knowledge";

/// One register entry: points are `[(lon, lat)]`, lines have two or more.
#[derive(Debug)]
pub struct Site {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub owner: &'static str,
    /// Joint owner of a cross-border link, when there is one.
    pub co_owner: Option<&'static str>,
    pub buffer_m: Option<u32>,
    pub coords: &'static [(f64, f64)],
    pub source: &'static str,
    /// Ids of incidents in the facts that concern this site.
    pub incidents: &'static [&'static str],
}

const fn site(
    id: &'static str,
    name: &'static str,
    kind: &'static str,
    owner: &'static str,
    coords: &'static [(f64, f64)],
    source: &'static str,
) -> Site {
    Site {
        id,
        name,
        kind,
        owner,
        co_owner: None,
        buffer_m: None,
        coords,
        source,
        incidents: &[],
    }
}

#[rustfmt::skip]
pub const SITES: &[Site] = &[
    // Subsea cables and pipelines (lon, lat), landing point to landing point.
    Site {
        co_owner: Some("EE"),
        incidents: &["3e3-estlink2-2024-12-25"],
        ..site("estlink-2", "Estlink 2 HVDC cable (Anttila FI – Püssi EE, 658 MW)", "subsea_cable", "FI",
            &[(25.405, 60.375), (25.60, 60.25), (26.30, 59.90), (26.90, 59.47), (27.05, 59.36)],
            "approximate, public knowledge: Püssi substation (EE), 12 km land cable to the coast at Aseri, 145 km subsea, 14 km overhead line to Anttila converter station (FI), 170 km in all (Merko Estlink 2 project page; facts: incidents.json 3e3); the subsea route between the landfalls is simplified")
    },
    Site {
        co_owner: Some("EE"),
        incidents: &["3e1-balticconnector-2023-10-08"],
        ..site("balticconnector", "Balticconnector gas pipeline (Inkoo FI – Paldiski EE)", "pipeline", "FI",
            &[(24.005, 60.045), (24.10, 59.85), (24.05, 59.55), (24.06, 59.355)],
            "approximate, public knowledge: offshore pipeline of about 77 km from Inkoo (FI) to Paldiski (EE), about 50 km west of Tallinn (Baltic Connector Oy; facts: incidents.json 3e1)")
    },
    Site {
        co_owner: Some("DE"),
        incidents: &["3e2-baltic-cables-2024-11-17", "3e5-c-lion1-2025-02-20"],
        ..site("c-lion1", "C-Lion1 telecom cable (Helsinki FI – Rostock DE)", "subsea_cable", "FI",
            &[(24.93, 60.15), (24.20, 59.80), (22.00, 59.30), (20.60, 58.60), (19.40, 57.50),
              (18.20, 56.70), (17.10, 55.75), (15.50, 55.45), (13.60, 54.80), (12.40, 54.40),
              (12.09, 54.18)],
            "approximate, public knowledge: landings Helsinki and Rostock, 1,173 km, east of Gotland and 60-70 km SE of Öland (facts: incidents.json 3e2, 3e5)")
    },
    Site {
        co_owner: Some("LT"),
        incidents: &["3e2-baltic-cables-2024-11-17"],
        ..site("bcs-east-west-interlink", "BCS East-West Interlink telecom cable (Sventoji LT – Katthammarsvik SE)", "subsea_cable", "SE",
            &[(21.08, 56.03), (20.00, 56.70), (18.86, 57.43)],
            "approximate, public knowledge: landings Sventoji (LT) and Katthammarsvik (Gotland, SE), 218 km, operator Arelion (facts: incidents.json 3e2)")
    },
    Site {
        co_owner: Some("SE"),
        incidents: &["3e4-lv-se-cable-2025-01-26"],
        ..site("ventspils-gotland-cable", "LVRTC telecom cable (Ventspils LV – Fårösund SE)", "subsea_cable", "LV",
            &[(21.56, 57.39), (20.40, 57.55), (19.05, 57.86)],
            "approximate, public knowledge: landings Ventspils (LV) and Fårösund (Gotland, SE) (facts: incidents.json 3e4)")
    },
    // Power plants.
    Site { buffer_m: Some(NUCLEAR_BUFFER_M),
        ..site("khmelnytskyi-npp", "Khmelnytskyi nuclear power plant", "power_plant", "UA", &[(26.6497, 50.3016)], APPROX) },
    Site { buffer_m: Some(NUCLEAR_BUFFER_M),
        ..site("rivne-npp", "Rivne nuclear power plant", "power_plant", "UA", &[(25.8917, 51.3275)], APPROX) },
    Site { buffer_m: Some(NUCLEAR_BUFFER_M),
        ..site("south-ukraine-npp", "South Ukraine nuclear power plant", "power_plant", "UA", &[(31.2200, 47.8128)], APPROX) },
    Site { buffer_m: Some(NUCLEAR_BUFFER_M),
        ..site("zaporizhzhia-npp", "Zaporizhzhia nuclear power plant (Enerhodar)", "power_plant", "UA", &[(34.5856, 47.5119)], APPROX) },
    site("burshtyn-tpp", "Burshtyn thermal power plant", "power_plant", "UA", &[(24.6570, 49.2120)], APPROX),
    site("trypilska-tpp", "Trypilska thermal power plant", "power_plant", "UA", &[(30.7460, 50.1330)], APPROX),
    site("kozienice-power-plant", "Kozienice power plant", "power_plant", "PL", &[(21.4670, 51.6650)], APPROX),
    Site { buffer_m: Some(NUCLEAR_BUFFER_M),
        ..site("cernavoda-npp", "Cernavodă nuclear power plant", "power_plant", "RO", &[(28.0575, 44.3225)], APPROX) },
    Site { incidents: &["3d1-de-sh-2025-09-25"],
        ..site("kiel-coastal-power-plant", "Kiel coastal gas power plant (Kieler Förde)", "power_plant", "DE", &[(10.1800, 54.3330)], APPROX) },
    // Substations.
    site("rzeszow-substation", "Rzeszów 750/400 kV substation (Widełka)", "substation", "PL", &[(21.8500, 50.2350)], APPROX),
    site("isaccea-substation", "Isaccea 750/400 kV substation", "substation", "RO", &[(28.4600, 45.2700)], APPROX),
    Site { incidents: &["3e3-estlink2-2024-12-25"],
        ..site("anttila-substation", "Anttila converter station and substation (Estlink 2)", "substation", "FI", &[(25.4050, 60.3750)], APPROX) },
    Site { incidents: &["3e3-estlink2-2024-12-25"],
        ..site("pussi-substation", "Püssi converter station and substation (Estlink 2)", "substation", "EE", &[(27.0500, 59.3600)], APPROX) },
    // Airports.
    Site { incidents: &["3b1-dk-cph-2025-09-22"],
        ..site("copenhagen-airport", "Copenhagen Airport, Kastrup (EKCH)", "airport", "DK", &[(12.65611, 55.61806)],
            "facts: incidents.json 3b1 (airport reference coordinates)") },
    Site { incidents: &["3b2-dk-aal-2025-09-24", "3b3-dk-aal-2025-09-25"],
        ..site("aalborg-airport", "Aalborg Airport (EKYT)", "airport", "DK", &[(9.8492, 57.0928)],
            "facts: incidents.json 3b2 (airport reference coordinates)") },
    Site { incidents: &["3d2-de-muc-2025-10-02"],
        ..site("munich-airport", "Munich Airport (EDDM)", "airport", "DE", &[(11.78611, 48.35389)],
            "facts: incidents.json 3d2 (airport reference coordinates)") },
    Site { incidents: &["3a-pl-2025-09-10"],
        ..site("rzeszow-jasionka-airport", "Rzeszów-Jasionka Airport (EPRZ)", "airport", "PL", &[(22.0192, 50.1097)],
            "approximate, public knowledge: airport reference point") },
    Site { incidents: &["3a-pl-2025-09-10"],
        ..site("lublin-airport", "Lublin Airport (EPLB)", "airport", "PL", &[(22.7136, 51.2403)],
            "approximate, public knowledge: airport reference point") },
    Site { incidents: &["3a-pl-2025-09-10"],
        ..site("warsaw-chopin-airport", "Warsaw Chopin Airport (EPWA)", "airport", "PL", &[(20.9671, 52.1657)],
            "approximate, public knowledge: airport reference point") },
    site("suceava-airport", "Suceava Ștefan cel Mare Airport (LRSV)", "airport", "RO", &[(26.3541, 47.6875)],
        "approximate, public knowledge: airport reference point"),
    // Ports.
    site("odesa-port", "Port of Odesa", "port", "UA", &[(30.7500, 46.5000)], APPROX),
    site("chornomorsk-port", "Port of Chornomorsk", "port", "UA", &[(30.6600, 46.2950)], APPROX),
    site("pivdennyi-port", "Port of Pivdennyi", "port", "UA", &[(31.0100, 46.6200)], APPROX),
    Site { incidents: &["3f1-ro-2025-09-13"],
        ..site("izmail-port", "Port of Izmail (Danube)", "port", "UA", &[(28.8400, 45.3400)], APPROX) },
    site("constanta-port", "Port of Constanța", "port", "RO", &[(28.6600, 44.1700)], APPROX),
    Site { incidents: &["3d1-de-sh-2025-09-25"],
        ..site("rostock-port", "Rostock seaport", "port", "DE", &[(12.1000, 54.1500)], APPROX) },
    // Refineries.
    Site { incidents: &["3d1-de-sh-2025-09-25"],
        ..site("heide-refinery", "Heide refinery (Hemmingstedt)", "refinery", "DE", &[(9.0700, 54.1625)], APPROX) },
    site("kremenchuk-refinery", "Kremenchuk refinery", "refinery", "UA", &[(33.3000, 49.0900)], APPROX),
    site("plock-refinery", "Płock refinery", "refinery", "PL", &[(19.6650, 52.5750)], APPROX),
    site("petrobrazi-refinery", "Petrobrazi refinery (Ploiești)", "refinery", "RO", &[(26.0070, 44.8730)], APPROX),
    Site { incidents: &["3e3-estlink2-2024-12-25"],
        ..site("porvoo-refinery", "Porvoo refinery (Kilpilahti)", "refinery", "FI", &[(25.5500, 60.3050)], APPROX) },
    // Shipyards.
    Site { incidents: &["3d1-de-sh-2025-09-25"],
        ..site("tkms-kiel", "thyssenkrupp Marine Systems naval shipyard, Kiel", "shipyard", "DE", &[(10.1450, 54.3180)], APPROX) },
    site("mangalia-shipyard", "Mangalia shipyard", "shipyard", "RO", &[(28.5850, 43.8050)], APPROX),
    // Hospitals.
    Site { incidents: &["3d1-de-sh-2025-09-25"],
        ..site("uksh-kiel", "University Hospital Schleswig-Holstein, Kiel campus", "hospital", "DE", &[(10.1260, 54.3280)], APPROX) },
    site("okhmatdyt-kyiv", "Okhmatdyt national children's hospital, Kyiv", "hospital", "UA", &[(30.4800, 50.4560)], APPROX),
    // Data centres.
    site("hamina-data-centre", "Google data centre, Hamina", "data_centre", "FI", &[(27.1100, 60.5360)], APPROX),
];

impl Site {
    pub fn buffer_m(&self) -> u32 {
        self.buffer_m.unwrap_or_else(|| default_buffer_m(self.kind))
    }

    fn feature(&self) -> Feature {
        assert!(
            KINDS.contains(&self.kind),
            "{}: kind {} is not one of KINDS",
            self.id,
            self.kind
        );
        let mut properties = JsonObject::new();
        properties.insert("id".into(), Value::from(self.id));
        properties.insert("name".into(), Value::from(self.name));
        properties.insert("kind".into(), Value::from(self.kind));
        properties.insert("owner".into(), Value::from(self.owner));
        if let Some(co_owner) = self.co_owner {
            properties.insert("co_owner".into(), Value::from(co_owner));
        }
        properties.insert("buffer_m".into(), Value::from(self.buffer_m()));
        properties.insert("source".into(), Value::from(self.source));
        if !self.incidents.is_empty() {
            properties.insert("incidents".into(), Value::from(self.incidents.to_vec()));
        }
        let geometry = match self.coords {
            [point] => geojson::Geometry::new_point(*point),
            line => geojson::Geometry::new_line_string(line.iter().copied()),
        };
        feature(self.id, geometry, properties)
    }
}

pub fn features() -> Vec<Feature> {
    SITES.iter().map(Site::feature).collect()
}
