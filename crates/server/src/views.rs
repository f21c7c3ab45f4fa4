//! The API's JSON: explicit, versioned types owned by the server, so that changing a
//! domain type cannot silently change the wire format (STYLE rule 11).

use model::{Incident, Time, Track};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A track's current state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrackView {
    pub id: u64,
    /// Event time, RFC 3339 UTC.
    pub time: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    /// Course over ground, degrees clockwise from north.
    pub course_deg: f64,
    pub speed_mps: f64,
    /// `drone`, `jet_drone`, `cruise_missile`, ..., `vessel`, `unknown`.
    pub class: String,
    /// `surface`, `low`, `medium`, `high`.
    pub band: String,
    /// Transmits its identity (ADS-B, AIS): not a threat by default.
    pub cooperative: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callsign: Option<String>,
}

/// One past position of a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrackPoint {
    pub id: u64,
    pub time: String,
    #[serde(skip)]
    pub time_us: i64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

/// A track's history, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackHistory {
    pub id: u64,
    pub points: Vec<TrackPoint>,
}

/// An incident with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IncidentView {
    pub id: String,
    pub kind: String,
    pub time: String,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    pub zones: Vec<String>,
    pub infrastructure: Option<String>,
    pub origin: Option<String>,
    pub confidence: f64,
    pub evidence: EvidenceView,
    /// Seconds from the incident to its attribution.
    pub time_to_attribution_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceView {
    pub method: String,
    pub confidence: f64,
    pub statement: String,
    /// Tracks, detections, reports, STIX ids, derived figures; each with a `kind`.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    pub contradictions: Vec<String>,
}

/// An activation of a rung of a pact's response ladder, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActivationView {
    pub id: String,
    pub pact: String,
    pub response: String,
    pub rung: u32,
    /// `trigger`, `escalation_recurrence`, `escalation_overdue`, `escalation_condition`.
    pub cause: String,
    pub rule_hash: String,
    pub trigger_at: String,
    pub at: String,
    pub deadline: String,
    pub incidents: Vec<String>,
    pub obligations: Vec<String>,
    pub late: bool,
    /// The indicators that held, with their windows and counts.
    #[schema(value_type = Vec<Object>)]
    pub indicators: Vec<serde_json::Value>,
}

/// One party's obligation under one measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObligationView {
    pub id: String,
    pub activation: String,
    pub party: String,
    pub kind: String,
    pub action: String,
    pub assets: Vec<AssetView>,
    pub zones: Vec<String>,
    pub created_at: String,
    pub deadline: String,
    /// `created`, `acknowledged`, `discharged`, `overdue`, `cancelled`.
    pub state: String,
    pub substitution: Option<SubstitutionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssetView {
    pub asset: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SubstitutionView {
    pub instead_of: String,
    pub asset: String,
}

/// The engine's clock and the size of what the server holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusView {
    /// The latest event time seen (the replay clock), if any.
    pub event_time: Option<String>,
    pub tracks: usize,
    pub incidents: usize,
    pub activations: usize,
    pub obligations: usize,
    /// Whether a pact is loaded (acts need one).
    pub pact: Option<String>,
    pub ledger: Option<LedgerStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LedgerStatus {
    /// Entries appended.
    pub size: u64,
    /// Entries covered by the published checkpoint.
    pub checkpoint_size: u64,
    /// The log key's `<name>+<hash>`, which signs the checkpoint.
    pub key: String,
}

/// The answer to an act.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActOutcome {
    pub obligation: ObligationView,
    /// The act's index in the ledger.
    pub ledger_index: u64,
    /// The act's ledger entry (canonical JSON), signed by the party.
    #[schema(value_type = Object)]
    pub entry: serde_json::Value,
}

/// An inclusion proof in the C2SP/RFC 6962 form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InclusionProof {
    pub index: u64,
    pub size: u64,
    /// Base64 hashes, leaf to root.
    pub proof: Vec<String>,
}

