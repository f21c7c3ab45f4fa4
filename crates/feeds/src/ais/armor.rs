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

/// Bits of an assembled payload, packed big-endian in a fixed, zero-filled
/// buffer: bytes past the end are always zero, so a field straddling the end
/// reads zeros rather than stale bits, and nothing is reallocated per message.
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
    /// More characters than the buffer was made for.
    TooLong,
}

/// Zero bytes kept after the last usable byte so an 8-byte window never runs off.
const SLACK_BYTES: usize = 8;

impl Bits {
    /// An empty buffer able to hold `chars_max` payload characters.
    pub(crate) fn with_capacity(chars_max: usize) -> Bits {
        Bits {
            bytes: vec![0; (chars_max * 6).div_ceil(8) + SLACK_BYTES],
            len_bits: 0,
        }
    }

    pub fn len_bits(&self) -> usize {
        self.len_bits
    }

    fn capacity_bits(&self) -> usize {
        (self.bytes.len() - SLACK_BYTES) * 8
    }

    pub(crate) fn clear(&mut self) {
        let used = self.len_bits.div_ceil(8);
        self.bytes[..used].fill(0);
        self.len_bits = 0;
    }

    /// Appends the 6-bit values of `payload`, then takes `fill_bits` off the
    /// end when `last` is set.
    pub(crate) fn push_payload(
        &mut self,
        payload: &[u8],
        fill_bits: u8,
        last: bool,
    ) -> Result<(), ArmorError> {
        if self.len_bits + 6 * payload.len() > self.capacity_bits() {
            return Err(ArmorError::TooLong);
        }
        // Four characters (24 bits) into three bytes at a time while the
        // buffer is byte aligned, which it is unless an earlier push was not.
        let mut index = 0;
        if self.len_bits.is_multiple_of(8) {
            let mut at = self.len_bits / 8;
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
                self.bytes[at..at + 3].copy_from_slice(&word.to_be_bytes()[1..]);
                at += 3;
                index += 4;
            }
            self.len_bits = at * 8;
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
            let old_used = self.len_bits.div_ceil(8);
            self.len_bits -= fill;
            // Keep the invariant: every bit past the end is zero.
            let used = self.len_bits.div_ceil(8);
            self.bytes[used..old_used].fill(0);
            if !self.len_bits.is_multiple_of(8) {
                self.bytes[used - 1] &= 0xFFu8 << (8 - self.len_bits % 8);
            }
        }
        Ok(())
    }

    /// Appends the low `n` bits of `value` (n ≤ 57). The caller keeps within
    /// capacity (the encoder's messages are at most 424 bits).
    pub(crate) fn push_bits(&mut self, value: u64, n: usize) {
        debug_assert!(n <= 57);
        assert!(
            self.len_bits + n <= self.capacity_bits(),
            "bit buffer overflow"
        );
        let mut remaining = n;
        while remaining > 0 {
            let bit_in_byte = self.len_bits % 8;
            let room = 8 - bit_in_byte;
            let take = room.min(remaining);
            let chunk = ((value >> (remaining - take)) & ((1 << take) - 1)) as u8;
            self.bytes[self.len_bits / 8] |= chunk << (room - take);
            self.len_bits += take;
            remaining -= take;
        }
    }

    /// The unsigned field of `len` bits (1-57) at bit `start`; zeros past the end.
    pub fn u(&self, start: usize, len: usize) -> u64 {
        debug_assert!((1..=57).contains(&len));
        let byte = start / 8;
        let word = match self.bytes.get(byte..byte + 8) {
            Some(window) => u64::from_be_bytes(window.try_into().unwrap_or([0; 8])),
            None => {
                let mut window = [0u8; 8];
                let available = self.bytes.len().saturating_sub(byte).min(8);
                if available > 0 {
                    window[..available].copy_from_slice(&self.bytes[byte..byte + available]);
                }
                u64::from_be_bytes(window)
            }
        };
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
