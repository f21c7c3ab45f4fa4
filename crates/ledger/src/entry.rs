//! The entries the log holds: a typed, versioned enum, encoded as RFC 8785 canonical JSON
//! (with `serde_jcs`) so that every party derives the same bytes and hence the same leaf.
//!
//! The ledger does not interpret payloads: the stages that produce them (pact, feeds,
//! attribution, triggers) own their meaning, and the payloads here are digests, ids and
//! `serde_json::Value`s. Serialization is a boundary: these types are the wire format, and a
//! change to a domain type must not change them silently.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use model::Digest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{LedgerError, Result};
use crate::limits::ENTRY_BYTES_MAX;
use crate::note::{NoteSigner, VerifierKey};

/// The version every entry of this build carries in its `v` field.
pub const ENTRY_VERSION: u16 = 1;

/// One log entry. The JSON object carries `"type"` (the variant, snake case) and `"v"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entry {
    /// A pact text came into force: its id, version label and the digest of its files.
    PactVersion {
        v: u16,
        pact: String,
        version: String,
        digest: Digest,
    },
    /// A chunk of a raw feed, committed to by digest so sensor data stays out of the log.
    FeedChunk {
        v: u16,
        source: String,
        first_time_us: i64,
        last_time_us: i64,
        records_n: u64,
        bytes_n: u64,
        digest: Digest,
    },
    /// An incident with the digests of its evidence.
    Incident {
        v: u16,
        incident: String,
        evidence: Vec<Digest>,
        body: Value,
    },
    /// An activation with its full reason (rule version, window, count, watermark, incidents).
    Activation {
        v: u16,
        activation: String,
        rule_version: Digest,
        reason: Value,
    },
    /// An obligation an activation created for a party.
    Obligation {
        v: u16,
        obligation: String,
        party: String,
        body: Value,
    },
    /// The settings of the engine whose decisions follow (effective date, lateness,
    /// windows, ...), as the stage that owns them writes them: what an auditor needs
    /// besides the pact and the inputs to derive the same decisions again.
    EngineConfig {
        v: u16,
        engine: String,
        config: Value,
    },
    /// Event time advanced to `to_us` without an incident (the end of a run): the timers
    /// due by then fired, and their decisions follow.
    Advance { v: u16, to_us: i64 },
    /// A party acknowledged one of its obligations, signed by its key.
    Acknowledgement(PartyAction),
    /// A party discharged one of its obligations, signed by its key.
    Discharge(PartyAction),
    /// A party recorded a delivery (the `body` says what, how many, when and where), signed
    /// by its key; `obligation` names the obligation or commitment it answers, or is empty.
    Delivery(PartyAction),
    /// The triggers engine flagged a measure instead of issuing it (a proportionality cap,
    /// a no-go overlap): the activation, the measure's index, the party and the reason.
    MeasureFlagged {
        v: u16,
        activation: String,
        measure_idx: u32,
        party: String,
        body: Value,
    },
    /// A change the triggers engine decided (an obligation acknowledged, discharged, overdue
    /// or cancelled; a consultation's position or close; a pending decision; a recurrence,
    /// an escalation, an expiry): the change's tag, what it is about (an obligation,
    /// activation or response id) and the record itself.
    Change {
        v: u16,
        change: String,
        subject: String,
        body: Value,
    },
    /// A sunset or performance review the triggers engine held on its date, with its outcome.
    Review { v: u16, review: String, body: Value },
    /// An entry too large for a bundle (over 65,535 bytes), logged by the digest of its
    /// canonical JSON; the full entry is kept beside the log.
    ByHash {
        v: u16,
        of_type: String,
        bytes_n: u64,
        digest: Digest,
    },
}

/// An act of a party on its own obligation, with the party's Ed25519 signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyAction {
    pub v: u16,
    pub obligation: String,
    pub party: String,
    pub body: Value,
    /// The signing key, `<name>+<hash>` as in a verifier key.
    pub key: String,
    /// Base64 Ed25519 signature over the entry's canonical JSON with `signature` empty.
    pub signature: String,
}