/// A consistency proof in the C2SP/RFC 6962 form: that the tree of `new_size` extends the
/// one of `old_size` (so a checkpoint seen before is a prefix of the new one).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    /// Base64 hashes, in the order RFC 6962 (section 2.1.2) and Go's `tlog.CheckTree` read them.
    pub proof: Vec<String>,
}

/// A delivery: what arrived, from whom, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DeliveryView {
    pub party: String,
    pub item: String,
    pub quantity: f64,
    /// RFC 3339 UTC.
    pub date: String,
    /// A depot or zone id of the pact.
    pub place: String,
    /// The obligation or commitment it answers, if the party named one.
    pub obligation: Option<String>,
    pub note: Option<String>,
    /// `record_file` (the deliveries the server started with) or `api` (recorded since,
    /// signed by the party and logged).
    pub source: String,
    /// The delivery's ledger entry, for those recorded through the API.
    pub ledger_index: Option<u64>,
}

impl DeliveryView {
    pub fn of_record(d: &readiness::Delivery) -> DeliveryView {
        DeliveryView {
            party: d.party.clone(),
            item: d.item.clone(),
            quantity: d.quantity,
            date: d.date.to_string(),
            place: d.place.clone(),
            obligation: None,
            note: None,
            source: "record_file".into(),
            ledger_index: None,
        }
    }
}

/// The answer to a recorded delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryOutcome {
    pub delivery: DeliveryView,
    pub ledger_index: Option<u64>,
    /// The delivery's ledger entry (canonical JSON), signed by the party.
    #[schema(value_type = Object)]
    pub entry: serde_json::Value,
}

/// Readiness at the as-of date, for the page's plots: each rung's clauses backed or not,
/// days of supply per depot line, and the day-by-day stock from the pact's day 0.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadinessView {
    pub pact: String,
    /// The pact's day 0.
    pub effective: String,
    /// The as-of date.
    pub at: String,
    pub at_day: u32,
    pub tempo: String,
    pub endurance_days: u32,
    /// Delivery records counted (record file and API).
    pub deliveries: usize,
    pub clauses_backed: usize,
    pub clauses_unbacked: usize,
    /// Assets in place whose magazine item no depot stocks: endurance cannot be shown.
    pub clauses_uncounted: usize,
    pub clauses_not_in_force: usize,
    pub rungs: Vec<RungView>,
    pub supply: Vec<SupplyView>,
    /// Stock per depot line at the end of each day from day 0 (`days[d]`).
    pub stock: Vec<StockSeries>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RungView {
    pub response: String,
    pub rung: u32,
    /// `backed`, `uncounted`, `unbacked`, `not_in_force`.
    pub state: String,
    pub clauses: Vec<ClauseView>,
}

/// One asset of one measure of a rung.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseView {
    pub party: String,
    pub asset: String,
    pub needed: u32,
    /// `backed`, `uncounted`, `unbacked`, `not_in_force`.
    pub state: String,
    pub reason: String,
    pub dry_in_days: Option<u32>,
}

/// Days of supply of one depot line at the as-of date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupplyView {
    pub depot: String,
    pub item: String,
    pub on_hand: f64,
    /// Days from the as-of date until it holds less than one round; absent beyond the horizon.
    pub dry_in_days: Option<u32>,
    /// The rungs whose clauses use this item.
    pub clauses: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockSeries {
    pub depot: String,
    pub item: String,
    pub days: Vec<f64>,
}

/// Everything the live feed sends, as the `data` of an SSE event named by `type`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The tracks updated in a scan and those that ended.
    Tracks {
        at: String,
        tracks: Vec<TrackView>,
        removed: Vec<u64>,
    },
    Incident(IncidentView),
    Activation(ActivationView),
    /// An obligation created or changed (acknowledged, discharged, overdue: a deadline
    /// clock changes).
    Obligation(ObligationView),
    Ledger(LedgerStatus),
    /// A party recorded a delivery (readiness changed: refetch `/api/v1/readiness`).
    Delivery(DeliveryView),
    /// This client fell behind and missed `missed` events: it should refetch.
    Lagged {
        missed: u64,
    },
}

