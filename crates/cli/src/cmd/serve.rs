//! `guarantor serve` (and `guarantor demo --serve`): the common picture over HTTP (API,
//! live feed, page, CoT) fed by the real loop. The scenario goes through sim → wire formats
//! → feeds → fusion → attribution (`cmd::chain`) first; its fused tracks and attributed
//! incidents are then replayed into the server in event time (`--speed` event seconds per
//! wall second), where the triggers engine and the ledger turn them into activations,
//! obligations and log entries as they would live. Glue only.
//!
//! `--synthetic-tracks N` replaces the scenario by N tracks on circles, for load
//! benchmarks (`crates/server/bench/load.sh`): the read API and the live feed under a
//! picture of a given size, with no stage work on the machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration as StdDuration;

use anyhow::{Context, Result, bail};
use model::{
    AltitudeBand, Digest, Duration, Geodetic, Identity, Incident, Time, Track, TrackClass, TrackId,
    VelocityEnu,
};
use server::{AccessConfig, AppState, Credentials, Parts, PrincipalConfig, Role};

use super::chain;
use super::pipeline::BORDERS;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to listen; loopback by default (the page needs nothing else).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// TCP port of the CoT (Cursor on Target) stream for ATAK, WinTAK and TAK servers, on
    /// the same host as `--addr`; 8087 is TAK's plain-TCP convention, 0 lets the system pick.
    #[arg(long, default_value_t = 8087)]
    pub cot_port: u16,
    /// Seconds a track sent over CoT stays valid on a TAK client (its `stale`).
    #[arg(long, default_value_t = 30)]
    pub cot_stale_s: u32,
    /// The pact whose triggers turn incidents into obligations.
    #[arg(long, default_value = "pacts/ukraine-shield.toml")]
    pub pact: PathBuf,
    /// The scenario run through the loop and replayed into the picture.
    #[arg(long, default_value = "scenarios/replay/pl-2025-09-10.toml")]
    pub scenario: PathBuf,
    /// Instead of a scenario, this many synthetic tracks on circles (load benchmarks).
    #[arg(long)]
    pub synthetic_tracks: Option<usize>,
    /// Event seconds replayed per wall-clock second.
    #[arg(long, default_value_t = 120.0)]
    pub speed: f64,
    /// Start the replay this long before the scenario's first event (e.g. `20m`).
    #[arg(long, default_value = "20m")]
    pub lead: String,
    /// The ledger's folder (created; must not hold a log). Default: a new folder under the
    /// system's temporary directory.
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Principals and credentials as JSON (`{"principals": [...]}`); default: a demo config
    /// with one bearer token per party, printed at start.
    #[arg(long)]
    pub access: Option<PathBuf>,
}

/// Event seconds between two replayed scans.
const SCAN_S: i64 = 5;

pub fn run(args: &Args) -> Result<ExitCode> {
    if !(args.speed > 0.0 && args.speed.is_finite()) {
        bail!("--speed must be a positive number, got {}", args.speed);
    }
    let lead = Duration::parse(&args.lead).context("--lead")?;
    let (compiled, digest) = super::audit::load_pact(&args.pact)?;
    let feed = match args.synthetic_tracks {
        Some(n) => Feed::Synthetic(n),
        None => {
            let scenario = sim::Scenario::load(&args.scenario)
                .with_context(|| format!("--scenario {}", args.scenario.display()))?;
            let base = args.scenario.parent().unwrap_or(Path::new("."));
            Feed::Loop(Box::new(run_loop(&scenario, base, &compiled)?))
        }
    };
    let options = Options {
        addr: args.addr.clone(),
        cot_port: args.cot_port,
        cot_stale_s: args.cot_stale_s,
        speed: args.speed,
        lead,
        log: args.log.clone(),
        access: args.access.clone(),
    };
    serve(compiled, digest, feed, &options)
}

/// How `serve` listens and replays (shared by `guarantor serve` and `guarantor demo --serve`).
pub struct Options {
    pub addr: String,
    pub cot_port: u16,
    pub cot_stale_s: u32,
    pub speed: f64,
    pub lead: Duration,
    pub log: Option<PathBuf>,
    pub access: Option<PathBuf>,
}

impl Options {
    /// `guarantor demo --serve`'s: loopback, the demo credentials, a temporary ledger.
    pub fn demo(addr: &str, speed: f64) -> Options {
        Options {
            addr: addr.to_owned(),
            cot_port: 8087,
            cot_stale_s: 30,
            speed,
            lead: Duration::from_mins(20),
            log: None,
            access: None,
        }
    }
}

