//! Keys, signed notes and checkpoints: C2SP signed-note (Ed25519, key hash per the spec),
//! tlog-checkpoint, and tlog-cosignature/v1 for witnesses.
//!
//! `signed_note` parses, signs and verifies notes and knows Ed25519 verifier keys (type
//! 0x01); by hand here: the timestamped cosignature (type 0x04), which it does not know,
//! key generation from our own randomness source, and error messages that say which line of
//! a note is wrong (the crate only says "malformed note").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use signed_note::{Note, NoteError, Signature, StandardVerifier, Verifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash};

use crate::error::{LedgerError, Result};
use crate::limits::{NOTE_BYTES_MAX, WITNESSES_MAX};

/// Signature type of a plain Ed25519 note signature (logs, parties).
pub const ALG_ED25519: u8 = 0x01;
/// Signature type of a tlog-cosignature/v1 timestamped Ed25519 witness cosignature.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// What a key signs: a log's checkpoints and parties' entries use plain Ed25519 note
/// signatures; a witness signs timestamped cosignatures, which need their own key type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    Log,
    Witness,
    Party,
}

impl KeyRole {
    fn alg(self) -> u8 {
        match self {
            KeyRole::Log | KeyRole::Party => ALG_ED25519,
            KeyRole::Witness => ALG_COSIGNATURE_V1,
        }
    }
}

/// A key pair in the signed-note text encodings: `PRIVATE+KEY+<name>+<hash>+<base64>` and the
/// verifier key `<name>+<hash>+<base64>`.
#[derive(Debug, Clone)]
pub struct KeyPair {
    pub signer_key: String,
    pub verifier_key: String,
}

/// Makes a key pair from 32 bytes of operating-system randomness.
pub fn generate_key(name: &str, role: KeyRole) -> Result<KeyPair> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| LedgerError::Request {
        what: "key generation".into(),
        expected: format!("randomness from the operating system ({e})"),
    })?;
    key_from_seed(name, role, seed)
}

/// Makes a key pair from a given seed (tests and benchmarks need reproducible keys).
pub fn key_from_seed(name: &str, role: KeyRole, seed: [u8; 32]) -> Result<KeyPair> {
    check_key_name(name, name)?;
    let public = SigningKey::from_bytes(&seed).verifying_key();
    let public_material = [&[role.alg()][..], public.as_bytes()].concat();
    let id = signed_note::key_id(name, &public_material);
    let private_material = [&[role.alg()][..], &seed[..]].concat();
    Ok(KeyPair {
        signer_key: format!(
            "PRIVATE+KEY+{name}+{id:08x}+{}",
            BASE64.encode(private_material)
        ),
        verifier_key: format!("{name}+{id:08x}+{}", BASE64.encode(public_material)),
    })
}

fn check_key_name(input: &str, name: &str) -> Result<()> {
    if signed_note::is_key_name_valid(name) {
        Ok(())
    } else {
        Err(LedgerError::malformed(
            input,
            "key name",
            "a non-empty name without spaces or `+`",
        ))
    }
}

/// A private key read from its text encoding.
#[derive(Debug, Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    alg: u8,
    key: SigningKey,
}

