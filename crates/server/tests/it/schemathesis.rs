//! schemathesis (PyPI) against the served OpenAPI document: generated requests to every
//! operation (the live feed excepted: an endless stream) must never get a 5xx, and every
//! response must match the document (status, content type, body schema). Brief: a few
//! examples per operation; `cargo xtask peers` installs the venv, without it this says
//! "skipped:".

use crate::{PL_TOKEN, entry, fixture, track};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_response_off_the_document() {
    let peers = std::env::var("GUARANTOR_PEERS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/peers").to_owned());
    let exe = std::path::Path::new(&peers).join("schemathesis/bin/schemathesis");
    if !exe.exists() {
        println!("skipped: no schemathesis venv at {}", exe.display());
        return;
    }
    let f = fixture();
    crate::supply::with_readiness(&f);
    f.state.push_tracks(
        crate::at(0),
        &[track(7, 0, 50.4, 23.9), track(8, 0, 50.2, 24.1)],
    );
    f.state.push_incidents(&[entry("inc-1", 1)]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = f.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let base = format!("http://{addr}");
    let output = tokio::process::Command::new(&exe)
        .args(["run", &format!("{base}/openapi.json"), "--url", &base])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--max-examples", "5", "--seed", "1", "--request-timeout", "5"])
        .args(["--exclude-path", "/api/v1/live"])
        .args(["-H", &format!("Authorization: Bearer {PL_TOKEN}")])
        .env("NO_COLOR", "1")
        // hypothesis keeps its example database in the working directory: not in the crate.
        .current_dir(std::env::temp_dir())
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let summary: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect();
    println!("{}", summary.join("\n"));
    assert!(
        output.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
