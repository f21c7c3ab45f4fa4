//! Event time. Time arrives with the data; no stage reads the clock.
//!
//! [`Time`] is microseconds since the Unix epoch, UTC, in an `i64` (±292,000
//! years), so it orders, subtracts and hashes exactly. It reads and writes as
//! RFC 3339 text (`2025-09-10T01:30:00Z`). [`Duration`] is a signed count of
//! microseconds and reads as `90s`, `90m`, `4h`, `180d` or `1h 30m`.

use std::fmt;
use std::ops::{Add, Sub};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC, microseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time {
    pub unix_us: i64,
}

/// A signed span of time in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    pub us: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    #[error(
        "`{text}` is not an RFC 3339 UTC time (expected e.g. `2025-09-10T01:30:00Z`): {reason}"
    )]
    Rfc3339 { text: String, reason: String },
    #[error(
        "`{text}` is not a duration (expected e.g. `90s`, `90m`, `4h`, `180d`, `1h 30m`): {reason}"
    )]
    Duration { text: String, reason: String },
}

impl Time {
    pub const UNIX_EPOCH: Time = Time { unix_us: 0 };

    pub const fn from_unix_us(unix_us: i64) -> Time {
        Time { unix_us }
    }

    pub fn from_unix_s_f64(unix_s: f64) -> Time {
        Time {
            unix_us: (unix_s * 1e6).round() as i64,
        }
    }

    pub fn unix_s_f64(self) -> f64 {
        self.unix_us as f64 * 1e-6
    }

    /// Seconds from `earlier` to `self` as `f64`: the form filters want.
    pub fn seconds_since(self, earlier: Time) -> f64 {
        (self.unix_us - earlier.unix_us) as f64 * 1e-6
    }

    /// Midnight UTC of the day containing `self`; ASTERIX and NMEA carry time of day only.
    pub fn start_of_day(self) -> Time {
        const DAY_US: i64 = 86_400 * 1_000_000;
        Time {
            unix_us: self.unix_us.div_euclid(DAY_US) * DAY_US,
        }
    }

    pub fn parse_rfc3339(text: &str) -> Result<Time, TimeError> {
        let parsed =
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|e| TimeError::Rfc3339 {
                    text: text.to_owned(),
                    reason: e.to_string(),
                })?;
        let unix_us = i64::try_from(parsed.unix_timestamp_nanos() / 1000).map_err(|_| {
            TimeError::Rfc3339 {
                text: text.to_owned(),
                reason: "out of range".to_owned(),
            }
        })?;
        Ok(Time { unix_us })
    }
}