impl NoteSigner {
    /// Parses `PRIVATE+KEY+<name>+<hash>+<base64(type || seed)>`; `input` names its file.
    pub fn parse(input: &str, text: &str) -> Result<NoteSigner> {
        let bad = |place: &str, expected: &str| LedgerError::malformed(input, place, expected);
        let text = text.trim_end();
        let rest = text
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("start", "`PRIVATE+KEY+<name>+<hash>+<base64>`"))?;
        let (name, rest) = rest
            .split_once('+')
            .ok_or_else(|| bad("name", "`<name>+`"))?;
        check_key_name(input, name)?;
        let (id_hex, key_b64) = rest
            .split_once('+')
            .ok_or_else(|| bad("hash", "`<hash>+`"))?;
        let id = parse_key_hash(id_hex).ok_or_else(|| bad("hash", "8 hex digits"))?;
        let material = BASE64.decode(key_b64).map_err(|_| bad("key", "base64"))?;
        let (alg, seed) = material
            .split_first()
            .ok_or_else(|| bad("key", "a key type byte"))?;
        if *alg != ALG_ED25519 && *alg != ALG_COSIGNATURE_V1 {
            return Err(bad("key type", "0x01 (Ed25519) or 0x04 (cosignature/v1)"));
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| bad("key", "a 32-byte Ed25519 seed"))?;
        let key = SigningKey::from_bytes(&seed);
        let public_material = [&[*alg][..], key.verifying_key().as_bytes()].concat();
        if signed_note::key_id(name, &public_material) != id {
            return Err(bad("hash", "the key hash of this name and public key"));
        }
        Ok(NoteSigner {
            name: name.to_owned(),
            id,
            alg: *alg,
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn role_is_witness(&self) -> bool {
        self.alg == ALG_COSIGNATURE_V1
    }

    /// The verifier key of this signer, `<name>+<hash>+<base64>`.
    pub fn verifier_key(&self) -> String {
        let material = [&[self.alg][..], self.key.verifying_key().as_bytes()].concat();
        format!("{}+{:08x}+{}", self.name, self.id, BASE64.encode(material))
    }

    /// A tlog-cosignature/v1 signature line over a checkpoint's text at `timestamp_s`.
    pub fn cosign(&self, checkpoint_text: &[u8], timestamp_s: u64) -> Result<Signature> {
        if !self.role_is_witness() {
            let expected = "a witness key (type 0x04), made by `ledger keygen --witness`";
            return Err(LedgerError::Request {
                what: self.name.clone(),
                expected: expected.into(),
            });
        }
        let message = cosigned_message(checkpoint_text, timestamp_s);
        let signature = self.key.sign(&message);
        let mut bytes = timestamp_s.to_be_bytes().to_vec();
        bytes.extend_from_slice(&signature.to_bytes());
        Signature::new(self.name.clone(), self.id, bytes).map_err(|e| note_error(&self.name, e))
    }
}

impl signed_note::Signer for NoteSigner {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, ed25519_dalek::SignatureError> {
        assert_eq!(
            self.alg, ALG_ED25519,
            "plain note signatures use an Ed25519 key"
        );
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

fn parse_key_hash(text: &str) -> Option<u32> {
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(text, 16).ok()
    } else {
        None
    }
}

/// The message a tlog-cosignature/v1 signs: a header line, a time line, the checkpoint.
fn cosigned_message(checkpoint_text: &[u8], timestamp_s: u64) -> Vec<u8> {
    let mut message = format!("cosignature/v1\ntime {timestamp_s}\n").into_bytes();
    message.extend_from_slice(checkpoint_text);
    message
}

/// Verifies tlog-cosignature/v1 signatures: 8-byte big-endian timestamp then Ed25519.
#[derive(Debug, Clone)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Some((timestamp, signature)) = sig.split_first_chunk::<8>() else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        let timestamp_s = u64::from_be_bytes(*timestamp);
        // The spec caps the timestamp at 2^63 - 1.
        timestamp_s <= i64::MAX as u64
            && self
                .key
                .verify(&cosigned_message(msg, timestamp_s), &signature)
                .is_ok()
    }
}

/// A verifier key of either type, parsed from `<name>+<hash>+<base64>`.
#[derive(Clone)]
pub enum VerifierKey {
    Ed25519(StandardVerifier),
    Cosignature(CosignatureVerifier),
}

impl std::fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifierKey({}+{:08x})", self.name(), self.key_id())
    }
}

