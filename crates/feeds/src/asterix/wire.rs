//! The category-independent layer of ASTERIX: data items' length rules, the
//! FSPEC walk over a User Application Profile, and bounds-checked reads.
//!
//! Written by hand: no maintained Rust crate decodes ASTERIX at this speed with
//! byte-offset diagnostics (the `asterix` crate on crates.io covers few
//! categories through `deku` and allocates per item), and the bit layouts are
//! short and fully specified by EUROCONTROL.

use crate::limits::asterix_extended_octets_max;

/// How a data item's length is found on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Exactly this many octets.
    Fixed(u8),
    /// One-octet parts, each ending with the FX bit (bit 1) set while another follows.
    Extended,
    /// Like `Extended` with parts of this many octets (I062/510: three).
    ExtendedParts(u8),
    /// A repetition factor octet, then that many parts of this many octets.
    Repetitive(u8),
    /// A length octet counting itself (RE and SP fields, I048/250-style blocks).
    Explicit,
    /// A primary subfield (an FX-extended presence map), then the present subfields.
    Compound(&'static [Rule]),
    /// An FRN the edition leaves spare: its bit must not be set.
    Spare,
}

/// One data item of a UAP: its name for diagnostics and its length rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemSpec {
    pub name: &'static str,
    pub rule: Rule,
}

/// A User Application Profile: the items in FRN order (index 0 is FRN 1).
#[derive(Debug)]
pub(crate) struct Uap {
    pub category: u8,
    pub edition: &'static str,
    pub items: &'static [ItemSpec],
}

/// Why a record could not be delimited or read; `offset` is relative to the
/// start of the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireError {
    pub offset: usize,
    pub reason: String,
}

impl WireError {
    pub fn new(offset: usize, reason: String) -> WireError {
        WireError { offset, reason }
    }
}

pub(crate) const fn item(name: &'static str, rule: Rule) -> ItemSpec {
    ItemSpec { name, rule }
}

pub(crate) const SPARE: ItemSpec = ItemSpec {
    name: "spare",
    rule: Rule::Spare,
};

/// Length of an FX-extended field made of `part`-octet parts starting at `data[0]`.
fn extended_len(data: &[u8], part: usize) -> Result<usize, String> {
    let mut len = 0;
    for n_parts in 1..=asterix_extended_octets_max {
        len += part;
        let Some(&last) = data.get(len - 1) else {
            return Err(format!(
                "{part}-octet part {n_parts} of an extended field, {} left",
                data.len()
            ));
        };
        if last & 1 == 0 {
            return Ok(len);
        }
    }
    Err(format!(
        "an extended field of at most {asterix_extended_octets_max} parts (FX still set)"
    ))
}

/// Length in octets of one item obeying `rule` at the start of `data`.
/// The error says what was expected; the caller adds the item's name and offset.
pub(crate) fn item_len(rule: Rule, data: &[u8]) -> Result<usize, String> {
    let len = match rule {
        Rule::Fixed(n) => usize::from(n),
        Rule::Extended => return extended_len(data, 1),
        Rule::ExtendedParts(n) => return extended_len(data, usize::from(n)),
        Rule::Repetitive(n) => {
            let Some(&rep) = data.first() else {
                return Err("a repetition factor octet, none left".to_owned());
            };
            1 + usize::from(rep) * usize::from(n)
        }
        Rule::Explicit => match data.first() {
            None => return Err("a length octet, none left".to_owned()),
            Some(0) => return Err("an explicit length of at least 1, found 0".to_owned()),
            Some(&n) => usize::from(n),
        },
        Rule::Compound(subfields) => return compound_len(subfields, data),
        Rule::Spare => return Err("no item at a spare FRN".to_owned()),
    };
    if len > data.len() {
        return Err(format!("{len} octets, {} left", data.len()));
    }
    Ok(len)
}

/// Walks a compound item's primary subfield and calls `visit(index, bytes)`
/// for each present subfield (index 0 is the first); returns the item length.
pub(crate) fn walk_compound(
    subfields: &[Rule],
    data: &[u8],
    mut visit: impl FnMut(usize, &[u8]),
) -> Result<usize, String> {
    let primary_len = extended_len(data, 1).map_err(|e| format!("primary subfield: {e}"))?;
    let mut pos = primary_len;
    for (octet_idx, &octet) in data[..primary_len].iter().enumerate() {
        for bit in 0..7 {
            if octet & (0x80 >> bit) == 0 {
                continue;
            }
            let sub_idx = octet_idx * 7 + bit;
            let Some(&rule) = subfields.get(sub_idx) else {
                return Err(format!("subfield {} is not defined", sub_idx + 1));
            };
            if matches!(rule, Rule::Compound(_)) {
                return Err("no nested compound subfields".to_owned());
            }
            let len = item_len(rule, &data[pos..])
                .map_err(|e| format!("subfield {}: expected {e}", sub_idx + 1))?;
            visit(sub_idx, &data[pos..pos + len]);
            pos += len;
        }
    }
    Ok(pos)
}

