//! The engine: incidents and commands in, records out, in event time.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use model::{Digest, Duration, Incident, IncidentId, Time};
use pact::CompiledPact;
use pact::syntax::{ActivationMode, Response, Trigger};
use rayon::prelude::*;

use crate::checks::{self, Geometry};
use crate::limits;
use crate::predicate::Admission;
use crate::record::{
    Activation, ActivationCause, Change, ChangeKind, ConsultationOpened, Diagnostic, IndicatorMet,
    Obligation, ObligationState, Position, Reason, Record, Substitution,
};
use crate::review::{DailyCounts, hold_review};
use crate::window::{Entry, Window, WindowKind};

/// An incident id interned once when the incident is accepted: every window,
/// set and queue it enters afterwards clones a pointer, not a string.
pub(crate) type Key = Arc<str>;
/// Hash containers for ids. Only looked up, never iterated for output, so the
/// per-process seed does not reach the records.
pub(crate) type FastMap<K, V> = foldhash::HashMap<K, V>;
pub(crate) type FastSet<K> = foldhash::HashSet<K>;

/// A trigger with its indicator ids resolved to indices, once, at start.
#[derive(Debug)]
enum Cond {
    /// `None`: an id the pact does not define (never holds).
    Indicator(Option<usize>),
    Any(Vec<Cond>),
    All(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    fn of(trigger: &Trigger, index_of: &dyn Fn(&str) -> Option<usize>) -> Cond {
        match trigger {
            Trigger::Indicator(id) => Cond::Indicator(index_of(id)),
            Trigger::Any { any } => Cond::Any(any.iter().map(|t| Cond::of(t, index_of)).collect()),
            Trigger::All { all } => Cond::All(all.iter().map(|t| Cond::of(t, index_of)).collect()),
            Trigger::Not { not } => Cond::Not(Box::new(Cond::of(not, index_of))),
        }
    }
}

/// The last time an indicator was met, without the ids of its window: an
/// indicator that keeps holding is met by every incident, and the full
/// `IndicatorMet` is built only when a record needs it (`materialize`).
#[derive(Debug, Clone)]
struct LastMet {
    at: Time,
    window_start: Time,
    window_end: Time,
    count: u32,
    sum: Option<f64>,
    watermark: Time,
    late: bool,
    completed_by: Key,
}

/// How the engine reads time and windows. Passed explicitly; no setters.
#[derive(Debug, Clone)]
pub struct Config {
    /// An incident up to this far behind the watermark is still counted (and
    /// its records say `late`); further behind it is refused as too late.
    pub allowed_lateness: Duration,
    /// An incident further ahead of the watermark than this is refused: one
    /// bad clock must not drag the watermark (and every deadline) forward.
    pub future_max: Duration,
    pub windows: WindowKind,
    /// Read the pact as in force from this date (day 0) instead of its own:
    /// replays of past incidents ask "had this text been in force".
    pub effective_override: Option<Time>,
    /// An activation stands down when its trigger has not held for this long.
    /// `None`: twice the rung's escalation delay (so a recurrence after the delay
    /// can still escalate), or 24 h when it has none.
    pub stand_down_after: Option<Duration>,
    /// Unit cost of each asset in US dollars, for proportionality's cost ratio
    /// (checked when the incident carries the attacker's `unit_cost_usd`).
    pub asset_cost_usd: BTreeMap<String, f64>,
    /// Batches at least this long have their predicates evaluated in parallel.
    pub parallel_batch_min: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            allowed_lateness: Duration::from_mins(5),
            future_max: Duration::from_hours(12),
            windows: WindowKind::Sliding,
            effective_override: None,
            stand_down_after: None,
            asset_cost_usd: BTreeMap::new(),
            parallel_batch_min: 256,
        }
    }
}

/// Things due at a time; fired in (time, sequence) order as the watermark passes.
#[derive(Debug, Clone)]
enum Timer {
    Deadline {
        obligation: String,
    },
    ConsultationClose {
        activation: usize,
    },
    Decide {
        rung: usize,
        met: Vec<IndicatorMet>,
        trigger_at: Time,
    },
    StandDown {
        activation: usize,
    },
    Review {
        review: usize,
    },
    Sunset {
        review: usize,
    },
}

#[derive(Debug)]
struct IndicatorState {
    window: Window,
    /// The last time the indicator was met, with its window.
    last_met: Option<LastMet>,
    /// The rungs whose trigger (`.1`) or escalation condition (`.2`) names
    /// this indicator, in ladder order.
    rungs: Vec<(usize, bool, bool)>,
    /// Summed field, for `sum` thresholds.
    sum_field: Option<String>,
    count_min: Option<u32>,
    sum_min: Option<f64>,
}

#[derive(Debug)]
struct RungState {
    n_activations: u32,
    /// The open activation (index into `activations`), if any.
    open: Option<usize>,
    pending_decision: bool,
    used: FastSet<Key>,
    used_order: VecDeque<Key>,
    /// Indicator indices the trigger names, and the escalation condition's.
    trigger_indicators: Vec<usize>,
    condition_indicators: Vec<usize>,
    trigger: Cond,
    condition: Option<Cond>,
    rule_hash: String,
}

#[derive(Debug)]
struct OpenActivation {
    record: Activation,
    rung: usize,
    last_held: Time,
    escalated: bool,
    closed: bool,
    positions: BTreeMap<String, Position>,
    consultation_closed: bool,
    /// The incidents of the activation's own window (never a recurrence).
    incidents: FastSet<Key>,
    /// The incident of the last recurrence: one incident can complete several of
    /// the trigger's indicators, one after the other, and recurs once.
    last_recurrence: Option<Key>,
}