impl VerifierKey {
    /// Parses a verifier key; `input` names the flag or file it came from.
    pub fn parse(input: &str, text: &str) -> Result<VerifierKey> {
        let bad = |place: &str, expected: &str| LedgerError::malformed(input, place, expected);
        let text = text.trim();
        let (name, rest) = text
            .split_once('+')
            .ok_or_else(|| bad("start", "`<name>+<hash>+<base64>`"))?;
        check_key_name(input, name)?;
        let (id_hex, key_b64) = rest
            .split_once('+')
            .ok_or_else(|| bad("hash", "`<hash>+`"))?;
        let id = parse_key_hash(id_hex).ok_or_else(|| bad("hash", "8 hex digits"))?;
        let material = BASE64.decode(key_b64).map_err(|_| bad("key", "base64"))?;
        if signed_note::key_id(name, &material) != id {
            return Err(bad("hash", "the key hash of this name and public key"));
        }
        match material.split_first() {
            Some((&ALG_ED25519, _)) => StandardVerifier::new(text)
                .map(VerifierKey::Ed25519)
                .map_err(|_| bad("key", "a 32-byte Ed25519 public key")),
            Some((&ALG_COSIGNATURE_V1, public)) => {
                let public: [u8; 32] = public
                    .try_into()
                    .map_err(|_| bad("key", "a 32-byte Ed25519 public key"))?;
                let key = VerifyingKey::from_bytes(&public)
                    .map_err(|_| bad("key", "a valid Ed25519 public key"))?;
                Ok(VerifierKey::Cosignature(CosignatureVerifier {
                    name: name.to_owned(),
                    id,
                    key,
                }))
            }
            _ => Err(bad("key type", "0x01 (Ed25519) or 0x04 (cosignature/v1)")),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            VerifierKey::Ed25519(v) => v.name(),
            VerifierKey::Cosignature(v) => v.name(),
        }
    }

    pub fn key_id(&self) -> u32 {
        match self {
            VerifierKey::Ed25519(v) => v.key_id(),
            VerifierKey::Cosignature(v) => v.key_id(),
        }
    }

    fn boxed(&self) -> Box<dyn Verifier> {
        match self {
            VerifierKey::Ed25519(v) => Box::new(v.clone()),
            VerifierKey::Cosignature(v) => Box::new(v.clone()),
        }
    }

    /// Verifies a detached signature (parties' signatures on entries).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            VerifierKey::Ed25519(v) => v.verify(msg, sig),
            VerifierKey::Cosignature(v) => v.verify(msg, sig),
        }
    }
}

/// The keys a reader trusts: the log's, its witnesses', and how many witnesses must cosign.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    pub log: VerifierKey,
    pub witnesses: Vec<VerifierKey>,
    pub quorum: usize,
}

impl TrustedKeys {
    pub fn new(log: VerifierKey, witnesses: Vec<VerifierKey>, quorum: usize) -> Result<Self> {
        let bad = |expected: String| LedgerError::Request {
            what: "trusted keys".into(),
            expected,
        };
        if !matches!(log, VerifierKey::Ed25519(_)) {
            return Err(bad("an Ed25519 (type 0x01) log key".into()));
        }
        if witnesses.len() > WITNESSES_MAX {
            return Err(bad(format!("at most {WITNESSES_MAX} witness keys")));
        }
        if witnesses
            .iter()
            .any(|w| !matches!(w, VerifierKey::Cosignature(_)))
        {
            return Err(bad("witness keys of type 0x04 (cosignature/v1)".into()));
        }
        if quorum > witnesses.len() {
            return Err(bad(format!(
                "a quorum of at most {} witnesses",
                witnesses.len()
            )));
        }
        Ok(TrustedKeys {
            log,
            witnesses,
            quorum,
        })
    }
}

/// A checkpoint whose log signature and witness quorum were verified.
#[derive(Debug, Clone)]
pub struct OpenedCheckpoint {
    pub origin: String,
    size: u64,
    root: Hash,
    /// The note text (the checkpoint lines), what every signature covers.
    pub text: Vec<u8>,
    /// Every signature line of the note, verified or not, in order.
    pub signatures: Vec<Signature>,
    /// Names of the trusted witnesses whose cosignatures verified.
    pub cosigners: Vec<String>,
}