fn compound_len(subfields: &[Rule], data: &[u8]) -> Result<usize, String> {
    walk_compound(subfields, data, |_, _| {})
}

/// Walks one record starting at `block[start]`: reads the FSPEC, then calls
/// `visit(frn, offset, item_bytes)` for each present item in FRN order
/// (`offset` within the block). Returns the
/// offset just past the record. A visitor error carries the item's name.
pub(crate) fn walk_record(
    uap: &Uap,
    block: &[u8],
    start: usize,
    mut visit: impl FnMut(usize, usize, &[u8]) -> Result<(), String>,
) -> Result<usize, WireError> {
    let fspec_len_max = uap.items.len().div_ceil(7);
    let mut fspec_len = 0;
    loop {
        let Some(&octet) = block.get(start + fspec_len) else {
            let what = if fspec_len == 0 {
                "FSPEC: a first octet, end of block".to_owned()
            } else {
                format!("FSPEC: FX set in octet {fspec_len}, no octet follows in the block")
            };
            return Err(WireError::new((start + fspec_len).saturating_sub(1), what));
        };
        fspec_len += 1;
        if octet & 1 == 0 {
            break;
        }
        if fspec_len == fspec_len_max {
            return Err(WireError::new(
                start + fspec_len - 1,
                format!(
                    "an FSPEC of at most {fspec_len_max} octets (CAT{:03} ed. {}), FX still set",
                    uap.category, uap.edition
                ),
            ));
        }
    }
    let mut pos = start + fspec_len;
    for (octet_idx, &octet) in block[start..start + fspec_len].iter().enumerate() {
        let mut bits = octet & 0xFE;
        while bits != 0 {
            let bit = bits.leading_zeros() as usize;
            bits &= !(0x80 >> bit);
            let frn_idx = octet_idx * 7 + bit;
            let rule = uap.items.get(frn_idx).map_or(Rule::Spare, |spec| spec.rule);
            let rest = &block[pos..];
            // Fixed-length and one-octet extended items are most of every record: their
            // length is checked here without the general rule walk, which stays for the
            // others and for errors.
            let len = match rule {
                Rule::Fixed(n) if usize::from(n) <= rest.len() => usize::from(n),
                // An extended item that stops after its first octet (I048/020, /170).
                Rule::Extended if rest.first().is_some_and(|&b| b & 1 == 0) => 1,
                _ => item_len(rule, rest).map_err(|e| item_error(uap, frn_idx, pos, e))?,
            };
            visit(frn_idx + 1, pos, &rest[..len])
                .map_err(|e| WireError::new(pos, format!("{}: {e}", uap.items[frn_idx].name)))?;
            pos += len;
        }
    }
    Ok(pos)
}

/// The error for an item whose length could not be read (kept out of the walk's loop).
#[cold]
fn item_error(uap: &Uap, frn_idx: usize, pos: usize, reason: String) -> WireError {
    let spec = uap.items.get(frn_idx).copied().unwrap_or(SPARE);
    let what = if spec.rule == Rule::Spare {
        format!(
            "FRN {} is not defined in the CAT{:03} ed. {} UAP",
            frn_idx + 1,
            uap.category,
            uap.edition
        )
    } else {
        format!("{}: expected {reason}", spec.name)
    };
    WireError::new(pos, what)
}

/// Big-endian unsigned integer of up to 8 octets. Callers pass slices whose
/// length the item rule has already checked.
#[inline]
pub(crate) fn be_u64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

#[inline]
pub(crate) fn be_u16(bytes: &[u8]) -> u16 {
    u16::from_be_bytes([bytes[0], bytes[1]])
}

#[inline]
pub(crate) fn be_u24(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]])
}

#[inline]
pub(crate) fn be_u32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Sign-extends the low `bits` bits of `value`.
#[inline]
pub(crate) fn signed(value: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((value << shift) as i64) >> shift
}

/// Builds one record: items are added in FRN order, then the FSPEC is
/// written in front of them.
#[derive(Debug, Default)]
pub(crate) struct RecordWriter {
    fspec_bits: u64,
    frn_last: usize,
    body: Vec<u8>,
}

