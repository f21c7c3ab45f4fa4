//! C2SP tlog-tiles: tile paths, hash tiles and entry bundles, encoded and decoded.
//!
//! Written by hand because `tlog_tiles` 0.2 (whose tree maths we use) produces Go sumdb
//! paths (`tile/8/0/...`, `tile/8/data/...`), not the C2SP ones (`tile/0/...`,
//! `tile/entries/...`), and has no entry bundle codec.

use crate::error::{LedgerError, Result};
use crate::limits::{ENTRY_BYTES_MAX, HASH_BYTES, TILE_WIDTH};
use tlog_tiles::Hash;

/// Which kind of tile a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileKind {
    /// Hashes at tree level `8 * level`.
    Hashes { level: u8 },
    /// An entry bundle: the log entries themselves.
    Entries,
}

/// A tile's coordinates: kind, index within its level, and width (256 when full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileCoord {
    pub kind: TileKind,
    pub index: u64,
    pub width: u32,
}

impl TileCoord {
    /// The tile's path relative to the log root, `tile/<L>/<N>[.p/<W>]` or
    /// `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        let mut out = String::with_capacity(40);
        out.push_str("tile/");
        match self.kind {
            TileKind::Hashes { level } => out.push_str(&level.to_string()),
            TileKind::Entries => out.push_str("entries"),
        }
        out.push('/');
        push_index(&mut out, self.index);
        if self.width != TILE_WIDTH {
            out.push_str(".p/");
            out.push_str(&self.width.to_string());
        }
        out
    }

    /// Parses a path made by [`TileCoord::path`]; anything else is refused, so one tile has
    /// exactly one name.
    pub fn parse(path: &str) -> Result<TileCoord> {
        let bad = |expected: &str| LedgerError::malformed(path, "tile path", expected);
        let rest = path
            .strip_prefix("tile/")
            .ok_or_else(|| bad("a path starting `tile/`"))?;
        let (kind_text, rest) = rest.split_once('/').ok_or_else(|| bad("`tile/<L>/<N>`"))?;
        let kind = if kind_text == "entries" {
            TileKind::Entries
        } else {
            let level: u8 = parse_decimal(kind_text).ok_or_else(|| bad("a level 0 to 63"))?;
            if level > 63 {
                return Err(bad("a level 0 to 63"));
            }
            TileKind::Hashes { level }
        };
        let (index_text, width) = match rest.split_once(".p/") {
            Some((index_text, width_text)) => {
                let width: u32 = parse_decimal(width_text)
                    .filter(|w| (1..TILE_WIDTH).contains(w))
                    .ok_or_else(|| bad("a partial width 1 to 255 after `.p/`"))?;
                (index_text, width)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut index: u64 = 0;
        let elements: Vec<&str> = index_text.split('/').collect();
        for (i, element) in elements.iter().enumerate() {
            let last = i + 1 == elements.len();
            let digits = if last {
                Some(*element)
            } else {
                element.strip_prefix('x')
            };
            let digits = digits
                .filter(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| bad("index elements `xNNN/.../NNN` of three digits"))?;
            let value: u64 = digits.parse().map_err(|_| bad("three digits"))?;
            index = index
                .checked_mul(1000)
                .and_then(|n| n.checked_add(value))
                .ok_or_else(|| bad("an index below 2^64"))?;
        }
        let coord = TileCoord { kind, index, width };
        // One name per tile: refuse leading `x000/` elements that the encoder never writes.
        if coord.path() != path {
            return Err(bad(
                "the canonical encoding of the index (no leading x000/)",
            ));
        }
        Ok(coord)
    }

    /// Bytes a hash tile of this width holds.
    pub fn hash_tile_bytes(&self) -> usize {
        self.width as usize * HASH_BYTES
    }
}

fn parse_decimal<T: std::str::FromStr>(text: &str) -> Option<T> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

/// Three digits per path element, all but the last prefixed with `x`: 1234067 is
/// `x001/x234/067`, so no directory holds more than 1000 names of each kind.
fn push_index(out: &mut String, index: u64) {
    let mut groups = Vec::with_capacity(7);
    let mut n = index;
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    for (i, group) in groups.iter().rev().enumerate() {
        if i + 1 < groups.len() {
            out.push_str(&format!("x{group:03}/"));
        } else {
            out.push_str(&format!("{group:03}"));
        }
    }
}

/// Appends one entry to a bundle being built: a big-endian u16 length, then the bytes.
pub fn push_bundle_entry(bundle: &mut Vec<u8>, entry: &[u8]) {
    assert!(
        entry.len() <= ENTRY_BYTES_MAX,
        "entry size is checked on append"
    );
    bundle.extend_from_slice(&(entry.len() as u16).to_be_bytes());
    bundle.extend_from_slice(entry);
}

/// Splits an entry bundle into its `width` entries; `input` names the file in errors.
pub fn decode_bundle<'a>(input: &str, bytes: &'a [u8], width: u32) -> Result<Vec<&'a [u8]>> {
    let mut entries = Vec::with_capacity(width as usize);
    let mut offset = 0usize;
    while offset < bytes.len() {
        let place = || format!("byte {offset} (entry {})", entries.len());
        let Some(prefix) = bytes.get(offset..offset + 2) else {
            return Err(LedgerError::malformed(
                input,
                place(),
                "a 2-byte entry length",
            ));
        };
        let len = u16::from_be_bytes([prefix[0], prefix[1]]) as usize;
        let Some(entry) = bytes.get(offset + 2..offset + 2 + len) else {
            let expected = format!("{len} bytes of entry, found {}", bytes.len() - offset - 2);
            return Err(LedgerError::malformed(input, place(), expected));
        };
        if entries.len() == width as usize {
            let expected = format!("{width} entries and then the end of the file");
            return Err(LedgerError::malformed(input, place(), expected));
        }
        entries.push(entry);
        offset += 2 + len;
    }
    if entries.len() != width as usize {
        let expected = format!("{width} entries, found {}", entries.len());
        return Err(LedgerError::malformed(input, "end of file", expected));
    }
    Ok(entries)
}

