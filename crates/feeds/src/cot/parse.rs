//! Parses one CoT `<event>` from the start of a byte slice with quick-xml's
//! pull reader: no DOM, attributes read in place, strings allocated only for
//! the fields kept.
//!
//! Refused, never expanded: `<!DOCTYPE` anywhere in an event, and any entity
//! reference other than the five predefined ones and character references.
//! quick-xml itself expands nothing, so refusing the reference is enough to
//! defuse billion-laughs bombs and external entities.

use std::borrow::Cow;

use model::Time;
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::event::{COT_UNKNOWN, CotDetail, CotEvent, CotGroup, CotPoint};
use crate::limits::cot_depth_max;

/// What parsing the bytes at the start of a slice gave.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// An event, and how many bytes it took.
    Event(Box<CotEvent>, usize),
    /// The slice ends before the event does.
    Incomplete,
    /// The event is malformed: what was wrong.
    Malformed(String),
}

/// Parses the event starting at `input[0]` (which must be `<event`).
pub(crate) fn parse_event(input: &[u8]) -> Parsed {
    let mut reader = Reader::from_reader(input);
    let mut state = State::default();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => return truncated_or(input, format!("malformed XML: {err}")),
        };
        let step = match event {
            Event::Start(e) => state.open(&e, false),
            Event::Empty(e) => state.open(&e, true),
            Event::End(_) => Ok(state.close()),
            Event::Text(t) => state.text(&t.xml10_content()).map(|()| false),
            Event::CData(t) => state.text(&t.xml10_content()).map(|()| false),
            Event::GeneralRef(r) => state.reference(&r).map(|()| false),
            Event::DocType(_) => Err("DTD refused: `<!DOCTYPE` is not accepted in CoT".to_owned()),
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => Ok(false),
            Event::Eof => return truncated_or(input, "event ends before `</event>`".to_owned()),
        };
        match step {
            Ok(false) => {}
            Ok(true) => {
                let used = usize::try_from(reader.buffer_position()).unwrap_or(input.len());
                return match state.finish() {
                    Ok(event) => Parsed::Event(Box::new(event), used.min(input.len())),
                    Err(reason) => Parsed::Malformed(reason),
                };
            }
            Err(reason) => return Parsed::Malformed(reason),
        }
    }
}

