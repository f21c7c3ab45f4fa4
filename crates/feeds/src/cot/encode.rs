//! Writes a [`CotEvent`] as CoT XML, the form TAK clients and servers read.
//!
//! The output is one `<event>` element, no XML declaration, double-quoted
//! attributes, `9999999.0` for unknown `hae`/`ce`/`le`. Numbers use Rust's
//! shortest round-trip form and times RFC 3339 UTC, so reading the output back
//! gives the same event exactly. Characters XML 1.0 cannot carry (controls
//! other than tab, newline, carriage return) are written as U+FFFD.
//!
//! Written by hand rather than with quick-xml's writer: the element set is
//! fixed and small, and a direct `String` writer is simpler to read and
//! faster than building events.

use std::fmt::Write as _;

use super::event::{COT_UNKNOWN, CotEvent};

/// The event as XML text.
pub fn to_xml(event: &CotEvent) -> String {
    let mut out = String::with_capacity(512);
    write_event(event, &mut out);
    out
}

/// Appends the event as XML to `out`.
pub fn write_event(event: &CotEvent, out: &mut String) {
    out.push_str("<event version=\"2.0\"");
    attr(out, "uid", &event.uid);
    attr(out, "type", &event.cot_type);
    attr(out, "how", &event.how);
    // `Time`'s Display is RFC 3339 UTC; writing to a String cannot fail.
    let _ = write!(
        out,
        " time=\"{}\" start=\"{}\" stale=\"{}\">",
        event.time, event.start, event.stale
    );
    let p = &event.point;
    let _ = write!(
        out,
        "<point lat=\"{}\" lon=\"{}\" hae=\"{}\" ce=\"{}\" le=\"{}\"/>",
        Num(p.lat_deg),
        Num(p.lon_deg),
        Num(p.hae_m.unwrap_or(COT_UNKNOWN)),
        Num(p.ce_m.unwrap_or(COT_UNKNOWN)),
        Num(p.le_m.unwrap_or(COT_UNKNOWN)),
    );
    let d = &event.detail;
    out.push_str("<detail>");
    if let Some(callsign) = &d.callsign {
        out.push_str("<contact");
        attr(out, "callsign", callsign);
        out.push_str("/>");
    }
    if d.course_deg.is_some() || d.speed_mps.is_some() {
        out.push_str("<track");
        if let Some(course) = d.course_deg {
            let _ = write!(out, " course=\"{}\"", Num(course));
        }
        if let Some(speed) = d.speed_mps {
            let _ = write!(out, " speed=\"{}\"", Num(speed));
        }
        out.push_str("/>");
    }
    if let Some(group) = &d.group {
        out.push_str("<__group");
        attr(out, "name", &group.name);
        attr(out, "role", &group.role);
        out.push_str("/>");
    }
    if let Some(uid) = &d.producer_uid {
        out.push_str("<link");
        attr(out, "uid", uid);
        out.push_str(" relation=\"p-p\"/>");
    }
    if let Some(remarks) = &d.remarks {
        out.push_str("<remarks>");
        escape_into(out, remarks);
        out.push_str("</remarks>");
    }
    out.push_str("</detail></event>");
}

/// A number in Rust's shortest form that parses back to the same `f64`,
/// with `.0` kept on integers as TAK writes them.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            write!(f, "{:.1}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value);
    out.push('"');
}

/// Escapes markup, quotes and the whitespace that attribute normalisation
/// would otherwise turn into spaces.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// XML 1.0's `Char` production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