#[derive(Debug)]
struct ObligationEntry {
    record: Obligation,
    rung: usize,
    activation: usize,
}

/// The triggers engine over one compiled pact.
#[derive(Debug)]
pub struct Engine {
    pact: CompiledPact,
    config: Config,
    effective: Time,
    sunset: Option<Time>,
    geometry: Geometry,
    admission: Admission,
    zone_ids: FastSet<String>,
    site_ids: FastSet<String>,
    indicators: Vec<IndicatorState>,
    rungs: Vec<RungState>,
    activations: Vec<OpenActivation>,
    obligations: BTreeMap<String, ObligationEntry>,
    timers: BTreeMap<(Time, u64), Timer>,
    timer_seq: u64,
    watermark: Option<Time>,
    daily: DailyCounts,
    /// Where and what each counted incident was, for the measures' checks.
    facts: FastMap<Key, checks::Facts>,
    facts_order: VecDeque<Key>,
    /// Incident ids already counted: a duplicate (at-least-once delivery) is
    /// skipped. The interned id of each incident is the one held here.
    seen: FastSet<Key>,
    seen_order: VecDeque<Key>,
    /// A batch's predicate results, `incident × indicator`; kept to reuse its memory.
    admitted: Vec<Result<bool, String>>,
    out: Vec<Record>,
}

impl Engine {
    pub fn new(pact: CompiledPact, config: Config) -> Engine {
        let effective = config.effective_override.unwrap_or(pact.effective);
        let sunset = pact.reviews.iter().filter_map(|r| r.review.sunset).min();
        let mut indicators: Vec<IndicatorState> = pact
            .indicators
            .iter()
            .map(|i| IndicatorState {
                window: Window::new(config.windows, i.threshold.within, effective),
                last_met: None,
                rungs: Vec::new(),
                sum_field: i.threshold.sum.clone(),
                count_min: i.threshold.count,
                sum_min: i.threshold.at_least,
            })
            .collect();
        let index_of = |id: &str| pact.indicators.iter().position(|i| i.id == id);
        let rungs: Vec<RungState> = pact
            .ladder
            .iter()
            .map(|r| {
                let mut trigger_indicators = Vec::new();
                named(&r.trigger, &mut |id| {
                    trigger_indicators.extend(index_of(id))
                });
                let mut condition_indicators = Vec::new();
                if let Some(when) = r.escalation.as_ref().and_then(|e| e.when.as_ref()) {
                    named(when, &mut |id| condition_indicators.extend(index_of(id)));
                }
                RungState {
                    n_activations: 0,
                    open: None,
                    pending_decision: false,
                    used: FastSet::default(),
                    used_order: VecDeque::new(),
                    rule_hash: rule_hash(&pact, r),
                    trigger: Cond::of(&r.trigger, &index_of),
                    condition: r
                        .escalation
                        .as_ref()
                        .and_then(|e| e.when.as_ref())
                        .map(|w| Cond::of(w, &index_of)),
                    trigger_indicators,
                    condition_indicators,
                }
            })
            .collect();
        for (indicator_idx, state) in indicators.iter_mut().enumerate() {
            state.rungs = rungs
                .iter()
                .enumerate()
                .map(|(rung, r)| {
                    (
                        rung,
                        r.trigger_indicators.contains(&indicator_idx),
                        r.condition_indicators.contains(&indicator_idx),
                    )
                })
                .filter(|&(_, t, c)| t || c)
                .collect();
        }
        let mut engine = Engine {
            geometry: Geometry::new(&pact),
            admission: Admission::new(&pact.indicators),
            zone_ids: pact.zones.iter().map(|z| z.id.clone()).collect(),
            site_ids: pact.sites.iter().map(|s| s.id.clone()).collect(),
            effective,
            sunset,
            indicators,
            rungs,
            activations: Vec::new(),
            obligations: BTreeMap::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
            watermark: None,
            daily: DailyCounts::default(),
            facts: FastMap::default(),
            facts_order: VecDeque::new(),
            seen: FastSet::default(),
            seen_order: VecDeque::new(),
            admitted: Vec::new(),
            out: Vec::new(),
            config,
            pact,
        };
        engine.schedule_reviews();
        engine
    }

    pub fn pact(&self) -> &CompiledPact {
        &self.pact
    }

    /// The latest event time seen (or advanced to).
    pub fn watermark(&self) -> Option<Time> {
        self.watermark
    }

    /// Every obligation held, by id.
    pub fn obligations(&self) -> impl Iterator<Item = &Obligation> {
        self.obligations.values().map(|o| &o.record)
    }

    /// Processes a batch of incidents in order; returns the records they caused.
    pub fn process(&mut self, incidents: &[Incident]) -> Vec<Record> {
        let n_indicators = self.pact.indicators.len();
        // A record or so per incident is usual (recurrences, diagnostics): reserving
        // spares most regrowth copies of a large enum (a twentieth of the profile);
        // capped so a huge batch does not reserve for records it may never make.
        self.out.reserve(incidents.len().min(4096));
        // Predicates are pure: evaluate the batch's in parallel into fixed slots, so
        // the result is the same whatever the thread count. Decisions stay in order.
        let mut admitted = std::mem::take(&mut self.admitted);
        admitted.clear();
        if incidents.len() >= self.config.parallel_batch_min {
            admitted.par_extend(
                incidents
                    .par_iter()
                    .flat_map_iter(|inc| self.admits_all(inc)),
            );
        } else {
            admitted.extend(incidents.iter().flat_map(|inc| self.admits_all(inc)));
        }
        for (incident_idx, incident) in incidents.iter().enumerate() {
            let slots = &admitted[incident_idx * n_indicators..(incident_idx + 1) * n_indicators];
            self.process_one(incident, slots);
        }
        self.admitted = admitted;
        std::mem::take(&mut self.out)
    }

