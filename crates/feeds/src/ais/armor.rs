//! AIS 6-bit payload armouring (ITU-R M.1371-5 §3.3.7, IEC 61162-1 table 7):
//! ASCII characters to 6-bit values and back, a packed bit buffer, and the
//! 6-bit text alphabet used by names and callsigns.
//!
//! Written here rather than taken from a crate: the decoder's speed budget
//! (two million sentences a second on one core) wants a table lookup per
//! character into a reusable buffer, and no maintained Rust crate exposes
//! that layer without allocating per message.

/// Marks a byte that is not a payload character.
const INVALID: u8 = 0xFF;

/// ASCII byte to 6-bit value: `0`..`W` are 0..39, `` ` ``..`w` are 40..63.
static UNARMOR: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut c = 48;
    while c < 128 {
        if c <= 87 {
            table[c] = (c - 48) as u8;
        } else if c >= 96 && c <= 119 {
            table[c] = (c - 56) as u8;
        }
        c += 1;
    }
    table
};

/// 6-bit value to payload character.
pub(crate) fn armor_char(value: u8) -> u8 {
    debug_assert!(value < 64);
    if value < 40 { value + 48 } else { value + 56 }
}

/// The 6-bit text alphabet (ITU-R M.1371-5 table 47): `@` is padding.
const TEXT: &[u8; 64] = b"@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/// 6-bit text value of an ASCII character; lower case is folded to upper and
/// characters outside the alphabet become a space, so an encoded name stays
/// readable.
pub(crate) fn text_value(c: u8) -> u8 {
    let c = c.to_ascii_uppercase();
    match c {
        b'@'..=b'_' => c - 64,
        b' '..=b'?' => c,
        _ => 32,
    }
}

/// Bits of an assembled payload, packed big-endian, with zeroed slack after
/// the end so a read past it yields zeros rather than stale bits.
#[derive(Debug)]
pub struct Bits {
    bytes: Vec<u8>,
    len_bits: usize,
}

/// Why a payload could not be unarmoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArmorError {
    /// A byte outside the armouring alphabet, at this index of the payload.
    BadChar { index: usize, byte: u8 },
    /// More fill bits than the payload has.
    FillTooLong,
}

impl Bits {
    /// An empty buffer able to hold `chars_max` payload characters.
    pub(crate) fn with_capacity(chars_max: usize) -> Bits {
        Bits {
            bytes: Vec::with_capacity(chars_max * 6 / 8 + 16),
            len_bits: 0,
        }
    }

