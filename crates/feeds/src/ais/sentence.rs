//! One NMEA 0183 line: an optional IEC 61162-450 / NMEA 4.x tag block
//! (`\s:rx1,c:1700000000*hh\`), the `!xxVDM` / `!xxVDO` sentence with its
//! checksum, and the receive-time columns some receivers (USCG NAIS) append
//! after the checksum (`...,0*5B,s36310,d-081,T59.01,r08TPHI1,1242958962`).
//!
//! Parsing borrows from the line and allocates nothing.

use model::Time;

/// A parsed `!xxVDM` / `!xxVDO` sentence, borrowing its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// The tag block's `c:` (UNIX time of reception), when present.
    pub tag_time: Option<Time>,
    /// The tag block's `s:` (source station), when present.
    pub tag_source: Option<&'a [u8]>,
    /// `VDO` (own vessel) rather than `VDM`.
    pub own_vessel: bool,
    pub fragment_count: u8,
    /// 1-based.
    pub fragment_number: u8,
    /// The sequential message id (0-9) linking fragments; `None` when empty.
    pub sequence_id: Option<u8>,
    /// `A`, `B`, `1`, `2`, or `0` when the field is empty.
    pub channel: u8,
    pub payload: &'a [u8],
    pub fill_bits: u8,
    /// The UNIX receive time some receivers append after the checksum (USCG).
    pub receive_time: Option<Time>,
    /// The receiver name some receivers append after the checksum (`r08TPHI1`).
    pub receiver: Option<&'a [u8]>,
}

/// What one line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    Ais(Sentence<'a>),
    /// The UTC date and time of the receiver's own GNSS fix (`$xxRMC`, IEC
    /// 61162-1), which shipborne receivers interleave with AIS: a reference
    /// time for the AIS messages that follow.
    ReceiverTime(Time),
    /// A blank line, a `#` comment (sample files), or another NMEA sentence
    /// with a valid checksum (`$GPRMC` from a receiver's own GNSS): not ours,
    /// not an error.
    Skip,
}

/// Parses one line (without its line ending). Errors say what was expected.
pub fn parse_line(line: &[u8]) -> Result<Line<'_>, String> {
    let line = trim_end(line);
    if line.is_empty() || line[0] == b'#' {
        return Ok(Line::Skip);
    }
    let (tag, rest) = if line[0] == b'\\' {
        split_tag_block(line)?
    } else {
        (TagBlock::NONE, line)
    };
    match rest.first() {
        Some(b'!') => parse_encapsulated(rest, tag),
        Some(b'$') => {
            let (body, _) = checked_body(rest)?;
            Ok(rmc_time(body).map_or(Line::Skip, Line::ReceiverTime))
        }
        _ => Err(format!(
            "expected a sentence starting with `!` (or `$`, or a `\\` tag block), found `{}`",
            shown(&rest[..rest.len().min(16)])
        )),
    }
}

#[derive(Debug, Clone, Copy)]
struct TagBlock<'a> {
    time: Option<Time>,
    source: Option<&'a [u8]>,
}

impl TagBlock<'_> {
    const NONE: TagBlock<'static> = TagBlock {
        time: None,
        source: None,
    };
}

fn split_tag_block(line: &[u8]) -> Result<(TagBlock<'_>, &[u8]), String> {
    let Some(end) = line[1..].iter().position(|&b| b == b'\\') else {
        return Err("tag block: expected a closing `\\`".to_owned());
    };
    let block = &line[1..1 + end];
    let rest = &line[end + 2..];
    let Some(star) = block.iter().rposition(|&b| b == b'*') else {
        return Err("tag block: expected `*hh` checksum before the closing `\\`".to_owned());
    };
    let (body, sum) = (&block[..star], &block[star + 1..]);
    check_sum(body, sum).map_err(|e| format!("tag block: {e}"))?;
    let mut tag = TagBlock::NONE;
    for field in body.split(|&b| b == b',') {
        match field {
            [b'c', b':', value @ ..] => {
                let unix = parse_u64(value)
                    .filter(|_| value.len() <= 15)
                    .ok_or_else(|| {
                        format!(
                            "tag block: `c:` expected UNIX seconds, found `{}`",
                            shown(value)
                        )
                    })?;
                tag.time = Some(unix_time(unix));
            }
            [b's', b':', value @ ..] => tag.source = Some(value),
            // g: (grouping), n: (line count), d:, t:, r: carry nothing we use.
            _ => {}
        }
    }
    Ok((tag, rest))
}

