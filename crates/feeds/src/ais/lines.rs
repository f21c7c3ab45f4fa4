//! Line framing for the text feeds (AIS NMEA, SBS): splits chunks of any size
//! into lines, keeps an incomplete last line for the next chunk, numbers lines
//! and bounds their length so a stream without newlines cannot grow a buffer.

use crate::Place;

/// What the framer hands on.
#[derive(Debug)]
pub(crate) enum Framed<'a> {
    /// A complete line without its `\n` (a `\r` is left for the parser to trim).
    Line(&'a [u8], Place),
    /// A line longer than the bound: its first bytes; the rest is skipped.
    Overlong(&'a [u8], Place),
}

#[derive(Debug)]
pub(crate) struct LineFramer {
    partial: Vec<u8>,
    /// Number of the current line, 1-based.
    line_no: u64,
    /// Byte offset of the current line's start.
    line_start: u64,
    /// Bytes fed before the current chunk.
    fed: u64,
    line_bytes_max: usize,
    /// Inside an overlong line already reported: drop bytes until `\n`.
    skipping: bool,
}

impl LineFramer {
    pub(crate) fn new(line_bytes_max: usize) -> LineFramer {
        LineFramer {
            partial: Vec::with_capacity(line_bytes_max),
            line_no: 1,
            line_start: 0,
            fed: 0,
            line_bytes_max,
            skipping: false,
        }
    }

    pub(crate) fn feed(&mut self, chunk: &[u8], on: &mut dyn FnMut(Framed<'_>)) {
        let base = self.fed;
        self.fed += chunk.len() as u64;
        let mut pos = 0;
        // Complete a line carried over from the previous chunk first.
        if !self.partial.is_empty() || self.skipping {
            let Some(end) = memchr::memchr(b'\n', chunk) else {
                self.carry(chunk, on);
                return;
            };
            self.carry(&chunk[..end], on);
            if !self.skipping {
                on(Framed::Line(&self.partial, self.place()));
            }
            self.end_line(base + end as u64 + 1);
            pos = end + 1;
        }
        // The hot path: whole lines straight from the chunk, no copy.
        while let Some(found) = memchr::memchr(b'\n', &chunk[pos..]) {
            let end = pos + found;
            let line = &chunk[pos..end];
            if line.len() > self.line_bytes_max {
                on(Framed::Overlong(&line[..self.line_bytes_max], self.place()));
            } else {
                on(Framed::Line(line, self.place()));
            }
            self.end_line(base + end as u64 + 1);
            pos = end + 1;
        }
        self.carry(&chunk[pos..], on);
    }

    /// End of input: a last line without `\n` is still a line.
    pub(crate) fn finish(&mut self, on: &mut dyn FnMut(Framed<'_>)) {
        if !self.partial.is_empty() && !self.skipping {
            on(Framed::Line(&self.partial, self.place()));
        }
        self.end_line(self.fed);
    }

    /// Keeps bytes of an unfinished line, reporting it once if it grows too long.
    fn carry(&mut self, bytes: &[u8], on: &mut dyn FnMut(Framed<'_>)) {
        if self.skipping {
            return;
        }
        if self.partial.len() + bytes.len() > self.line_bytes_max {
            let room = self.line_bytes_max - self.partial.len();
            self.partial.extend_from_slice(&bytes[..room]);
            on(Framed::Overlong(&self.partial, self.place()));
            self.partial.clear();
            self.skipping = true;
            return;
        }
        self.partial.extend_from_slice(bytes);
    }

    fn end_line(&mut self, next_start: u64) {
        self.line_start = next_start;
        self.line_no += 1;
        self.skipping = false;
        self.partial.clear();
    }

    fn place(&self) -> Place {
        Place::Line {
            line: self.line_no,
            byte: self.line_start,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(chunks: &[&[u8]], max: usize) -> Vec<String> {
        let mut framer = LineFramer::new(max);
        let mut out = Vec::new();
        let mut on = |f: Framed<'_>| {
            out.push(match f {
                Framed::Line(l, p) => format!("{p:?} {}", l.escape_ascii()),
                Framed::Overlong(l, p) => format!("{p:?} overlong {}", l.escape_ascii()),
            })
        };
        for chunk in chunks {
            framer.feed(chunk, &mut on);
        }
        framer.finish(&mut on);
        out
    }

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let whole = frame(&[b"ab\ncd\r\nef"], 8);
        let split = frame(&[b"a", b"b\nc", b"d\r", b"\nef"], 8);
        assert_eq!(whole, split);
        assert_eq!(whole[2], "Line { line: 3, byte: 7 } ef");
    }

    #[test]
    fn overlong_lines_are_cut_and_skipped() {
        let whole = frame(&[b"0123456789\nok\n"], 4);
        let split = frame(&[b"0123", b"45", b"6789\nok\n"], 4);
        assert_eq!(
            whole,
            [
                "Line { line: 1, byte: 0 } overlong 0123",
                "Line { line: 2, byte: 11 } ok"
            ]
        );
        assert_eq!(split, whole);
    }
}
