//! Signed notes, checkpoints, keys and tile paths from arbitrary bytes: errors, never panics.
#![no_main]

use ledger::note::{KeyRole, TrustedKeys, VerifierKey, key_from_seed, open_checkpoint, split_note};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pair = key_from_seed("fuzz.example/log", KeyRole::Log, [1; 32]).unwrap();
    let keys = TrustedKeys::new(VerifierKey::parse("k", &pair.verifier_key).unwrap(), vec![], 0).unwrap();
    let _ = open_checkpoint("fuzz", data, &keys);
    let _ = split_note("fuzz", data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = VerifierKey::parse("fuzz", text);
        let _ = ledger::NoteSigner::parse("fuzz", text);
        let _ = ledger::tiles::TileCoord::parse(text);
    }
});
