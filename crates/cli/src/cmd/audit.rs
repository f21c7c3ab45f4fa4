//! `guarantor audit LOG`: more than `verify`. After verifying the log from its files, it
//! re-runs the triggers engine on the inputs the log holds (the pact, by digest, checked
//! against the text given; the engine's settings; the incidents; the parties' acts; the
//! advances of event time) and checks that every decision the log holds (activations,
//! obligations, flagged measures, changes such as acknowledgements, overdue obligations,
//! escalations and expiries, and reviews) is derived again, byte for byte, and that none is
//! missing. Every party act (acknowledgement, discharge, delivery) is checked against its
//! party's verifier key from `--party-keys` (the server's `--access` file, or one verifier
//! key per line); an act whose signature fails is reported and not applied. Exit 0 all
//! derived again, 1 a verification failure or a mismatch, 2 unreadable input.
//!
//! The pact's digest is defined here ([`pact_digest`]); the triggers stage's entries
//! (engine settings, incidents, advances, decisions) are `triggers::entries`, which the
//! demo, the server and this auditor share; the ledger itself never interprets entries.
//!
//! The pact text is not logged, only its digest: a pact's files (its TOML and the GeoJSON
//! it names, about 200 KB for the bundled one) are the published treaty text every party
//! holds anyway, and an auditor must hold the text it trusts, not the one the log offers.
//! Raw feed chunks are logged only by digest, so audit re-runs the triggers from the logged
//! incidents; it cannot re-derive the incidents themselves from the sensors' bytes.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use ledger::{Entry, LedgerError, LoggedEntry, PartyAction, TrustedKeys, VerifierKey};
use model::{Digest, Incident, Time};
use pact::CompiledPact;
use serde::Serialize;
use serde_json::Value;
use triggers::{Config, Engine, Record};

pub use triggers::entries::{
    ENGINE, EngineSettings, advance_entry, decision_entry, incident_entry,
};

/// How many differing fields a mismatch lists.
const DIFFS_MAX: usize = 6;

/// `guarantor audit`: re-derive every logged decision from the logged inputs.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    trusted: super::ledger::TrustedLog,
    /// The pact's TOML file (the GeoJSON it names read relative to it); its digest must be
    /// the logged pact version's. Default: the pact bundled with `guarantor demo`.
    #[arg(long)]
    pact: Option<PathBuf>,
    /// The parties' verifier keys, to check each act's signature: the server's `--access`
    /// JSON (each principal's `verifier_key`), or one `name+hash+base64` key per line (`#`
    /// comments). Without it, acts are applied but reported as unverified.
    #[arg(long = "party-keys")]
    party_keys: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let keys = args.trusted.keys()?;
    let log = &args.trusted.log;
    let (pact, digest, name) = match &args.pact {
        Some(path) => {
            let (pact, digest) = load_pact(path)?;
            (pact, digest, format!("--pact {}", path.display()))
        }
        None => {
            let (pact, digest) = super::demo::bundled_pact_with_digest()?;
            (pact, digest, "the bundled pact".to_owned())
        }
    };
    let party_keys = match &args.party_keys {
        Some(path) => PartyKeys::read(path)?,
        None => PartyKeys::default(),
    };
    let audit = match audit_log(log, &keys, &pact, digest, &party_keys) {
        Ok(audit) => audit,
        Err(AuditError::Unreadable(e)) => return Err(e),
        Err(AuditError::Verify(e)) => {
            eprintln!("guarantor: verification failed: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    print!("{}", audit.render(log, &name));
    Ok(if audit.mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Why an audit could not run to its verdict.
#[derive(Debug)]
pub enum AuditError {
    /// The log failed `verify` (exit 1).
    Verify(LedgerError),
    /// A file could not be read, or the log holds nothing to audit against (exit 2).
    Unreadable(anyhow::Error),
}

/// What differed: the entry (by index) or, for a decision the log lacks, none.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub index: Option<u64>,
    pub what: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "entry {i}: {}", self.what),
            None => write!(f, "not in the log: {}", self.what),
        }
    }
}

/// An audit's findings and counts.
#[derive(Debug, Clone)]
pub struct Audit {
    pub size: u64,
    pub root: String,
    pub pact: String,
    pub incidents_n: usize,
    pub acts_n: usize,
    /// Party acts (deliveries too) whose signature was checked and holds.
    pub signed_n: usize,
    pub advances_n: usize,
    pub logged_n: usize,
    pub derived_n: usize,
    pub mismatches: Vec<Mismatch>,
}

impl Audit {
    pub fn render(&self, log: &Path, pact_name: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: checkpoint of size {} root {} verified; pact `{}` is {pact_name}'s text",
            log.display(),
            self.size,
            self.root,
            self.pact
        );
        let _ = writeln!(
            out,
            "re-ran the triggers engine on {} incidents, {} party acts, {} advances: {} decisions \
             derived, {} logged; {} party signatures verified",
            self.incidents_n,
            self.acts_n,
            self.advances_n,
            self.derived_n,
            self.logged_n,
            self.signed_n
        );
        for m in &self.mismatches {
            let _ = writeln!(out, "  {m}");
        }
        if self.mismatches.is_empty() {
            let _ = writeln!(out, "every logged decision derived again, byte for byte");
        } else {
            let _ = writeln!(out, "{} mismatch(es)", self.mismatches.len());
        }
        out
    }
}

