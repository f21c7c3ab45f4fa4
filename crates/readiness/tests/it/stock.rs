//! A depot with known stock, consumption and production, computed by hand.

use readiness::Backing;

use crate::{SMALL_PACT, compile, config, inputs};

/// 60 a month arrive as 60 × 12 / 365.25 a day.
const PER_DAY: f64 = 60.0 * 12.0 / 365.25;

#[test]
fn stock_follows_opening_plus_production_minus_use() {
    let pact = compile(SMALL_PACT);
    let report = readiness::assess(&pact, inputs(), &config("2026-01-01")).expect("assess");
    let idx = report.timeline.key_idx("depot", "widget").expect("line");
    // End of day d: 100 + (d + 1)(60·12/365.25 − 10).
    for day in [0usize, 5, 11] {
        let by_hand = 100.0 + (day as f64 + 1.0) * (PER_DAY - 10.0);
        let got = report.timeline.stock[idx][day];
        assert!(
            (got - by_hand).abs() < 1e-9,
            "day {day}: {got} vs {by_hand}"
        );
    }
    // Day 11 ends with 100 − 12 × 8.0287 = 3.66; day 12 brings 1.97 and wants 10: dry.
    assert_eq!(report.timeline.dry_day(idx, 0), Some(12));
    let supply = &report.supply[0];
    assert_eq!(supply.dry_in_days, Some(12));
    assert_eq!(supply.clauses, vec!["shield".to_owned()]);
}

#[test]
fn rung_is_unbacked_with_the_shortfall_when_the_magazine_runs_dry_within_the_endurance() {
    let pact = compile(SMALL_PACT);
    let report = readiness::assess(&pact, inputs(), &config("2026-01-01")).expect("assess");
    let rung = &report.rungs[0];
    assert_eq!(rung.state, Backing::Unbacked);
    let reason = &rung.clauses[0].reason;
    // 30 days at 10 a day is 300; on hand on day 0: 100 opening + 1.97 made that day.
    assert!(reason.contains("needs 300 widget for 30 days"), "{reason}");
    assert!(
        reason.contains("101 on hand, 60 a month contracted: dry on day 12"),
        "{reason}"
    );
}

#[test]
fn rung_is_backed_when_use_is_below_production() {
    let pact = compile(&SMALL_PACT.replace("use_per_day = 10.0", "use_per_day = 1.0"));
    let report = readiness::assess(&pact, inputs(), &config("2026-01-01")).expect("assess");
    assert_eq!(
        report.rungs[0].state,
        Backing::Backed,
        "{:?}",
        report.rungs[0]
    );
    assert_eq!(report.supply[0].dry_in_days, None);
}

#[test]
fn delivery_records_replace_the_pledged_stock_and_production_is_forecast_after_the_as_of_date() {
    let pact = compile(SMALL_PACT);
    let known = readiness::deliveries::Known::of(&pact);
    let text = r#"
[[delivery]]
party = "AA"
item = "widget"
quantity = 40
date = "2026-01-03"
place = "depot"
"#;
    let deliveries = readiness::deliveries::parse("d.toml", text, &known).expect("deliveries");
    let mut inputs = inputs();
    inputs.deliveries = Some(deliveries);
    let report = readiness::assess(&pact, inputs, &config("2026-01-10")).expect("assess");
    let idx = report.timeline.key_idx("depot", "widget").expect("line");
    // Nothing before day 2, 40 from day 2 and no use before the as-of date (day 9).
    assert_eq!(report.timeline.stock[idx][1], 0.0);
    assert_eq!(report.timeline.stock[idx][8], 40.0);
    // Day 9: no production yet (forecast starts the day after), 10 used.
    assert!((report.timeline.stock[idx][9] - 30.0).abs() < 1e-9);
    assert!((report.timeline.stock[idx][10] - (30.0 + PER_DAY - 10.0)).abs() < 1e-9);
    // The 100 promised for day 0 arrived as 40: late; 40 in place is short of the 50 the rung names.
    let c = &report.commitments[0];
    assert_eq!(c.delivered, 40.0);
    assert_eq!(c.status, readiness::milestones::Status::Late);
    assert_eq!(report.rungs[0].state, Backing::Unbacked);
}

#[test]
fn a_365_day_run_is_deterministic() {
    let pact = compile(SMALL_PACT);
    let a = readiness::assess(&pact, inputs(), &config("2026-02-01")).expect("assess");
    let b = readiness::assess(&pact, inputs(), &config("2026-02-01")).expect("assess");
    assert_eq!(a.timeline, b.timeline);
    assert_eq!(readiness::table::render(&a), readiness::table::render(&b));
}
