//! TAK / CoT out: tracks and incidents as Cursor on Target XML over TCP (the TAK convention,
//! port 8087), so ATAK, WinTAK and TAK servers show the same picture as the page.
//!
//! Each scan is encoded once, on the engine's push, and only while a client is connected
//! (with `feeds::cot`'s encoder); the bytes go out through one bounded `broadcast` channel.
//! A client that falls `COT_BATCHES_MAX` batches behind, or whose socket takes longer than
//! `COT_WRITE_TIMEOUT_MS` to accept a batch, is dropped and counted: a slow TAK client never
//! slows the engine. A new client first gets the latest scan, so it sees the picture at once.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use feeds::cot::{CotDetail, CotEvent, CotPoint, write_event};
use model::{Duration, Incident, Track, TrackClass};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

use crate::AppState;
use crate::limits::{COT_CLIENTS_MAX, COT_READ_BYTES_MAX, COT_WRITE_TIMEOUT_MS};

/// How long what we send stays valid on a TAK client.
#[derive(Debug, Clone, Copy)]
pub struct CotConfig {
    /// A track's `stale` is its time plus this: a few scans, so a track the fusion stops
    /// reporting fades from ATAK instead of standing still.
    pub track_stale: Duration,
    /// An incident's `stale` is its time plus this.
    pub incident_stale: Duration,
}

impl Default for CotConfig {
    fn default() -> CotConfig {
        CotConfig {
            track_stale: Duration::from_secs(30),
            incident_stale: Duration::from_mins(60),
        }
    }
}

/// A batch of CoT events, encoded once for every client.
pub type CotBatch = Arc<[u8]>;

/// The CoT type of a track (MIL-STD-2525 as CoT, see the TAK `CoTtypes.xml`): the affiliation
/// the source reported if any, else neutral for what transmits its identity (ADS-B, AIS),
/// unknown for an unclassified track, hostile otherwise; the function by class.
pub fn track_type(track: &Track) -> String {
    let affiliation = match feeds::cot::affiliation(&track.identity) {
        Some(a) => a.code(),
        None if track.cooperative => "n",
        None if track.class == TrackClass::Unknown => "u",
        None => "h",
    };
    let civil = track.cooperative;
    let function = match track.class {
        // Air/Mil/Fixed/Drone,RPV,UAV: Shahed, Gerbera, jet Shahed.
        TrackClass::Drone | TrackClass::JetDrone => "A-M-F-Q",
        // Air/Weapon/Missile/Attack Missile ("LAND ATTACK MISSILE"): Kh-101, Kalibr; the
        // TAK table has no cruise-missile leaf under A-W-M-S.
        TrackClass::CruiseMissile => "A-W-M-L",
        // Air/Weapon/Missile/Surface To Surface (SSM): Iskander-M.
        TrackClass::BallisticMissile => "A-W-M-S-S",
        TrackClass::MannedAircraft if civil => "A-C-F",
        TrackClass::MannedAircraft => "A-M-F",
        TrackClass::Helicopter if civil => "A-C-H",
        TrackClass::Helicopter => "A-M-H",
        TrackClass::Vessel => "S",
        TrackClass::Unknown => "A",
    };
    format!("a-{affiliation}-{function}")
}

/// A track as a CoT event: position with its 1-sigma circle, course and speed.
pub fn track_event(track: &Track, config: &CotConfig) -> CotEvent {
    let v = &track.velocity;
    let course_deg = v.ve_mps.atan2(v.vn_mps).to_degrees().rem_euclid(360.0);
    let speed_mps = v.ve_mps.hypot(v.vn_mps);
    CotEvent {
        uid: format!("guarantor.track.{}", track.id.0),
        cot_type: track_type(track),
        // Machine, fused: the position is the tracker's estimate over several sensors.
        how: "m-f".to_owned(),
        time: track.time,
        start: track.time,
        stale: track.time + config.track_stale,
        point: CotPoint {
            lat_deg: track.position.lat_deg,
            lon_deg: track.position.lon_deg,
            hae_m: Some(track.position.alt_m),
            ce_m: (track.position_sigma_m > 0.0).then_some(track.position_sigma_m),
            le_m: None,
        },
        detail: CotDetail {
            callsign: Some(
                track
                    .identity
                    .callsign
                    .as_deref()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{} {}", track.class.as_str(), track.id.0)),
            ),
            course_deg: Some(course_deg),
            speed_mps: Some(speed_mps),
            remarks: Some(format!(
                "{} ({:.0}% sure), {} band",
                track.class.as_str(),
                track.class_confidence * 100.0,
                band(track.band)
            )),
            ..CotDetail::default()
        },
    }
}

