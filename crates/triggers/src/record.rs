//! What the engine emits: typed records, each a complete statement of a
//! decision and its reason, in the order the decisions were taken. These types
//! are the triggers stage's output format; the ledger stores them as entries.

use model::{Duration, IncidentId, IncidentKind, Time};
use serde::{Deserialize, Serialize};

/// One output of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Record {
    /// An indicator's threshold was reached in a window.
    IndicatorMet(IndicatorMet),
    /// A rung of the ladder was activated (or, under a consultation text, a
    /// consultation was opened and decided).
    Activation(Activation),
    /// One party's obligation under one measure of an activation.
    Obligation(Obligation),
    /// A measure that would breach a proportionality cap or a no-go area:
    /// flagged, not issued.
    MeasureFlagged(MeasureFlagged),
    /// A change in the state of an activation, obligation or consultation.
    Change(Change),
    /// A sunset or performance review on its date.
    Review(ReviewOutcome),
    /// Input the engine could not use, with the reason; the engine went on.
    Diagnostic(Diagnostic),
}

impl Record {
    /// The event time the record is about.
    pub fn time(&self) -> Time {
        match self {
            Record::IndicatorMet(m) => m.at,
            Record::Activation(a) => a.at,
            Record::Obligation(o) => o.created_at,
            Record::MeasureFlagged(f) => f.at,
            Record::Change(c) => c.at,
            Record::Review(r) => r.at,
            Record::Diagnostic(d) => d.at,
        }
    }
}

/// The window of an indicator when it was met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorMet {
    pub indicator: String,
    /// The time of the incident that completed the threshold.
    pub at: Time,
    /// The window `(start, end]` that holds the threshold.
    pub window_start: Time,
    pub window_end: Time,
    /// Incidents counted in the window.
    pub count: u32,
    /// For a `sum` threshold, the sum reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    /// The watermark when the engine saw it.
    pub watermark: Time,
    /// The completing incident arrived behind the watermark (within the allowed lateness).
    pub late: bool,
    /// The incidents in the window (at most `limits::activation_incidents_max`), oldest first.
    pub incidents: Vec<IncidentId>,
    /// The incident that completed it.
    pub completed_by: IncidentId,
}

/// Why an activation happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationCause {
    /// The rung's trigger was met.
    Trigger,
    /// Escalated from a lower rung: its trigger recurred after the escalation delay.
    EscalationRecurrence,
    /// Escalated from a lower rung: an obligation of it went overdue.
    EscalationOverdue,
    /// Escalated from a lower rung: the escalation's own condition held.
    EscalationCondition,
}

/// A rung activated, with its full reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activation {
    /// `<pact>/<response>/<n>`: stable, derived from the inputs.
    pub id: String,
    pub pact: String,
    pub response: String,
    pub rung: u32,
    pub cause: ActivationCause,
    /// The activation that escalated into this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_from: Option<String>,
    /// The SHA-256 of the rule as written (the response and the indicators it
    /// names), so a verifier knows which text fired.
    pub rule_hash: String,
    /// When the trigger held: the completing incident's time.
    pub trigger_at: Time,
    /// When the activation took effect: `trigger_at` for an automatic text,
    /// after the modelled decision delay under a consultation text.
    pub at: Time,
    /// Measures must start by this time.
    pub deadline: Time,
    /// The watermark when it was decided.
    pub watermark: Time,
    /// The indicators that held, each with its window and count.
    pub indicators: Vec<IndicatorMet>,
    /// Every incident behind it (union over the indicators), oldest first.
    pub incidents: Vec<IncidentId>,
    /// An indicator was completed by a late incident.
    pub late: bool,
    /// The obligations created, by id.
    pub obligations: Vec<String>,
    /// The consultation that coordinates it, if the rung names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<ConsultationOpened>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsultationOpened {
    pub parties: Vec<String>,
    pub closes_at: Time,
    /// Always `coordinate`: a consultation never decides whether there is a response.
    pub purpose: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationState {
    Created,
    Acknowledged,
    Discharged,
    Overdue,
    /// Its activation was stood down before it was discharged.
    Cancelled,
}