/// The bytes of a hash tile.
pub fn encode_hash_tile(hashes: &[Hash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hashes.len() * HASH_BYTES);
    for hash in hashes {
        out.extend_from_slice(&hash.0);
    }
    out
}

/// Reads a hash tile of `width` hashes; `input` names the file in errors.
pub fn decode_hash_tile(input: &str, bytes: &[u8], width: u32) -> Result<Vec<Hash>> {
    let expected = width as usize * HASH_BYTES;
    if bytes.len() != expected {
        let found = format!("{expected} bytes ({width} hashes), found {}", bytes.len());
        return Err(LedgerError::malformed(input, "file size", found));
    }
    Ok(bytes
        .chunks_exact(HASH_BYTES)
        .map(|c| Hash(c.try_into().expect("chunk of 32")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(coord: TileCoord, expect: &str) {
        assert_eq!(coord.path(), expect);
        assert_eq!(TileCoord::parse(expect).unwrap(), coord);
    }

    #[test]
    fn paths_follow_the_spec_examples() {
        let hashes = |level, index, width| TileCoord {
            kind: TileKind::Hashes { level },
            index,
            width,
        };
        check(hashes(0, 0, 256), "tile/0/000");
        check(hashes(1, 1234067, 256), "tile/1/x001/x234/067");
        check(hashes(2, 1234067, 8), "tile/2/x001/x234/067.p/8");
        check(
            TileCoord {
                kind: TileKind::Entries,
                index: 7,
                width: 3,
            },
            "tile/entries/007.p/3",
        );
        check(
            hashes(63, u64::MAX, 255),
            "tile/63/x018/x446/x744/x073/x709/x551/615.p/255",
        );
    }

    #[test]
    fn non_canonical_paths_are_refused() {
        for bad in [
            "tile/0/x000/001",
            "tile/0/1",
            "tile/00/001",
            "tile/64/001",
            "tile/0/001.p/256",
            "tile/0/001.p/0",
            "tile/0/001.p/08",
            "tile/data/001",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x1000/000",
        ] {
            assert!(TileCoord::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn bundles_round_trip_and_name_the_bad_byte() {
        let mut bundle = Vec::new();
        push_bundle_entry(&mut bundle, b"one");
        push_bundle_entry(&mut bundle, b"");
        push_bundle_entry(&mut bundle, b"three");
        let entries = decode_bundle("b", &bundle, 3).unwrap();
        assert_eq!(entries, vec![&b"one"[..], b"", b"three"]);
        let err = decode_bundle("b", &bundle[..bundle.len() - 1], 3)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "b: byte 7 (entry 2): expected 5 bytes of entry, found 4"
        );
        let err = decode_bundle("b", &bundle, 2).unwrap_err().to_string();
        assert_eq!(
            err,
            "b: byte 7 (entry 2): expected 2 entries and then the end of the file"
        );
        let err = decode_bundle("b", &bundle, 4).unwrap_err().to_string();
        assert_eq!(err, "b: end of file: expected 4 entries, found 3");
    }
}