fn band(band: model::AltitudeBand) -> &'static str {
    match band {
        model::AltitudeBand::Surface => "surface",
        model::AltitudeBand::Low => "low",
        model::AltitudeBand::Medium => "medium",
        model::AltitudeBand::High => "high",
    }
}

/// An incident as a CoT detection event at its position; `None` without a position.
pub fn incident_event(incident: &Incident, config: &CotConfig) -> Option<CotEvent> {
    let p = incident.position?;
    let mut remarks = incident.kind.as_str().to_owned();
    if let Some(origin) = &incident.origin {
        remarks.push_str(&format!(" from {origin}"));
    }
    if !incident.zones.is_empty() {
        remarks.push_str(&format!(" in {}", incident.zones.join(", ")));
    }
    remarks.push_str(&format!(": {}", incident.evidence.statement));
    Some(CotEvent {
        uid: format!("guarantor.incident.{}", incident.id.0),
        // b-d, "Detection": an incident is what Guarantor detected there.
        cot_type: "b-d".to_owned(),
        how: "m-f".to_owned(),
        time: incident.time,
        start: incident.time,
        stale: incident.time + config.incident_stale,
        point: CotPoint {
            lat_deg: p.lat_deg,
            lon_deg: p.lon_deg,
            hae_m: Some(p.alt_m),
            ce_m: None,
            le_m: None,
        },
        detail: CotDetail {
            callsign: Some(format!("{} {}", incident.kind.as_str(), incident.id.0)),
            remarks: Some(remarks),
            ..CotDetail::default()
        },
    })
}

/// Concatenated events, one batch.
pub fn encode(events: impl IntoIterator<Item = CotEvent>) -> CotBatch {
    let mut out = String::new();
    for event in events {
        write_event(&event, &mut out);
        out.push('\n');
    }
    Arc::from(out.into_bytes())
}

