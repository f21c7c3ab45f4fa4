//! Who is asking: per-party bearer credentials from the config, or an Ed25519 signature by
//! the party's key over the very ledger entry its act will become (so the log holds the
//! party's own signature). Nonces in every act make a replay detectable.

use std::collections::{BTreeMap, VecDeque};

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ledger::{ActionKind, Entry, NoteSigner, VerifierKey};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::error::ApiError;
use crate::limits::NONCES_PER_PARTY_MAX;

/// A principal's role: parties act on their own obligations, observers only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Party,
    Observer,
}

/// One principal in the access config (JSON, unknown fields refused).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipalConfig {
    /// For a party, its code as the pact names it (`PL`, `UA`, ...).
    pub name: String,
    pub role: Role,
    /// A bearer credential (`Authorization: Bearer <token>`).
    #[serde(default)]
    pub token: Option<String>,
    /// The party's verifier key (`<name>+<hash>+<base64>`) for signed requests.
    #[serde(default)]
    pub verifier_key: Option<String>,
    /// The party's signer key, held by the server only in the demo so that acts made with a
    /// bearer credential can still be logged as signed by the party.
    #[serde(default)]
    pub signer_key: Option<String>,
}

/// The access config: every principal the server knows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    pub principals: Vec<PrincipalConfig>,
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Bearer,
    /// The base64 Ed25519 signature over the act's ledger entry.
    Signature(String),
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    pub via: Via,
}

#[derive(Debug)]
struct Known {
    role: Role,
    verifier: Option<VerifierKey>,
    signer: Option<NoteSigner>,
}

/// Credentials by token digest and by key, and the nonces seen per party.
#[derive(Debug, Default)]
pub struct Credentials {
    /// SHA-256 of each token: a lookup by digest does not compare secrets byte by byte.
    by_token: BTreeMap<[u8; 32], String>,
    /// `<name>+<hash>` of each verifier key.
    by_key: BTreeMap<String, String>,
    known: BTreeMap<String, Known>,
    nonces: std::sync::Mutex<BTreeMap<String, VecDeque<String>>>,
}

/// An error of the access config, naming the principal.
#[derive(Debug, thiserror::Error)]
#[error("access config: principal `{name}`: {problem}")]
pub struct ConfigError {
    pub name: String,
    pub problem: String,
}

impl Credentials {
    pub fn new(config: &AccessConfig) -> Result<Credentials, ConfigError> {
        let mut credentials = Credentials::default();
        for p in &config.principals {
            let fail = |problem: String| ConfigError {
                name: p.name.clone(),
                problem,
            };
            if credentials.known.contains_key(&p.name) {
                return Err(fail("listed twice".into()));
            }
            if let Some(token) = &p.token {
                if token.len() < 12 {
                    return Err(fail("token shorter than 12 characters".into()));
                }
                credentials.by_token.insert(digest(token), p.name.clone());
            }
            let verifier = p
                .verifier_key
                .as_deref()
                .map(|k| VerifierKey::parse("verifier_key", k).map_err(|e| fail(e.to_string())))
                .transpose()?;
            if let Some(key) = &verifier {
                if key.name() != p.name {
                    return Err(fail(format!("verifier key is named `{}`", key.name())));
                }
                let id = format!("{}+{:08x}", key.name(), key.key_id());
                credentials.by_key.insert(id, p.name.clone());
            }
            let signer = p
                .signer_key
                .as_deref()
                .map(|k| NoteSigner::parse("signer_key", k).map_err(|e| fail(e.to_string())))
                .transpose()?;
            credentials.known.insert(
                p.name.clone(),
                Known {
                    role: p.role,
                    verifier,
                    signer,
                },
            );
        }
        Ok(credentials)
    }

