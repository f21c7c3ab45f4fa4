//! A two-policy cost-exchange computed by hand, and the built-in catalogue's sources.

use std::collections::BTreeMap;

use readiness::catalogue::Catalogue;
use readiness::economics::{Policy, engage};

const TWO: &str = r#"
[[threat]]
id = "drone"
cost_usd = 50000
alt_m = 1000
source = { cost = "test", alt = "test" }

[[effector]]
id = "sam"
layer = "long_range_sam"
item = "sam"
cost_per_shot_usd = 1000000
shots = 1
range_m = 50000
alt_min_m = 0
alt_max_m = 20000
magazine = 0
pk = { drone = 0.9 }
source = { cost = "t", pk = "t", range = "t", alt = "t", magazine = "t", shots = "t" }

[[effector]]
id = "idrone"
layer = "interceptor_drone"
item = "idrone"
cost_per_shot_usd = 5000
shots = 2
range_m = 10000
alt_min_m = 0
alt_max_m = 5000
magazine = 0
pk = { drone = 0.5 }
source = { cost = "t", pk = "t", range = "t", alt = "t", magazine = "t", shots = "t" }
"#;

fn night() -> BTreeMap<String, f64> {
    BTreeMap::from([("drone".to_owned(), 10.0)])
}

#[test]
fn missile_first_by_hand() {
    let c = Catalogue::parse("two.toml", TWO).expect("catalogue");
    let pool: Vec<_> = c.effector.iter().collect();
    let out = engage(
        &c,
        &pool,
        &night(),
        Policy::MissileFirst,
        &mut BTreeMap::new(),
    );
    // SAM: 10 shots, $10M, 9 kills; the 1 left meets 2 interceptors ($10k), 0.5 kills.
    assert_eq!(out.attacker_cost_usd, 500_000.0);
    assert!((out.defender_cost_usd - 10_010_000.0).abs() < 1e-6);
    assert!((out.leakers - 0.5).abs() < 1e-9);
    assert!((out.cost_exchange_ratio() - 20.02).abs() < 1e-9);
}

#[test]
fn layered_cheapest_adequate_by_hand() {
    let c = Catalogue::parse("two.toml", TWO).expect("catalogue");
    let pool: Vec<_> = c.effector.iter().collect();
    let out = engage(
        &c,
        &pool,
        &night(),
        Policy::LayeredCheapestAdequate,
        &mut BTreeMap::new(),
    );
    // Interceptors first ($20k a kill against $1.11M): 20 shots, $100k, 5 kills;
    // the SAM takes the 5 left: $5M, 4.5 kills; 0.5 leak.
    assert!((out.defender_cost_usd - 5_100_000.0).abs() < 1e-6);
    assert!((out.leakers - 0.5).abs() < 1e-9);
    assert!((out.cost_exchange_ratio() - 10.2).abs() < 1e-9);
}

#[test]
fn magazines_limit_the_layer_and_pass_the_rest_on() {
    let c = Catalogue::parse("two.toml", TWO).expect("catalogue");
    let pool: Vec<_> = c.effector.iter().collect();
    let mut magazines = BTreeMap::from([("sam".to_owned(), 4.0), ("idrone".to_owned(), 0.0)]);
    let out = engage(&c, &pool, &night(), Policy::MissileFirst, &mut magazines);
    // 4 SAMs: 3.6 kills; no interceptors left: 6.4 leak.
    assert!((out.leakers - 6.4).abs() < 1e-9);
    assert_eq!(magazines["sam"], 0.0);
    assert!((out.defender_cost_usd - 4_000_000.0).abs() < 1e-6);
}

#[test]
fn the_built_in_catalogue_sources_every_figure() {
    let c = Catalogue::builtin();
    assert!(c.effector.len() >= 6);
    for e in &c.effector {
        for field in ["cost", "pk", "range", "alt", "magazine", "shots"] {
            assert!(
                e.source.get(field).is_some_and(|s| !s.is_empty()),
                "{} {field}",
                e.id
            );
        }
    }
    let missing = TWO.replace(
        "source = { cost = \"test\", alt = \"test\" }",
        "source = { cost = \"test\" }",
    );
    let err =
        Catalogue::parse("two.toml", &missing).expect_err("a threat without an altitude source");
    assert!(
        err.to_string()
            .contains("threat `drone`: no source for `alt`"),
        "{err}"
    );
}

#[test]
fn the_shield_pact_layered_policy_costs_less_than_missile_first() {
    let c = Catalogue::builtin();
    let pool: Vec<_> = c
        .effector
        .iter()
        .filter(|e| ["interceptor-drone", "patriot-pac3"].contains(&e.id.as_str()))
        .collect();
    let night = BTreeMap::from([
        ("shahed".to_owned(), 540.0),
        ("cruise_missile".to_owned(), 60.0),
    ]);
    let mf = engage(
        &c,
        &pool,
        &night,
        Policy::MissileFirst,
        &mut BTreeMap::new(),
    );
    let lc = engage(
        &c,
        &pool,
        &night,
        Policy::LayeredCheapestAdequate,
        &mut BTreeMap::new(),
    );
    assert!(lc.cost_exchange_ratio() < mf.cost_exchange_ratio());
    assert_eq!(mf.attacker_cost_usd, lc.attacker_cost_usd);
}