/// One party's obligation under one measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Obligation {
    /// `<activation>/<measure index>`.
    pub id: String,
    pub activation: String,
    pub party: String,
    pub kind: String,
    pub action: String,
    /// Assets as `(asset, quantity)`.
    pub assets: Vec<(String, u32)>,
    pub zones: Vec<String>,
    pub created_at: Time,
    pub deadline: Time,
    pub state: ObligationState,
    /// The equivalent asset acknowledged in place of the named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution: Option<Substitution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Substitution {
    pub instead_of: String,
    pub asset: String,
}

/// A measure not issued, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureFlagged {
    pub activation: String,
    pub measure_idx: u32,
    pub party: String,
    pub at: Time,
    pub reason: String,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    ObligationAcknowledged {
        obligation: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        substitution: Option<Substitution>,
    },
    ObligationDischarged {
        obligation: String,
        /// Discharged after its deadline had passed.
        after_deadline: bool,
    },
    ObligationOverdue {
        obligation: String,
        deadline: Time,
    },
    ObligationCancelled {
        obligation: String,
    },
    /// A party's word in a consultation: recorded, never a veto.
    ConsultationPosition {
        activation: String,
        party: String,
        position: Position,
    },
    /// The consultation window closed: who spoke, who objected, who was silent.
    ConsultationClosed {
        activation: String,
        agreed: Vec<String>,
        objected: Vec<String>,
        silent: Vec<String>,
    },
    /// Under a consultation text: the indicator was met and a consultation opened
    /// that decides at `decides_at`.
    DecisionPending {
        response: String,
        decides_at: Time,
        unanimity: bool,
    },
    /// The trigger held again while the rung was active, before the escalation delay:
    /// written when one of its indicators is met anew (it had stopped holding), with
    /// the incident that met it. While an indicator keeps holding, further incidents
    /// extend the activation without a record each (they are in the incident stream).
    Recurred {
        activation: String,
        incidents: Vec<IncidentId>,
    },
    Escalated {
        activation: String,
        to: String,
        cause: ActivationCause,
    },
    /// The trigger has not held for the stand-down period: the activation expires.
    Expired {
        activation: String,
        quiet_since: Time,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: Time,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Agree,
    Object,
}

/// A review held on its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewOutcome {
    pub review: String,
    pub at: Time,
    /// `performance` or `sunset`.
    pub what: String,
    /// The metrics the performance triggers read.
    pub metrics: Vec<(String, f64)>,
    /// Each trigger that held: action, commitments, factor.
    pub actions: Vec<ReviewAction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewAction {
    pub action: String,
    pub commitments: Vec<String>,
    pub factor: f64,
    pub when: String,
}

/// Input the engine could not use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub at: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentId>,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The incident names a zone the pact does not define; it counts for its other zones.
    UnknownZone { zone: String },
    /// The incident names infrastructure not in the register; it is not counted.
    UnknownInfrastructure { infrastructure: String },
    /// An indicator's CEL predicate failed on the incident (e.g. a field of the wrong type).
    PredicateFailed { indicator: String, message: String },
    /// Older than the watermark by more than the allowed lateness.
    TooLate { watermark: Time, lateness: Duration },
    /// Further ahead of the watermark than `future_max`.
    TooFarInFuture { watermark: Time, ahead: Duration },
    /// Before the pact took effect, or after its sunset.
    OutsidePact { from: Time, until: Option<Time> },
    /// Confidence or time not a finite number in range.
    Malformed { what: String },
    /// A window held its maximum; the oldest incident was dropped.
    WindowOverflow { indicator: String },
    /// A command (acknowledge, discharge, consult) that could not apply.
    CommandRefused { what: String },
    /// A review's performance trigger could not be evaluated.
    ReviewFailed { review: String, message: String },
}

/// Counts by reason and kind, for summaries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub incidents_seen: u64,
    pub incidents_late: u64,
    pub incidents_rejected: u64,
    pub by_kind: Vec<(IncidentKind, u64)>,
}