/// A UNIX time in seconds; values from 10^11 on are taken as milliseconds,
/// which some receivers write (10^11 s would be the year 5138).
fn unix_time(value: u64) -> Time {
    const MS_FROM: u64 = 100_000_000_000;
    let unix_us = if value >= MS_FROM {
        value * 1_000
    } else {
        value * 1_000_000
    };
    // Fifteen digits at most: fits i64 microseconds.
    Time::from_unix_us(unix_us as i64)
}

/// Verifies `!...*hh` and returns the body between `!`/`$` and `*`, and
/// what follows the checksum.
fn checked_body(sentence: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let Some(star) = sentence.iter().position(|&b| b == b'*') else {
        return Err("expected `*hh` checksum".to_owned());
    };
    let body = &sentence[1..star];
    let after = &sentence[star + 1..];
    if after.len() < 2 {
        return Err(format!(
            "expected two hex digits after `*`, found `{}`",
            shown(after)
        ));
    }
    check_sum(body, &after[..2])?;
    Ok((body, &after[2..]))
}

fn check_sum(body: &[u8], hex: &[u8]) -> Result<(), String> {
    let expected = match hex {
        [hi, lo] => hex_value(*hi).zip(hex_value(*lo)).map(|(h, l)| h << 4 | l),
        _ => None,
    };
    let Some(expected) = expected else {
        return Err(format!(
            "expected a two-hex-digit checksum, found `{}`",
            shown(hex)
        ));
    };
    let actual = body.iter().fold(0u8, |acc, &b| acc ^ b);
    if actual != expected {
        return Err(format!(
            "bad checksum: computed {actual:02X}, sentence says {expected:02X}"
        ));
    }
    Ok(())
}

fn parse_encapsulated<'a>(sentence: &'a [u8], tag: TagBlock<'a>) -> Result<Line<'a>, String> {
    let (body, after) = checked_body(sentence)?;
    let own_vessel = match body.get(2..5) {
        Some(b"VDM") => false,
        Some(b"VDO") => true,
        // Other encapsulated sentences (ABK, ALR, ...) are not position data.
        _ => return Ok(Line::Skip),
    };
    let mut fields = [&body[..0]; 7];
    let mut n_fields = 0;
    for field in body.split(|&b| b == b',') {
        if n_fields == fields.len() {
            n_fields += 1;
            break;
        }
        fields[n_fields] = field;
        n_fields += 1;
    }
    if n_fields != 7 {
        let found = body.split(|&b| b == b',').count();
        return Err(format!(
            "expected 7 comma-separated fields in a VDM/VDO sentence, found {found}"
        ));
    }
    let [_, count, number, sequence, channel, payload, fill] = fields;
    let fragment_count = digit(count, 1, 9)
        .ok_or_else(|| format!("fragment count: expected 1-9, found `{}`", shown(count)))?;
    let fragment_number = digit(number, 1, fragment_count).ok_or_else(|| {
        format!(
            "fragment number: expected 1-{fragment_count}, found `{}`",
            shown(number)
        )
    })?;
    let sequence_id = match sequence {
        [] => None,
        _ => Some(digit(sequence, 0, 9).ok_or_else(|| {
            format!(
                "sequential message id: expected 0-9 or empty, found `{}`",
                shown(sequence)
            )
        })?),
    };
    let channel = match channel {
        [] => 0,
        [c @ (b'A' | b'B' | b'1' | b'2')] => *c,
        _ => {
            return Err(format!(
                "channel: expected A, B, 1, 2 or empty, found `{}`",
                shown(channel)
            ));
        }
    };
    let fill_bits = digit(fill, 0, 5)
        .ok_or_else(|| format!("fill bits: expected 0-5, found `{}`", shown(fill)))?;
    let (receive_time, receiver) = trailing_columns(after)?;
    Ok(Line::Ais(Sentence {
        tag_time: tag.time,
        tag_source: tag.source,
        own_vessel,
        fragment_count,
        fragment_number,
        sequence_id,
        channel,
        payload,
        fill_bits,
        receive_time,
        receiver,
    }))
}

