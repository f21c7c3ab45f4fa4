//! Fault injection on a feed: drop, duplicate, reorder, clock skew and a
//! stall act on reports before encoding; corruption flips bytes after it.
//! Each injector has its own random stream, so faults replay from the seed.

use model::Time;
use serde::{Deserialize, Serialize};

use crate::random::SimRng;
use crate::report::{Frame, Report};
use crate::scenario::FaultSpec;

/// What the injector did, for the manifest and for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    pub reports_in: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub reordered: u64,
    pub corrupted_frames: u64,
    pub stalled_frames: u64,
}

/// Applies one [`FaultSpec`] to a stream of frames.
#[derive(Debug)]
pub struct FaultInjector {
    spec: FaultSpec,
    rng: SimRng,
    /// Reports held back: (reports still to pass before release, report).
    held: Vec<(u32, Report)>,
    /// Frames held during a stall, released together when it ends.
    stalled: Vec<Frame>,
    pub counts: FaultCounts,
}

impl FaultInjector {
    pub fn new(spec: FaultSpec, rng: SimRng) -> FaultInjector {
        FaultInjector {
            spec,
            rng,
            held: Vec::new(),
            stalled: Vec::new(),
            counts: FaultCounts::default(),
        }
    }

    /// Takes one frame from the sensor and passes on what the faulty feed sends.
    pub fn push(&mut self, frame: Frame, out: &mut dyn FnMut(Frame)) {
        let skew = self.spec.clock_skew;
        let mut sent = Frame {
            time: frame.time + skew,
            reports: Vec::with_capacity(frame.reports.len()),
        };
        for mut report in frame.reports {
            self.counts.reports_in += 1;
            *report.time_mut() = report.time() + skew;
            self.release_held(&mut sent.reports);
            if self.rng.chance(self.spec.drop) {
                self.counts.dropped += 1;
                continue;
            }
            if self.rng.chance(self.spec.reorder) {
                self.counts.reordered += 1;
                let delay = 1 + self.rng.below(u64::from(self.spec.reorder_window.max(1))) as u32;
                self.held.push((delay, report));
                continue;
            }
            if self.rng.chance(self.spec.duplicate) {
                self.counts.duplicated += 1;
                sent.reports.push(report.clone());
            }
            sent.reports.push(report);
        }
        if sent.reports.is_empty() {
            return;
        }
        match self.spec.stall {
            Some(stall) if sent.time >= stall.from + skew && sent.time < stall.to + skew => {
                self.counts.stalled_frames += 1;
                self.stalled.push(sent);
            }
            _ => {
                for f in self.stalled.drain(..) {
                    out(f);
                }
                out(sent);
            }
        }
    }

    /// One report has passed: release the held ones whose turn has come.
    fn release_held(&mut self, into: &mut Vec<Report>) {
        let mut k = 0;
        while k < self.held.len() {
            if self.held[k].0 == 0 {
                into.push(self.held.remove(k).1);
            } else {
                self.held[k].0 -= 1;
                k += 1;
            }
        }
    }

    /// End of the feed: whatever is still held goes out last.
    pub fn finish(&mut self, end: Time, out: &mut dyn FnMut(Frame)) {
        for f in self.stalled.drain(..) {
            out(f);
        }
        if !self.held.is_empty() {
            let reports = self.held.drain(..).map(|(_, r)| r).collect();
            out(Frame { time: end, reports });
        }
    }

    /// Flips one byte of an encoded frame with the corruption probability.
    pub fn corrupt(&mut self, bytes: &mut [u8]) {
        if bytes.is_empty() || !self.rng.chance(self.spec.corrupt) {
            return;
        }
        self.counts.corrupted_frames += 1;
        let at = self.rng.below(bytes.len() as u64) as usize;
        // XOR with a non-zero mask so the byte always changes.
        bytes[at] ^= 1 + self.rng.below(255) as u8;
    }
}