/// What the server is fed.
pub enum Feed {
    /// A run of the real loop, replayed in event time.
    Loop(Box<chain::LoopRun>),
    Synthetic(usize),
}

/// Runs `scenario` through sim → feeds → fusion → attribution (progress on stderr).
pub fn run_loop(
    scenario: &sim::Scenario,
    base: &Path,
    compiled: &pact::CompiledPact,
) -> Result<chain::LoopRun> {
    let work = std::env::temp_dir().join(format!("guarantor-serve-loop-{}", std::process::id()));
    eprintln!(
        "scenario `{}` from {}: sim → feeds → fusion → attribution, then served",
        scenario.name, scenario.start
    );
    let run = chain::run(scenario, base, &work, compiled, BORDERS, true);
    let _ = std::fs::remove_dir_all(&work);
    let run = run?;
    eprintln!(
        "  {} track updates, {} incidents; {}",
        run.snapshots.len(),
        run.incidents.len(),
        run.stages
            .iter()
            .map(|(stage, s)| format!("{stage} {s:.1} s"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(run)
}

/// Serves `compiled`'s picture fed by `feed` until the process is stopped.
/// `pact_digest` is the pact version's (`audit::pact_digest`), logged first so that
/// `guarantor audit` can check the text it is given against it.
pub fn serve(
    compiled: pact::CompiledPact,
    pact_digest: Digest,
    feed: Feed,
    options: &Options,
) -> Result<ExitCode> {
    let parties: Vec<String> = compiled.parties.iter().map(|p| p.id.clone()).collect();
    let access = match &options.access {
        Some(path) => serde_json::from_slice(
            &std::fs::read(path).with_context(|| format!("--access {}", path.display()))?,
        )
        .with_context(|| format!("--access {}", path.display()))?,
        None => demo_access(&parties)?,
    };
    let credentials = Credentials::new(&access)?;
    let (log, log_key) = open_log(options.log.clone())?;
    let readiness = readiness_source(&compiled);
    let pact_entry = ledger::Entry::PactVersion {
        v: ledger::ENTRY_VERSION,
        pact: compiled.id.clone(),
        version: String::new(),
        digest: pact_digest,
    };
    // As `guarantor replay` does: the pact is taken to be in force a year before the run's
    // first incident, so a recorded night older than the pact text is judged by it.
    let first = match &feed {
        Feed::Loop(run) => run.incidents.iter().map(|i| i.time).min(),
        Feed::Synthetic(_) => None,
    };
    let config = triggers::Config {
        effective_override: first.map(|t| t - Duration::from_days(365)),
        ..triggers::Config::default()
    };
    // The engine's settings are logged after the pact's version: with them, the pact text
    // and the logged inputs, `guarantor audit` derives every decision again.
    let settings = triggers::entries::EngineSettings::entry(&config)?;
    let engine = triggers::Engine::new(compiled, config);
    let state = AppState::new(Parts {
        engine: Some(engine),
        ledger: Some(log),
        credentials,
        cot: server::CotConfig {
            track_stale: Duration::from_secs(i64::from(options.cot_stale_s)),
            ..server::CotConfig::default()
        },
    });
    match readiness {
        Ok(source) => {
            if let Err(e) = state.set_readiness(source) {
                eprintln!("readiness: not served: {e}");
            }
        }
        Err(e) => eprintln!("readiness: not served: {e:#}"),
    }
    state.append(&[pact_entry, settings]);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&options.addr)
            .await
            .with_context(|| format!("--addr {}", options.addr))?;
        let local = listener.local_addr()?;
        // The page checks the checkpoints against a key it is given apart from the server.
        println!("serving http://{local}/?logkey={}", url_component(&log_key));
        println!("  log verifier key: {log_key}");
        let cot_addr = std::net::SocketAddr::new(local.ip(), options.cot_port);
        let cot = tokio::net::TcpListener::bind(cot_addr)
            .await
            .with_context(|| format!("--cot-port {}", options.cot_port))?;
        println!("  CoT (TAK) stream: tcp://{}", cot.local_addr()?);
        tokio::spawn(server::cot::serve(cot, state.clone()));
        if options.access.is_none() {
            for p in &parties {
                println!("  party {p}: bearer token {}", demo_token(p));
            }
            println!("  observer: bearer token {}", demo_token("observer"));
        }
        let replay_state = state.clone();
        let speed = options.speed;
        let lead = options.lead;
        tokio::spawn(async move {
            match feed {
                Feed::Loop(run) => Replay::of(&run, lead).run(&replay_state, speed).await,
                Feed::Synthetic(n) => synthetic(&replay_state, n, speed).await,
            }
        });
        axum::serve(listener, server::app(state)).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Readiness as `guarantor demo` prints it: the bundled tempo and, when they fit the pact,
/// the bundled delivery records; as of 106 days after the pact's day 0.
fn readiness_source(compiled: &pact::CompiledPact) -> Result<server::ReadinessSource> {
    let bundled = crate::cmd::readiness::Bundled::of(compiled)?;
    let deliveries = bundled.deliveries.unwrap_or_else(|e| {
        eprintln!("readiness: the bundled delivery records do not fit this pact ({e}); none used");
        Vec::new()
    });
    Ok(server::ReadinessSource {
        pact: compiled.clone(),
        catalogue: bundled.catalogue,
        tempo: Some(bundled.tempo),
        deliveries,
        config: bundled.config,
    })
}

/// Demo credentials: a token per party derived from its code, and a key per party held by
/// the server so its acts are logged signed. Never for a real deployment: pass `--access`.
fn demo_access(parties: &[String]) -> Result<AccessConfig> {
    let mut principals = Vec::new();
    for (i, party) in parties.iter().enumerate() {
        let seed = [u8::try_from(i + 1).unwrap_or(u8::MAX); 32];
        let key = ledger::note::key_from_seed(party, ledger::KeyRole::Party, seed)?;
        principals.push(PrincipalConfig {
            name: party.clone(),
            role: Role::Party,
            token: Some(demo_token(party)),
            verifier_key: Some(key.verifier_key),
            signer_key: Some(key.signer_key),
        });
    }
    principals.push(PrincipalConfig {
        name: "observer".into(),
        role: Role::Observer,
        token: Some(demo_token("observer")),
        verifier_key: None,
        signer_key: None,
    });
    Ok(AccessConfig { principals })
}

pub fn demo_token(name: &str) -> String {
    format!("demo-token-{}", name.to_lowercase())
}

/// The log and its verifier key (which the page is given out of band, in its address).
fn open_log(dir: Option<PathBuf>) -> Result<(ledger::Log, String)> {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("guarantor-serve-{}", std::process::id()))
    });
    let key = ledger::note::generate_key("guarantor-demo", ledger::KeyRole::Log)?;
    let signer = ledger::NoteSigner::parse("log key", &key.signer_key)?;
    let config = ledger::LogConfig {
        origin: "guarantor-demo".into(),
        witnesses: vec![],
        quorum: 0,
    };
    let log = ledger::Log::create(&dir, signer, config)
        .with_context(|| format!("--log {}", dir.display()))?;
    Ok((log, key.verifier_key))
}