/// Verifies the log under `root`, then re-derives its decisions with `pact` (whose digest
/// must be the logged pact version's), checking each party act against `party_keys`.
pub fn audit_log(
    root: &Path,
    keys: &TrustedKeys,
    pact: &CompiledPact,
    pact_digest: Digest,
    party_keys: &PartyKeys,
) -> Result<Audit, AuditError> {
    let verified = ledger::verify_log(
        root,
        keys,
        ledger::VerifyOptions {
            check_entries: true,
        },
    )
    .map_err(verify_error)?;
    let entries = ledger::read_entries(root, &verified.checkpoint).map_err(verify_error)?;
    let mut audit = Audit {
        size: verified.checkpoint.size(),
        root: verified.checkpoint.root().to_string(),
        pact: pact.id.clone(),
        incidents_n: 0,
        acts_n: 0,
        signed_n: 0,
        advances_n: 0,
        logged_n: 0,
        derived_n: 0,
        mismatches: Vec::new(),
    };
    replay(&entries, pact, pact_digest, party_keys, &mut audit).map_err(AuditError::Unreadable)?;
    Ok(audit)
}

fn verify_error(e: LedgerError) -> AuditError {
    match e {
        // The message already names the file and the OS error; no chain to repeat it.
        LedgerError::Io { .. } => AuditError::Unreadable(anyhow!("{e}")),
        e => AuditError::Verify(e),
    }
}

/// Feeds the logged inputs through the engine in log order and compares the decisions.
fn replay(
    entries: &[LoggedEntry],
    pact: &CompiledPact,
    pact_digest: Digest,
    party_keys: &PartyKeys,
    audit: &mut Audit,
) -> Result<()> {
    let versions: Vec<&LoggedEntry> = entries
        .iter()
        .filter(|e| matches!(e.entry, Entry::PactVersion { .. }))
        .collect();
    let [version] = versions.as_slice() else {
        bail!(
            "the log holds {} pact_version entries; audit re-runs a log of one pact version",
            versions.len()
        );
    };
    if let Entry::PactVersion {
        pact: id, digest, ..
    } = &version.entry
        && *digest != pact_digest
    {
        audit.mismatches.push(Mismatch {
            index: Some(version.index),
            what: format!(
                "pact_version `{id}` has digest {digest}, but the pact given hashes to \
                 {pact_digest}: not the text in force, so nothing is re-run"
            ),
        });
        return Ok(());
    }
    let mut settings: Option<(u64, Config)> = None;
    let mut engine: Option<Engine> = None;
    let mut batch: Vec<Incident> = Vec::new();
    let mut derived: Vec<Record> = Vec::new();
    let mut logged: Vec<&LoggedEntry> = Vec::new();
    for e in entries {
        let is_input = matches!(
            e.entry,
            Entry::Incident { .. }
                | Entry::Acknowledgement(_)
                | Entry::Discharge(_)
                | Entry::Advance { .. }
        );
        if is_input && engine.is_none() {
            let config = settings
                .as_ref()
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            engine = Some(Engine::new(pact.clone(), config));
        }
        if !matches!(e.entry, Entry::Incident { .. }) && !batch.is_empty() {
            if let Some(engine) = engine.as_mut() {
                derived.extend(engine.process(&batch));
            }
            batch.clear();
        }
        // A party act must carry its party's signature; a forged one is reported and not
        // applied (it is not the party's act), so what follows from it is not derived.
        if let Entry::Acknowledgement(a) | Entry::Discharge(a) | Entry::Delivery(a) = &e.entry {
            match party_keys.check(&e.entry, a) {
                Signed::Verified => audit.signed_n += 1,
                Signed::NoKey => audit.mismatches.push(Mismatch {
                    index: Some(e.index),
                    what: format!(
                        "{} of {} by {}: no verifier key given for {} (--party-keys): the \
                         signature is unchecked",
                        e.entry.type_name(),
                        a.obligation,
                        a.party,
                        a.key
                    ),
                }),
                Signed::Failed(err) => {
                    audit.mismatches.push(Mismatch {
                        index: Some(e.index),
                        what: format!("{err}: not applied"),
                    });
                    continue;
                }
            }
        }
        match (&e.entry, engine.as_mut()) {
            (
                Entry::EngineConfig {
                    engine: name,
                    config,
                    ..
                },
                _,
            ) if name == ENGINE => {
                if engine.is_some() || settings.is_some() {
                    bail!(
                        "entry {}: a second engine_config, or one after the first input; audit \
                         re-runs one engine from its start",
                        e.index
                    );
                }
                let parsed = EngineSettings::from_value(config)
                    .and_then(|s| s.config())
                    .with_context(|| format!("entry {}: engine_config", e.index))?;
                settings = Some((e.index, parsed));
            }
            (Entry::Incident { incident, body, .. }, Some(_)) => {
                audit.incidents_n += 1;
                match serde_json::from_value::<Incident>(body.clone()) {
                    Ok(decoded) => {
                        // Bytes, not values: `1.0` and `1` are one canonical number.
                        let again = incident_entry(&decoded)?;
                        if again.to_canonical_json()? != e.entry.to_canonical_json()? {
                            audit.mismatches.push(Mismatch {
                                index: Some(e.index),
                                what: format!(
                                    "incident {incident}: the record does not re-encode to the \
                                     logged entry (id or evidence digest): {}",
                                    differences(&e.entry, &again)?
                                ),
                            });
                        }
                        batch.push(decoded);
                    }
                    Err(err) => audit.mismatches.push(Mismatch {
                        index: Some(e.index),
                        what: format!("incident {incident}: the body is not an incident: {err}"),
                    }),
                }
            }
            (Entry::Acknowledgement(a), Some(engine)) => {
                audit.acts_n += 1;
                let at = act_time(&a.body, engine);
                let substitute = a.body.get("substitute").and_then(Value::as_str);
                derived.extend(engine.acknowledge(at, &a.obligation, &a.party, substitute));
            }
            (Entry::Discharge(a), Some(engine)) => {
                audit.acts_n += 1;
                let at = act_time(&a.body, engine);
                derived.extend(engine.discharge(at, &a.obligation, &a.party));
            }
            (Entry::Advance { to_us, .. }, Some(engine)) => {
                audit.advances_n += 1;
                derived.extend(engine.advance(Time::from_unix_us(*to_us)));
            }
            (
                Entry::Activation { .. }
                | Entry::Obligation { .. }
                | Entry::MeasureFlagged { .. }
                | Entry::Change { .. }
                | Entry::Review { .. },
                _,
            ) => logged.push(e),
            _ => {}
        }
    }
    if let Some(engine) = engine.as_mut()
        && !batch.is_empty()
    {
        derived.extend(engine.process(&batch));
    }
    let derived: Vec<Entry> = derived
        .iter()
        .filter_map(|r| decision_entry(r).transpose())
        .collect::<Result<_, _>>()?;
    audit.logged_n = logged.len();
    audit.derived_n = derived.len();
    compare(&logged, &derived, &mut audit.mismatches)
}