    fn admits_all<'a>(
        &'a self,
        incident: &'a Incident,
    ) -> impl Iterator<Item = Result<bool, String>> + 'a {
        self.pact
            .indicators
            .iter()
            .enumerate()
            .map(|(idx, i)| self.admission.admits(idx, i, incident))
    }

    /// Moves the watermark to `to`, firing every deadline, consultation close,
    /// decision, stand-down and review due by then.
    pub fn advance(&mut self, to: Time) -> Vec<Record> {
        self.advance_to(to);
        std::mem::take(&mut self.out)
    }

    /// A party acknowledges its obligation, optionally with an equivalent asset.
    pub fn acknowledge(
        &mut self,
        at: Time,
        obligation: &str,
        party: &str,
        substitute: Option<&str>,
    ) -> Vec<Record> {
        self.advance_to(at);
        let refused = match self.obligations.get(obligation) {
            None => Some(format!("acknowledge: no obligation `{obligation}`")),
            Some(o) if o.record.party != party => Some(format!(
                "acknowledge: obligation `{obligation}` is {}'s, not {party}'s",
                o.record.party
            )),
            Some(o)
                if !matches!(
                    o.record.state,
                    ObligationState::Created | ObligationState::Overdue
                ) =>
            {
                Some(format!(
                    "acknowledge: obligation `{obligation}` is {:?}",
                    o.record.state
                ))
            }
            Some(o) => substitute.and_then(|asset| {
                let committed = self
                    .pact
                    .commitments
                    .iter()
                    .any(|c| c.party == party && c.asset == asset);
                let same = o.record.assets.iter().any(|(a, _)| a == asset);
                (!committed || same).then(|| {
                    format!(
                        "acknowledge: {party} commits no `{asset}` to substitute in `{obligation}`"
                    )
                })
            }),
        };
        if let Some(what) = refused {
            self.refuse(at, what);
            return std::mem::take(&mut self.out);
        }
        let Some(entry) = self.obligations.get_mut(obligation) else {
            unreachable!("checked above");
        };
        let substitution = substitute.map(|asset| Substitution {
            instead_of: entry
                .record
                .assets
                .first()
                .map_or_else(String::new, |(a, _)| a.clone()),
            asset: asset.to_owned(),
        });
        if entry.record.state == ObligationState::Created {
            entry.record.state = ObligationState::Acknowledged;
        }
        entry.record.substitution = substitution.clone();
        self.out.push(Record::Change(Change {
            at,
            kind: ChangeKind::ObligationAcknowledged {
                obligation: obligation.to_owned(),
                substitution,
            },
        }));
        std::mem::take(&mut self.out)
    }

    /// A party discharges its obligation (the measure is done).
    pub fn discharge(&mut self, at: Time, obligation: &str, party: &str) -> Vec<Record> {
        self.advance_to(at);
        let refused = match self.obligations.get(obligation) {
            None => Some(format!("discharge: no obligation `{obligation}`")),
            Some(o) if o.record.party != party => Some(format!(
                "discharge: obligation `{obligation}` is {}'s, not {party}'s",
                o.record.party
            )),
            Some(o)
                if matches!(
                    o.record.state,
                    ObligationState::Discharged | ObligationState::Cancelled
                ) =>
            {
                Some(format!(
                    "discharge: obligation `{obligation}` is already {:?}",
                    o.record.state
                ))
            }
            Some(_) => None,
        };
        if let Some(what) = refused {
            self.refuse(at, what);
            return std::mem::take(&mut self.out);
        }
        let Some(entry) = self.obligations.get_mut(obligation) else {
            unreachable!("checked above");
        };
        let after_deadline = entry.record.state == ObligationState::Overdue;
        entry.record.state = ObligationState::Discharged;
        self.out.push(Record::Change(Change {
            at,
            kind: ChangeKind::ObligationDischarged {
                obligation: obligation.to_owned(),
                after_deadline,
            },
        }));
        std::mem::take(&mut self.out)
    }

    /// A party's position in an activation's consultation: recorded, never a veto.
    pub fn consult(
        &mut self,
        at: Time,
        activation: &str,
        party: &str,
        position: Position,
    ) -> Vec<Record> {
        self.advance_to(at);
        let found = self
            .activations
            .iter()
            .position(|a| a.record.id == activation);
        let refused = match found.map(|idx| &self.activations[idx]) {
            None => Some(format!("consult: no activation `{activation}`")),
            Some(a) => match &a.record.consultation {
                None => Some(format!("consult: `{activation}` has no consultation")),
                Some(c) if !c.parties.iter().any(|p| p == party) => Some(format!(
                    "consult: {party} is not a party to `{activation}`'s consultation"
                )),
                Some(_) if a.consultation_closed => {
                    Some(format!("consult: `{activation}`'s consultation has closed"))
                }
                Some(_) => None,
            },
        };
        match (refused, found) {
            (None, Some(idx)) => {
                self.activations[idx]
                    .positions
                    .insert(party.to_owned(), position);
                self.out.push(Record::Change(Change {
                    at,
                    kind: ChangeKind::ConsultationPosition {
                        activation: activation.to_owned(),
                        party: party.to_owned(),
                        position,
                    },
                }));
            }
            (Some(what), _) => self.refuse(at, what),
            (None, None) => unreachable!("an unknown activation is refused above"),
        }
        std::mem::take(&mut self.out)
    }

    fn refuse(&mut self, at: Time, what: String) {
        self.out.push(Record::Diagnostic(Diagnostic {
            at,
            incident: None,
            reason: Reason::CommandRefused { what },
        }));
    }

    fn diagnose(&mut self, at: Time, incident: &Incident, reason: Reason) {
        self.out.push(Record::Diagnostic(Diagnostic {
            at,
            incident: Some(incident.id.clone()),
            reason,
        }));
    }

    /// Checks an incident against the pact's time and the watermark; `Some(late)` when usable.
    fn accept_time(&mut self, incident: &Incident) -> Option<bool> {
        let t = incident.time;
        if !incident.confidence.is_finite() || !(0.0..=1.0).contains(&incident.confidence) {
            let what = format!("confidence {} is not in 0..=1", incident.confidence);
            self.diagnose(t, incident, Reason::Malformed { what });
            return None;
        }
        // Further from the pact's start than any pact runs: refused before any
        // arithmetic on it (a first incident near i64::MAX µs would become the
        // watermark, and every deadline from it would overflow).
        if t.unix_us.saturating_sub(self.effective.unix_us) > limits::time_after_effective_max.us {
            let what = format!(
                "time {} µs since 1970 is more than {} days after the pact took effect ({})",
                t.unix_us,
                limits::time_after_effective_max.us / Duration::from_days(1).us,
                self.effective
            );
            self.diagnose(t, incident, Reason::Malformed { what });
            return None;
        }
        if t < self.effective || self.sunset.is_some_and(|s| t >= s) {
            let reason = Reason::OutsidePact {
                from: self.effective,
                until: self.sunset,
            };
            self.diagnose(t, incident, reason);
            return None;
        }
        let Some(watermark) = self.watermark else {
            return Some(false);
        };
        if t > watermark + self.config.future_max {
            let reason = Reason::TooFarInFuture {
                watermark,
                ahead: t - watermark,
            };
            self.diagnose(t, incident, reason);
            return None;
        }
        if t < watermark - self.config.allowed_lateness {
            let reason = Reason::TooLate {
                watermark,
                lateness: watermark - t,
            };
            self.diagnose(t, incident, reason);
            return None;
        }
        Some(t < watermark)
    }

    fn process_one(&mut self, incident: &Incident, admitted: &[Result<bool, String>]) {
        if self.seen.contains(incident.id.as_str()) {
            return;
        }
        let Some(late) = self.accept_time(incident) else {
            return;
        };
        let key: Key = Arc::from(incident.id.as_str());
        self.seen.insert(key.clone());
        self.seen_order.push_back(key.clone());
        if self.seen_order.len() > limits::seen_max
            && let Some(old) = self.seen_order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.advance_to(incident.time);
        for zone in &incident.zones {
            if !self.zone_ids.contains(zone) {
                let reason = Reason::UnknownZone { zone: zone.clone() };
                self.diagnose(incident.time, incident, reason);
            }
        }
        if let Some(site) = &incident.infrastructure
            && !self.site_ids.contains(site)
        {
            let reason = Reason::UnknownInfrastructure {
                infrastructure: site.clone(),
            };
            self.diagnose(incident.time, incident, reason);
            return;
        }
        self.daily.count(incident.time, incident.kind);
        if admitted.iter().any(|a| matches!(a, Ok(true))) {
            self.remember_facts(&key, incident);
        }
        for (indicator_idx, admit) in admitted.iter().enumerate() {
            match admit {
                Ok(true) => self.count(indicator_idx, incident, &key, late),
                Ok(false) => {}
                Err(message) => {
                    let reason = Reason::PredicateFailed {
                        indicator: self.pact.indicators[indicator_idx].id.clone(),
                        message: message.clone(),
                    };
                    self.diagnose(incident.time, incident, reason);
                }
            }
        }
    }

    /// Adds an admitted incident to an indicator's window and acts if it completes it.
    fn count(&mut self, indicator_idx: usize, incident: &Incident, key: &Key, late: bool) {
        let watermark = self.watermark.unwrap_or(incident.time);
        let state = &mut self.indicators[indicator_idx];
        let value = match &state.sum_field {
            None => 1.0,
            Some(field) => match incident.fields.get(field) {
                Some(model::incident::FieldValue::Int(i)) => *i as f64,
                Some(model::incident::FieldValue::Float(f)) if f.is_finite() => *f,
                _ => 0.0,
            },
        };
        let (at_idx, overflowed) = state.window.insert(Entry {
            time: incident.time,
            id: key.clone(),
            value,
        });
        let horizon = watermark - self.config.allowed_lateness;
        // Ends to try: the incident's own time, then (when late) every later
        // entry whose window still holds it; the first end that holds the threshold wins.
        let mut met = None;
        let n_entries = state.window.entries.len();
        for end_idx in at_idx..n_entries {
            let end = state.window.entries[end_idx].time;
            let span = state.window.span_at(end);
            if span.lo > at_idx {
                break;
            }
            let count = (span.hi - span.lo) as u32;
            let sum = state.sum_field.as_ref().map(|_| state.window.sum(span));
            let holds = match (state.count_min, state.sum_min, sum) {
                (Some(n), _, _) => count >= n,
                (None, Some(min), Some(s)) => s >= min,
                _ => false,
            };
            if holds {
                met = Some((span, count, sum));
                break;
            }
            if !late {
                break;
            }
        }
        state.window.evict_before(horizon);
        if overflowed {
            let reason = Reason::WindowOverflow {
                indicator: self.pact.indicators[indicator_idx].id.clone(),
            };
            self.diagnose(incident.time, incident, reason);
        }
        let Some((span, count, sum)) = met else {
            return;
        };
        let at = span.end.min(incident.time.max(span.end));
        let was_holding = self.holds_at(indicator_idx, at);
        self.indicators[indicator_idx].last_met = Some(LastMet {
            at,
            window_start: span.start,
            window_end: span.end,
            count,
            sum,
            watermark,
            late,
            completed_by: key.clone(),
        });
        if !was_holding && let Some(full) = self.materialize(indicator_idx) {
            self.out.push(Record::IndicatorMet(full));
        }
        self.on_met(indicator_idx, at, key, !was_holding);
    }

    /// The last met record of an indicator with the incidents of its window
    /// (the latest `limits::activation_incidents_max`, oldest first).
    fn materialize(&self, indicator_idx: usize) -> Option<IndicatorMet> {
        let state = &self.indicators[indicator_idx];
        let last = state.last_met.as_ref()?;
        let span = state.window.span_at(last.window_end);
        let lo = span
            .lo
            .max(span.hi.saturating_sub(limits::activation_incidents_max));
        Some(IndicatorMet {
            indicator: self.pact.indicators[indicator_idx].id.clone(),
            at: last.at,
            window_start: last.window_start,
            window_end: last.window_end,
            count: last.count,
            sum: last.sum,
            watermark: last.watermark,
            late: last.late,
            incidents: state
                .window
                .entries
                .range(lo..span.hi)
                .map(|e| IncidentId::new(&*e.id))
                .collect(),
            completed_by: IncidentId::new(&*last.completed_by),
        })
    }

    /// Whether an indicator holds at `t`: it was met within its window before `t`.
    fn holds_at(&self, indicator_idx: usize, t: Time) -> bool {
        let within = self.pact.indicators[indicator_idx].threshold.within;
        self.indicators[indicator_idx]
            .last_met
            .as_ref()
            .is_some_and(|m| m.at <= t && t - m.at < within)
    }

    fn trigger_holds(&self, trigger: &Cond, t: Time) -> bool {
        match trigger {
            Cond::Indicator(idx) => idx.is_some_and(|idx| self.holds_at(idx, t)),
            Cond::Any(any) => any.iter().any(|x| self.trigger_holds(x, t)),
            Cond::All(all) => all.iter().all(|x| self.trigger_holds(x, t)),
            Cond::Not(not) => !self.trigger_holds(not, t),
        }
    }

    /// The met records behind a trigger that holds (indicators under `not` excluded).
    fn met_behind(&self, rung: usize, t: Time) -> Vec<IndicatorMet> {
        self.rungs[rung]
            .trigger_indicators
            .iter()
            .filter(|&&i| self.holds_at(i, t))
            .filter_map(|&i| self.materialize(i))
            .collect()
    }

    /// `fresh`: the indicator did not hold just before (it is met anew, not kept met).
    fn on_met(&mut self, indicator_idx: usize, at: Time, completed_by: &Key, fresh: bool) {
        for i in 0..self.indicators[indicator_idx].rungs.len() {
            let (rung, in_trigger, in_condition) = self.indicators[indicator_idx].rungs[i];
            if in_trigger && self.trigger_holds(&self.rungs[rung].trigger, at) {
                self.rung_triggered(rung, at, completed_by, fresh);
            }
            if in_condition {
                self.check_condition(rung, at);
            }
        }
    }

    fn rung_triggered(&mut self, rung: usize, at: Time, completed_by: &Key, fresh: bool) {
        if let Some(open) = self.rungs[rung].open {
            // The incident that completed the indicator is the recurrence: the
            // rest of the window was seen before.
            self.recurred(open, at, completed_by, fresh);
            return;
        }
        if self.rungs[rung].pending_decision {
            return;
        }
        let met = self.met_behind(rung, at);
        let incidents: BTreeSet<IncidentId> = met
            .iter()
            .flat_map(|m| m.incidents.iter().cloned())
            .collect();
        let state = &self.rungs[rung];
        if incidents.iter().all(|id| state.used.contains(id.as_str())) {
            // The same incidents never activate the same rung twice.
            return;
        }
        let response = &self.pact.ladder[rung];
        if let Some(from) = self.phase_start(response)
            && at < from
        {
            let what = format!(
                "rung `{}` held at {at} but is in force only from {from} (phase `{}`)",
                response.id,
                response.from_phase.as_deref().unwrap_or("")
            );
            self.refuse(at, what);
            self.remember_used(rung, incidents.iter());
            return;
        }
        match self.pact.activation.mode {
            ActivationMode::Automatic => {
                self.activate(rung, at, at, ActivationCause::Trigger, None, met);
            }
            ActivationMode::Consultation => {
                let decides_at = at
                    + self
                        .pact
                        .activation
                        .decision_delay
                        .unwrap_or(Duration::ZERO);
                self.rungs[rung].pending_decision = true;
                self.out.push(Record::Change(Change {
                    at,
                    kind: ChangeKind::DecisionPending {
                        response: response.id.clone(),
                        decides_at,
                        unanimity: self.pact.activation.unanimity,
                    },
                }));
                self.schedule(
                    decides_at,
                    Timer::Decide {
                        rung,
                        met,
                        trigger_at: at,
                    },
                );
            }
        }
    }

    fn phase_start(&self, response: &Response) -> Option<Time> {
        let phase = response.from_phase.as_ref()?;
        let milestone = self.pact.milestones.iter().find(|m| &m.id == phase)?;
        Some(self.effective + milestone.from)
    }

    /// The trigger held again while the rung was active. Every recurrence keeps
    /// the activation from standing down and may escalate it; a `Recurred` record
    /// is written only when the indicator is met anew (it had stopped holding), as
    /// `IndicatorMet` is: while it keeps holding, each further incident extends it
    /// silently. (One record per incident was most of the engine's output and
    /// time on a busy night, and said nothing the incidents themselves do not.)
    fn recurred(&mut self, open: usize, at: Time, incident: &Key, fresh: bool) {
        let activation = &mut self.activations[open];
        if activation
            .last_recurrence
            .as_ref()
            .is_some_and(|k| Arc::ptr_eq(k, incident))
            || activation.incidents.contains(incident)
        {
            return;
        }
        activation.last_recurrence = Some(incident.clone());
        activation.last_held = activation.last_held.max(at);
        let rung = activation.rung;
        let due = self.pact.ladder[rung]
            .escalation
            .as_ref()
            .is_some_and(|e| at >= self.activations[open].record.at + e.after);
        if due && !self.activations[open].escalated {
            self.escalate(open, at, ActivationCause::EscalationRecurrence);
        } else if fresh {
            self.out.push(Record::Change(Change {
                at,
                kind: ChangeKind::Recurred {
                    activation: self.activations[open].record.id.clone(),
                    incidents: vec![IncidentId::new(&**incident)],
                },
            }));
        }
    }

    fn check_condition(&mut self, rung: usize, at: Time) {
        let Some(open) = self.rungs[rung].open else {
            return;
        };
        let Some(when) = &self.rungs[rung].condition else {
            return;
        };
        if !self.activations[open].escalated && self.trigger_holds(when, at) {
            self.escalate(open, at, ActivationCause::EscalationCondition);
        }
    }

    fn escalate(&mut self, open: usize, at: Time, cause: ActivationCause) {
        let rung = self.activations[open].rung;
        let Some(to) = self.pact.ladder[rung]
            .escalation
            .as_ref()
            .map(|e| e.to.clone())
        else {
            return;
        };
        let Some(target) = self.pact.ladder.iter().position(|r| r.id == to) else {
            return;
        };
        self.activations[open].escalated = true;
        let from_id = self.activations[open].record.id.clone();
        self.out.push(Record::Change(Change {
            at,
            kind: ChangeKind::Escalated {
                activation: from_id.clone(),
                to: to.clone(),
                cause,
            },
        }));
        if self.rungs[target].open.is_some() {
            return;
        }
        if let Some(from) = self.phase_start(&self.pact.ladder[target])
            && at < from
        {
            let what =
                format!("escalation to `{to}` at {at}: the rung is in force only from {from}");
            self.refuse(at, what);
            return;
        }
        let met = self.activations[open].record.indicators.clone();
        self.activate(target, at, at, cause, Some(from_id), met);
    }

    fn activate(
        &mut self,
        rung: usize,
        trigger_at: Time,
        at: Time,
        cause: ActivationCause,
        escalated_from: Option<String>,
        met: Vec<IndicatorMet>,
    ) {
        let response = self.pact.ladder[rung].clone();
        let state = &mut self.rungs[rung];
        state.n_activations += 1;
        let id = format!("{}/{}/{}", self.pact.id, response.id, state.n_activations);
        let incidents: BTreeSet<IncidentId> = met
            .iter()
            .flat_map(|m| m.incidents.iter().cloned())
            .collect();
        let deadline = at + response.deadline;
        let consultation = response.consultation.as_ref().map(|c| ConsultationOpened {
            parties: c.parties.clone(),
            closes_at: at + c.window,
            purpose: "coordinate".to_owned(),
        });
        let activation_idx = self.activations.len();
        let mut obligations = Vec::new();
        let mut records = Vec::new();
        for (measure_idx, measure) in response.measures.iter().enumerate() {
            let obligation_id = format!("{id}/{measure_idx}");
            let check = checks::Check {
                response: &response,
                measure,
                incidents: &incidents,
                config: &self.config,
            };
            if let Some(reason) = check.breach(&self.geometry, &self.facts) {
                records.push(Record::MeasureFlagged(crate::record::MeasureFlagged {
                    activation: id.clone(),
                    measure_idx: measure_idx as u32,
                    party: measure.party.clone(),
                    at,
                    reason,
                }));
                continue;
            }
            let obligation = Obligation {
                id: obligation_id.clone(),
                activation: id.clone(),
                party: measure.party.clone(),
                kind: format!("{:?}", measure.kind).to_lowercase(),
                action: measure.action.clone(),
                assets: measure
                    .assets
                    .iter()
                    .map(|a| (a.asset.clone(), a.quantity))
                    .collect(),
                zones: measure.zones.clone(),
                created_at: at,
                deadline,
                state: ObligationState::Created,
                substitution: None,
            };
            records.push(Record::Obligation(obligation.clone()));
            obligations.push(obligation_id.clone());
            self.obligations.insert(
                obligation_id.clone(),
                ObligationEntry {
                    record: obligation,
                    rung,
                    activation: activation_idx,
                },
            );
            self.schedule(
                deadline,
                Timer::Deadline {
                    obligation: obligation_id,
                },
            );
        }
        let late = met.iter().any(|m| m.late);
        let record = Activation {
            id,
            pact: self.pact.id.clone(),
            response: response.id.clone(),
            rung: response.rung,
            cause,
            escalated_from,
            rule_hash: self.rungs[rung].rule_hash.clone(),
            trigger_at,
            at,
            deadline,
            watermark: self.watermark.unwrap_or(at),
            indicators: met,
            incidents: incidents.iter().cloned().collect(),
            late,
            obligations,
            consultation,
        };
        if let Some(c) = &record.consultation {
            self.schedule(
                c.closes_at,
                Timer::ConsultationClose {
                    activation: activation_idx,
                },
            );
        }
        let stand_down = self.stand_down_after(rung);
        self.schedule(
            at + stand_down,
            Timer::StandDown {
                activation: activation_idx,
            },
        );
        self.remember_used(rung, incidents.iter());
        self.rungs[rung].open = Some(activation_idx);
        self.out.push(Record::Activation(record.clone()));
        self.out.extend(records);
        self.activations.push(OpenActivation {
            record,
            rung,
            last_held: at,
            escalated: false,
            closed: false,
            positions: BTreeMap::new(),
            consultation_closed: false,
            incidents: incidents.iter().map(|id| Key::from(id.as_str())).collect(),
            last_recurrence: None,
        });
        self.bound_state();
    }

    fn remember_facts(&mut self, key: &Key, incident: &Incident) {
        let facts = checks::Facts::of(incident);
        if self.facts.insert(key.clone(), facts).is_none() {
            self.facts_order.push_back(key.clone());
        }
        if self.facts_order.len() > limits::facts_max
            && let Some(old) = self.facts_order.pop_front()
        {
            self.facts.remove(&old);
        }
    }

    fn stand_down_after(&self, rung: usize) -> Duration {
        self.config.stand_down_after.unwrap_or_else(|| {
            self.pact.ladder[rung]
                .escalation
                .as_ref()
                .map_or(Duration::from_hours(24), |e| e.after + e.after)
        })
    }

    fn remember_used<'a>(&mut self, rung: usize, ids: impl Iterator<Item = &'a IncidentId>) {
        let state = &mut self.rungs[rung];
        for id in ids {
            if !state.used.contains(id.as_str()) {
                let key = Key::from(id.as_str());
                state.used.insert(key.clone());
                state.used_order.push_back(key);
            }
            if state.used_order.len() > limits::used_incidents_max
                && let Some(old) = state.used_order.pop_front()
            {
                state.used.remove(&old);
            }
        }
    }

    /// Keeps obligations bounded: finished ones are dropped first, oldest first.
    fn bound_state(&mut self) {
        while self.obligations.len() > limits::obligations_max {
            let finished = self
                .obligations
                .iter()
                .find(|(_, o)| {
                    matches!(
                        o.record.state,
                        ObligationState::Discharged | ObligationState::Cancelled
                    )
                })
                .map(|(k, _)| k.clone());
            match finished.or_else(|| self.obligations.keys().next().cloned()) {
                Some(k) => {
                    self.obligations.remove(&k);
                }
                None => break,
            }
        }
        let n_open = self.activations.iter().filter(|a| !a.closed).count();
        debug_assert!(n_open <= self.rungs.len());
        if self.activations.len() > limits::activations_open_max {
            // Closed activations keep only their record (sent already); shed their sets.
            for a in self.activations.iter_mut().filter(|a| a.closed) {
                a.incidents = FastSet::default();
            }
        }
    }

    fn schedule(&mut self, at: Time, timer: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), timer);
    }

    fn schedule_reviews(&mut self) {
        for review_idx in 0..self.pact.reviews.len() {
            let review = &self.pact.reviews[review_idx].review;
            let sunset = review.sunset;
            if let Some(every) = review.every
                && every > Duration::ZERO
            {
                self.schedule(self.effective + every, Timer::Review { review: review_idx });
            }
            if let Some(sunset) = sunset {
                self.schedule(sunset, Timer::Sunset { review: review_idx });
            }
        }
    }

    fn advance_to(&mut self, to: Time) {
        if self.watermark.is_some_and(|w| w >= to) {
            return;
        }
        while let Some(entry) = self.timers.first_entry() {
            let (due, _) = *entry.key();
            if due > to {
                break;
            }
            let timer = entry.remove();
            self.watermark = Some(self.watermark.map_or(due, |w| w.max(due)));
            self.fire(due, timer);
        }
        self.watermark = Some(to);
    }

    fn fire(&mut self, at: Time, timer: Timer) {
        match timer {
            Timer::Deadline { obligation } => self.deadline(at, &obligation),
            Timer::ConsultationClose { activation } => self.close_consultation(at, activation),
            Timer::Decide {
                rung,
                met,
                trigger_at,
            } => {
                self.rungs[rung].pending_decision = false;
                if self.rungs[rung].open.is_none() {
                    self.activate(rung, trigger_at, at, ActivationCause::Trigger, None, met);
                }
            }
            Timer::StandDown { activation } => self.stand_down(at, activation),
            Timer::Review { review } => {
                let outcome = hold_review(
                    &self.pact.reviews[review],
                    at,
                    &self.daily,
                    self.n_activations_since(at),
                );
                match outcome {
                    Ok(record) => self.out.push(Record::Review(record)),
                    Err(message) => self.out.push(Record::Diagnostic(Diagnostic {
                        at,
                        incident: None,
                        reason: Reason::ReviewFailed {
                            review: self.pact.reviews[review].review.id.clone(),
                            message,
                        },
                    })),
                }
                if let Some(every) = self.pact.reviews[review].review.every
                    && self.sunset.is_none_or(|s| at + every < s)
                {
                    self.schedule(at + every, Timer::Review { review });
                }
            }
            Timer::Sunset { review } => {
                self.out.push(Record::Review(crate::record::ReviewOutcome {
                    review: self.pact.reviews[review].review.id.clone(),
                    at,
                    what: "sunset".to_owned(),
                    metrics: Vec::new(),
                    actions: Vec::new(),
                }));
            }
        }
    }

    fn n_activations_since(&self, at: Time) -> u64 {
        let from = at - Duration::from_days(90);
        self.activations
            .iter()
            .filter(|a| a.record.at > from && a.record.at <= at)
            .count() as u64
    }

    fn deadline(&mut self, at: Time, obligation: &str) {
        let Some(entry) = self.obligations.get_mut(obligation) else {
            return;
        };
        if !matches!(
            entry.record.state,
            ObligationState::Created | ObligationState::Acknowledged
        ) {
            return;
        }
        entry.record.state = ObligationState::Overdue;
        let deadline = entry.record.deadline;
        let activation = entry.activation;
        let rung = entry.rung;
        self.out.push(Record::Change(Change {
            at,
            kind: ChangeKind::ObligationOverdue {
                obligation: obligation.to_owned(),
                deadline,
            },
        }));
        let open = self.rungs[rung].open == Some(activation);
        if open && !self.activations[activation].escalated {
            self.escalate(activation, at, ActivationCause::EscalationOverdue);
        }
    }

    fn close_consultation(&mut self, at: Time, activation: usize) {
        let a = &mut self.activations[activation];
        a.consultation_closed = true;
        let Some(c) = &a.record.consultation else {
            return;
        };
        let pick = |want: Position| -> Vec<String> {
            c.parties
                .iter()
                .filter(|p| a.positions.get(*p) == Some(&want))
                .cloned()
                .collect()
        };
        let agreed = pick(Position::Agree);
        let objected = pick(Position::Object);
        let silent = c
            .parties
            .iter()
            .filter(|p| !a.positions.contains_key(*p))
            .cloned()
            .collect();
        self.out.push(Record::Change(Change {
            at,
            kind: ChangeKind::ConsultationClosed {
                activation: a.record.id.clone(),
                agreed,
                objected,
                silent,
            },
        }));
    }

    fn stand_down(&mut self, at: Time, activation: usize) {
        let rung = self.activations[activation].rung;
        let quiet_for = self.stand_down_after(rung);
        let last_held = self.activations[activation].last_held;
        if last_held + quiet_for > at {
            self.schedule(last_held + quiet_for, Timer::StandDown { activation });
            return;
        }
        let a = &mut self.activations[activation];
        a.closed = true;
        let id = a.record.id.clone();
        if self.rungs[rung].open == Some(activation) {
            self.rungs[rung].open = None;
        }
        self.out.push(Record::Change(Change {
            at,
            kind: ChangeKind::Expired {
                activation: id.clone(),
                quiet_since: last_held,
            },
        }));
        let open: Vec<String> = self
            .obligations
            .iter()
            .filter(|(_, o)| {
                o.activation == activation
                    && matches!(
                        o.record.state,
                        ObligationState::Created | ObligationState::Acknowledged
                    )
            })
            .map(|(k, _)| k.clone())
            .collect();
        for obligation in open {
            if let Some(o) = self.obligations.get_mut(&obligation) {
                o.record.state = ObligationState::Cancelled;
            }
            self.out.push(Record::Change(Change {
                at,
                kind: ChangeKind::ObligationCancelled { obligation },
            }));
        }
    }
}

