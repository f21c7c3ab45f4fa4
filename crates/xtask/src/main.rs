//! `cargo xtask <task>`: the project's automation, in Rust rather than long
//! shell scripts.
//!
//! - `cargo xtask test`: installs what the tests need that cargo cannot fetch
//!   (independent peers from PyPI in virtual environments under
//!   `target/peers/`, Debian packages when missing and we are root), then runs
//!   every test in the workspace. This is the README's test command.
//! - `cargo xtask peers`: only the installation step.
//! - `cargo xtask zones`: builds `pacts/data/` (borders, zones, infrastructure)
//!   from `data/natural-earth/`; see `zones.rs`.

mod zones;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A Python virtual environment of pinned peers, under `target/peers/<name>`.
/// Two ASTERIX peers both install a top-level `asterix` module, so each lives
/// in its own environment.
struct Venv {
    name: &'static str,
    packages: &'static [&'static str],
    /// False for peers only a hand-run benchmark uses: `cargo xtask peers` installs
    /// them, `cargo xtask test` (and so CI) does not spend time on them.
    tests_use: bool,
}

const VENVS: &[Venv] = &[
    // CoT and STIX peers (crates/feeds): a real TAK client's XML-to-protobuf and the
    // OASIS validator and library.
    Venv {
        name: "cot",
        packages: &["pytak==7.6.1", "takproto==3.0.1"],
        tests_use: true,
    },
    Venv {
        name: "stix",
        packages: &["stix2==3.0.2", "stix2-validator==3.2.0"],
        tests_use: true,
    },
    // ASTERIX peers (crates/feeds): both install a top-level `asterix` module, so each
    // has its own venv. asterix_decoder (C++, GPL) decodes; libasterix (pure Python) encodes too.
    Venv {
        name: "asterix-gpl",
        packages: &["asterix_decoder==0.7.11"],
        tests_use: true,
    },
    Venv {
        name: "libasterix",
        packages: &["libasterix==0.36.3"],
        tests_use: false,
    },
    // AIS peers (crates/feeds): pyais decodes and encodes; libais is a second decoder.
    Venv {
        name: "ais",
        packages: &["pyais==3.3.1"],
        tests_use: true,
    },
    Venv {
        name: "libais",
        packages: &["libais==0.17"],
        tests_use: true,
    },
    // ADS-B peer (crates/feeds): pyModeS decodes the Beast frames dump1090 turns into SBS.
    Venv {
        name: "adsb",
        packages: &["pyModeS==3.6.1"],
        tests_use: true,
    },
    // schemathesis (crates/server): generated requests against the served OpenAPI document.
    // hypothesis is pinned: newer ones break schemathesis 4.1.4's generator
    // (`'many' object has no attribute 'more'`).
    Venv {
        name: "schemathesis",
        packages: &["schemathesis==4.1.4", "hypothesis==6.138.2"],
        tests_use: true,
    },
    // Stone Soup, the tracking anchor (crates/fusion/bench/stonesoup): the versions its
    // reference figures were measured with.
    Venv {
        name: "stonesoup",
        packages: &[
            "stonesoup==1.9.1",
            "numpy==2.4.6",
            "scipy==1.17.1",
            "rtree==1.4.1",
        ],
        tests_use: false,
    },
];

/// Debian packages the tests use, with the command that proves each is present.
const DEBIAN: &[(&str, &str)] = &[
    // gpsd's AIS decoder (`gpsdecode -j`), a third independent AIS peer (crates/feeds).
    ("gpsd-clients", "/usr/bin/gpsdecode"),
    // Go's sumdb note and tlog packages check the ledger's checkpoints, tiles and proofs
    // (crates/ledger, built in GOPATH mode from the Debian source tree, no network).
    ("golang-go", "/usr/bin/go"),
    (
        "golang-golang-x-mod-dev",
        "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog",
    ),
    // dump1090 turns a Beast capture into SBS on loopback, for the SBS decoder's peer test
    // (crates/feeds).
    ("dump1090-mutability", "/usr/bin/dump1090-mutability"),
    // Headless Chromium for the page's browser test (crates/server, driven by playwright-core).
    ("chromium", "/usr/bin/chromium"),
];

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    match task.as_str() {
        "peers" => install_peers(&root, true),
        "zones" => zones::run(&root),
        "test" => {
            install_peers(&root, false)?;
            run_tests(&root)
        }
        other => bail!("unknown task `{other}`: expected `test`, `peers` or `zones`"),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask")
        .to_path_buf()
}

/// Installs the Debian packages and the peers' venvs; `all` adds those only
/// benchmarks use.
fn install_peers(root: &Path, all: bool) -> Result<()> {
    install_debian()?;
    let peers_dir = root.join("target/peers");
    std::fs::create_dir_all(&peers_dir)?;
    for venv in VENVS.iter().filter(|venv| all || venv.tests_use) {
        let dir = peers_dir.join(venv.name);
        let stamp = dir.join(".installed");
        let wanted = venv.packages.join("\n");
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
            continue;
        }
        eprintln!(
            "xtask: installing peers `{}`: {}",
            venv.name,
            venv.packages.join(" ")
        );
        run(Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&dir))?;
        run(Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(venv.packages))?;
        std::fs::write(&stamp, wanted)?;
    }
    install_npm_peers(root)
}

/// npm peers from their package-lock.json: the `sbs1` BaseStation
/// client reads the SBS encoder's output (crates/feeds). Without npm the tests
/// that need them say "skipped".
fn install_npm_peers(root: &Path) -> Result<()> {
    if Command::new("npm").arg("--version").output().is_err() {
        return Ok(());
    }
    run(Command::new("npm")
        .current_dir(root.join("crates/feeds/tests/peers/sbs1"))
        .args(["ci", "--no-audit", "--no-fund"]))?;
    Ok(())
}

fn install_debian() -> Result<()> {
    let missing: Vec<&str> = DEBIAN
        .iter()
        .filter(|(_, probe)| !Path::new(probe).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn run_tests(root: &Path) -> Result<()> {
    // The page's browser test needs playwright-core from web/package-lock.json; the bundle
    // itself (web/dist) is committed, so a machine without npm still builds and the browser
    // test says "skipped".
    if Command::new("npm").arg("--version").output().is_ok() {
        let web = root.join("web");
        run(Command::new("npm")
            .current_dir(web)
            .args(["ci", "--no-audit", "--no-fund"]))?;
    }
    run(Command::new(env!("CARGO"))
        .current_dir(root)
        .env("GUARANTOR_PEERS", root.join("target/peers"))
        .args([
            "test",
            "--workspace",
            "--all-targets",
            "--locked",
            "--no-fail-fast",
        ]))
}

fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}
