//! `guarantor ledger …`, `guarantor witness` and `guarantor verify`: flags in, the `ledger`
//! crate does the work, results mapped to exit codes (0 good, 1 the log or a checkpoint
//! failed a check, 2 the input could not be read).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ledger::note::{KeyRole, generate_key, open_checkpoint};
use ledger::verify::{verify_consistency, verify_inclusion};
use ledger::{
    CheckpointOutcome, Entry, LedgerError, Log, LogConfig, NoteSigner, TrustedKeys, VerifierKey,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Make a key pair: the signer key goes to FILE (keep it secret), the verifier key
    /// (`name+hash+base64`) to FILE.pub and stdout.
    Keygen {
        /// The key's name: a log's origin (`guarantor.example/log`), a witness or party name.
        #[arg(long)]
        name: String,
        /// Make a witness key (tlog-cosignature/v1, type 0x04) instead of a plain Ed25519 one.
        #[arg(long)]
        witness: bool,
        /// Where to write the signer key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Create an empty log in a folder.
    Init {
        /// The log folder (created; must not hold a log).
        #[arg(long)]
        log: PathBuf,
        /// The log's signer key file; its name becomes the origin.
        #[arg(long)]
        key: PathBuf,
        /// A witness's verifier key (repeat for each witness).
        #[arg(long = "witness-key")]
        witness_keys: Vec<String>,
        /// Cosignatures needed before a checkpoint is published (default: every witness).
        #[arg(long)]
        quorum: Option<usize>,
    },
    /// Append entries (JSON lines, one `Entry` each, from FILE or stdin) durably, then
    /// propose or publish a checkpoint.
    Append {
        #[arg(long)]
        log: PathBuf,
        #[arg(long)]
        key: PathBuf,
        /// JSON lines of entries; stdin when absent.
        file: Option<PathBuf>,
    },
    /// Write tiles, sign a checkpoint, and publish it once the witness quorum has cosigned.
    Checkpoint {
        #[arg(long)]
        log: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
}

/// `guarantor witness`: a party's witness over a log folder.
#[derive(Debug, clap::Args)]
pub struct WitnessArgs {
    /// The witness's signer key file (made by `ledger keygen --witness`).
    #[arg(long)]
    key: PathBuf,
    /// The log folder (reads `witness/proposed`, writes `witness/cosignatures/<witness>`).
    #[arg(long)]
    log: PathBuf,
    /// The log's verifier key, `name+hash+base64`.
    #[arg(long = "log-key")]
    log_key: String,
    /// The witness's own state: the last checkpoint it cosigned (default: KEY.state).
    #[arg(long)]
    state: Option<PathBuf>,
}

/// A log folder and the keys that vouch for it, as `verify` and `audit` take them.
#[derive(Debug, clap::Args)]
pub struct TrustedLog {
    /// The log folder.
    pub log: PathBuf,
    /// The log's verifier key, `name+hash+base64`.
    #[arg(long)]
    key: String,
    /// A trusted witness's verifier key (repeat for each).
    #[arg(long = "witness-key")]
    witness_keys: Vec<String>,
    /// Cosignatures required (default: every witness key given).
    #[arg(long)]
    quorum: Option<usize>,
}

impl TrustedLog {
    /// The log's and the witnesses' keys, with the quorum, as the flags give them.
    pub fn keys(&self) -> Result<TrustedKeys> {
        parse_keys(&self.key, &self.witness_keys, self.quorum)
    }
}

/// `guarantor verify`: check a log from its files alone.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    trusted: TrustedLog,
    /// Also prove and check that entry INDEX is in the log.
    #[arg(long)]
    inclusion: Option<u64>,
    /// Also check that the log extends this older checkpoint file (detects forks).
    #[arg(long)]
    consistency: Option<PathBuf>,
    /// Check only the tree, not that every entry is a known canonical JSON entry.
    #[arg(long)]
    raw_entries: bool,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    match &args.command {
        LedgerCommand::Keygen { name, witness, out } => keygen(name, *witness, out),
        LedgerCommand::Init {
            log,
            key,
            witness_keys,
            quorum,
        } => {
            let signer = read_signer(key)?;
            let quorum = quorum.unwrap_or(witness_keys.len());
            let config = LogConfig {
                origin: signer.name().to_owned(),
                witnesses: witness_keys.clone(),
                quorum,
            };
            Log::create(log, signer, config).with_context(|| format!("--log {}", log.display()))?;
            println!(
                "created log {} (quorum {quorum} of {} witnesses)",
                log.display(),
                witness_keys.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::Append { log, key, file } => append(log, key, file.as_deref()),
        LedgerCommand::Checkpoint { log, key } => {
            let (mut log, _) = open_log(log, key)?;
            report(log.checkpoint()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn keygen(name: &str, witness: bool, out: &Path) -> Result<ExitCode> {
    let role = if witness {
        KeyRole::Witness
    } else {
        KeyRole::Log
    };
    let pair = generate_key(name, role).context("--name")?;
    if out.exists() {
        bail!(
            "--out {}: exists; refusing to overwrite a key",
            out.display()
        );
    }
    write_secret(out, &format!("{}\n", pair.signer_key))?;
    let public = PathBuf::from(format!("{}.pub", out.display()));
    std::fs::write(&public, format!("{}\n", pair.verifier_key))
        .with_context(|| format!("writing {}", public.display()))?;
    println!("{}", pair.verifier_key);
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
fn write_secret(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("--out {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(not(unix))]
fn write_secret(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("--out {}", path.display()))
}

fn read_signer(path: &Path) -> Result<NoteSigner> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("--key {}", path.display()))?;
    Ok(NoteSigner::parse(
        &format!("--key {}", path.display()),
        &text,
    )?)
}

fn open_log(dir: &Path, key: &Path) -> Result<(Log, ledger::Recovery)> {
    let signer = read_signer(key)?;
    let (log, recovery) =
        Log::open(dir, signer).with_context(|| format!("--log {}", dir.display()))?;
    if recovery.journal.truncated_bytes > 0 {
        eprintln!(
            "guarantor: {}: cut {} bytes of a torn, unacknowledged append",
            dir.display(),
            recovery.journal.truncated_bytes
        );
    }
    Ok((log, recovery))
}

fn append(dir: &Path, key: &Path, file: Option<&Path>) -> Result<ExitCode> {
    let (mut log, _) = open_log(dir, key)?;
    let (name, reader): (String, Box<dyn BufRead>) = match file {
        Some(path) => {
            let f = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
            (
                path.display().to_string(),
                Box::new(std::io::BufReader::new(f)),
            )
        }
        None => ("stdin".into(), Box::new(std::io::stdin().lock())),
    };
    let mut entries = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}: line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(&line)
            .with_context(|| format!("{name}: line {}: expected a ledger entry", i + 1))?;
        entries.push(entry);
    }
    if entries.is_empty() {
        bail!("{name}: no entries");
    }
    let mut first = None;
    for chunk in entries.chunks(ledger::limits::BATCH_ENTRIES_MAX) {
        let range = log.append_entries(chunk)?;
        first.get_or_insert(range.start);
    }
    println!("appended entries {}..{}", first.unwrap_or(0), log.size());
    report(log.checkpoint()?);
    Ok(ExitCode::SUCCESS)
}

fn report(outcome: CheckpointOutcome) {
    match outcome {
        CheckpointOutcome::Published { size, note } => {
            println!(
                "published checkpoint of size {size}:\n{}",
                String::from_utf8_lossy(&note)
            );
        }
        CheckpointOutcome::Proposed { size, have, quorum } => {
            println!("proposed checkpoint of size {size}: {have} of {quorum} cosignatures");
        }
    }
}

fn parse_keys(
    log_key: &str,
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<TrustedKeys> {
    let log = VerifierKey::parse("--key", log_key)?;
    let witnesses = witness_keys
        .iter()
        .map(|k| VerifierKey::parse("--witness-key", k))
        .collect::<ledger::Result<Vec<_>>>()?;
    let quorum = quorum.unwrap_or(witnesses.len());
    TrustedKeys::new(log, witnesses, quorum).context("--key, --witness-key, --quorum")
}

/// Verification failures exit 1; unreadable input (a missing folder, a bad flag) exits 2.
fn verdict(result: ledger::Result<()>) -> Result<ExitCode> {
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e @ LedgerError::Io { .. }) => Err(e.into()),
        Err(e) => {
            eprintln!("guarantor: verification failed: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

pub fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let keys = args.trusted.keys()?;
    let log = &args.trusted.log;
    let options = ledger::VerifyOptions {
        check_entries: !args.raw_entries,
    };
    verdict((|| {
        let report = ledger::verify_log(log, &keys, options)?;
        let checkpoint = &report.checkpoint;
        println!(
            "{}: checkpoint of size {} root {} verified: {} entry bundles, {} hash tiles, cosigned by [{}]",
            log.display(),
            checkpoint.size(),
            checkpoint.root(),
            report.bundles_n,
            report.hash_tiles_n,
            checkpoint.cosigners.join(", ")
        );
        if let Some(index) = args.inclusion {
            let checked = verify_inclusion(log, checkpoint, index)?;
            println!(
                "entry {index} is included ({} proof hashes): {}",
                checked.proof.len(),
                String::from_utf8_lossy(&checked.entry)
            );
        }
        if let Some(old_path) = &args.consistency {
            let name = old_path.display().to_string();
            let bytes = std::fs::read(old_path).map_err(|e| LedgerError::Io {
                path: old_path.clone(),
                source: e,
            })?;
            let old_keys = TrustedKeys::new(keys.log.clone(), keys.witnesses.clone(), 0)?;
            let old = open_checkpoint(&name, &bytes, &old_keys)?;
            let proof = verify_consistency(log, &name, &old, checkpoint)?;
            println!(
                "consistent with {name} (size {}, {} proof hashes)",
                old.size(),
                proof.len()
            );
        }
        Ok(())
    })())
}

pub fn witness(args: &WitnessArgs) -> Result<ExitCode> {
    let signer = read_signer(&args.key)?;
    if !signer.role_is_witness() {
        bail!(
            "--key {}: a plain Ed25519 key; a witness needs one from `ledger keygen --witness`",
            args.key.display()
        );
    }
    let keys = parse_keys(&args.log_key, &[], Some(0))?;
    let state = args
        .state
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.state", args.key.display())));
    // The shell reads the clock; the ledger only takes the time it is given.
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs();
    match ledger::witness::witness_log_folder(&args.log, &signer, &keys, &state, now_s) {
        Ok(cosigned) => {
            println!(
                "cosigned checkpoint of size {} ({} consistency proof hashes)",
                cosigned.size,
                cosigned.proof.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ LedgerError::Inconsistent { .. }) => {
            eprintln!("guarantor: refused to cosign: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => verdict(Err(e)),
    }
}