/// Calls `f` with every indicator id a trigger names.
fn named(trigger: &Trigger, f: &mut dyn FnMut(&str)) {
    match trigger {
        Trigger::Indicator(id) => f(id),
        Trigger::Any { any } => any.iter().for_each(|t| named(t, f)),
        Trigger::All { all } => all.iter().for_each(|t| named(t, f)),
        Trigger::Not { not } => named(not, f),
    }
}

/// SHA-256 over the rule as written: the response and every indicator its
/// trigger names (kind, predicate, threshold, confidence, zones).
fn rule_hash(pact: &CompiledPact, response: &Response) -> String {
    let mut text = serde_json::to_string(response).unwrap_or_default();
    let mut ids = Vec::new();
    named(&response.trigger, &mut |id| ids.push(id.to_owned()));
    for indicator in pact.indicators.iter().filter(|i| ids.contains(&i.id)) {
        let threshold = serde_json::to_string(&indicator.threshold).unwrap_or_default();
        text.push_str(&format!(
            "\n{}|{}|{}|{}|{}|{}",
            indicator.id,
            indicator.incident.as_str(),
            indicator.predicate.as_ref().map_or("", |p| p.source()),
            threshold,
            indicator.min_confidence,
            indicator.zones.join(",")
        ));
    }
    Digest::of(text.as_bytes()).to_hex()
}
