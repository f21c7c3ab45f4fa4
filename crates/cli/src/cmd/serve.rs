//! `guarantor serve`: the common picture over HTTP (API, live feed, page) on the embedded
//! default, with a scenario replayed into it so the page shows something live. Glue only:
//! the scenario's ground truth stands in for the fused tracks and its true events for the
//! attributed incidents until the fusion → attribution loop of `guarantor demo` is wired
//! here; the triggers engine, the ledger and the server are the real ones.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration as StdDuration;

use anyhow::{Context, Result, bail};
use model::{
    AltitudeBand, Duration, Evidence, Geodetic, Identity, Incident, IncidentId, Time, Track,
    TrackClass, TrackId, VelocityEnu,
};
use server::{AccessConfig, AppState, Credentials, Parts, PrincipalConfig, Role};

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
    /// The scenario replayed into the picture.
    #[arg(long, default_value = "scenarios/replay/pl-2025-09-10.toml")]
    pub scenario: PathBuf,
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
    let compiled = load_pact(&args.pact)?;
    let parties: Vec<String> = compiled.parties.iter().map(|p| p.id.clone()).collect();
    let access = match &args.access {
        Some(path) => serde_json::from_slice(
            &std::fs::read(path).with_context(|| format!("--access {}", path.display()))?,
        )
        .with_context(|| format!("--access {}", path.display()))?,
        None => demo_access(&parties)?,
    };
    let credentials = Credentials::new(&access)?;
    let log = open_log(args.log.clone())?;
    let engine = triggers::Engine::new(compiled, triggers::Config::default());
    let state = AppState::new(Parts {
        engine: Some(engine),
        ledger: Some(log),
        credentials,
        cot: server::CotConfig {
            track_stale: Duration::from_secs(i64::from(args.cot_stale_s)),
            ..server::CotConfig::default()
        },
    });
    let replay = Replay::load(&args.scenario, lead)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("--addr {}", args.addr))?;
        let local = listener.local_addr()?;
        println!("serving http://{local}/");
        let cot_addr = std::net::SocketAddr::new(local.ip(), args.cot_port);
        let cot = tokio::net::TcpListener::bind(cot_addr)
            .await
            .with_context(|| format!("--cot-port {}", args.cot_port))?;
        println!("  CoT (TAK) stream: tcp://{}", cot.local_addr()?);
        tokio::spawn(server::cot::serve(cot, state.clone()));
        if args.access.is_none() {
            for p in &parties {
                println!("  party {p}: bearer token {}", demo_token(p));
            }
            println!("  observer: bearer token {}", demo_token("observer"));
        }
        let replay_state = state.clone();
        let speed = args.speed;
        tokio::spawn(async move { replay.run(&replay_state, speed).await });
        axum::serve(listener, server::app(state)).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn load_pact(path: &Path) -> Result<pact::CompiledPact> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("--pact names no file")?;
    let checked = pact::check(&pact::DiskFiles::new(dir), name)
        .with_context(|| format!("--pact {}", path.display()))?;
    match checked.compiled {
        Some(compiled) => Ok(compiled),
        None => bail!(
            "--pact {}: does not compile:\n{}",
            path.display(),
            checked.render()
        ),
    }
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

fn open_log(dir: Option<PathBuf>) -> Result<ledger::Log> {
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
    ledger::Log::create(&dir, signer, config).with_context(|| format!("--log {}", dir.display()))
}

/// A scenario's truth and true events, replayed in event time.
struct Replay {
    objects: Vec<sim::truth::Object>,
    events: Vec<sim::events::TrueEvent>,
    start: Time,
    end: Time,
}

