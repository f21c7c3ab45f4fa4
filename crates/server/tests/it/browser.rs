//! The page in a real headless Chromium (Debian's), driven by `web/e2e/picture.mjs` with
//! playwright-core: served by the real router on loopback, fed with moving tracks and an
//! incident that creates obligations. Screenshots go to `target/e2e/`.

use std::path::Path;
use std::time::Duration as StdDuration;

use crate::{PL_TOKEN, UA_TOKEN, at, entry, fixture, track};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_moving_tracks_and_only_the_owner_acknowledges() {
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
    f.state.push_incidents(&[entry("inc-1", 0)]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = f.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let feeder = f.state.clone();
    tokio::spawn(async move {
        for step in 0..600i64 {
            let lon = 22.3 + 0.01 * step as f64;
            feeder.push_tracks(
                at(step),
                &[track(7, step, 50.4, lon), track(8, step, 50.8, lon - 0.5)],
            );
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