impl LiveEvent {
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Tracks { .. } => "tracks",
            LiveEvent::Incident(_) => "incident",
            LiveEvent::Activation(_) => "activation",
            LiveEvent::Obligation(_) => "obligation",
            LiveEvent::Ledger(_) => "ledger",
            LiveEvent::Delivery(_) => "delivery",
            LiveEvent::Lagged { .. } => "lagged",
        }
    }
}

pub fn time(t: Time) -> String {
    t.to_string()
}

impl TrackView {
    pub fn of(t: &Track) -> TrackView {
        let v = &t.velocity;
        let course = v.ve_mps.atan2(v.vn_mps).to_degrees().rem_euclid(360.0);
        TrackView {
            id: t.id.0,
            time: time(t.time),
            lat_deg: t.position.lat_deg,
            lon_deg: t.position.lon_deg,
            alt_m: t.position.alt_m,
            course_deg: round(course, 1),
            speed_mps: round(v.ve_mps.hypot(v.vn_mps), 1),
            class: t.class.as_str().to_owned(),
            band: serde_json::to_value(t.band)
                .ok()
                .and_then(|b| b.as_str().map(str::to_owned))
                .unwrap_or_default(),
            cooperative: t.cooperative,
            callsign: t.identity.callsign.as_deref().map(str::to_owned),
        }
    }

    pub fn point(&self, time_us: i64) -> TrackPoint {
        TrackPoint {
            id: self.id,
            time: self.time.clone(),
            time_us,
            lat_deg: self.lat_deg,
            lon_deg: self.lon_deg,
            alt_m: self.alt_m,
        }
    }
}

pub(crate) fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

impl IncidentView {
    pub fn of(i: &Incident) -> IncidentView {
        IncidentView {
            id: i.id.0.clone(),
            kind: i.kind.as_str().to_owned(),
            time: time(i.time),
            lat_deg: i.position.map(|p| p.lat_deg),
            lon_deg: i.position.map(|p| p.lon_deg),
            zones: i.zones.clone(),
            infrastructure: i.infrastructure.clone(),
            origin: i.origin.clone(),
            confidence: i.confidence,
            evidence: EvidenceView {
                method: i.evidence.method.clone(),
                confidence: i.evidence.confidence,
                statement: i.evidence.statement.clone(),
                items: i
                    .evidence
                    .items
                    .iter()
                    .filter_map(|item| serde_json::to_value(item).ok())
                    .collect(),
                contradictions: i.evidence.contradictions.clone(),
            },
            time_to_attribution_s: i.time_to_attribution.as_secs_f64(),
        }
    }
}

impl ActivationView {
    pub fn of(a: &triggers::Activation) -> ActivationView {
        ActivationView {
            id: a.id.clone(),
            pact: a.pact.clone(),
            response: a.response.clone(),
            rung: a.rung,
            cause: snake(&a.cause),
            rule_hash: a.rule_hash.clone(),
            trigger_at: time(a.trigger_at),
            at: time(a.at),
            deadline: time(a.deadline),
            incidents: a.incidents.iter().map(|i| i.0.clone()).collect(),
            obligations: a.obligations.clone(),
            late: a.late,
            indicators: a
                .indicators
                .iter()
                .filter_map(|m| serde_json::to_value(m).ok())
                .collect(),
        }
    }
}

impl ObligationView {
    pub fn of(o: &triggers::Obligation) -> ObligationView {
        ObligationView {
            id: o.id.clone(),
            activation: o.activation.clone(),
            party: o.party.clone(),
            kind: o.kind.clone(),
            action: o.action.clone(),
            assets: o
                .assets
                .iter()
                .map(|(asset, quantity)| AssetView {
                    asset: asset.clone(),
                    quantity: *quantity,
                })
                .collect(),
            zones: o.zones.clone(),
            created_at: time(o.created_at),
            deadline: time(o.deadline),
            state: snake(&o.state),
            substitution: o.substitution.as_ref().map(|s| SubstitutionView {
                instead_of: s.instead_of.clone(),
                asset: s.asset.clone(),
            }),
        }
    }
}

/// The snake-case name serde gives a unit variant.
fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