/// An act's event time: `at_us` in its body, else the watermark when it was logged (the
/// server applies an act at the engine's watermark).
fn act_time(body: &Value, engine: &Engine) -> Time {
    body.get("at_us")
        .and_then(Value::as_i64)
        .map(Time::from_unix_us)
        .or(engine.watermark())
        .unwrap_or(Time::UNIX_EPOCH)
}

/// The decision's type and what it is about: what a logged and a derived decision are
/// matched by. Several decisions can share one (an activation recurring twice); they are
/// matched in the order derived.
fn decision_key(entry: &Entry) -> (&'static str, String) {
    let id = match entry {
        Entry::Activation { activation, .. } => activation.clone(),
        Entry::Obligation { obligation, .. } => obligation.clone(),
        Entry::MeasureFlagged {
            activation,
            measure_idx,
            party,
            ..
        } => format!("{activation}/{measure_idx} of {party}"),
        Entry::Change {
            change, subject, ..
        } => format!("{change} of {subject}"),
        Entry::Review { review, .. } => review.clone(),
        _ => String::new(),
    };
    (entry.type_name(), id)
}

fn compare(logged: &[&LoggedEntry], derived: &[Entry], out: &mut Vec<Mismatch>) -> Result<()> {
    let mut by_key: HashMap<(&str, String), VecDeque<usize>> =
        HashMap::with_capacity(derived.len());
    for (i, d) in derived.iter().enumerate() {
        by_key.entry(decision_key(d)).or_default().push_back(i);
    }
    let derived_bytes: Vec<Vec<u8>> = derived
        .iter()
        .map(|d| Ok(d.to_log_bytes()?.0))
        .collect::<Result<_>>()?;
    let mut matched = vec![false; derived.len()];
    let mut last_position: Option<usize> = None;
    for e in logged {
        let key = decision_key(&e.entry);
        let name = format!("{} {}", key.0, key.1);
        let Some(queue) = by_key.get_mut(&key) else {
            out.push(Mismatch {
                index: Some(e.index),
                what: format!("{name} is logged but not derived from the logged inputs"),
            });
            continue;
        };
        // Among those sharing the key, the one with the very bytes, else the first left (a
        // review held quarterly is one key; dropping one must not shift the rest).
        let exact = queue.iter().position(|&i| derived_bytes[i] == e.logged);
        let Some(i) = exact
            .and_then(|p| queue.remove(p))
            .or_else(|| queue.pop_front())
        else {
            out.push(Mismatch {
                index: Some(e.index),
                what: format!("{name} is logged more often than it is derived"),
            });
            continue;
        };
        matched[i] = true;
        if derived_bytes[i] != e.logged {
            out.push(Mismatch {
                index: Some(e.index),
                what: format!(
                    "{name} differs from the one derived: {}",
                    differences(&e.entry, &derived[i])?
                ),
            });
        } else if last_position.is_some_and(|p| i < p) {
            out.push(Mismatch {
                index: Some(e.index),
                what: format!("{name} is logged out of the order the engine derives it in"),
            });
        }
        last_position = Some(last_position.map_or(i, |p| p.max(i)));
    }
    for (d, _) in derived.iter().zip(&matched).filter(|(_, m)| !**m) {
        let (kind, id) = decision_key(d);
        let at = match d {
            Entry::Activation { reason, .. } => reason.get("at").cloned(),
            Entry::Obligation { body, .. } => body.get("deadline").cloned(),
            Entry::MeasureFlagged { body, .. }
            | Entry::Change { body, .. }
            | Entry::Review { body, .. } => body.get("at").cloned(),
            _ => None,
        };
        out.push(Mismatch {
            index: None,
            what: format!(
                "{kind} {id} is derived from the logged inputs{}",
                at.map(|t| format!(" (at {t})")).unwrap_or_default()
            ),
        });
    }
    Ok(())
}