/// An error before a whole `</event>` is in the slice means we have not seen the whole
/// event yet; after it, the event is malformed.
fn truncated_or(input: &[u8], reason: String) -> Parsed {
    let closed = find(input, b"</event").is_some_and(|at| input[at..].contains(&b'>'));
    if closed {
        Parsed::Malformed(reason)
    } else {
        Parsed::Incomplete
    }
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Where in the event the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum In {
    #[default]
    Outside,
    Event,
    Detail,
    Remarks,
    /// Any element Guarantor does not read.
    Other,
}

#[derive(Debug, Default)]
struct State {
    depth: usize,
    /// Where each open element sits, to know where we are after `</x>`.
    stack: Vec<In>,
    event: Option<EventAttrs>,
    point: Option<CotPoint>,
    detail: CotDetail,
    remarks: Option<String>,
}

#[derive(Debug)]
struct EventAttrs {
    uid: String,
    cot_type: String,
    how: String,
    time: Time,
    start: Time,
    stale: Time,
}

impl State {
    fn here(&self) -> In {
        self.stack.last().copied().unwrap_or(In::Outside)
    }

    /// Opens an element; returns true when the event is complete (`<event/>`).
    fn open(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<bool, String> {
        if self.depth >= cot_depth_max {
            return Err(format!("elements nested deeper than {cot_depth_max}"));
        }
        let name = e.name();
        let name = name.as_ref();
        let inner = match (self.here(), name) {
            (In::Outside, "event") => {
                self.event = Some(read_event_attrs(e)?);
                In::Event
            }
            (In::Outside, _) => return Err("expected `<event>`".to_owned()),
            (_, "event") => {
                return Err(
                    "an `<event>` inside an event: the previous event was cut short".into(),
                );
            }
            (In::Event, "point") => {
                self.point = Some(read_point(e)?);
                In::Other
            }
            (In::Event, "detail") => In::Detail,
            (In::Detail, "remarks") => {
                self.remarks.get_or_insert_with(String::new);
                In::Remarks
            }
            (In::Detail, _) => {
                read_detail_child(name, e, &mut self.detail)?;
                In::Other
            }
            _ => In::Other,
        };
        if empty {
            return Ok(self.depth == 0);
        }
        self.depth += 1;
        self.stack.push(inner);
        Ok(false)
    }

    /// Closes an element; returns true when it was the event.
    fn close(&mut self) -> bool {
        self.stack.pop();
        self.depth = self.depth.saturating_sub(1);
        self.depth == 0
    }

    fn text(&mut self, text: &str) -> Result<(), String> {
        if let Some(c) = first_non_xml_char(text) {
            return Err(format!(
                "text: character U+{:04X} is not allowed in XML",
                c as u32
            ));
        }
        if self.here() == In::Remarks
            && let Some(remarks) = self.remarks.as_mut()
        {
            remarks.push_str(text);
        }
        Ok(())
    }

    fn reference(&mut self, r: &BytesRef<'_>) -> Result<(), String> {
        let resolved = resolve_reference(r)?;
        let mut buf = [0u8; 4];
        self.text(resolved.encode_utf8(&mut buf))
    }

    fn finish(self) -> Result<CotEvent, String> {
        let attrs = self.event.ok_or("expected `<event>`")?;
        let point = self
            .point
            .ok_or("missing `<point>` (expected lat, lon, hae, ce, le)")?;
        let mut detail = self.detail;
        detail.remarks = self.remarks;
        Ok(CotEvent {
            uid: attrs.uid,
            cot_type: attrs.cot_type,
            how: attrs.how,
            time: attrs.time,
            start: attrs.start,
            stale: attrs.stale,
            point,
            detail,
        })
    }
}

/// The first character XML 1.0 does not allow (controls other than tab, newline
/// and carriage return; U+FFFE, U+FFFF), which quick-xml passes through. A byte
/// scan first: the common case has none and is checked at memory speed.
fn first_non_xml_char(text: &str) -> Option<char> {
    let suspect = text
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF);
    if !suspect {
        return None;
    }
    text.chars().find(|c| !super::encode::is_xml_char(*c))
}

/// The five predefined entities and character references; everything else
/// would need a DTD, which CoT never has.
fn resolve_reference(r: &BytesRef<'_>) -> Result<char, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c),
        Ok(None) => {}
        Err(err) => return Err(format!("bad character reference `&{};`: {err}", &**r)),
    }
    resolve_xml_entity(r)
        .and_then(|s| s.chars().next())
        .ok_or_else(|| entity_refused(r))
}

fn entity_refused(name: &str) -> String {
    format!(
        "entity `&{name};` refused: only &lt; &gt; &amp; &apos; &quot; and character references are accepted"
    )
}

/// An attribute's value with references resolved; values without `&` or
/// whitespace to normalise are borrowed as they are.
fn value<'a>(attr: &'a Attribute<'a>) -> Result<Cow<'a, str>, String> {
    let raw: &str = &attr.value;
    if let Some(c) = first_non_xml_char(raw) {
        let key: &str = attr.key.as_ref();
        return Err(format!(
            "attribute `{key}`: character U+{:04X} is not allowed in XML",
            c as u32
        ));
    }
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let key: &str = attr.key.as_ref();
    let mut refused = None;
    let resolved = attr
        .normalized_value_with(XmlVersion::Implicit1_0, 1, |name| {
            let found = resolve_xml_entity(name);
            if found.is_none() {
                refused = Some(entity_refused(name));
            }
            found
        })
        .map_err(|err| format!("attribute `{key}`: {err}"));
    if let Some(reason) = refused {
        return Err(format!("attribute `{key}`: {reason}"));
    }
    // A character reference may name a character XML does not allow (`&#1;`).
    let resolved = resolved?;
    if let Some(c) = first_non_xml_char(&resolved) {
        return Err(format!(
            "attribute `{key}`: character U+{:04X} is not allowed in XML",
            c as u32
        ));
    }
    Ok(resolved)
}