    /// The caller, from `Authorization`; `None` when the header is absent.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(None);
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
        if let Some(token) = value.strip_prefix("Bearer ") {
            let name = self.by_token.get(&digest(token.trim())).ok_or_else(|| {
                ApiError::unauthorized("the bearer credential is not one this server knows")
            })?;
            return Ok(Some(self.principal(name, Via::Bearer)));
        }
        if let Some(rest) = value.strip_prefix("Ed25519 ") {
            let (key, signature) = rest.trim().split_once(':').ok_or_else(|| {
                ApiError::unauthorized("expected `Authorization: Ed25519 <name>+<hash>:<base64>`")
            })?;
            let name = self.by_key.get(key).ok_or_else(|| {
                ApiError::unauthorized(format!(
                    "the signing key `{key}` is not one this server knows"
                ))
            })?;
            return Ok(Some(
                self.principal(name, Via::Signature(signature.to_owned())),
            ));
        }
        Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>` or `Ed25519 <key>:<signature>`",
        ))
    }

    fn principal(&self, name: &str, via: Via) -> Principal {
        let role = self.known.get(name).map_or(Role::Observer, |k| k.role);
        Principal {
            name: name.to_owned(),
            role,
            via,
        }
    }

    /// The ledger entry of a party's act, with the party's signature: the request's own
    /// signature when it was signed (checked here), else the server-held demo key.
    pub fn signed_entry(
        &self,
        principal: &Principal,
        kind: ActionKind,
        obligation: &str,
        body: serde_json::Value,
    ) -> Result<Entry, ApiError> {
        let known = self.known.get(&principal.name).ok_or_else(|| {
            ApiError::unauthorized(format!("`{}` is not a known principal", principal.name))
        })?;
        match &principal.via {
            Via::Signature(signature) => {
                let key = known.verifier.as_ref().ok_or_else(|| {
                    ApiError::unauthorized(format!("{} has no verifier key", principal.name))
                })?;
                let entry =
                    unsigned_action(kind, key, &principal.name, obligation, body, signature);
                if BASE64.decode(signature).is_err() {
                    return Err(ApiError::unauthorized("the signature is not base64"));
                }
                entry.verify_action(key).map_err(|e| {
                    ApiError::unauthorized(format!(
                        "bad signature: {e}; sign the canonical JSON of the act's ledger entry"
                    ))
                })?;
                Ok(entry)
            }
            Via::Bearer => {
                let signer = known.signer.as_ref().ok_or_else(|| {
                    ApiError::unauthorized(format!(
                        "{} must sign its acts (`Authorization: Ed25519 ...`): the server holds no key of it",
                        principal.name
                    ))
                })?;
                Entry::signed_action(kind, signer, obligation, body).map_err(ApiError::internal)
            }
        }
    }

    /// Remembers `nonce` for `party`; a nonce seen before is a replay.
    pub fn check_nonce(&self, party: &str, nonce: &str) -> Result<(), ApiError> {
        let mut nonces = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        let seen = nonces.entry(party.to_owned()).or_default();
        if seen.iter().any(|n| n == nonce) {
            return Err(ApiError::conflict(
                "replayed",
                format!("nonce `{nonce}` was already used by {party}: a replayed request"),
            ));
        }
        if seen.len() == NONCES_PER_PARTY_MAX {
            seen.pop_front();
        }
        seen.push_back(nonce.to_owned());
        Ok(())
    }
}

/// The act's entry as the party signs it, with the given signature filled in.
fn unsigned_action(
    kind: ActionKind,
    key: &VerifierKey,
    party: &str,
    obligation: &str,
    body: serde_json::Value,
    signature: &str,
) -> Entry {
    let action = ledger::PartyAction {
        v: ledger::ENTRY_VERSION,
        obligation: obligation.to_owned(),
        party: party.to_owned(),
        body,
        key: format!("{}+{:08x}", key.name(), key.key_id()),
        signature: signature.to_owned(),
    };
    match kind {
        ActionKind::Acknowledgement => Entry::Acknowledgement(action),
        ActionKind::Discharge => Entry::Discharge(action),
        ActionKind::Delivery => Entry::Delivery(action),
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