/// The fields in which two entries differ, as `path: logged X, derived Y`.
fn differences(logged: &Entry, derived: &Entry) -> Result<String> {
    let a: Value = serde_json::from_slice(&logged.to_canonical_json()?)?;
    let b: Value = serde_json::from_slice(&derived.to_canonical_json()?)?;
    let mut found = Vec::new();
    diff_values("", &a, &b, &mut found);
    if found.is_empty() {
        // Same values, different bytes: only the encoding differs.
        return Ok("the same fields encoded differently".to_owned());
    }
    let more = found.len().saturating_sub(DIFFS_MAX);
    found.truncate(DIFFS_MAX);
    let mut text = found.join("; ");
    if more > 0 {
        let _ = write!(text, "; and {more} more");
    }
    Ok(text)
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if out.len() > DIFFS_MAX * 4 {
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => diff_values(&join(k), p, q, out),
                    (p, q) => out.push(describe(&join(k), p, q)),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff_values(&format!("{path}[{i}]"), p, q, out);
            }
        }
        (Value::Array(x), Value::Array(y)) => out.push(format!(
            "{path}: logged {} items, derived {}: logged {}, derived {}",
            x.len(),
            y.len(),
            short(a),
            short(b)
        )),
        _ if a != b => out.push(describe(path, Some(a), Some(b))),
        _ => {}
    }
}

fn describe(path: &str, a: Option<&Value>, b: Option<&Value>) -> String {
    let show = |v: Option<&Value>| v.map_or("nothing".to_owned(), short);
    format!("{path}: logged {}, derived {}", show(a), show(b))
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= 80 {
        text
    } else {
        format!("{}…", text.chars().take(77).collect::<String>())
    }
}

// ---- the entries as the demo writes them: one definition for writer and auditor ----

/// The digest of a pact version: SHA-256 of the JSON `{"files":{PATH:SHA256,...},
/// "pact":SHA256}` (keys sorted, no spaces: RFC 8785) over the pact's TOML and every file it
/// names, paths relative to the pact's directory. The TOML's own name does not count.
pub fn pact_digest(files: &dyn pact::Files, pact_path: &str) -> Result<(pact::Checked, Digest)> {
    let recording = Recording {
        inner: files,
        read: RefCell::new(BTreeMap::new()),
    };
    let checked = pact::check(&recording, pact_path)?;
    let dir = pact_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut read = recording.read.into_inner();
    let toml = read
        .remove(pact_path)
        .ok_or_else(|| anyhow!("{pact_path}: the pact was not read"))?;
    #[derive(Serialize)]
    struct Version {
        files: BTreeMap<String, String>,
        pact: String,
    }
    let files = read
        .into_iter()
        .map(|(path, bytes)| {
            let relative = match path.strip_prefix(dir) {
                Some(rest) if !dir.is_empty() => rest.trim_start_matches('/').to_owned(),
                _ => path,
            };
            (relative, Digest::of(&bytes).to_hex())
        })
        .collect();
    let version = Version {
        files,
        pact: Digest::of(&toml).to_hex(),
    };
    Ok((checked, Digest::of(&serde_json::to_vec(&version)?)))
}

/// A pact from disk, compiled, with its digest; findings that are errors stop it.
pub fn load_pact(path: &Path) -> Result<(CompiledPact, Digest)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| anyhow!("--pact {}: not a file name", path.display()))?;
    let files = pact::DiskFiles::new(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    });
    let (checked, digest) =
        pact_digest(&files, name).with_context(|| format!("--pact {}", path.display()))?;
    match checked.compiled {
        Some(compiled) => Ok((compiled, digest)),
        None => bail!(
            "--pact {}: does not compile:\n{}",
            path.display(),
            checked.render()
        ),
    }
}

/// Records every file the pact checker reads.
struct Recording<'a> {
    inner: &'a dyn pact::Files,
    read: RefCell<BTreeMap<String, Vec<u8>>>,
}

impl pact::Files for Recording<'_> {
    fn read(&self, path: &str) -> Result<Vec<u8>, pact::ReadError> {
        let bytes = self.inner.read(path)?;
        self.read
            .borrow_mut()
            .insert(path.to_owned(), bytes.clone());
        Ok(bytes)
    }
}

/// The parties' verifier keys, by `<name>+<hash>` as a party act names its key.
#[derive(Debug, Default)]
pub struct PartyKeys {
    by_key: HashMap<String, VerifierKey>,
}

/// What checking an act's signature found.
enum Signed {
    Verified,
    NoKey,
    Failed(LedgerError),
}

impl PartyKeys {
    /// Reads `--party-keys`: the server's access JSON or one verifier key per line.
    pub fn read(path: &Path) -> Result<PartyKeys> {
        let input = format!("--party-keys {}", path.display());
        let text = std::fs::read_to_string(path).with_context(|| input.clone())?;
        PartyKeys::parse(&input, &text)
    }