impl fmt::Display for Time {
    /// RFC 3339 in UTC with as many fractional digits as needed (none, 3 or 6).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = i128::from(self.unix_us) * 1000;
        let Ok(dt) = time::OffsetDateTime::from_unix_timestamp_nanos(nanos) else {
            return write!(f, "@{}us", self.unix_us);
        };
        let (y, mo, d) = (dt.year(), u8::from(dt.month()), dt.day());
        let (h, mi, s) = (dt.hour(), dt.minute(), dt.second());
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        let us = dt.microsecond();
        if us == 0 {
        } else if us % 1000 == 0 {
            write!(f, ".{:03}", us / 1000)?;
        } else {
            write!(f, ".{us:06}")?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Time {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Time::parse_rfc3339(s)
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Time::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

impl Duration {
    pub const ZERO: Duration = Duration { us: 0 };

    pub const fn from_us(us: i64) -> Duration {
        Duration { us }
    }
    pub const fn from_secs(s: i64) -> Duration {
        Duration { us: s * 1_000_000 }
    }
    pub const fn from_mins(m: i64) -> Duration {
        Duration::from_secs(m * 60)
    }
    pub const fn from_hours(h: i64) -> Duration {
        Duration::from_secs(h * 3600)
    }
    pub const fn from_days(d: i64) -> Duration {
        Duration::from_secs(d * 86_400)
    }
    pub fn from_secs_f64(s: f64) -> Duration {
        Duration {
            us: (s * 1e6).round() as i64,
        }
    }
    pub fn as_secs_f64(self) -> f64 {
        self.us as f64 * 1e-6
    }

    /// Parses `90s`, `90m`, `4h`, `180d`, `2w`, `1h 30m` (humantime's grammar).
    /// A bare number is refused: a duration without a unit is a bug waiting.
    pub fn parse(text: &str) -> Result<Duration, TimeError> {
        let err = |reason: &str| TimeError::Duration {
            text: text.to_owned(),
            reason: reason.into(),
        };
        if text.trim().chars().all(|c| c.is_ascii_digit()) {
            return Err(err("a unit is required (s, m, h, d, w)"));
        }
        let std = humantime::parse_duration(text).map_err(|e| err(&e.to_string()))?;
        let us = i64::try_from(std.as_micros()).map_err(|_| err("too long"))?;
        Ok(Duration { us })
    }
}

impl fmt::Display for Duration {
    /// The shortest exact form in the largest whole unit: `4h`, `90m`, `180d`, `1500ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(i64, &str); 5] = [
            (86_400_000_000, "d"),
            (3_600_000_000, "h"),
            (60_000_000, "m"),
            (1_000_000, "s"),
            (1_000, "ms"),
        ];
        if self.us == 0 {
            return f.write_str("0s");
        }
        for (unit_us, name) in UNITS {
            if self.us % unit_us == 0 {
                return write!(f, "{}{name}", self.us / unit_us);
            }
        }
        write!(f, "{}us", self.us)
    }
}

impl FromStr for Duration {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse(s)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Duration::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Add<Duration> for Time {
    type Output = Time;
    fn add(self, d: Duration) -> Time {
        Time {
            unix_us: self.unix_us + d.us,
        }
    }
}

impl Sub<Duration> for Time {
    type Output = Time;
    fn sub(self, d: Duration) -> Time {
        Time {
            unix_us: self.unix_us - d.us,
        }
    }
}

impl Sub<Time> for Time {
    type Output = Duration;
    fn sub(self, other: Time) -> Duration {
        Duration {
            us: self.unix_us - other.unix_us,
        }
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, o: Duration) -> Duration {
        Duration { us: self.us + o.us }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        for text in [
            "2025-09-10T01:30:00Z",
            "2025-09-10T01:30:00.250Z",
            "1969-12-31T23:59:59.000001Z",
        ] {
            let t = Time::parse_rfc3339(text).unwrap();
            assert_eq!(t.to_string(), text);
        }
        let t = Time::parse_rfc3339("2025-09-10T03:30:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2025-09-10T01:30:00Z");
        assert!(Time::parse_rfc3339("10 Sep 2025").is_err());
    }

    #[test]
    fn durations_read_like_a_pact() {
        assert_eq!(Duration::parse("90m").unwrap(), Duration::from_mins(90));
        assert_eq!(Duration::parse("4h").unwrap(), Duration::from_hours(4));
        assert_eq!(Duration::parse("180d").unwrap(), Duration::from_days(180));
        assert_eq!(Duration::parse("1h 30m").unwrap(), Duration::from_mins(90));
        assert!(Duration::parse("90").is_err());
        assert!(Duration::parse("4 fortnights").is_err());
        assert_eq!(Duration::from_mins(90).to_string(), "90m");
        assert_eq!(Duration::from_hours(4).to_string(), "4h");
        assert_eq!(Duration::from_days(180).to_string(), "180d");
    }

    #[test]
    fn start_of_day_before_epoch() {
        let t = Time::parse_rfc3339("1969-12-31T12:00:00Z").unwrap();
        assert_eq!(t.start_of_day().to_string(), "1969-12-31T00:00:00Z");
    }

    proptest::proptest! {
        #[test]
        fn display_parse_round_trip(us in -6_000_000_000_000_000i64..6_000_000_000_000_000i64) {
            let t = Time::from_unix_us(us);
            proptest::prop_assert_eq!(Time::parse_rfc3339(&t.to_string()).unwrap(), t);
        }
    }
}
