//! One indicator's window over admitted incidents, kept sorted by event time.
//! Sliding windows count `(end - within, end]`; tumbling windows count the
//! aligned bucket `[start + k·within, start + (k+1)·within)` that holds `end`.

use std::collections::VecDeque;

use model::{Duration, Time};

use crate::engine::Key;
use crate::limits;

/// How windows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowKind {
    /// A window of `within` ending at each incident: the pact's reading.
    #[default]
    Sliding,
    /// Back-to-back windows of `within` from the pact's effective date.
    Tumbling,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub time: Time,
    pub id: Key,
    /// The summed field's value (1 for counts).
    pub value: f64,
}

/// What a window holds at one end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Span {
    pub start: Time,
    pub end: Time,
    /// Indices into the window's entries, `lo..hi`.
    pub lo: usize,
    pub hi: usize,
}

#[derive(Debug)]
pub(crate) struct Window {
    pub kind: WindowKind,
    pub within: Duration,
    /// Tumbling buckets start here.
    pub origin: Time,
    pub entries: VecDeque<Entry>,
}

impl Window {
    pub fn new(kind: WindowKind, within: Duration, origin: Time) -> Window {
        Window {
            kind,
            within,
            origin,
            entries: VecDeque::new(),
        }
    }

    /// Inserts in time order (after equal times, so arrival order breaks ties);
    /// returns the index and whether the oldest entry had to be dropped.
    pub fn insert(&mut self, entry: Entry) -> (usize, bool) {
        // In order (the usual case) it goes at the back: no search.
        let at = if self.entries.back().is_none_or(|e| e.time <= entry.time) {
            self.entries.len()
        } else {
            self.entries.partition_point(|e| e.time <= entry.time)
        };
        self.entries.insert(at, entry);
        if self.entries.len() > limits::window_incidents_max {
            self.entries.pop_front();
            return (at.saturating_sub(1), true);
        }
        (at, false)
    }

    /// The window that ends at `end` (sliding) or the bucket holding `end` (tumbling).
    pub fn span_at(&self, end: Time) -> Span {
        let (start, end) = match self.kind {
            WindowKind::Sliding => (end - self.within, end),
            WindowKind::Tumbling => {
                let width = self.within.us.max(1);
                let k = (end.unix_us - self.origin.unix_us).div_euclid(width);
                let start = Time::from_unix_us(self.origin.unix_us + k * width);
                (start, start + Duration::from_us(width - 1))
            }
        };
        let lo = match self.kind {
            WindowKind::Sliding => self.entries.partition_point(|e| e.time <= start),
            WindowKind::Tumbling => self.entries.partition_point(|e| e.time < start),
        };
        let hi = if self.entries.back().is_none_or(|e| e.time <= end) {
            self.entries.len()
        } else {
            self.entries.partition_point(|e| e.time <= end)
        };
        Span { start, end, lo, hi }
    }

    pub fn sum(&self, span: Span) -> f64 {
        self.entries.range(span.lo..span.hi).map(|e| e.value).sum()
    }

    /// Drops entries no window ending at or after `horizon` can hold.
    pub fn evict_before(&mut self, horizon: Time) {
        let keep_from = match self.kind {
            WindowKind::Sliding => horizon - self.within,
            WindowKind::Tumbling => self.span_at(horizon).start - Duration::from_us(1),
        };
        while self.entries.front().is_some_and(|e| e.time <= keep_from) {
            self.entries.pop_front();
        }
    }
}