fn for_each_attr<'a>(
    e: &'a BytesStart<'a>,
    mut f: impl FnMut(&str, Cow<'_, str>) -> Result<(), String>,
) -> Result<(), String> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("malformed attribute: {err}"))?;
        let value = value(&attr)?;
        f(attr.key.as_ref(), value)?;
    }
    Ok(())
}

fn read_event_attrs(e: &BytesStart<'_>) -> Result<EventAttrs, String> {
    let (mut uid, mut cot_type, mut how) = (None, None, None);
    let (mut time, mut start, mut stale) = (None, None, None);
    for_each_attr(e, |key, value| {
        match key {
            "uid" => uid = Some(value.into_owned()),
            "type" => cot_type = Some(value.into_owned()),
            "how" => how = Some(value.into_owned()),
            "time" => time = Some(parse_time("time", &value)?),
            "start" => start = Some(parse_time("start", &value)?),
            "stale" => stale = Some(parse_time("stale", &value)?),
            _ => {}
        }
        Ok(())
    })?;
    let missing = |name: &str| format!("event: missing attribute `{name}`");
    let uid = uid.ok_or_else(|| missing("uid"))?;
    let cot_type = cot_type.ok_or_else(|| missing("type"))?;
    if uid.is_empty() {
        return Err("event: empty `uid`".to_owned());
    }
    if cot_type.is_empty() || cot_type.bytes().any(|b| b.is_ascii_whitespace()) {
        return Err(format!(
            "event: type `{cot_type}` is not a CoT type (expected e.g. a-h-A-M-F-Q)"
        ));
    }
    Ok(EventAttrs {
        uid,
        cot_type,
        how: how.ok_or_else(|| missing("how"))?,
        time: time.ok_or_else(|| missing("time"))?,
        start: start.ok_or_else(|| missing("start"))?,
        stale: stale.ok_or_else(|| missing("stale"))?,
    })
}

fn read_point(e: &BytesStart<'_>) -> Result<CotPoint, String> {
    let (mut lat, mut lon) = (None, None);
    let mut point = CotPoint {
        lat_deg: 0.0,
        lon_deg: 0.0,
        hae_m: None,
        ce_m: None,
        le_m: None,
    };
    for_each_attr(e, |key, value| {
        match key {
            "lat" => lat = Some(number("point", "lat", &value)?),
            "lon" => lon = Some(number("point", "lon", &value)?),
            "hae" => point.hae_m = known(number("point", "hae", &value)?),
            "ce" => point.ce_m = known(non_negative("point", "ce", &value)?),
            "le" => point.le_m = known(non_negative("point", "le", &value)?),
            _ => {}
        }
        Ok(())
    })?;
    point.lat_deg = lat.ok_or("point: missing attribute `lat`")?;
    point.lon_deg = lon.ok_or("point: missing attribute `lon`")?;
    if !(-90.0..=90.0).contains(&point.lat_deg) {
        return Err(format!(
            "point: lat {} out of range (expected -90 to 90)",
            point.lat_deg
        ));
    }
    if !(-180.0..=180.0).contains(&point.lon_deg) {
        return Err(format!(
            "point: lon {} out of range (expected -180 to 180)",
            point.lon_deg
        ));
    }
    Ok(point)
}