impl OpenedCheckpoint {
    pub fn size(&self) -> u64 {
        self.size
    }
    pub fn root(&self) -> Hash {
        self.root
    }
}

/// Signs a checkpoint (origin, size, root) with the log's key: the note's bytes.
pub fn sign_checkpoint(signer: &NoteSigner, size: u64, root: Hash) -> Result<Vec<u8>> {
    let checkpoint = Checkpoint::new(signer.name(), size, root, "")
        .map_err(|_| LedgerError::malformed(signer.name(), "origin", "a one-line origin"))?;
    let mut note =
        Note::new(&checkpoint.to_bytes(), &[]).map_err(|e| note_error("checkpoint", e))?;
    note.add_sigs(&[signer])
        .map_err(|e| note_error("checkpoint", e))?;
    Ok(note.to_bytes())
}

/// Splits a signed note into its text and signature lines, with errors that name the line.
pub fn split_note(input: &str, bytes: &[u8]) -> Result<(Vec<u8>, Vec<Signature>)> {
    let note = Note::from_bytes(bytes).map_err(|_| diagnose_note(input, bytes))?;
    let text = note.text().to_vec();
    let signature_block = &bytes[text.len() + 1..];
    let mut signatures = Vec::new();
    for line in signature_block.split_inclusive(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        signatures.push(Signature::from_bytes(line).map_err(|_| diagnose_note(input, bytes))?);
    }
    Ok((text, signatures))
}

/// Rebuilds a note from its text and signature lines.
pub fn join_note(input: &str, text: &[u8], signatures: &[Signature]) -> Result<Vec<u8>> {
    Ok(Note::new(text, signatures)
        .map_err(|e| note_error(input, e))?
        .to_bytes())
}

/// Parses and verifies a checkpoint note: the log's signature, the origin, and a quorum of
/// trusted witness cosignatures. `input` names the file in errors.
pub fn open_checkpoint(input: &str, bytes: &[u8], keys: &TrustedKeys) -> Result<OpenedCheckpoint> {
    let (text, signatures) = split_note(input, bytes)?;
    let checkpoint =
        Checkpoint::from_bytes(&text).map_err(|_| diagnose_checkpoint(input, &text))?;
    let mut verifiers = vec![keys.log.boxed()];
    verifiers.extend(keys.witnesses.iter().map(VerifierKey::boxed));
    let note = Note::new(&text, &signatures).map_err(|e| note_error(input, e))?;
    let (verified, _unknown) = note
        .verify(&VerifierList::new(verifiers))
        .map_err(|e| match e {
            NoteError::UnverifiedNote => {
                let found: Vec<String> = signatures
                    .iter()
                    .map(|s| format!("{}+{:08x}", s.name(), s.id()))
                    .collect();
                LedgerError::Signature {
                    input: input.into(),
                    detail: format!(
                        "signed only by unknown keys [{}], expected a signature by {}+{:08x}",
                        found.join(", "),
                        keys.log.name(),
                        keys.log.key_id()
                    ),
                }
            }
            other => note_error(input, other),
        })?;
    let is = |key: &VerifierKey, s: &Signature| key.name() == s.name() && key.key_id() == s.id();
    if !verified.iter().any(|s| is(&keys.log, s)) {
        let detail = format!(
            "no signature by the log key {}+{:08x}",
            keys.log.name(),
            keys.log.key_id()
        );
        return Err(LedgerError::Signature {
            input: input.into(),
            detail,
        });
    }
    if checkpoint.origin() != keys.log.name() {
        let expected = format!("origin `{}` (the log key's name)", keys.log.name());
        return Err(LedgerError::malformed(input, "line 1", expected));
    }
    let cosigners: Vec<String> = keys
        .witnesses
        .iter()
        .filter(|w| verified.iter().any(|s| is(w, s)))
        .map(|w| w.name().to_owned())
        .collect();
    if cosigners.len() < keys.quorum {
        let detail = format!(
            "cosigned by {} trusted witnesses [{}], the quorum is {}",
            cosigners.len(),
            cosigners.join(", "),
            keys.quorum
        );
        return Err(LedgerError::Signature {
            input: input.into(),
            detail,
        });
    }
    Ok(OpenedCheckpoint {
        origin: checkpoint.origin().to_owned(),
        size: checkpoint.size(),
        root: *checkpoint.hash(),
        text,
        signatures,
        cosigners,
    })
}

