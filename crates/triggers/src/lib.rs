//! Triggers: a compiled pact evaluated over the incident stream in event time.
//! Windows over incidents make indicators; indicators that hold activate the
//! rungs of the response ladder; each activation creates one obligation per
//! party per measure, with its deadline; obligations are acknowledged (with an
//! equivalent asset if need be), discharged, or go overdue; consultations
//! coordinate and never decide; rungs escalate and stand down; proportionality
//! caps and no-go areas are checked for every measure; reviews run on their dates.
//!
//! ```text
//! Incident ─> checks (pact in force, lateness, future, unknown zone/site)
//!          ─> indicators (kind, zones, confidence, CEL) ─> windows (limits::window_incidents_max)
//!          ─> IndicatorMet ─> ladder (trigger any/all/not) ─> Activation ─> Obligation | MeasureFlagged
//! watermark advance ─> timers: deadlines (overdue), consultations, decisions, stand-downs, reviews
//! ```
//!
//! The engine is pure and deterministic: no I/O, no clock. Time comes from the
//! incidents (the watermark is the latest event time seen) and from the time
//! each command carries. The same inputs give the same records whatever the
//! batch size or the number of threads (predicates of a batch are evaluated in
//! parallel into fixed slots; every decision is taken in input order).

mod checks;
mod engine;
pub mod entries;
pub mod limits;
mod predicate;
pub mod record;
mod review;
mod window;

pub use engine::{Config, Engine};
pub use record::{
    Activation, ActivationCause, Change, ChangeKind, Diagnostic, IndicatorMet, MeasureFlagged,
    Obligation, ObligationState, Position, Reason, Record, ReviewOutcome, Substitution,
};
pub use window::WindowKind;