/// `s` as one URL query component: a verifier key's `+`, `/` and `=` escaped.
fn url_component(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            c => {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

/// A run of the loop, replayed scan by scan in event time.
struct Replay {
    /// Track updates in time order (one per track per 5 s of event time).
    snapshots: Vec<Track>,
    /// Incidents in the order attribution emitted them, with the watermark then.
    incidents: Vec<(Time, Incident)>,
    feed_chunks: Vec<ledger::Entry>,
    start: Time,
    end: Time,
}

/// A track not updated for this long has ended (fusion's snapshots come every 5 s).
const TRACK_GONE_S: i64 = 30;

impl Replay {
    fn of(run: &chain::LoopRun, lead: Duration) -> Replay {
        let mut incidents: Vec<(Time, Incident)> = run
            .incidents
            .iter()
            .map(|i| {
                let at = run.emitted_at.get(&i.id).copied().unwrap_or(i.time);
                (at, i.clone())
            })
            .collect();
        incidents.sort_by_key(|(at, _)| *at);
        let first_track = run.snapshots.first().map(|t| t.time);
        let last_track = run.snapshots.last().map(|t| t.time);
        let first_incident = incidents.first().map(|(at, _)| *at);
        let start = match (first_track, first_incident) {
            (Some(t), Some(i)) => (i - lead).max(t),
            (Some(t), None) => t,
            (None, Some(i)) => i - lead,
            (None, None) => Time::UNIX_EPOCH,
        };
        let end = last_track
            .into_iter()
            .chain(incidents.last().map(|(at, _)| *at))
            .max()
            .unwrap_or(start);
        let feed_chunks = run
            .chunks
            .iter()
            .map(|c| ledger::Entry::FeedChunk {
                v: ledger::ENTRY_VERSION,
                source: c.source.clone(),
                first_time_us: c.first_time_us,
                last_time_us: c.last_time_us,
                records_n: c.records_n,
                bytes_n: c.bytes_n,
                digest: c.digest,
            })
            .collect();
        Replay {
            snapshots: run.snapshots.clone(),
            incidents,
            feed_chunks,
            start,
            end,
        }
    }

    async fn run(self, state: &AppState, speed: f64) {
        // The feeds the run decoded, committed by digest before anything derived from them.
        state.append(&self.feed_chunks);
        println!("  replaying {} to {} at {speed}x", self.start, self.end);
        let tick = StdDuration::from_secs_f64(SCAN_S as f64 / speed);
        let mut interval = tokio::time::interval(tick);
        let mut live: BTreeMap<TrackId, Track> = BTreeMap::new();
        let mut next_track = 0;
        let mut next_incident = 0;
        let mut t = self.start;
        loop {
            interval.tick().await;
            let due = self.snapshots[next_track..]
                .iter()
                .take_while(|s| s.time <= t)
                .count();
            for s in &self.snapshots[next_track..next_track + due] {
                live.insert(s.id, s.clone());
            }
            next_track += due;
            let gone = t - Duration::from_secs(TRACK_GONE_S);
            live.retain(|_, s| s.time >= gone);
            let tracks: Vec<Track> = live.values().cloned().collect();
            state.push_tracks(t, &tracks);
            let due = self.incidents[next_incident..]
                .iter()
                .take_while(|(at, _)| *at <= t)
                .count();
            let incidents: Vec<Incident> = self.incidents[next_incident..next_incident + due]
                .iter()
                .map(|(_, i)| i.clone())
                .collect();
            next_incident += due;
            state.push_incidents(&incidents);
            state.advance(t);
            if t > self.end + Duration::from_secs(TRACK_GONE_S) {
                break;
            }
            t = t + Duration::from_secs(SCAN_S);
        }
        println!("  replay done at {t}; still serving");
    }
}

/// `n` drones on circles of 20 to 60 km around 50°N 24°E, one scan per 5 s of event time
/// from 2026-01-10T00:00Z, for as long as the server runs: a picture of a known size for
/// load benchmarks. Deterministic (positions are a function of the index and the time).
async fn synthetic(state: &AppState, n: usize, speed: f64) {
    let start = Time::parse_rfc3339("2026-01-10T00:00:00Z").unwrap_or(Time::UNIX_EPOCH);
    let tick = StdDuration::from_secs_f64(SCAN_S as f64 / speed);
    let mut interval = tokio::time::interval(tick);
    println!("  synthetic picture: {n} tracks, a scan every {tick:?}");
    for k in 0i64.. {
        interval.tick().await;
        let t = start + Duration::from_secs(k * SCAN_S);
        let tracks: Vec<Track> = (0..n).map(|i| synthetic_track(i, t, k * SCAN_S)).collect();
        state.push_tracks(t, &tracks);
    }
}

fn synthetic_track(i: usize, t: Time, seconds: i64) -> Track {
    let radius_m = 20_000.0 + (i % 41) as f64 * 1000.0;
    let speed_mps = 50.0;
    let phase = i as f64 * 0.618_033_988_7 * std::f64::consts::TAU;
    let angle = phase + seconds as f64 * speed_mps / radius_m;
    let (lat0, lon0) = (50.0, 24.0);
    let lat = lat0 + radius_m * angle.cos() / 111_320.0;
    let lon = lon0 + radius_m * angle.sin() / (111_320.0 * lat0.to_radians().cos());
    let alt_m = 100.0 + (i % 30) as f64 * 100.0;
    Track {
        id: TrackId(i as u64 + 1),
        time: t,
        position: Geodetic {
            lat_deg: lat,
            lon_deg: lon,
            alt_m,
        },
        velocity: VelocityEnu {
            ve_mps: speed_mps * angle.cos(),
            vn_mps: -speed_mps * angle.sin(),
            vu_mps: 0.0,
        },
        position_sigma_m: 50.0,
        velocity_sigma_mps: 5.0,
        class: TrackClass::Drone,
        class_confidence: 0.9,
        band: AltitudeBand::of_air_altitude(alt_m),
        identity: Identity::default(),
        cooperative: false,
        quality: 0.9,
        n_updates: 10,
        sensors: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    /// A verifier key survives the page address: `URLSearchParams` would read `+` as a space.
    #[test]
    fn a_verifier_key_is_escaped_for_the_page_address() {
        assert_eq!(
            super::url_component("guarantor-demo+0a1b2c3d+AB/c9="),
            "guarantor-demo%2B0a1b2c3d%2BAB%2Fc9%3D"
        );
    }
}
