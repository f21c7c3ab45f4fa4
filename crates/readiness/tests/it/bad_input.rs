//! Bad input gets a clear error naming the record.

use readiness::catalogue::Catalogue;
use readiness::deliveries::{Known, parse};
use readiness::{InputError, Tempo};

use crate::{SMALL_PACT, compile};

fn known() -> Known {
    Known::of(&compile(SMALL_PACT))
}

fn delivery(party: &str, item: &str, quantity: &str, date: &str) -> String {
    format!(
        "[[delivery]]\nparty = \"{party}\"\nitem = \"{item}\"\nquantity = {quantity}\ndate = \"{date}\"\nplace = \"depot\"\n"
    )
}

fn check(text: &str, expect: &str) {
    let err = parse("deliveries.toml", text, &known()).expect_err("bad input");
    let shown = err.to_string();
    assert!(shown.contains(expect), "`{shown}` lacks `{expect}`");
    assert!(shown.starts_with("deliveries.toml: "), "{shown}");
}

#[test]
fn unknown_item() {
    check(
        &delivery("AA", "gizmo", "5", "2026-01-02"),
        "delivery #1 (line 1: AA 5 gizmo on 2026-01-02): unknown item `gizmo` (known: widget)",
    );
}

#[test]
fn negative_quantity() {
    check(
        &delivery("AA", "widget", "-3", "2026-01-02"),
        "delivery #1 (line 1: AA -3 widget on 2026-01-02): negative quantity -3",
    );
}

#[test]
fn dates_out_of_order() {
    let text = delivery("AA", "widget", "5", "2026-01-05")
        + "\n"
        + &delivery("AA", "widget", "5", "2026-01-02");
    check(
        &text,
        "delivery #2 (line 8: AA 5 widget on 2026-01-02): dated 2026-01-02, before the previous record's 2026-01-05",
    );
}

#[test]
fn unknown_party_and_bad_date() {
    check(
        &delivery("ZZ", "widget", "5", "2026-01-02"),
        "unknown party `ZZ`",
    );
    check(
        &delivery("AA", "widget", "5", "2nd of May"),
        "date `2nd of May` is not YYYY-MM-DD or RFC 3339",
    );
}

#[test]
fn unknown_field_is_a_parse_error() {
    check("[[delivery]]\nparty = \"AA\"\ncolour = 1\n", "cannot parse");
}

#[test]
fn contract_ending_before_it_starts() {
    let mut pact = compile(SMALL_PACT);
    pact.contracts[0].to = pact.contracts[0].from - model::Duration::from_days(1);
    let err = readiness::check_pact(&pact).expect_err("contract ends before it starts");
    assert!(matches!(err, InputError::EndsBeforeStart { .. }));
    assert_eq!(
        err.to_string(),
        "pact `small`: contract `widget-line`: ends 2025-12-31T00:00:00Z, before it starts 2026-01-01T00:00:00Z"
    );
    // The pact checker refuses the same text before readiness sees it.
    let text = SMALL_PACT.replace(
        "to = \"2027-01-01T00:00:00Z\"",
        "to = \"2025-06-01T00:00:00Z\"",
    );
    let checked = pact::check_text(&pact::MemoryFiles::new(), "small.toml", &text);
    assert!(checked.compiled.is_none());
}

#[test]
fn tempo_errors_name_the_raid() {
    let c = Catalogue::builtin();
    let bad_mix = "name = \"t\"\n[[raid]]\nevery_days = 4\nthreats = 10\nmix = { shahed = 0.5, gerbera = 0.4 }\n";
    let err = Tempo::parse("t.toml", bad_mix, &c).expect_err("mix");
    assert_eq!(
        err.to_string(),
        "t.toml: raid #1: the mix sums to 0.9, not 1"
    );
    let unknown = "name = \"t\"\n[[raid]]\nevery_days = 4\nthreats = 10\nmix = { ufo = 1.0 }\n";
    let err = Tempo::parse("t.toml", unknown, &c).expect_err("unknown class");
    assert!(
        err.to_string()
            .starts_with("t.toml: raid #1: unknown item `ufo` (known: shahed, "),
        "{err}"
    );
    let zero = "name = \"t\"\n[[raid]]\nevery_days = 0\nthreats = 10\nmix = { shahed = 1.0 }\n";
    assert!(Tempo::parse("t.toml", zero, &c).is_err());
}

#[test]
fn the_example_tempos_parse() {
    let c = Catalogue::builtin();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/tempo");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("scenarios/tempo") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        Tempo::parse(&path.display().to_string(), &text, &c).expect("example tempo parses");
        n += 1;
    }
    assert!(n >= 2);
}
