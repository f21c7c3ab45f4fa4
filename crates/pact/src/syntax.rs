//! The pact as written: the TOML document's types, with serde for reading and
//! schemars for the JSON Schema editors use. No logic lives here; the checker
//! (`analysis`) and the compiler (`compile`) read these types.
//!
//! Every struct refuses unknown fields, so a misspelt key is a finding (with a
//! "did you mean") rather than a silently ignored clause.

use model::{Duration, IncidentKind, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole pact: a security guarantee written as code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pact {
    /// What the pact is and when its day 0 is.
    pub pact: PactMeta,
    /// How responses are activated: automatically, or by a consultation that decides.
    #[serde(default)]
    pub activation: Activation,
    /// The states party to the pact.
    #[serde(default)]
    pub parties: Vec<Party>,
    /// The intelligence compact: how sure and how fast attribution must be.
    #[serde(default)]
    pub intelligence: Intelligence,
    /// Which parties witness (cosign) the ledger, and how many must.
    #[serde(default)]
    pub witnesses: Witnesses,
    /// Protected airspace, border belts, engagement zones, no-go areas, maritime zones, depots.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// The critical infrastructure register.
    #[serde(default)]
    pub infrastructure: Infrastructure,
    /// What is watched: incident kind, predicate, threshold, confidence, zones.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// The escalation ladder: what fires, how fast, who does what, where.
    #[serde(default)]
    pub responses: Vec<Response>,
    /// Named assets each party commits, where and by when.
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    /// Forward depots.
    #[serde(default)]
    pub depots: Vec<Depot>,
    /// Stocks held in depots.
    #[serde(default)]
    pub stocks: Vec<Stock>,
    /// Production contracts and the commitments they back.
    #[serde(default)]
    pub contracts: Vec<Contract>,
    /// The phased plan: day 0–90, 90–180, 180–365, each with deliverables.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Sunset reviews and performance triggers.
    #[serde(default)]
    pub reviews: Vec<Review>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PactMeta {
    /// A short stable id (`ukraine-shield`).
    pub id: String,
    pub title: String,
    /// The text's version, as its negotiators number it.
    #[serde(default)]
    pub version: String,
    /// Day 0 of the phased plan, RFC 3339 UTC.
    #[schemars(with = "String")]
    pub effective: Time,
    #[serde(default)]
    pub summary: String,
}

/// Whether indicators activate responses on their own (`automatic`) or only
/// open a consultation that decides (`consultation`, the Article 5 pattern).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivationMode {
    #[default]
    Automatic,
    Consultation,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activation {
    #[serde(default)]
    pub mode: ActivationMode,
    /// For `consultation`: how long the consultation is modelled to take before
    /// it decides, so that comparisons with an automatic text can run.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub decision_delay: Option<Duration>,
    /// For `consultation`: whether every party must agree (consensus).
    #[serde(default)]
    pub unanimity: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// ISO 3166 alpha-2 code or a coalition's short name (`UA`, `PL`).
    pub id: String,
    pub name: String,
    /// Ed25519 public key, 32 bytes in standard base64, for signing
    /// acknowledgements and cosigning the ledger.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Intelligence {
    /// Attribution confidence an indicator requires unless it says otherwise (0..=1).
    #[serde(default = "default_confidence")]
    pub min_confidence: f64,
    /// The latest an attribution may arrive after the first detection and still count.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub attribution_within: Option<Duration>,
    /// Evidence older than this is not used for attribution.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub evidence_max_age: Option<Duration>,
    /// The intelligence sources merged (`satellite`, `sigint`, `osint`, `battlefield`).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Parties sharing into the common product.
    #[serde(default)]
    pub sharing: Vec<String>,
}

impl Default for Intelligence {
    fn default() -> Self {
        Intelligence {
            min_confidence: default_confidence(),
            attribution_within: None,
            evidence_max_age: None,
            sources: Vec::new(),
            sharing: Vec::new(),
        }
    }
}

fn default_confidence() -> f64 {
    0.8
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Witnesses {
    /// Parties that run a witness of the ledger.
    #[serde(default)]
    pub parties: Vec<String>,
    /// How many witness cosignatures a checkpoint needs.
    #[serde(default)]
    pub quorum: u32,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    ProtectedAirspace,
    BorderBelt,
    EngagementZone,
    NoGoArea,
    MaritimeZone,
    DepotArea,
}

/// A zone: its geometry is a GeoJSON file (optionally one feature of it, by
/// id) or an inline GeoJSON geometry, never both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub kind: ZoneKind,
    /// A GeoJSON file, relative to the pact.
    #[serde(default)]
    pub file: Option<String>,
    /// The id of one feature in `file`; without it every polygon of the file is used.
    #[serde(default)]
    pub feature: Option<String>,
    /// An inline GeoJSON geometry (RFC 7946): `{ type = "Polygon", coordinates = [...] }`.
    #[serde(default)]
    pub geometry: Option<serde_json::Value>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InfrastructureKind {
    SubseaCable,
    Pipeline,
    PowerPlant,
    Substation,
    Airport,
    Port,
    Refinery,
    Shipyard,
    Hospital,
    DataCentre,
}

/// The critical infrastructure register: GeoJSON files whose features carry
/// `id`, `name`, `kind`, `owner` and `buffer_m` properties, and sites written inline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Infrastructure {
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub kind: InfrastructureKind,
    /// Operator or owning state.
    #[serde(default)]
    pub owner: String,
    /// Protection buffer around the geometry, metres.
    pub buffer_m: f64,
    /// A GeoJSON Point, LineString or Polygon (or their Multi forms).
    pub geometry: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The incident kind watched.
    #[schemars(with = "IncidentKindSchema")]
    pub incident: IncidentKind,
    /// A CEL predicate over the incident: `kind`, `origin`, `confidence`,
    /// `zones`, `infrastructure` and `fields` (the kind-specific fields).
    #[serde(default)]
    pub when: Option<String>,
    pub threshold: Threshold,
    /// Minimum attribution confidence (0..=1); the intelligence compact's by default.
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// Only incidents in one of these zones count; empty means anywhere.
    #[serde(default)]
    pub zones: Vec<String>,
}

/// The incident kinds of `model::IncidentKind`, spelled for the schema.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Exists only to describe `IncidentKind` in the schema.
enum IncidentKindSchema {
    AirspaceEntry,
    MassIncursion,
    AirspaceViolation,
    DroneOverInfrastructure,
    VesselLoitering,
    AnchorDrag,
    AisDark,
    InfrastructureDamage,
    CyberAttack,
}

/// `count` incidents, or the `sum` of an incident field reaching `at_least`,
/// within the sliding window `within`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    #[serde(default)]
    pub count: Option<u32>,
    /// The incident field summed (`count` for a salvo's size).
    #[serde(default)]
    pub sum: Option<String>,
    #[serde(default)]
    pub at_least: Option<f64>,
    #[schemars(with = "String")]
    pub within: Duration,
}

/// Which indicators trigger a response: an indicator id, or `any`, `all`, `not`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Trigger {
    Indicator(String),
    Any { any: Vec<Trigger> },
    All { all: Vec<Trigger> },
    Not { not: Box<Trigger> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The rung on the escalation ladder, 1 the lowest.
    pub rung: u32,
    pub trigger: Trigger,
    /// Measures must start within this time of activation.
    #[schemars(with = "String")]
    pub deadline: Duration,
    /// The milestone (phase) from which this response can fire; from day 0 if absent.
    #[serde(default)]
    pub from_phase: Option<String>,
    #[serde(default)]
    pub consultation: Option<Consultation>,
    #[serde(default)]
    pub escalation: Option<Escalation>,
    #[serde(default)]
    pub proportionality: Option<Proportionality>,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationPurpose {
    /// Consultations coordinate the response; they never decide whether there is one.
    Coordinate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consultation {
    pub parties: Vec<String>,
    #[schemars(with = "String")]
    pub window: Duration,
    pub purpose: ConsultationPurpose,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The response (rung) this one escalates to.
    pub to: String,
    /// Escalate when the trigger still holds this long after activation.
    #[schemars(with = "String")]
    pub after: Duration,
    /// Or when this indicator expression holds.
    #[serde(default)]
    pub when: Option<Trigger>,
}

/// Caps that keep a response graduated and proportional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proportionality {
    /// At most this many engagements per activation.
    #[serde(default)]
    pub engagements_max: Option<u32>,
    /// At most this ratio of defender cost to attacker cost per engagement.
    #[serde(default)]
    pub cost_ratio_max: Option<f64>,
    /// The rule in words, as published.
    #[serde(default)]
    pub rule: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Military,
    Sanction,
    Diplomatic,
    Logistic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub party: String,
    pub kind: MeasureKind,
    pub action: String,
    /// Committed assets the measure uses.
    #[serde(default)]
    pub assets: Vec<AssetUse>,
    /// Zones the measure may act in (engagement zones for military measures).
    #[serde(default)]
    pub zones: Vec<String>,
    /// No-go areas the measure must keep out of.
    #[serde(default)]
    pub no_go: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetUse {
    /// An asset type the party commits (`patriot-fire-unit`).
    pub asset: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub id: String,
    pub party: String,
    /// The asset type (`patriot-fire-unit`, `f16`, `interceptor-drone`).
    pub asset: String,
    pub quantity: u32,
    /// Where: a zone or depot id.
    #[serde(default)]
    pub at: Option<String>,
    /// In place by this time.
    #[schemars(with = "String")]
    pub by: Time,
    /// Held until this time (the commitment's end); open-ended if absent.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub until: Option<Time>,
    /// The milestone (phase) the commitment belongs to.
    #[serde(default)]
    pub phase: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Depot {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The host party.
    pub party: String,
    /// The depot area zone.
    pub zone: String,
    /// What it holds: `ammunition`, `spares`, `maintenance`.
    #[serde(default)]
    pub holds: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stock {
    pub id: String,
    pub party: String,
    pub item: String,
    pub quantity: u64,
    pub depot: String,
    /// Expected use per day under a sustained attack, for days of supply.
    #[serde(default)]
    pub use_per_day: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub id: String,
    /// The buying party.
    pub party: String,
    pub item: String,
    #[serde(default)]
    pub supplier: String,
    pub units_per_month: u32,
    #[schemars(with = "String")]
    pub from: Time,
    #[schemars(with = "String")]
    pub to: Time,
    /// The commitments this production backs.
    #[serde(default)]
    pub backs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// `day0-90`, `day90-180`, `day180-365`.
    pub id: String,
    /// What the phase is for ("make it visible").
    #[serde(default)]
    pub name: String,
    /// Start, counted from the pact's effective date.
    #[schemars(with = "String")]
    pub from: Duration,
    #[schemars(with = "String")]
    pub to: Duration,
    #[serde(default)]
    pub deliverables: Vec<Deliverable>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deliverable {
    pub id: String,
    /// The promise, paired with its material, verifiable effect.
    pub effect: String,
    /// The commitments that deliver it.
    #[serde(default)]
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub id: String,
    /// The pact (or the reviewed commitments) lapse at this time unless renewed.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub sunset: Option<Time>,
    /// How often performance is reviewed.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub every: Option<Duration>,
    #[serde(default)]
    pub triggers: Vec<PerformanceTrigger>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Taper,
    Extend,
}

/// When `when` (CEL over `metrics`, e.g. `metrics.incidents_90d < 5`) holds at
/// a review, scale the named commitments by `factor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerformanceTrigger {
    pub when: String,
    pub action: ReviewAction,
    pub commitments: Vec<String>,
    pub factor: f64,
}
