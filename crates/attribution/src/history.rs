//! A bounded history of one track: the first detection kept apart, then points
//! at least a step apart; when full, the older half is thinned (see `limits`).

use std::collections::VecDeque;

use model::{Geodetic, Time, VelocityEnu};

use crate::limits::history_points_max;

/// One kept track update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub time: Time,
    pub position: Geodetic,
    pub velocity: VelocityEnu,
    /// Index into `Geography::countries`.
    pub country: Option<usize>,
}

impl Point {
    pub fn speed_mps(&self) -> f64 {
        self.velocity.ve_mps.hypot(self.velocity.vn_mps)
    }

    /// Course over ground, degrees clockwise from north.
    pub fn course_deg(&self) -> f64 {
        self.velocity
            .ve_mps
            .atan2(self.velocity.vn_mps)
            .to_degrees()
            .rem_euclid(360.0)
    }
}

#[derive(Debug, Clone)]
pub struct History {
    pub first: Point,
    points: VecDeque<Point>,
    step_s: f64,
}

impl History {
    pub fn new(first: Point, step_s: f64) -> History {
        let mut points = VecDeque::with_capacity(history_points_max);
        points.push_back(first);
        History {
            first,
            points,
            step_s,
        }
    }

    pub fn last(&self) -> &Point {
        // `new` pushes one point and nothing removes the newest one.
        self.points.back().unwrap_or(&self.first)
    }

    /// Appends `p`. The newest point is always the latest update; when the
    /// point before it is less than a step older than `p`, the newest point is
    /// replaced instead, so kept points end up about a step apart.
    pub fn push(&mut self, p: Point) {
        let n = self.points.len();
        if n >= 2 && p.time.seconds_since(self.points[n - 2].time) < self.step_s {
            self.points.pop_back();
        }
        self.points.push_back(p);
        if self.points.len() >= history_points_max {
            self.thin();
        }
    }

    /// Drops every other point of the older half.
    fn thin(&mut self) {
        let half = self.points.len() / 2;
        let mut kept = VecDeque::with_capacity(history_points_max);
        for (idx, p) in self.points.iter().enumerate() {
            if idx >= half || idx % 2 == 0 {
                kept.push_back(*p);
            }
        }
        self.points = kept;
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Point> {
        self.points.iter()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}