fn note_error(input: &str, e: NoteError) -> LedgerError {
    LedgerError::Signature {
        input: input.into(),
        detail: e.to_string(),
    }
}

/// Says what is wrong with a note `signed_note` refused, line by line.
fn diagnose_note(input: &str, bytes: &[u8]) -> LedgerError {
    let bad = |place: String, expected: &str| LedgerError::malformed(input, place, expected);
    if bytes.len() > NOTE_BYTES_MAX {
        return bad("size".into(), "a note of at most 1,000,000 bytes");
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bad("bytes".into(), "UTF-8 text");
    };
    for (i, line) in text.split('\n').enumerate() {
        if let Some(column) = line.chars().position(|c| c < ' ') {
            return bad(
                format!("line {}, column {}", i + 1, column + 1),
                "no control characters",
            );
        }
    }
    let Some((body, block)) = text.rsplit_once("\n\n") else {
        return bad(
            "end".into(),
            "a blank line, then signature lines `— <name> <base64>`",
        );
    };
    let first_signature_line = body.split('\n').count() + 2;
    let Some(block) = block.strip_suffix('\n') else {
        return bad("end".into(), "a final newline");
    };
    for (i, line) in block.split('\n').enumerate() {
        let place = format!("line {}", first_signature_line + i);
        let Some(rest) = line.strip_prefix("— ") else {
            return bad(place, "a signature line starting with `— `");
        };
        let Some((name, sig)) = rest.split_once(' ') else {
            return bad(place, "`— <name> <base64>`");
        };
        if !signed_note::is_key_name_valid(name) {
            return bad(place, "a key name without spaces or `+`");
        }
        match BASE64.decode(sig) {
            Ok(sig) if sig.len() >= 5 => {}
            _ => return bad(place, "base64 of a 4-byte key hash and a signature"),
        }
    }
    bad("signatures".into(), "at most 100 signature lines")
}