/// Which party action an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Acknowledgement,
    Discharge,
    Delivery,
}

impl Entry {
    /// The RFC 8785 canonical JSON bytes of the entry.
    pub fn to_canonical_json(&self) -> Result<Vec<u8>> {
        serde_jcs::to_vec(self).map_err(|e| LedgerError::Request {
            what: format!("entry of type {}", self.type_name()),
            expected: format!("a value canonical JSON can encode ({e})"),
        })
    }

    /// The bytes to log: the canonical JSON, or a `ByHash` entry when that is larger than a
    /// bundle allows (then the full bytes are returned beside it, to be kept elsewhere).
    pub fn to_log_bytes(&self) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
        let full = self.to_canonical_json()?;
        if full.len() <= ENTRY_BYTES_MAX {
            return Ok((full, None));
        }
        let by_hash = Entry::ByHash {
            v: ENTRY_VERSION,
            of_type: self.type_name().to_owned(),
            bytes_n: full.len() as u64,
            digest: Digest::of(&full),
        };
        Ok((by_hash.to_canonical_json()?, Some(full)))
    }

    /// Decodes logged bytes, refusing anything that is not the canonical encoding of a known
    /// entry of this version; `input` names the entry (e.g. `entry 17`) in errors.
    pub fn from_log_bytes(input: &str, bytes: &[u8]) -> Result<Entry> {
        let entry: Entry = serde_json::from_slice(bytes).map_err(|e| {
            LedgerError::malformed(
                input,
                format!("column {}", e.column()),
                format!("an entry: {e}"),
            )
        })?;
        if entry.version() != ENTRY_VERSION {
            let expected = format!("version {ENTRY_VERSION}, found {}", entry.version());
            return Err(LedgerError::malformed(input, "field v", expected));
        }
        if entry.to_canonical_json()? != bytes {
            let expected = "RFC 8785 canonical JSON without unknown fields";
            return Err(LedgerError::malformed(input, "encoding", expected));
        }
        Ok(entry)
    }

    /// The `type` tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            Entry::PactVersion { .. } => "pact_version",
            Entry::FeedChunk { .. } => "feed_chunk",
            Entry::Incident { .. } => "incident",
            Entry::Activation { .. } => "activation",
            Entry::Obligation { .. } => "obligation",
            Entry::EngineConfig { .. } => "engine_config",
            Entry::Advance { .. } => "advance",
            Entry::Acknowledgement(_) => "acknowledgement",
            Entry::Discharge(_) => "discharge",
            Entry::Delivery(_) => "delivery",
            Entry::MeasureFlagged { .. } => "measure_flagged",
            Entry::Change { .. } => "change",
            Entry::Review { .. } => "review",
            Entry::ByHash { .. } => "by_hash",
        }
    }

    fn version(&self) -> u16 {
        match self {
            Entry::PactVersion { v, .. }
            | Entry::FeedChunk { v, .. }
            | Entry::Incident { v, .. }
            | Entry::Activation { v, .. }
            | Entry::Obligation { v, .. }
            | Entry::EngineConfig { v, .. }
            | Entry::Advance { v, .. }
            | Entry::MeasureFlagged { v, .. }
            | Entry::Change { v, .. }
            | Entry::Review { v, .. }
            | Entry::ByHash { v, .. } => *v,
            Entry::Acknowledgement(a) | Entry::Discharge(a) | Entry::Delivery(a) => a.v,
        }
    }

    /// A party action signed by the party's key (`signer` must be a plain Ed25519 key).
    pub fn signed_action(
        kind: ActionKind,
        signer: &NoteSigner,
        obligation: &str,
        body: Value,
    ) -> Result<Entry> {
        let key = signer.verifier_key();
        let key_name = key
            .rsplit_once('+')
            .map(|(head, _)| head.to_owned())
            .unwrap_or(key);
        let action = PartyAction {
            v: ENTRY_VERSION,
            obligation: obligation.to_owned(),
            party: signer.name().to_owned(),
            body,
            key: key_name,
            signature: String::new(),
        };
        let mut entry = wrap(kind, action);
        let message = entry.to_canonical_json()?;
        let signature =
            signed_note::Signer::sign(signer, &message).map_err(|e| LedgerError::Request {
                what: "party signature".into(),
                expected: e.to_string(),
            })?;
        if let Entry::Acknowledgement(a) | Entry::Discharge(a) | Entry::Delivery(a) = &mut entry {
            a.signature = BASE64.encode(signature);
        }
        Ok(entry)
    }

    /// Checks a party action's signature against the party's verifier key; other entries
    /// carry no signature and are refused.
    pub fn verify_action(&self, key: &VerifierKey) -> Result<()> {
        let (Entry::Acknowledgement(action) | Entry::Discharge(action) | Entry::Delivery(action)) =
            self
        else {
            let expected = "an acknowledgement, a discharge or a delivery";
            return Err(LedgerError::Request {
                what: self.type_name().into(),
                expected: expected.into(),
            });
        };
        let fail = |detail: &str| LedgerError::Signature {
            input: format!(
                "{} of {} by {}",
                self.type_name(),
                action.obligation,
                action.party
            ),
            detail: detail.into(),
        };
        if action.key != format!("{}+{:08x}", key.name(), key.key_id()) {
            return Err(fail("signed with another key than the one given"));
        }
        if action.party != key.name() {
            return Err(fail("the party is not the key's owner"));
        }
        let signature = BASE64
            .decode(&action.signature)
            .map_err(|_| fail("signature is not base64"))?;
        let mut unsigned = self.clone();
        if let Entry::Acknowledgement(a) | Entry::Discharge(a) | Entry::Delivery(a) = &mut unsigned
        {
            a.signature.clear();
        }
        if key.verify(&unsigned.to_canonical_json()?, &signature) {
            Ok(())
        } else {
            Err(fail("the signature does not verify"))
        }
    }
}