    pub fn len_bits(&self) -> usize {
        self.len_bits
    }

    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.len_bits = 0;
    }

    /// Appends the 6-bit values of `payload` (several fragments are appended
    /// in order), then `fill_bits` are taken off the end when `last` is set.
    pub(crate) fn push_payload(
        &mut self,
        payload: &[u8],
        fill_bits: u8,
        last: bool,
    ) -> Result<(), ArmorError> {
        // Pack four characters (24 bits) into three bytes at a time when the
        // buffer is byte aligned, which it is for every fragment but the rare
        // one whose predecessor had a length not a multiple of four.
        let mut index = 0;
        if self.len_bits % 8 == 0 {
            self.bytes.truncate(self.len_bits / 8);
            while index + 4 <= payload.len() {
                let a = UNARMOR[payload[index] as usize];
                let b = UNARMOR[payload[index + 1] as usize];
                let c = UNARMOR[payload[index + 2] as usize];
                let d = UNARMOR[payload[index + 3] as usize];
                if a > 63 || b > 63 || c > 63 || d > 63 {
                    return Err(bad_char(payload, index));
                }
                let word = (u32::from(a) << 18)
                    | (u32::from(b) << 12)
                    | (u32::from(c) << 6)
                    | u32::from(d);
                self.bytes
                    .extend_from_slice(&[(word >> 16) as u8, (word >> 8) as u8, word as u8]);
                self.len_bits += 24;
                index += 4;
            }
        }
        for (offset, &byte) in payload[index..].iter().enumerate() {
            let value = UNARMOR[byte as usize];
            if value == INVALID {
                return Err(ArmorError::BadChar {
                    index: index + offset,
                    byte,
                });
            }
            self.push_bits(u64::from(value), 6);
        }
        if last {
            let fill = usize::from(fill_bits);
            if fill > self.len_bits {
                return Err(ArmorError::FillTooLong);
            }
            self.len_bits -= fill;
        }
        // Zero slack so reads past the end (guarded by length checks, but a
        // field straddling the end must not see garbage) read zeros.
        self.bytes.truncate(self.len_bits.div_ceil(8));
        if self.len_bits % 8 != 0 {
            let last_byte = self.bytes.len() - 1;
            self.bytes[last_byte] &= 0xFFu8 << (8 - self.len_bits % 8);
        }
        self.bytes.extend_from_slice(&[0; 8]);
        self.bytes.truncate(self.len_bits.div_ceil(8) + 8);
        Ok(())
    }

    /// Appends the low `n` bits of `value` (n ≤ 57).
    pub(crate) fn push_bits(&mut self, value: u64, n: usize) {
        debug_assert!(n <= 57);
        self.bytes.truncate(self.len_bits.div_ceil(8));
        let mut remaining = n;
        while remaining > 0 {
            let bit_in_byte = self.len_bits % 8;
            if bit_in_byte == 0 {
                self.bytes.push(0);
            }
            let room = 8 - bit_in_byte;
            let take = room.min(remaining);
            let chunk = ((value >> (remaining - take)) & ((1 << take) - 1)) as u8;
            let last = self.bytes.len() - 1;
            self.bytes[last] |= chunk << (room - take);
            self.len_bits += take;
            remaining -= take;
        }
    }

    /// The unsigned field of `len` bits (≤ 57) at bit `start`; zeros past the end.
    pub fn u(&self, start: usize, len: usize) -> u64 {
        debug_assert!(len <= 57);
        let byte = start / 8;
        let mut window = [0u8; 8];
        let available = self.bytes.len().saturating_sub(byte).min(8);
        window[..available].copy_from_slice(&self.bytes[byte..byte + available]);
        let word = u64::from_be_bytes(window);
        (word << (start % 8)) >> (64 - len)
    }

    /// The two's-complement signed field of `len` bits at `start`.
    pub fn i(&self, start: usize, len: usize) -> i64 {
        let raw = self.u(start, len);
        let shift = 64 - len;
        ((raw << shift) as i64) >> shift
    }

    /// A 6-bit text field of `n_chars` characters at `start`, with trailing
    /// `@` padding and spaces removed (ITU-R M.1371-5 §3.3.7). Characters past
    /// the end of a short payload are treated as padding.
    pub fn text(&self, start: usize, n_chars: usize) -> String {
        let mut out = String::with_capacity(n_chars);
        for k in 0..n_chars {
            let at = start + 6 * k;
            if at + 6 > self.len_bits {
                break;
            }
            out.push(char::from(TEXT[self.u(at, 6) as usize]));
        }
        let trimmed = out.trim_end_matches(['@', ' ']).len();
        out.truncate(trimmed);
        out
    }

    /// Armours the buffer into payload characters, returning the fill bits.
    pub(crate) fn armor_into(&self, out: &mut String) -> u8 {
        let n_chars = self.len_bits.div_ceil(6);
        for k in 0..n_chars {
            out.push(char::from(armor_char(self.u(6 * k, 6) as u8)));
        }
        (n_chars * 6 - self.len_bits) as u8
    }

    /// Appends `text` as `n_chars` 6-bit characters, `@`-padded or truncated.
    pub(crate) fn push_text(&mut self, text: &str, n_chars: usize) {
        let mut bytes = text.bytes();
        for _ in 0..n_chars {
            let value = bytes.next().map_or(0, text_value);
            self.push_bits(u64::from(value), 6);
        }
    }
}

fn bad_char(payload: &[u8], from: usize) -> ArmorError {
    let index = (from..payload.len())
        .find(|&k| UNARMOR[payload[k] as usize] == INVALID)
        .unwrap_or(from);
    ArmorError::BadChar {
        index,
        byte: payload[index],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_armor_char_round_trips() {
        for value in 0..64u8 {
            assert_eq!(UNARMOR[armor_char(value) as usize], value);
        }
        let valid = UNARMOR.iter().filter(|&&v| v != INVALID).count();
        assert_eq!(valid, 64);
    }

    #[test]
    fn fields_read_across_byte_boundaries() {
        let mut bits = Bits::with_capacity(64);
        bits.push_payload(b"15RTgt0PAso;90TKcjM8h6g208CQ", 0, true)
            .unwrap();
        assert_eq!(bits.len_bits(), 168);
        assert_eq!(bits.u(0, 6), 1);
        assert_eq!(bits.u(8, 30), 371_798_000);
        assert_eq!(bits.i(42, 8), -127);
    }

    #[test]
    fn bad_char_is_named() {
        let mut bits = Bits::with_capacity(64);
        assert_eq!(
            bits.push_payload(b"15RT!t0P", 0, true),
            Err(ArmorError::BadChar {
                index: 4,
                byte: b'!'
            })
        );
    }

    #[test]
    fn text_round_trips() {
        let mut bits = Bits::with_capacity(64);
        bits.push_text("EVER DIADEM", 20);
        assert_eq!(bits.text(0, 20), "EVER DIADEM");
    }
}