/// Says what is wrong with checkpoint text `tlog_tiles` refused.
fn diagnose_checkpoint(input: &str, text: &[u8]) -> LedgerError {
    let bad = |line: usize, expected: &str| {
        LedgerError::malformed(input, format!("line {line}"), expected)
    };
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.first().is_none_or(|l| l.is_empty()) {
        return bad(1, "the origin (a non-empty line)");
    }
    let size = lines.get(1).copied().unwrap_or("");
    if size.parse::<u64>().map(|n| n.to_string()) != Ok(size.to_owned()) {
        return bad(2, "the tree size in decimal, without leading zeros");
    }
    let root = lines.get(2).copied().unwrap_or("");
    if BASE64.decode(root).map(|h| h.len()) != Ok(32) {
        return bad(3, "the root hash: base64 of 32 bytes");
    }
    bad(4, "extension lines (non-empty), then the end of the text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_hash_per_spec() {
        let pair = key_from_seed("example.com/log", KeyRole::Log, [7; 32]).unwrap();
        let signer = NoteSigner::parse("k", &pair.signer_key).unwrap();
        assert_eq!(signer.verifier_key(), pair.verifier_key);
        let verifier = VerifierKey::parse("v", &pair.verifier_key).unwrap();
        assert!(matches!(verifier, VerifierKey::Ed25519(_)));
        let witness = key_from_seed("w1", KeyRole::Witness, [8; 32]).unwrap();
        let verifier = VerifierKey::parse("v", &witness.verifier_key).unwrap();
        assert!(matches!(verifier, VerifierKey::Cosignature(_)));
        // The key hash is SHA-256(name || "\n" || type || key)[:4].
        let public = SigningKey::from_bytes(&[8; 32]).verifying_key();
        let mut hashed = b"w1\n\x04".to_vec();
        hashed.extend_from_slice(public.as_bytes());
        let digest = <sha2::Sha256 as sha2::Digest>::digest(&hashed);
        assert_eq!(verifier.key_id().to_be_bytes(), digest[..4]);
    }

    #[test]
    fn checkpoint_signs_cosigns_and_opens() {
        let log = key_from_seed("example.com/log", KeyRole::Log, [1; 32]).unwrap();
        let witness = key_from_seed("example.com/w1", KeyRole::Witness, [2; 32]).unwrap();
        let log_signer = NoteSigner::parse("log", &log.signer_key).unwrap();
        let note = sign_checkpoint(&log_signer, 5, tlog_tiles::record_hash(b"x")).unwrap();
        let keys = TrustedKeys::new(
            VerifierKey::parse("log", &log.verifier_key).unwrap(),
            vec![VerifierKey::parse("w", &witness.verifier_key).unwrap()],
            1,
        )
        .unwrap();
        let err = open_checkpoint("cp", &note, &keys).unwrap_err().to_string();
        assert!(err.contains("the quorum is 1"), "{err}");
        let (text, mut signatures) = split_note("cp", &note).unwrap();
        let witness_signer = NoteSigner::parse("w", &witness.signer_key).unwrap();
        signatures.push(witness_signer.cosign(&text, 1_700_000_000).unwrap());
        let cosigned = join_note("cp", &text, &signatures).unwrap();
        let opened = open_checkpoint("cp", &cosigned, &keys).unwrap();
        assert_eq!((opened.size(), opened.cosigners.len()), (5, 1));
        // A cosignature over other text does not verify and is refused, naming the key.
        let other = sign_checkpoint(&log_signer, 6, tlog_tiles::record_hash(b"y")).unwrap();
        let (other_text, _) = split_note("cp", &other).unwrap();
        signatures[1] = witness_signer.cosign(&other_text, 1_700_000_000).unwrap();
        let forged = join_note("cp", &text, &signatures).unwrap();
        let err = open_checkpoint("cp", &forged, &keys)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid signature for key example.com/w1"),
            "{err}"
        );
    }

    #[test]
    fn malformed_notes_name_the_line() {
        let check = |bytes: &[u8], expect: &str| {
            let log = key_from_seed("l", KeyRole::Log, [1; 32]).unwrap();
            let keys = TrustedKeys::new(
                VerifierKey::parse("v", &log.verifier_key).unwrap(),
                vec![],
                0,
            )
            .unwrap();
            let err = open_checkpoint("cp", bytes, &keys).unwrap_err().to_string();
            assert_eq!(err, expect);
        };
        check(
            b"l\n1\n",
            "cp: end: expected a blank line, then signature lines `— <name> <base64>`",
        );
        check(
            b"l\n1\nAAAA\n\n- l AAAA\n",
            "cp: line 5: expected a signature line starting with `— `",
        );
        check(
            b"l\n1\x01\n",
            "cp: line 2, column 2: expected no control characters",
        );
        let log = key_from_seed("l", KeyRole::Log, [1; 32]).unwrap();
        let signer = NoteSigner::parse("k", &log.signer_key).unwrap();
        let mut note = Note::new(b"l\n01\nAAAA\n", &[]).unwrap();
        note.add_sigs(&[&signer]).unwrap();
        check(
            &note.to_bytes(),
            "cp: line 2: expected the tree size in decimal, without leading zeros",
        );
    }
}