    pub fn parse(input: &str, text: &str) -> Result<PartyKeys> {
        let mut keys = PartyKeys::default();
        if text.trim_start().starts_with('{') {
            let access: Value =
                serde_json::from_str(text).with_context(|| format!("{input}: access JSON"))?;
            let principals = access
                .get("principals")
                .and_then(Value::as_array)
                .ok_or_else(|| anyhow!("{input}: expected a `principals` array"))?;
            for (i, p) in principals.iter().enumerate() {
                if let Some(key) = p.get("verifier_key").and_then(Value::as_str) {
                    keys.add(&format!("{input}: principals[{i}].verifier_key"), key)?;
                }
            }
        } else {
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if !line.is_empty() && !line.starts_with('#') {
                    keys.add(&format!("{input}: line {}", n + 1), line)?;
                }
            }
        }
        Ok(keys)
    }

    pub fn add(&mut self, input: &str, key: &str) -> Result<()> {
        let key = VerifierKey::parse(input, key)?;
        let id = format!("{}+{:08x}", key.name(), key.key_id());
        self.by_key.insert(id, key);
        Ok(())
    }

    fn check(&self, entry: &Entry, action: &PartyAction) -> Signed {
        match self.by_key.get(&action.key) {
            None => Signed::NoKey,
            Some(key) => match entry.verify_action(key) {
                Ok(()) => Signed::Verified,
                Err(e) => Signed::Failed(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::pipeline::{LedgerInputs, ledger_entries, run_triggers};
    use ledger::note::{KeyRole, key_from_seed};
    use ledger::{Log, LogConfig, NoteSigner};
    use model::Duration;

    /// The bundled pact, its digest, and the entries of a ledger made the demo's way from
    /// the bundled night's true incidents (no fusion: the triggers and the ledger are what
    /// is audited).
    fn demo_like_entries() -> (CompiledPact, Digest, Vec<Entry>) {
        let (pact, digest) = crate::cmd::demo::bundled_pact_with_digest().unwrap();
        let scratch = tempdir("night");
        let (path, scenario) = crate::cmd::pipeline::bundled_night(&scratch).unwrap();
        let (_, incidents) = crate::cmd::replay::truth_incidents(&path, &pact).unwrap();
        let end = scenario.start + scenario.duration + Duration::from_hours(1);
        let (sorted, config, records) = run_triggers(&pact, &incidents, end);
        let inputs = LedgerInputs {
            pact: &pact,
            pact_digest: digest,
            config: &config,
            chunks: &[],
            incidents: &sorted,
            end,
        };
        let entries = ledger_entries(&inputs, &records).unwrap();
        let _ = std::fs::remove_dir_all(&scratch);
        (pact, digest, entries)
    }

    fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "guarantor-audit-test-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes `entries` as a fresh log signed with the one test key: a tampered log
    /// re-signed by the log's own key passes `verify`.
    fn write_log(name: &str, entries: &[Entry]) -> (PathBuf, TrustedKeys) {
        let root = tempdir(name).join("log");
        let pair = key_from_seed("audit.test/log", KeyRole::Log, [7; 32]).unwrap();
        let signer = NoteSigner::parse("test key", &pair.signer_key).unwrap();
        let config = LogConfig {
            origin: signer.name().to_owned(),
            witnesses: Vec::new(),
            quorum: 0,
        };
        let mut log = Log::create(&root, signer, config).unwrap();
        for batch in entries.chunks(ledger::limits::BATCH_ENTRIES_MAX) {
            log.append_entries(batch).unwrap();
        }
        log.checkpoint().unwrap();
        let keys = log.trusted_keys().clone();
        (root, keys)
    }

    fn audit_of(name: &str, entries: &[Entry], pact: &CompiledPact, digest: Digest) -> Audit {
        let (root, keys) = write_log(name, entries);
        ledger::verify_log(
            &root,
            &keys,
            ledger::VerifyOptions {
                check_entries: true,
            },
        )
        .expect("the re-signed log passes verify");
        let audit = audit_log(&root, &keys, pact, digest, &PartyKeys::default()).unwrap();
        let _ = std::fs::remove_dir_all(root.parent().unwrap());
        audit
    }

    fn activation_indices(entries: &[Entry]) -> Vec<usize> {
        (entries.iter().enumerate())
            .filter(|(_, e)| matches!(e, Entry::Activation { .. }))
            .map(|(i, _)| i)
            .collect()
    }

    fn reason_mut(entry: &mut Entry) -> &mut serde_json::Map<String, Value> {
        let Entry::Activation { reason, .. } = entry else {
            panic!("an activation")
        };
        reason.as_object_mut().unwrap()
    }

    #[test]
    fn audits_clean_then_catches_each_tampering() {
        let (pact, digest, entries) = demo_like_entries();
        let activations = activation_indices(&entries);
        assert!(
            !activations.is_empty(),
            "the night's true incidents activate the bundled pact"
        );

        let clean = audit_of("clean", &entries, &pact, digest);
        assert_eq!(
            clean.mismatches,
            vec![],
            "{}",
            clean.render(Path::new("l"), "p")
        );
        assert!(clean.incidents_n > 0 && clean.advances_n == 1);
        assert_eq!(clean.logged_n, clean.derived_n);
        assert!(clean.logged_n > activations.len(), "obligations too");

        let first = activations[0];
        let id = match &entries[first] {
            Entry::Activation { activation, .. } => activation.clone(),
            _ => unreachable!(),
        };

        // A changed count in the activation's reason.
        let mut tampered = entries.clone();
        let indicator = reason_mut(&mut tampered[first])["indicators"][0]
            .as_object_mut()
            .unwrap();
        let count = indicator["count"].as_u64().unwrap();
        indicator.insert("count".into(), Value::from(count + 1));
        let audit = audit_of("count", &tampered, &pact, digest);
        assert_eq!(audit.mismatches.len(), 1, "{:?}", audit.mismatches);
        let m = &audit.mismatches[0];
        assert_eq!(m.index, Some(first as u64));
        assert!(
            m.what.contains(&format!(
                "reason.indicators[0].count: logged {}, derived {count}",
                count + 1
            )),
            "{m}"
        );

        // A later deadline.
        let mut tampered = entries.clone();
        let reason = reason_mut(&mut tampered[first]);
        let deadline: Time = serde_json::from_value(reason["deadline"].clone()).unwrap();
        let later = serde_json::to_value(deadline + Duration::from_hours(6)).unwrap();
        reason.insert("deadline".into(), later);
        let audit = audit_of("deadline", &tampered, &pact, digest);
        assert_eq!(audit.mismatches.len(), 1, "{:?}", audit.mismatches);
        assert_eq!(audit.mismatches[0].index, Some(first as u64));
        assert!(audit.mismatches[0].what.contains("reason.deadline: logged"));

        // An extra activation, logged but never derived.
        let mut tampered = entries.clone();
        let mut extra = entries[first].clone();
        if let Entry::Activation {
            activation, reason, ..
        } = &mut extra
        {
            *activation = format!("{id}-extra");
            reason["id"] = Value::from(activation.clone());
        }
        tampered.push(extra);
        let audit = audit_of("extra", &tampered, &pact, digest);
        assert_eq!(
            audit.mismatches,
            vec![Mismatch {
                index: Some(entries.len() as u64),
                what: format!(
                    "activation {id}-extra is logged but not derived from the logged inputs"
                ),
            }]
        );

        // A missing activation: derived, not in the log.
        let mut tampered = entries.clone();
        tampered.remove(first);
        let audit = audit_of("missing", &tampered, &pact, digest);
        assert_eq!(audit.mismatches.len(), 1, "{:?}", audit.mismatches);
        assert_eq!(audit.mismatches[0].index, None);
        assert!(
            audit.mismatches[0].what.starts_with(&format!(
                "activation {id} is derived from the logged inputs"
            )),
            "{}",
            audit.mismatches[0]
        );

        // An incident dropped from the inputs: the decisions it caused no longer follow.
        let mut tampered = entries.clone();
        let behind: Vec<String> = match &entries[first] {
            Entry::Activation { reason, .. } => reason["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
            _ => unreachable!(),
        };
        tampered.retain(
            |e| !matches!(e, Entry::Incident { incident, .. } if behind.contains(incident)),
        );
        let audit = audit_of("dropped", &tampered, &pact, digest);
        assert!(
            audit
                .mismatches
                .iter()
                .any(|m| m.what.starts_with(&format!("activation {id} "))),
            "{:?}",
            audit.mismatches
        );
    }

    /// The repository's pact files with the TOML's text edited.
    struct Edited {
        disk: pact::DiskFiles,
        toml: String,
    }

    impl pact::Files for Edited {
        fn read(&self, path: &str) -> Result<Vec<u8>, pact::ReadError> {
            if path == "ukraine-shield.toml" {
                Ok(self.toml.clone().into_bytes())
            } else {
                self.disk.read(path)
            }
        }
    }

    #[test]
    fn another_pact_is_refused_by_its_digest() {
        let (_, digest, entries) = demo_like_entries();
        // The same text with the first threshold raised: it compiles, but it is not the
        // text the log's decisions were taken under.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pacts");
        let text = std::fs::read_to_string(dir.join("ukraine-shield.toml")).unwrap();
        let edited = Edited {
            disk: pact::DiskFiles::new(&dir),
            toml: text.replacen("threshold = { count = 1,", "threshold = { count = 2,", 1),
        };
        assert_ne!(edited.toml, text);
        let (checked, other_digest) = pact_digest(&edited, "ukraine-shield.toml").unwrap();
        let other = checked.compiled.expect("the edited pact compiles");
        assert_ne!(other_digest, digest);
        let audit = audit_of("wrong-pact", &entries, &other, other_digest);
        assert_eq!(audit.mismatches.len(), 1, "{:?}", audit.mismatches);
        assert_eq!(audit.mismatches[0].index, Some(0));
        assert!(audit.mismatches[0].what.contains("not the text in force"));
        assert_eq!(audit.derived_n, 0, "nothing re-run against another text");
    }

    #[test]
    fn the_digest_does_not_depend_on_where_the_pact_lies() {
        let (_, bundled) = crate::cmd::demo::bundled_pact_with_digest().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pacts/ukraine-shield.toml");
        let (_, on_disk) = load_pact(&root).unwrap();
        assert_eq!(bundled, on_disk);
    }

    /// Shifts a decision's `at` by a second: what a party rewriting when it was decided does.
    fn shift_at(entry: &mut Entry) {
        let (Entry::MeasureFlagged { body, .. }
        | Entry::Change { body, .. }
        | Entry::Review { body, .. }) = entry
        else {
            panic!("a flagged measure, a change or a review")
        };
        let at: Time = serde_json::from_value(body["at"].clone()).unwrap();
        body["at"] = serde_json::to_value(at + Duration::from_secs(1)).unwrap();
    }

    #[test]
    fn flagged_measures_changes_and_reviews_are_derived_again() {
        let (pact, digest, entries) = demo_like_entries();
        // The first of each newly audited type, and of each kind of change.
        let mut firsts: BTreeMap<String, usize> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            let kind = match e {
                Entry::MeasureFlagged { .. } | Entry::Review { .. } => e.type_name().to_owned(),
                Entry::Change { change, .. } => format!("change {change}"),
                _ => continue,
            };
            firsts.entry(kind).or_insert(i);
        }
        for kind in [
            "measure_flagged",
            "review",
            "change escalated",
            "change obligation_overdue",
        ] {
            assert!(
                firsts.contains_key(kind),
                "the night logs a {kind}: {firsts:?}"
            );
        }
        for (kind, &i) in &firsts {
            let (what, _) = decision_key(&entries[i]);
            // Rewritten: the one entry differs from the one derived.
            let mut tampered = entries.clone();
            shift_at(&mut tampered[i]);
            let audit = audit_of(&format!("at-{i}"), &tampered, &pact, digest);
            assert_eq!(audit.mismatches.len(), 1, "{kind}: {:?}", audit.mismatches);
            let m = &audit.mismatches[0];
            assert_eq!(m.index, Some(i as u64), "{kind}: {m}");
            assert!(m.what.starts_with(what), "{kind}: {m}");
            assert!(
                m.what
                    .contains("differs from the one derived: body.at: logged"),
                "{m}"
            );
            // Left out: derived, not in the log.
            let mut tampered = entries.clone();
            tampered.remove(i);
            let audit = audit_of(&format!("drop-{i}"), &tampered, &pact, digest);
            assert_eq!(audit.mismatches.len(), 1, "{kind}: {:?}", audit.mismatches);
            assert_eq!(audit.mismatches[0].index, None, "{kind}");
            assert!(
                audit.mismatches[0]
                    .what
                    .contains("is derived from the logged inputs"),
                "{kind}: {}",
                audit.mismatches[0]
            );
        }
    }

    /// A log the server's way with one party act: the night's incidents, `party`'s
    /// acknowledgement of its first open obligation signed by `signer`, the advance to the
    /// end, then every decision in the order taken. Returns the act's index too.
    fn log_with_an_act(
        signer: impl Fn(&str) -> NoteSigner,
    ) -> (CompiledPact, Digest, Vec<Entry>, usize, String) {
        let (pact, digest) = crate::cmd::demo::bundled_pact_with_digest().unwrap();
        let scratch = tempdir("night-act");
        let (path, scenario) = crate::cmd::pipeline::bundled_night(&scratch).unwrap();
        let (_, incidents) = crate::cmd::replay::truth_incidents(&path, &pact).unwrap();
        let _ = std::fs::remove_dir_all(&scratch);
        let end = scenario.start + scenario.duration + Duration::from_hours(1);
        let (sorted, config, _) = run_triggers(&pact, &incidents, end);
        let mut engine = Engine::new(pact.clone(), config.clone());
        let mut records = engine.process(&sorted);
        let at = engine.watermark().unwrap();
        let open = engine
            .obligations()
            .find(|o| o.state == triggers::ObligationState::Created)
            .expect("an open obligation after the night")
            .clone();
        let act = Entry::signed_action(
            ledger::ActionKind::Acknowledgement,
            &signer(&open.party),
            &open.id,
            serde_json::json!({ "at_us": at.unix_us }),
        )
        .unwrap();
        let acked = engine.acknowledge(at, &open.id, &open.party, None);
        assert!(
            acked.iter().any(|r| matches!(r, Record::Change(c)
                if matches!(&c.kind, triggers::ChangeKind::ObligationAcknowledged { .. }))),
            "the act applies: {acked:?}"
        );
        records.extend(acked);
        records.extend(engine.advance(end));
        let mut entries = vec![
            Entry::PactVersion {
                v: ledger::ENTRY_VERSION,
                pact: pact.id.clone(),
                version: String::new(),
                digest,
            },
            EngineSettings::entry(&config).unwrap(),
        ];
        for incident in &sorted {
            entries.push(incident_entry(incident).unwrap());
        }
        let act_index = entries.len();
        entries.push(act);
        entries.push(advance_entry(end));
        for r in &records {
            entries.extend(decision_entry(r).unwrap());
        }
        (pact, digest, entries, act_index, open.party)
    }

    fn party_seed(party: &str) -> [u8; 32] {
        [party.bytes().fold(1u8, |a, b| a.wrapping_add(b)); 32]
    }

    #[test]
    fn party_acts_are_checked_against_the_party_keys() {
        let real = |party: &str| {
            let pair = key_from_seed(party, KeyRole::Party, party_seed(party)).unwrap();
            NoteSigner::parse("party", &pair.signer_key).unwrap()
        };
        let (pact, digest, entries, act, party) = log_with_an_act(real);
        let pair = key_from_seed(&party, KeyRole::Party, party_seed(&party)).unwrap();
        // The server's access file names each party's verifier key.
        let access = serde_json::json!({"principals": [
            {"name": party, "role": "party", "verifier_key": pair.verifier_key},
            {"name": "observer", "role": "observer", "token": "t"},
        ]});
        let keys = PartyKeys::parse("access.json", &access.to_string()).unwrap();
        let audit_with = |name: &str, entries: &[Entry], keys: &PartyKeys| {
            let (root, log_keys) = write_log(name, entries);
            let audit = audit_log(&root, &log_keys, &pact, digest, keys).unwrap();
            let _ = std::fs::remove_dir_all(root.parent().unwrap());
            audit
        };

        let clean = audit_with("act-clean", &entries, &keys);
        assert_eq!(
            clean.mismatches,
            vec![],
            "{}",
            clean.render(Path::new("l"), "p")
        );
        assert_eq!((clean.acts_n, clean.signed_n), (1, 1));
        assert!(
            entries[act + 2..].iter().any(
                |e| matches!(e, Entry::Change { change, .. } if change == "obligation_acknowledged")
            ),
            "the acknowledgement's change is logged and audited"
        );

        // Without the keys the act is applied but reported as unchecked.
        let unkeyed = audit_with("act-unkeyed", &entries, &PartyKeys::default());
        assert_eq!(unkeyed.mismatches.len(), 1, "{:?}", unkeyed.mismatches);
        assert_eq!(unkeyed.mismatches[0].index, Some(act as u64));
        assert!(unkeyed.mismatches[0].what.contains("no verifier key given"));

        // A forged act: signed by another key, naming the party's key, in a log re-signed
        // by the log's own key (so `verify` passes).
        let forger = key_from_seed(&party, KeyRole::Party, [0xee; 32]).unwrap();
        let forger = NoteSigner::parse("forger", &forger.signer_key).unwrap();
        let Entry::Acknowledgement(original) = entries[act].clone() else {
            panic!("an acknowledgement")
        };
        let mut forged = Entry::signed_action(
            ledger::ActionKind::Acknowledgement,
            &forger,
            &original.obligation,
            original.body.clone(),
        )
        .unwrap();
        if let Entry::Acknowledgement(a) = &mut forged {
            a.key = original.key.clone();
        }
        let mut tampered = entries.clone();
        tampered[act] = forged;
        let audit = audit_with("act-forged", &tampered, &keys);
        assert_eq!(audit.signed_n, 0);
        let m = &audit.mismatches[0];
        assert_eq!(m.index, Some(act as u64), "{:?}", audit.mismatches);
        assert_eq!(
            m.what,
            format!(
                "acknowledgement of {} by {party}: the signature does not verify: not applied",
                original.obligation
            )
        );
        // Not applied: the acknowledgement it would have caused is not derived.
        assert!(
            audit.mismatches[1..]
                .iter()
                .any(|m| m.what.starts_with(&format!(
                    "change obligation_acknowledged of {}",
                    original.obligation
                )) && m
                    .what
                    .ends_with("is logged but not derived from the logged inputs")),
            "{:?}",
            audit.mismatches
        );

        // A bad key file is a typed error naming its line.
        let err = PartyKeys::parse("keys.txt", "# parties\nnot a key\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("keys.txt: line 2"), "{err}");
    }

    /// The server logs as `guarantor serve` runs it: the pact's version and the engine's
    /// settings first, then each scan's incidents (with the decisions they caused) and the
    /// advance of event time to the scan (with the timers that fired).
    #[test]
    fn a_server_written_log_audits_clean() {
        let (pact, digest) = crate::cmd::demo::bundled_pact_with_digest().unwrap();
        let scratch = tempdir("night-served");
        let (path, scenario) = crate::cmd::pipeline::bundled_night(&scratch).unwrap();
        let (_, incidents) = crate::cmd::replay::truth_incidents(&path, &pact).unwrap();
        let end = scenario.start + scenario.duration + Duration::from_hours(1);
        let (sorted, config, _) = run_triggers(&pact, &incidents, end);

        let root = scratch.join("log");
        let pair = key_from_seed("audit.test/served", KeyRole::Log, [8; 32]).unwrap();
        let signer = NoteSigner::parse("test key", &pair.signer_key).unwrap();
        let log_config = LogConfig {
            origin: signer.name().to_owned(),
            witnesses: Vec::new(),
            quorum: 0,
        };
        let log = Log::create(&root, signer, log_config).unwrap();
        let keys = log.trusted_keys().clone();
        let state = server::AppState::new(server::Parts {
            engine: Some(Engine::new(pact.clone(), config.clone())),
            ledger: Some(log),
            credentials: server::Credentials::default(),
            cot: server::CotConfig::default(),
        });
        state.append(&[
            Entry::PactVersion {
                v: ledger::ENTRY_VERSION,
                pact: pact.id.clone(),
                version: String::new(),
                digest,
            },
            EngineSettings::entry(&config).unwrap(),
        ]);
        // Scans of ten minutes of event time, as the serve loop pushes them.
        let mut t = sorted[0].time;
        let mut next = 0;
        while t <= end {
            let due = sorted[next..].iter().take_while(|i| i.time <= t).count();
            state.push_incidents(&sorted[next..next + due]);
            next += due;
            state.advance(t);
            t = t + Duration::from_mins(10);
        }
        state.advance(end);
        drop(state);

        let audit = audit_log(&root, &keys, &pact, digest, &PartyKeys::default()).unwrap();
        let _ = std::fs::remove_dir_all(&scratch);
        assert_eq!(audit.mismatches, vec![], "{}", audit.render(&root, "p"));
        assert_eq!(audit.incidents_n, sorted.len());
        assert!(audit.advances_n > 1, "the scans' advances are logged");
        assert!(audit.logged_n > 0 && audit.logged_n == audit.derived_n);
    }
}
