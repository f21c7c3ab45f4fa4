//! Hostile pacts: random and mutated text never panics the loader.

use proptest::prelude::*;

use pact::MemoryFiles;

const BASE: &str = include_str!("../data/ok/small.toml");

fn check_bytes(bytes: Vec<u8>) {
    let files = MemoryFiles::new().with("p.toml", bytes).with(
        "zone.geojson",
        br#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#.to_vec(),
    );
    let _ = pact::check(&files, "p.toml").map(|c| c.render());
}

/// Snippets that break a pact in the ways hostile input does.
fn mutation() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[[responses]]\nid = 1\nrung = \"x\"\ntrigger = { all = [] }\ndeadline = 4\n".to_owned()),
        Just("[[zones]]\nid = \"z\"\nkind = \"no_go_area\"\nfile = \"zone.geojson\"\n".to_owned()),
        Just("[[zones]]\nid = \"z\"\nkind = \"no_go_area\"\ngeometry = { type = \"Polygon\", coordinates = [[[1e308, -1e308]]] }\n".to_owned()),
        Just("[[zones]]\nid = \"z\"\nkind = \"no_go_area\"\nfile = \"../../etc/passwd\"\n".to_owned()),
        Just("[[indicators]]\nid = \"i\"\nincident = \"cyber_attack\"\nwhen = \"((((a\"\nthreshold = { count = 0, within = \"-1h\" }\n".to_owned()),
        (1usize..200).prop_map(|n| format!("x = {}1{}\n", "[".repeat(n), "]".repeat(n))),
        (1usize..100).prop_map(|n| format!("[[responses]]\nid = \"r\"\nrung = 1\ndeadline = \"1h\"\ntrigger = {}\"i\"{}\n", "{ not = ".repeat(n), " }".repeat(n))),
        (1usize..200_000).prop_map(|n| format!("[pact]\nid = \"{}\"\n", "a".repeat(n))),
        "\\PC{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check_bytes(bytes);
    }

    #[test]
    fn truncated_pacts_never_panic(cut in 0usize..BASE.len()) {
        check_bytes(BASE.as_bytes()[..cut].to_vec());
    }

    #[test]
    fn mutated_pacts_never_panic(at in 0usize..BASE.len(), snippet in mutation(), replace in 0usize..64) {
        let mut text = BASE.as_bytes().to_vec();
        let end = (at + replace).min(text.len());
        text.splice(at..end, snippet.into_bytes());
        check_bytes(text);
    }

    #[test]
    fn random_cel_never_panics(source in "\\PC{0,120}") {
        let _ = pact::Predicate::compile(&source);
    }
}