impl RecordWriter {
    /// Appends an item's bytes; `frn` must grow (a bug otherwise).
    pub fn item(&mut self, frn: usize, bytes: &[u8]) {
        assert!(frn > self.frn_last, "items must be written in FRN order");
        assert!(frn <= 56, "FRN beyond the FSPEC this writer supports");
        self.frn_last = frn;
        self.fspec_bits |= 1 << (frn - 1);
        self.body.extend_from_slice(bytes);
    }

    pub fn finish(self, out: &mut Vec<u8>) {
        let n_octets = self.frn_last.div_ceil(7).max(1);
        for octet_idx in 0..n_octets {
            let mut octet = 0u8;
            for bit in 0..7 {
                if self.fspec_bits & (1 << (octet_idx * 7 + bit)) != 0 {
                    octet |= 0x80 >> bit;
                }
            }
            if octet_idx + 1 < n_octets {
                octet |= 1;
            }
            out.push(octet);
        }
        out.extend_from_slice(&self.body);
    }
}

/// A compound item: the primary subfield for the present subfields
/// (`(index, bytes)` in increasing index order), then their bytes.
pub(crate) fn compound_bytes(subfields: &[(usize, &[u8])]) -> Vec<u8> {
    let last = subfields.last().map_or(0, |(idx, _)| *idx);
    let n_octets = last / 7 + 1;
    let mut out = vec![0u8; n_octets];
    for octet in &mut out[..n_octets - 1] {
        *octet |= 1;
    }
    for (idx, _) in subfields {
        out[idx / 7] |= 0x80 >> (idx % 7);
    }
    for (_, bytes) in subfields {
        out.extend_from_slice(bytes);
    }
    out
}

/// The six-bit ICAO character set of Annex 10 (Mode S aircraft identification):
/// `A`–`Z` are 1–26, space is 32, `0`–`9` are 48–57.
pub(crate) const fn icao_char(code: u8) -> u8 {
    match code {
        1..=26 => b'A' + code - 1,
        // 0 is outside the alphabet but common as padding; decoders read it as a space.
        0 | 32 => b' ',
        48..=57 => code,
        // Codes outside the alphabet are kept visible rather than dropped.
        _ => b'?',
    }
}

/// [`icao_char`] of every six-bit code, for decoding a callsign without branches.
pub(crate) const ICAO_CHARS: [u8; 64] = {
    let mut table = [0u8; 64];
    let mut code = 0;
    while code < 64 {
        table[code] = icao_char(code as u8);
        code += 1;
    }
    table
};

pub(crate) fn icao_code(ch: u8) -> Option<u8> {
    match ch {
        b'A'..=b'Z' => Some(ch - b'A' + 1),
        b' ' => Some(32),
        b'0'..=b'9' => Some(ch),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_by_rule() {
        assert_eq!(item_len(Rule::Fixed(2), &[1, 2, 3]), Ok(2));
        assert!(
            item_len(Rule::Fixed(4), &[1, 2])
                .unwrap_err()
                .contains("4 octets, 2 left")
        );
        assert_eq!(item_len(Rule::Extended, &[0x01, 0x03, 0x02, 9]), Ok(3));
        assert_eq!(item_len(Rule::ExtendedParts(3), &[0, 0, 1, 0, 0, 0]), Ok(6));
        assert_eq!(item_len(Rule::Repetitive(8), &[0]), Ok(1));
        assert!(item_len(Rule::Repetitive(8), &[1, 0]).is_err());
        assert_eq!(item_len(Rule::Explicit, &[3, 0, 0, 0]), Ok(3));
        assert!(item_len(Rule::Explicit, &[0]).is_err());
        let subs = &[Rule::Fixed(2), Rule::Repetitive(6)];
        // Primary 0b1100_0000: both subfields; CAL 2 octets, RDS with one 6-octet part.
        let data = [0xC0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 0xEE];
        assert_eq!(item_len(Rule::Compound(subs), &data), Ok(10));
    }

    #[test]
    fn six_bit_characters_round_trip() {
        for ch in b"AZ09 ".iter().copied() {
            assert_eq!(icao_char(icao_code(ch).unwrap()), ch);
        }
        assert_eq!(icao_code(b'a'), None);
    }

    #[test]
    fn writer_sets_fx_bits() {
        let mut w = RecordWriter::default();
        w.item(1, &[0xAA]);
        w.item(8, &[0xBB]);
        let mut out = Vec::new();
        w.finish(&mut out);
        assert_eq!(out, vec![0x81, 0x80, 0xAA, 0xBB]);
    }
}
