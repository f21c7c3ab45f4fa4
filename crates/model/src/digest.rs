//! SHA-256 digests of raw records and documents, so the ledger can commit to
//! inputs without storing them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest as _, Sha256};

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// The same digest as [`Digest::of`], for short inputs such as one
    /// decoded record: sha2's block function (`sha2::compress256`, which
    /// picks SHA-NI at run time) with the padding done here on the stack.
    /// sha2's streaming API copies the input through its block buffer
    /// first, which cost about a tenth of an ASTERIX plot's decoding.
    pub fn of_record(bytes: &[u8]) -> Digest {
        let mut state = SHA256_H0;
        let (blocks, tail) = bytes.as_chunks::<64>();
        for block in blocks {
            sha2::compress256(
                &mut state,
                std::slice::from_ref(GenericArray::from_slice(block)),
            );
        }
        // The tail, 0x80, zeros and the length in bits: one block, or two
        // when the tail leaves no room for the 0x80 and the 8-byte length.
        let mut last = [0u8; 128];
        last[..tail.len()].copy_from_slice(tail);
        last[tail.len()] = 0x80;
        let used = if tail.len() < 56 { 64 } else { 128 };
        let bits = (bytes.len() as u64).wrapping_mul(8);
        last[used - 8..used].copy_from_slice(&bits.to_be_bytes());
        for block in last[..used].chunks_exact(64) {
            sha2::compress256(
                &mut state,
                std::slice::from_ref(GenericArray::from_slice(block)),
            );
        }
        let mut out = [0u8; 32];
        for (word, chunk) in state.iter().zip(out.chunks_exact_mut(4)) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        Digest(out)
    }

    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    pub fn from_hex(text: &str) -> Option<Digest> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Digest(out))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Digest::from_hex(&text).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        let d = Digest::of(b"abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Digest::from_hex(&d.to_hex()), Some(d));
        assert_eq!(Digest::from_hex("zz"), None);
    }

    #[test]
    fn of_record_equals_of_for_every_padding_case() {
        // Lengths around each boundary: 55/56 (one or two padding blocks),
        // 64 (a whole block), 119/120, and longer inputs.
        let data: Vec<u8> = (0..700u32).map(|i| (i * 131 + 7) as u8).collect();
        for len in 0..=data.len() {
            let bytes = &data[..len];
            assert_eq!(Digest::of_record(bytes), Digest::of(bytes), "length {len}");
        }
        assert_eq!(
            Digest::of_record(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
