//! How long `check` takes on a large generated pact: 1,000 indicators, 1,000
//! responses and 500 zones (the bar: under one second).
//!
//! `cargo bench -p pact --bench check`

use std::fmt::Write as _;

use criterion::{Criterion, criterion_group, criterion_main};

const N_ZONES: usize = 500;
const N_INDICATORS: usize = 1000;
const N_RESPONSES: usize = 1000;

fn generated_pact() -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "[pact]\nid = \"big\"\ntitle = \"generated\"\neffective = \"2026-01-01T00:00:00Z\"\n"
    );
    let _ = writeln!(
        t,
        "[[parties]]\nid = \"PL\"\nname = \"Poland\"\npublic_key = \"lcqEm4rUfXgC0WUG+pAE7VjUf3JVtm6nbSLD9kPCAyA=\"\n"
    );
    for z in 0..N_ZONES {
        // A 25 × 20 grid of 0.1° squares, alternating engagement zones and no-go areas
        // so the overlap analysis has real neighbours to test.
        let (x, y) = (14.0 + 0.1 * (z % 25) as f64, 49.0 + 0.1 * (z / 25) as f64);
        let kind = if z % 2 == 0 {
            "engagement_zone"
        } else {
            "no_go_area"
        };
        let _ = writeln!(
            t,
            "[[zones]]\nid = \"z{z}\"\nkind = \"{kind}\"\ngeometry = {{ type = \"Polygon\", coordinates = [[[{x}, {y}], [{x1}, {y}], [{x1}, {y1}], [{x}, {y1}], [{x}, {y}]]] }}\n",
            x1 = x + 0.1,
            y1 = y + 0.1
        );
    }
    for i in 0..N_INDICATORS {
        let _ = writeln!(
            t,
            "[[indicators]]\nid = \"i{i}\"\nincident = \"airspace_entry\"\nwhen = \"fields.state_originated == true && fields.count >= {i}\"\nthreshold = {{ count = 1, within = \"1h\" }}\nzones = [\"z{}\"]\n",
            i % N_ZONES
        );
    }
    let _ = writeln!(
        t,
        "[[commitments]]\nid = \"c\"\nparty = \"PL\"\nasset = \"f16\"\nquantity = 4\nby = \"2026-01-01T00:00:00Z\"\n"
    );
    for r in 0..N_RESPONSES {
        let escalation = if r + 1 < N_RESPONSES {
            format!("escalation = {{ to = \"r{}\", after = \"1h\" }}\n", r + 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            t,
            "[[responses]]\nid = \"r{r}\"\nrung = {r}\ntrigger = {{ any = [\"i{r}\", \"i{}\"] }}\ndeadline = \"4h\"\n{escalation}\n[[responses.measures]]\nparty = \"PL\"\nkind = \"military\"\naction = \"intercept\"\nassets = [{{ asset = \"f16\", quantity = 2 }}]\nzones = [\"z{}\"]\n",
            (r + 1) % N_INDICATORS,
            2 * (r % (N_ZONES / 2))
        );
    }
    t
}

fn bench_check(c: &mut Criterion) {
    let text = generated_pact();
    let files = pact::MemoryFiles::new().with("big.toml", text.into_bytes());
    let checked = pact::check(&files, "big.toml").unwrap();
    // The generated pact is clean apart from the overlap findings a grid cannot avoid:
    // neighbouring squares only touch, so there must be none at all.
    assert!(checked.is_clean(), "{}", checked.render());
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("1000 indicators, 1000 responses, 500 zones", |b| {
        b.iter(|| pact::check(&files, "big.toml").unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