impl Replay {
    fn load(path: &Path, lead: Duration) -> Result<Replay> {
        let scenario = sim::Scenario::load(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let geography = sim::geography::Geography::load(&scenario.geography, base)
            .map_err(|(file, message)| anyhow::anyhow!("{}: {message}", file.display()))
            .with_context(|| format!("--scenario {}", path.display()))?;
        let objects = sim::truth::build_objects(&scenario, &geography, scenario.seed);
        let events = sim::events::true_events(&scenario, &geography, &objects);
        let first = events.first().map_or(scenario.start, |e| e.time);
        let start = (first - lead).max(scenario.start);
        Ok(Replay {
            objects,
            events,
            start,
            end: scenario.start + scenario.duration,
        })
    }

    async fn run(self, state: &AppState, speed: f64) {
        let tick = StdDuration::from_secs_f64(SCAN_S as f64 / speed);
        let mut next_event = 0;
        let mut t = self.start;
        let mut interval = tokio::time::interval(tick);
        while t <= self.end {
            interval.tick().await;
            let tracks = self.tracks_at(t);
            state.push_tracks(t, &tracks);
            let due = self.events[next_event..]
                .iter()
                .take_while(|e| e.time <= t)
                .count();
            let incidents: Vec<Incident> = self.events[next_event..next_event + due]
                .iter()
                .enumerate()
                .map(|(i, e)| incident(next_event + i, e))
                .collect();
            next_event += due;
            state.push_incidents(&incidents);
            state.advance(t);
            t = t + Duration::from_secs(SCAN_S);
        }
    }

    fn tracks_at(&self, t: Time) -> Vec<Track> {
        self.objects
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.state_at(t).map(|s| track(i, o, &s, t)))
            .collect()
    }
}

fn track(idx: usize, o: &sim::truth::Object, s: &sim::kinematics::State, t: Time) -> Track {
    let class = match o.class.as_str() {
        "shahed" | "gerbera" => TrackClass::Drone,
        "jet_drone" => TrackClass::JetDrone,
        "cruise_missile" => TrackClass::CruiseMissile,
        "ballistic_missile" => TrackClass::BallisticMissile,
        "manned_aircraft" | "airliner" => TrackClass::MannedAircraft,
        "helicopter" => TrackClass::Helicopter,
        c if c.contains("vessel") || c.contains("tanker") || c.contains("ship") => {
            TrackClass::Vessel
        }
        _ => TrackClass::Unknown,
    };
    let course = s.course_deg.to_radians();
    let band = if class == TrackClass::Vessel {
        AltitudeBand::Surface
    } else {
        AltitudeBand::of_air_altitude(s.alt_m)
    };
    Track {
        id: TrackId(idx as u64 + 1),
        time: t,
        position: Geodetic {
            lat_deg: s.lat_deg,
            lon_deg: s.lon_deg,
            alt_m: s.alt_m,
        },
        velocity: VelocityEnu {
            ve_mps: s.speed_mps * course.sin(),
            vn_mps: s.speed_mps * course.cos(),
            vu_mps: s.climb_mps,
        },
        position_sigma_m: 0.0,
        velocity_sigma_mps: 0.0,
        class,
        class_confidence: 1.0,
        band,
        identity: Identity {
            callsign: o.callsign.clone(),
            icao24: o.icao24,
            mmsi: o.mmsi,
            ..Identity::default()
        },
        cooperative: o.icao24.is_some() || o.mmsi.is_some(),
        quality: 1.0,
        n_updates: 1,
        sensors: Vec::new(),
    }
}

fn incident(idx: usize, e: &sim::events::TrueEvent) -> Incident {
    let fields = e
        .fields
        .iter()
        .filter_map(|(k, v)| {
            let value = match v {
                serde_json::Value::Bool(b) => model::incident::FieldValue::Bool(*b),
                serde_json::Value::Number(n) if n.is_i64() => {
                    model::incident::FieldValue::Int(n.as_i64().unwrap_or_default())
                }
                serde_json::Value::Number(n) => {
                    model::incident::FieldValue::Float(n.as_f64().unwrap_or_default())
                }
                serde_json::Value::String(s) => model::incident::FieldValue::Text(s.clone()),
                _ => return None,
            };
            Some((k.clone(), value))
        })
        .collect();
    Incident {
        id: IncidentId::new(format!("{}-{idx}", e.kind.as_str())),
        kind: e.kind,
        time: e.time,
        position: e.position.as_ref().map(|p| Geodetic {
            lat_deg: p.lat_deg,
            lon_deg: p.lon_deg,
            alt_m: p.alt_m,
        }),
        zones: e.zones.clone(),
        infrastructure: e.infrastructure.clone(),
        origin: e.origin.clone(),
        confidence: 1.0,
        fields,
        evidence: Evidence {
            items: e
                .objects
                .iter()
                .map(|o| model::EvidenceItem::Derived {
                    name: "truth object".into(),
                    value: o.clone(),
                })
                .collect(),
            method: "scenario ground truth (replay)".into(),
            confidence: 1.0,
            statement: format!("{} from the scenario's true events", e.kind.as_str()),
            contradictions: Vec::new(),
        },
        time_to_attribution: Duration::ZERO,
    }
}