/// The columns after the checksum: nothing, or USCG NAIS `,name,...` columns
/// whose last purely numeric one (10 digits) is the UNIX receive time.
fn trailing_columns(after: &[u8]) -> Result<(Option<Time>, Option<&[u8]>), String> {
    match after.first() {
        None => return Ok((None, None)),
        Some(b',') => {}
        Some(_) => {
            return Err(format!(
                "expected the end of the line or `,` columns after the checksum, found `{}`",
                shown(&after[..after.len().min(16)])
            ));
        }
    }
    let mut receive_time = None;
    let mut receiver = None;
    for column in after[1..].split(|&b| b == b',') {
        match column {
            [b'r', name @ ..] if !name.is_empty() => receiver = Some(name),
            _ if column.len() == 10 => {
                receive_time = parse_u64(column).map(unix_time).or(receive_time)
            }
            _ => {}
        }
    }
    Ok((receive_time, receiver))
}

/// The time of a valid `xxRMC` body: field 1 `hhmmss[.ss]`, field 9 `ddmmyy`
/// (years 00-79 are 2000-2079, as gpsd reads them).
fn rmc_time(body: &[u8]) -> Option<Time> {
    if body.get(2..5) != Some(b"RMC") {
        return None;
    }
    let mut fields = body.split(|&b| b == b',');
    let clock = fields.nth(1)?;
    let date = fields.nth(7)?;
    let two = |s: &[u8], at: usize| -> Option<u32> {
        let (a, b) = (*s.get(at)?, *s.get(at + 1)?);
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    let (hour, minute, second) = (two(clock, 0)?, two(clock, 2)?, two(clock, 4)?);
    let (day, month, year) = (two(date, 0)?, two(date, 2)?, two(date, 4)?);
    if hour > 23
        || minute > 59
        || second > 60
        || !(1..=31).contains(&day)
        || !(1..=12).contains(&month)
    {
        return None;
    }
    let year = i64::from(if year < 80 { 2000 + year } else { 1900 + year });
    let days = super::days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(Time::from_unix_us(seconds * 1_000_000))
}

fn digit(field: &[u8], min: u8, max: u8) -> Option<u8> {
    match field {
        [d @ b'0'..=b'9'] if (min..=max).contains(&(d - b'0')) => Some(d - b'0'),
        _ => None,
    }
}

fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
    })
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |k| k + 1);
    &line[..end]
}

/// Bytes for an error message: printable ASCII kept, the rest escaped.
pub(crate) fn shown(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// The NMEA checksum of `body` (the bytes between `!`/`\` and `*`).
pub(crate) fn checksum(body: &[u8]) -> u8 {
    body.iter().fold(0u8, |acc, &b| acc ^ b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(line: &str) -> Sentence<'_> {
        match parse_line(line.as_bytes()) {
            Ok(Line::Ais(s)) => s,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn plain_sentence() {
        let s = sentence("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n");
        assert_eq!(
            (
                s.fragment_count,
                s.fragment_number,
                s.sequence_id,
                s.channel
            ),
            (1, 1, None, b'A')
        );
        assert_eq!(s.payload, b"15RTgt0PAso;90TKcjM8h6g208CQ");
    }

    #[test]
    fn tag_block_time_and_source() {
        let s = sentence(
            "\\s:2573345,c:1671533231*09\\!BSVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0*1C",
        );
        assert_eq!(s.tag_time, Some(Time::from_unix_us(1_671_533_231_000_000)));
        assert_eq!(s.tag_source, Some(&b"2573345"[..]));
    }

    #[test]
    fn uscg_receive_time() {
        let s = sentence(
            "!AIVDM,1,1,,B,:6TMCD1GOS60,0*5B,s36310,d-081,T59.01777335,r08TPHI1,1242958962",
        );
        assert_eq!(
            s.receive_time,
            Some(Time::from_unix_us(1_242_958_962_000_000))
        );
        assert_eq!(s.receiver, Some(&b"08TPHI1"[..]));
    }

    #[test]
    fn receiver_rmc_gives_a_time() {
        let line = "$GPRMC,213950.00,A,5250.53669,N,00542.34920,E,0.020,,070420,,,A*7D";
        let expected = Time::parse_rfc3339("2020-04-07T21:39:50Z").unwrap();
        assert_eq!(
            parse_line(line.as_bytes()),
            Ok(Line::ReceiverTime(expected))
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        let err = |l: &str| parse_line(l.as_bytes()).unwrap_err();
        assert!(err("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B").contains("bad checksum"));
        assert!(err("AIVDM,2,2,1,B,00000000000,2*26").contains("expected a sentence starting"));
        assert!(err("!AIVDM,1,1,,A,15RT,0,0*38").contains("expected 7"));
        assert!(err("!AAVDM,0,1,,B,16UK7Fi0?w4tQF0l4Q@>401v1PS;,0*0F").contains("fragment count"));
    }
}