fn read_detail_child(name: &str, e: &BytesStart<'_>, detail: &mut CotDetail) -> Result<(), String> {
    match name {
        "contact" => for_each_attr(e, |key, value| {
            if key == "callsign" {
                detail.callsign = Some(value.into_owned());
            }
            Ok(())
        }),
        "track" => for_each_attr(e, |key, value| {
            match key {
                "course" => {
                    let course = number("track", "course", &value)?;
                    if !(0.0..=360.0).contains(&course) {
                        return Err(format!(
                            "track: course {course} out of range (expected 0 to 360 degrees)"
                        ));
                    }
                    detail.course_deg = Some(course);
                }
                "speed" => detail.speed_mps = Some(non_negative("track", "speed", &value)?),
                _ => {}
            }
            Ok(())
        }),
        "__group" => {
            let mut group = CotGroup {
                name: String::new(),
                role: String::new(),
            };
            for_each_attr(e, |key, value| {
                match key {
                    "name" => group.name = value.into_owned(),
                    "role" => group.role = value.into_owned(),
                    _ => {}
                }
                Ok(())
            })?;
            detail.group = Some(group);
            Ok(())
        }
        "link" => {
            let (mut uid, mut producer) = (None, false);
            for_each_attr(e, |key, value| {
                match key {
                    "uid" => uid = Some(value.into_owned()),
                    "relation" => producer = value == "p-p",
                    _ => {}
                }
                Ok(())
            })?;
            if producer && detail.producer_uid.is_none() {
                detail.producer_uid = uid;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// CoT's 9999999 (or more) means unknown.
fn known(value: f64) -> Option<f64> {
    (value < COT_UNKNOWN).then_some(value)
}

fn number(element: &str, name: &str, text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "{element}: attribute `{name}` = `{text}` is not a finite number"
        )),
    }
}

fn non_negative(element: &str, name: &str, text: &str) -> Result<f64, String> {
    let v = number(element, name, text)?;
    if v < 0.0 {
        return Err(format!(
            "{element}: attribute `{name}` = `{text}` is negative"
        ));
    }
    Ok(v)
}

fn parse_time(name: &str, text: &str) -> Result<Time, String> {
    fast_utc_time(text.as_bytes())
        .map(Ok)
        .unwrap_or_else(|| Time::parse_rfc3339(text))
        .map_err(|err| format!("event: attribute `{name}`: {err}"))
}

/// `YYYY-MM-DDTHH:MM:SS[.f]Z`, the form every TAK client writes, parsed
/// without the general RFC 3339 machinery: it is a third of the cost of a
/// CoT event otherwise. Anything else (offsets, leap seconds) returns `None`
/// and goes to [`Time::parse_rfc3339`]; the test below checks both agree.
pub(crate) fn fast_utc_time(b: &[u8]) -> Option<Time> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        b[range].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut micros = 0i64;
    let fraction = &b[19..b.len() - 1];
    if !fraction.is_empty() {
        let digits = fraction.strip_prefix(b".")?;
        if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for i in 0..6 {
            micros = micros * 10 + digits.get(i).map_or(0, |&c| i64::from(c - b'0'));
        }
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(Time::from_unix_us(seconds * 1_000_000 + micros))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_time_agrees_with_rfc3339() {
        for text in [
            "2020-12-16T19:59:34.921Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59.000001Z",
            "2025-09-10T01:30:00.123456789Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(
                fast_utc_time(text.as_bytes()),
                Time::parse_rfc3339(text).ok(),
                "{text}"
            );
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2025-09-10T01:30:00+02:00",
            "2025-09-10T01:30:00.Z",
        ] {
            assert_eq!(fast_utc_time(text.as_bytes()), None, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_time_round_trips_display(us in -60_000_000_000_000_000i64..60_000_000_000_000_000i64) {
            let t = Time::from_unix_us(us);
            let text = t.to_string();
            proptest::prop_assert_eq!(fast_utc_time(text.as_bytes()), Some(t));
        }
    }
}
