//! The readiness stage's integration tests: hand-computed cases and bad input.

mod bad_input;
mod coverage;
mod economics;
mod stock;

use readiness::{Config, Inputs};

/// A small pact: one party, one depot, one stocked item (`widget`) used 10 a day.
pub const SMALL_PACT: &str = r#"
[pact]
id = "small"
title = "A depot with known stock, consumption and production"
effective = "2026-01-01T00:00:00Z"

[[parties]]
id = "AA"
name = "Party A"
public_key = "ayMavrgtZSq9uhQNAmRYjaYofLOjBrQUAorn8t1PTCg="

[[zones]]
id = "depot-zone"
kind = "depot_area"
geometry = { type = "Polygon", coordinates = [[[20.0, 50.0], [21.0, 50.0], [21.0, 51.0], [20.0, 51.0], [20.0, 50.0]]] }

[[zones]]
id = "sky"
kind = "protected_airspace"
geometry = { type = "Polygon", coordinates = [[[24.0, 46.0], [36.0, 46.0], [36.0, 54.0], [24.0, 54.0], [24.0, 46.0]]] }

[[indicators]]
id = "entry"
incident = "airspace_entry"
threshold = { count = 1, within = "1h" }

[[responses]]
id = "shield"
rung = 1
trigger = { any = ["entry"] }
deadline = "1h"

[[responses.measures]]
party = "AA"
kind = "military"
action = "widgets engage"
assets = [{ asset = "widget", quantity = 50 }]
zones = ["sky"]

[[commitments]]
id = "aa-widgets"
party = "AA"
asset = "widget"
quantity = 100
at = "depot"
by = "2026-01-01T00:00:00Z"
until = "2027-01-01T00:00:00Z"

[[depots]]
id = "depot"
party = "AA"
zone = "depot-zone"

[[stocks]]
id = "depot-widgets"
party = "AA"
item = "widget"
quantity = 100
depot = "depot"
use_per_day = 10.0

[[contracts]]
id = "widget-line"
party = "AA"
item = "widget"
units_per_month = 60
from = "2026-01-01T00:00:00Z"
to = "2027-01-01T00:00:00Z"
backs = ["aa-widgets"]
"#;

pub fn compile(text: &str) -> pact::CompiledPact {
    let checked = pact::check_text(&pact::MemoryFiles::new(), "small.toml", text);
    match checked.compiled {
        Some(c) => c,
        None => panic!("test pact does not compile:\n{}", checked.render()),
    }
}

pub fn config(at: &str) -> Config {
    Config {
        at: readiness::deliveries::parse_date(at).expect("test date"),
        horizon_days: 365,
        endurance_days: 30,
    }
}

pub fn inputs() -> Inputs {
    Inputs::default()
}
