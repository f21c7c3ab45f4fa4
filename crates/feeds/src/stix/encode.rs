//! Writes STIX 2.1 bundles, and makes the deterministic ids the simulator
//! needs (the same scenario and seed give byte-identical output).

use model::Digest;
use serde_json::{Map, Value};

use super::object::StixObject;

/// A bundle of `objects` as pretty JSON. `spec_version` is set to `2.1` on
/// objects that lack it (STIX 2.1 requires it on every SDO and SRO).
pub fn bundle_json(bundle_id: &str, objects: &[StixObject]) -> String {
    let objects: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut json = o.to_json();
            if let Value::Object(map) = &mut json {
                map.entry("spec_version")
                    .or_insert_with(|| Value::from("2.1"));
            }
            json
        })
        .collect();
    let mut bundle = Map::new();
    bundle.insert("type".into(), Value::from("bundle"));
    bundle.insert("id".into(), Value::from(bundle_id));
    bundle.insert("objects".into(), Value::Array(objects));
    // Serialising a `Value` cannot fail.
    serde_json::to_string_pretty(&Value::Object(bundle)).unwrap_or_default()
}

/// `<type>--<UUID>` where the UUID (version 4 layout, RFC 4122 variant) is
/// taken from SHA-256 of `seed`: random-looking, but the same seed gives the same id.
pub fn deterministic_id(object_type: &str, seed: &str) -> String {
    let mut b: [u8; 16] = [0; 16];
    b.copy_from_slice(&Digest::of(seed.as_bytes()).0[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{object_type}--{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