fn wrap(kind: ActionKind, action: PartyAction) -> Entry {
    match kind {
        ActionKind::Acknowledgement => Entry::Acknowledgement(action),
        ActionKind::Discharge => Entry::Discharge(action),
        ActionKind::Delivery => Entry::Delivery(action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{KeyRole, key_from_seed};

    #[test]
    fn canonical_json_is_sorted_and_tagged() {
        let entry = Entry::Obligation {
            v: ENTRY_VERSION,
            obligation: "O-1".into(),
            party: "PL".into(),
            body: serde_json::json!({"z": 1.0, "a": [true, null], "deadline_us": 1e21}),
        };
        let bytes = entry.to_canonical_json().unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"body":{"a":[true,null],"deadline_us":1e+21,"z":1},"obligation":"O-1","party":"PL","type":"obligation","v":1}"#
        );
        // Decoding gives back the same bytes (1.0 and 1 are one number in canonical JSON).
        let decoded = Entry::from_log_bytes("e", &bytes).unwrap();
        assert_eq!(decoded.to_canonical_json().unwrap(), bytes);
        let spaced = br#"{"type": "obligation","v":1,"obligation":"O-1","party":"PL","body":{}}"#;
        let err = Entry::from_log_bytes("entry 3", spaced)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "entry 3: encoding: expected RFC 8785 canonical JSON without unknown fields"
        );
        let err = Entry::from_log_bytes("entry 4", br#"{"type":"bogus","v":1}"#).unwrap_err();
        assert!(err.to_string().starts_with("entry 4: column"), "{err}");
    }

    #[test]
    fn large_entries_go_in_by_hash() {
        let body = Value::String("x".repeat(70_000));
        let entry = Entry::Incident {
            v: 1,
            incident: "I-9".into(),
            evidence: vec![],
            body,
        };
        let (logged, full) = entry.to_log_bytes().unwrap();
        let full = full.unwrap();
        let Entry::ByHash {
            of_type,
            bytes_n,
            digest,
            ..
        } = Entry::from_log_bytes("e", &logged).unwrap()
        else {
            panic!("expected a by-hash entry");
        };
        assert_eq!(
            (of_type.as_str(), bytes_n, digest),
            ("incident", full.len() as u64, Digest::of(&full))
        );
    }

    #[test]
    fn party_actions_verify_only_with_their_key() {
        let pl = key_from_seed("PL", KeyRole::Party, [3; 32]).unwrap();
        let ua = key_from_seed("UA", KeyRole::Party, [4; 32]).unwrap();
        let signer = NoteSigner::parse("pl", &pl.signer_key).unwrap();
        let body = serde_json::json!({"at_us": 5});
        let entry = Entry::signed_action(ActionKind::Discharge, &signer, "O-1", body).unwrap();
        let pl_key = VerifierKey::parse("pl", &pl.verifier_key).unwrap();
        entry.verify_action(&pl_key).unwrap();
        let ua_key = VerifierKey::parse("ua", &ua.verifier_key).unwrap();
        assert!(entry.verify_action(&ua_key).is_err());
        let mut tampered = entry.clone();
        if let Entry::Discharge(a) = &mut tampered {
            a.obligation = "O-2".into();
        }
        let err = tampered.verify_action(&pl_key).unwrap_err().to_string();
        assert_eq!(err, "discharge of O-2 by PL: the signature does not verify");
    }

    #[test]
    fn deliveries_are_signed_party_actions_and_flags_round_trip() {
        let gb = key_from_seed("GB", KeyRole::Party, [5; 32]).unwrap();
        let signer = NoteSigner::parse("gb", &gb.signer_key).unwrap();
        let body = serde_json::json!({"item": "interceptor-drone", "quantity": 1500});
        let entry = Entry::signed_action(ActionKind::Delivery, &signer, "", body).unwrap();
        assert_eq!(entry.type_name(), "delivery");
        let key = VerifierKey::parse("gb", &gb.verifier_key).unwrap();
        entry.verify_action(&key).unwrap();
        let mut tampered = entry.clone();
        if let Entry::Delivery(a) = &mut tampered {
            a.body = serde_json::json!({"item": "interceptor-drone", "quantity": 15000});
        }
        let err = tampered.verify_action(&key).unwrap_err().to_string();
        assert_eq!(err, "delivery of  by GB: the signature does not verify");
        let bytes = entry.to_canonical_json().unwrap();
        assert_eq!(Entry::from_log_bytes("e", &bytes).unwrap(), entry);

        let flagged = Entry::MeasureFlagged {
            v: ENTRY_VERSION,
            activation: "p/r/1".into(),
            measure_idx: 2,
            party: "PL".into(),
            body: serde_json::json!({"reason": "over the cap"}),
        };
        let bytes = flagged.to_canonical_json().unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"activation":"p/r/1","body":{"reason":"over the cap"},"measure_idx":2,"party":"PL","type":"measure_flagged","v":1}"#
        );
        assert_eq!(Entry::from_log_bytes("e", &bytes).unwrap(), flagged);
        assert!(flagged.verify_action(&key).is_err());
    }

    #[test]
    fn changes_and_reviews_round_trip() {
        let change = Entry::Change {
            v: ENTRY_VERSION,
            change: "expired".into(),
            subject: "p/r/1".into(),
            body: serde_json::json!({"at": "2026-01-10T00:00:00Z", "change": "expired"}),
        };
        let bytes = change.to_canonical_json().unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"body":{"at":"2026-01-10T00:00:00Z","change":"expired"},"change":"expired","subject":"p/r/1","type":"change","v":1}"#
        );
        assert_eq!(Entry::from_log_bytes("e", &bytes).unwrap(), change);
        let review = Entry::Review {
            v: ENTRY_VERSION,
            review: "annual".into(),
            body: serde_json::json!({"what": "sunset"}),
        };
        let bytes = review.to_canonical_json().unwrap();
        assert_eq!(review.type_name(), "review");
        assert_eq!(Entry::from_log_bytes("e", &bytes).unwrap(), review);
    }
}
