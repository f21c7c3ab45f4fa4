//! The page in a real headless Chromium (Debian's), driven by `web/e2e/picture.mjs` with
//! playwright-core: served by the real router on loopback, fed with drones that cross into
//! Poland's belt once the page is connected (the incident that creates the activation and
//! its obligations), with the log's verifier key given to the page out of band.
//! Screenshots go to `target/e2e/`.

use std::path::Path;
use std::time::Duration as StdDuration;

use crate::{PL_TOKEN, UA_TOKEN, at, entry, fixture, track};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_tracks_a_live_activation_a_verified_ledger_and_the_past() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let web = root.join("web");
    for (need, why) in [
        (
            Path::new("/usr/bin/chromium").to_path_buf(),
            "Debian's chromium (cargo xtask peers)",
        ),
        (
            web.join("node_modules/playwright-core"),
            "playwright-core (npm ci in web/)",
        ),
    ] {
        if !need.exists() {
            println!("skipped: no {why} at {}", need.display());
            return;
        }
    }
    let f = fixture();
    with_readiness(&f);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = f.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    // Two drones fly west out of Ukraine, cross into Poland's belt (lon 24.0 in the test pact)
    // and are reported entering it once inside the engagement zone (lon < 23.5, where the
    // pact asks Poland to intercept), seconds after the page is connected, so the activation
    // must arrive live; a third track appears only then, so the record's start has fewer.
    let feeder = f.state.clone();
    let probe = f.router.clone();
    tokio::spawn(async move {
        let lon = |step: i64| 24.3 - 0.03 * step as f64;
        let mut crossed = false;
        for step in 0..900i64 {
            let mut scan = vec![
                track(7, step, 50.4, lon(step)),
                track(8, step, 50.8, lon(step) + 0.3),
            ];
            if crossed {
                scan.push(track(9, step, 50.1, 23.0 + 0.01 * step as f64));
            }
            feeder.push_tracks(at(step), &scan);
            if step == 5 {
                // The page must be connected before the drones cross.
                for _ in 0..600 {
                    if live_clients(&probe).await > 0 {
                        break;
                    }
                    tokio::time::sleep(StdDuration::from_millis(100)).await;
                }
            }
            if !crossed && lon(step) < 23.5 {
                let mut incident = entry("inc-1", step);
                incident.position = Some(model::Geodetic {
                    lat_deg: 50.4,
                    lon_deg: lon(step),
                    alt_m: 250.0,
                });
                feeder.push_incidents(&[incident]);
                crossed = true;
            }
            tokio::time::sleep(StdDuration::from_millis(200)).await;
        }
    });
    let shots = root.join("target/e2e");
    let output = tokio::process::Command::new("node")
        .current_dir(&web)
        .arg("e2e/picture.mjs")
        .arg(format!("http://{addr}/"))
        .arg(&shots)
        .env("PL_TOKEN", PL_TOKEN)
        .env("UA_TOKEN", UA_TOKEN)
        .env("LOG_KEY", crate::key("test-log", 1).verifier_key)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Shown with --nocapture: the browser's console and failed requests.
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("outside=0"), "{stdout}");
    assert!(shots.join("acknowledged.png").exists());
}

/// Readiness over the test pact with the built-in catalogue, for the page's plots.
fn with_readiness(f: &crate::Fixture) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/test.toml"))
            .unwrap();
    let pact = pact::check_text(&pact::MemoryFiles::new(), "test.toml", &text)
        .compiled
        .unwrap();
    f.state
        .set_readiness(server::ReadinessSource {
            pact,
            catalogue: readiness::Catalogue::builtin(),
            tempo: None,
            deliveries: Vec::new(),
            config: readiness::Config {
                at: at(0),
                horizon_days: 60,
                endurance_days: 30,
            },
        })
        .unwrap();
}

/// SSE clients connected now, as `/metrics` says.
async fn live_clients(router: &axum::Router) -> u64 {
    let (_, text) = crate::send(router, crate::get("/metrics")).await;
    text.lines()
        .find_map(|l| l.strip_prefix("guarantor_live_clients "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

/// The bundle the binary embeds (`web/dist`, committed) is what `vite build` makes of the
/// sources now: a change to `web/src` without a rebuild fails here.
#[test]
fn the_committed_bundle_is_a_fresh_build() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    if !web.join("node_modules/vite").exists() {
        println!("skipped: no vite (npm ci in web/)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("node")
        .current_dir(&web)
        .args([
            "node_modules/vite/bin/vite.js",
            "build",
            "--logLevel",
            "warn",
            "--emptyOutDir",
            "--outDir",
        ])
        .arg(out.path())
        .status()
        .expect("node runs");
    assert!(status.success(), "vite build failed");
    let files = |root: &Path| -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut found = std::collections::BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let name = path.strip_prefix(root).unwrap().display().to_string();
                    found.insert(name, std::fs::read(&path).unwrap());
                }
            }
        }
        found
    };
    let (fresh, committed) = (files(out.path()), files(&web.join("dist")));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "web/dist is stale: run `npm run build` in web/"
    );
    for (name, bytes) in &fresh {
        assert!(
            committed[name] == *bytes,
            "web/dist/{name} is stale: run `npm run build` in web/"
        );
    }
}

/// The page's ledger checks (`web/src/ledger.js`) under Node's WebCrypto: consistency proofs
/// from an independent RFC 6962 prover, signed-note checkpoints (`web/e2e/ledger.test.mjs`).
#[test]
fn the_pages_ledger_checks_hold() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    let Ok(output) = std::process::Command::new("node")
        .current_dir(&web)
        .args(["--test", "e2e/ledger.test.mjs"])
        .output()
    else {
        println!("skipped: no node");
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("# pass 2"), "{stdout}");
}
