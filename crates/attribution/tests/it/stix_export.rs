//! The STIX export, checked by the OASIS validator (stix2-validator 3.2.0 in
//! the `stix` peers venv, `cargo xtask peers`).

use std::path::PathBuf;
use std::process::Command;

use crate::{run_truth, workspace};

fn peer_python() -> Option<PathBuf> {
    let base = std::env::var_os("GUARANTOR_PEERS")
        .map_or_else(|| workspace().join("target/peers"), PathBuf::from);
    let python = base.join("stix/bin/python");
    python.exists().then_some(python)
}

#[test]
fn bundle_passes_the_oasis_validator() {
    let mut incidents =
        run_truth(&workspace().join("scenarios/baltic-cable.toml"), None, None).incidents;
    incidents
        .extend(run_truth(&workspace().join("scenarios/cyber-grid.toml"), None, None).incidents);
    assert!(incidents.len() >= 5);
    let bundle = attribution::stix_export::bundle(&incidents);
    // The export is deterministic.
    assert_eq!(bundle, attribution::stix_export::bundle(&incidents));
    let Some(python) = peer_python() else {
        println!("skipped: no STIX peer venv (run `cargo xtask peers`)");
        return;
    };
    let path = std::env::temp_dir().join(format!("attribution-bundle-{}.json", std::process::id()));
    std::fs::write(&path, &bundle).expect("write bundle");
    let script = "import sys, stix2validator as v\n\
                  r = v.validate_file(sys.argv[1], v.ValidationOptions(strict=False))\n\
                  v.print_results(r)\n\
                  sys.exit(0 if r.is_valid else 1)\n";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("run validator");
    let _ = std::fs::remove_file(&path);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
}