/// Serves CoT to every client that connects to `listener`, until the task is dropped.
pub async fn serve(listener: TcpListener, state: AppState) {
    loop {
        let (socket, _peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: wait rather than spin.
                eprintln!("server: CoT accept failed: {e}");
                tokio::time::sleep(StdDuration::from_millis(100)).await;
                continue;
            }
        };
        let clients = &state.0.metrics.cot_clients;
        if clients.fetch_add(1, Ordering::Relaxed) >= COT_CLIENTS_MAX {
            clients.fetch_sub(1, Ordering::Relaxed);
            state.0.metrics.cot_dropped.fetch_add(1, Ordering::Relaxed);
            continue; // dropping the socket closes it
        }
        let receiver = state.0.cot.subscribe();
        let first = state.latest_cot();
        let client_state = state.clone();
        tokio::spawn(async move {
            let outcome = client(socket, receiver, first).await;
            let m = &client_state.0.metrics;
            m.cot_clients.fetch_sub(1, Ordering::Relaxed);
            if outcome == Outcome::Dropped {
                m.cot_dropped.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The client left, or the server is stopping.
    Closed,
    /// Too slow: fell behind the channel or did not take a batch in time.
    Dropped,
}

async fn client(
    mut socket: TcpStream,
    mut receiver: broadcast::Receiver<CotBatch>,
    first: Option<CotBatch>,
) -> Outcome {
    let _ = socket.set_nodelay(true);
    let (mut reader, mut writer) = socket.split();
    let timeout = StdDuration::from_millis(COT_WRITE_TIMEOUT_MS);
    if let Some(batch) = first {
        match tokio::time::timeout(timeout, writer.write_all(&batch)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Outcome::Closed,
            Err(_) => return Outcome::Dropped,
        }
    }
    // TAK clients send their own position and pings; we read and discard them so the
    // client's sends never block, and learn from EOF that it left.
    let mut scratch = vec![0u8; COT_READ_BYTES_MAX];
    loop {
        tokio::select! {
            read = reader.read(&mut scratch) => match read {
                Ok(0) | Err(_) => return Outcome::Closed,
                Ok(_) => {}
            },
            batch = receiver.recv() => match batch {
                Ok(batch) => match tokio::time::timeout(timeout, writer.write_all(&batch)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return Outcome::Closed,
                    Err(_) => return Outcome::Dropped,
                },
                Err(broadcast::error::RecvError::Lagged(_)) => return Outcome::Dropped,
                Err(broadcast::error::RecvError::Closed) => return Outcome::Closed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{AltitudeBand, Geodetic, Identity, Time, TrackId, VelocityEnu};

    fn track(class: TrackClass, cooperative: bool) -> Track {
        Track {
            id: TrackId(3),
            time: Time::parse_rfc3339("2026-01-10T00:00:00Z").unwrap(),
            position: Geodetic {
                lat_deg: 50.0,
                lon_deg: 24.0,
                alt_m: 300.0,
            },
            velocity: VelocityEnu {
                ve_mps: 0.0,
                vn_mps: -50.0,
                vu_mps: 0.0,
            },
            position_sigma_m: 40.0,
            velocity_sigma_mps: 2.0,
            class,
            class_confidence: 0.8,
            band: AltitudeBand::Low,
            identity: Identity::default(),
            cooperative,
            quality: 0.9,
            n_updates: 4,
            sensors: vec![],
        }
    }

    #[test]
    fn types_follow_the_tak_table() {
        let cases = [
            (TrackClass::Drone, false, "a-h-A-M-F-Q"),
            (TrackClass::JetDrone, false, "a-h-A-M-F-Q"),
            (TrackClass::CruiseMissile, false, "a-h-A-W-M-L"),
            (TrackClass::BallisticMissile, false, "a-h-A-W-M-S-S"),
            (TrackClass::MannedAircraft, true, "a-n-A-C-F"),
            (TrackClass::MannedAircraft, false, "a-h-A-M-F"),
            (TrackClass::Helicopter, false, "a-h-A-M-H"),
            (TrackClass::Vessel, true, "a-n-S"),
            (TrackClass::Unknown, false, "a-u-A"),
        ];
        for (class, cooperative, want) in cases {
            assert_eq!(track_type(&track(class, cooperative)), want, "{class:?}");
        }
    }

    #[test]
    fn a_reported_affiliation_wins() {
        let mut t = track(TrackClass::Drone, false);
        t.identity.reported_type = Some("a-f-A-M-F-Q".into());
        assert_eq!(track_type(&t), "a-f-A-M-F-Q");
    }

    #[test]
    fn a_track_event_carries_position_motion_and_stale() {
        let e = track_event(&track(TrackClass::Drone, false), &CotConfig::default());
        let xml = feeds::cot::to_xml(&e);
        expect_test::expect![[r#"<event version="2.0" uid="guarantor.track.3" type="a-h-A-M-F-Q" how="m-f" time="2026-01-10T00:00:00Z" start="2026-01-10T00:00:00Z" stale="2026-01-10T00:00:30Z"><point lat="50.0" lon="24.0" hae="300.0" ce="40.0" le="9999999.0"/><detail><contact callsign="drone 3"/><track course="180.0" speed="50.0"/><remarks>drone (80% sure), low band</remarks></detail></event>"#]]
            .assert_eq(&xml);
    }
}
