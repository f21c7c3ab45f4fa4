//! Proof text, proofs of any length for any index and size, bundles and hash tiles from
//! arbitrary bytes: errors, never panics.
#![no_main]

use ledger::proof::{check_consistency, check_inclusion, decode_proof};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let size = u64::from_le_bytes(data[..8].try_into().unwrap()).max(1);
    let index = u64::from_le_bytes(data[8..16].try_into().unwrap());
    let width = u32::from(data[16]) + 1;
    let rest = &data[17..];
    let proof: Vec<ledger::Hash> =
        rest.chunks_exact(32).map(|c| ledger::Hash(c.try_into().unwrap())).collect();
    let root = ledger::record_hash(b"root");
    let _ = check_inclusion(&proof, size, root, index % size, ledger::record_hash(rest));
    let _ = check_consistency(&proof, ("old", index, root), ("new", size, root));
    let _ = ledger::tiles::decode_bundle("fuzz", rest, width);
    let _ = ledger::tiles::decode_hash_tile("fuzz", rest, width);
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = decode_proof("fuzz", text);
    }
});
