//! The CoT type hierarchy (`a-h-A-M-F-Q`): branch, affiliation, battle dimension
//! and the MIL-STD-2525 function codes, read from the dash-separated type string.
//!
//! The observation keeps the raw string in `Identity::reported_type` (the wire's
//! own words); these helpers read it back when a stage needs the affiliation or
//! the dimension. The letters follow MITRE's `types.txt` (CoT base schema).

use std::fmt;

use model::Identity;

/// The first field of a CoT type: what kind of event this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Branch {
    /// `a`: an actual thing (a unit, an aircraft, a drone).
    Atom,
    /// `b`: meta information about data (sensor returns, points, routes, alarms).
    Bits,
    /// `t`: a tasking.
    Tasking,
    /// `r`: a reply.
    Reply,
    /// `c`: a capability.
    Capability,
    /// `y`: a reply to a tasking (TAK usage).
    TaskReply,
    /// `u`: user-drawn shapes (ATAK's drawings, range and bearing lines).
    UserDrawn,
    /// Any other first field, kept as written.
    Other,
}

/// The second field of an atom's type: whose side it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Affiliation {
    Pending,
    Unknown,
    AssumedFriend,
    Friend,
    Neutral,
    Suspect,
    Hostile,
    /// A friend acting as hostile in an exercise.
    Joker,
    /// A friend acting as suspect in an exercise.
    Faker,
    NoneSpecified,
    /// `x`, deprecated by MITRE but still seen.
    Other,
}

/// The third field of an atom's type: MIL-STD-2525 battle dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Space,
    Air,
    Ground,
    SeaSurface,
    SeaSubsurface,
    /// Special operations forces (`F`); MITRE disallows the function tree below it.
    SpecialOperations,
    Other,
}

/// A parsed CoT type, borrowing the string it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CotType<'a> {
    pub raw: &'a str,
    pub branch: Branch,
    /// `None` for non-atoms, and for the `.` wildcard used in type tables.
    pub affiliation: Option<Affiliation>,
    /// `None` for non-atoms and atoms without a dimension (`a-f`).
    pub dimension: Option<Dimension>,
    /// The function codes after the dimension (`M`, `F`, `Q` for a military
    /// fixed-wing UAV), case-sensitive: upper case is 2525, lower case a CoT extension.
    function_start: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CotTypeError {
    #[error("CoT type `{0}`: empty type or empty field (expected e.g. `a-h-A-M-F-Q`)")]
    EmptyField(String),
    #[error(
        "CoT type `{text}`: unknown affiliation `{field}` (expected one of p u a f n s h j k o x)"
    )]
    Affiliation { text: String, field: String },
    #[error(
        "CoT type `{text}`: unknown battle dimension `{field}` (expected one of P A G S U F X)"
    )]
    Dimension { text: String, field: String },
}

impl<'a> CotType<'a> {
    /// Parses a type string. Atoms need a known affiliation letter (or the `.`
    /// wildcard of type tables) and, when present, a known dimension letter.
    pub fn parse(text: &'a str) -> Result<CotType<'a>, CotTypeError> {
        if text.is_empty() || text.split('-').any(str::is_empty) {
            return Err(CotTypeError::EmptyField(text.to_owned()));
        }
        let mut fields = text.split('-');
        let first = fields.next().unwrap_or_default();
        let branch = Branch::from_code(first);
        let mut parsed = CotType {
            raw: text,
            branch,
            affiliation: None,
            dimension: None,
            function_start: text.len(),
        };
        if branch != Branch::Atom {
            return Ok(parsed);
        }
        if let Some(field) = fields.next() {
            parsed.affiliation = match field {
                "." => None,
                _ => Some(Affiliation::from_code(field).ok_or_else(|| {
                    CotTypeError::Affiliation {
                        text: text.to_owned(),
                        field: field.to_owned(),
                    }
                })?),
            };
        }
        if let Some(field) = fields.next() {
            parsed.dimension =
                Some(
                    Dimension::from_code(field).ok_or_else(|| CotTypeError::Dimension {
                        text: text.to_owned(),
                        field: field.to_owned(),
                    })?,
                );
            // `a-h-A` is 5 bytes; functions start after the next dash.
            parsed.function_start = (first.len() + 1 + 1 + 1 + field.len() + 1).min(text.len());
        }
        Ok(parsed)
    }

    /// The function codes after the dimension, e.g. `["M", "F", "Q"]`.
    pub fn functions(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let rest = &self.raw[self.function_start..];
        rest.split('-').filter(|f| !f.is_empty())
    }

    /// True for an air atom whose function says unmanned (2525 `Q`, CoT's `q`).
    pub fn is_unmanned_air(&self) -> bool {
        self.dimension == Some(Dimension::Air) && self.functions().any(|f| f == "Q" || f == "q")
    }

    /// True for an atom whose first function code is 2525's `M` (military).
    pub fn is_military(&self) -> bool {
        self.functions().next() == Some("M")
    }
}

impl fmt::Display for CotType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

impl Branch {
    fn from_code(code: &str) -> Branch {
        match code {
            "a" => Branch::Atom,
            "b" => Branch::Bits,
            "t" => Branch::Tasking,
            "r" => Branch::Reply,
            "c" => Branch::Capability,
            "y" => Branch::TaskReply,
            "u" => Branch::UserDrawn,
            _ => Branch::Other,
        }
    }
}

impl Affiliation {
    pub fn from_code(code: &str) -> Option<Affiliation> {
        Some(match code {
            "p" => Affiliation::Pending,
            "u" => Affiliation::Unknown,
            "a" => Affiliation::AssumedFriend,
            "f" => Affiliation::Friend,
            "n" => Affiliation::Neutral,
            "s" => Affiliation::Suspect,
            "h" => Affiliation::Hostile,
            "j" => Affiliation::Joker,
            "k" => Affiliation::Faker,
            "o" => Affiliation::NoneSpecified,
            "x" => Affiliation::Other,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Affiliation::Pending => "p",
            Affiliation::Unknown => "u",
            Affiliation::AssumedFriend => "a",
            Affiliation::Friend => "f",
            Affiliation::Neutral => "n",
            Affiliation::Suspect => "s",
            Affiliation::Hostile => "h",
            Affiliation::Joker => "j",
            Affiliation::Faker => "k",
            Affiliation::NoneSpecified => "o",
            Affiliation::Other => "x",
        }
    }

    /// Hostile, or a friend playing hostile in an exercise.
    pub fn is_hostile(self) -> bool {
        matches!(self, Affiliation::Hostile | Affiliation::Joker)
    }
}

impl Dimension {
    pub fn from_code(code: &str) -> Option<Dimension> {
        Some(match code {
            "P" => Dimension::Space,
            "A" => Dimension::Air,
            "G" => Dimension::Ground,
            "S" => Dimension::SeaSurface,
            "U" => Dimension::SeaSubsurface,
            "F" => Dimension::SpecialOperations,
            "X" => Dimension::Other,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Space => "P",
            Dimension::Air => "A",
            Dimension::Ground => "G",
            Dimension::SeaSurface => "S",
            Dimension::SeaSubsurface => "U",
            Dimension::SpecialOperations => "F",
            Dimension::Other => "X",
        }
    }
}

/// The affiliation of an observation whose reported type is a CoT atom type.
pub fn affiliation(identity: &Identity) -> Option<Affiliation> {
    CotType::parse(identity.reported_type.as_deref()?)
        .ok()?
        .affiliation
}

/// The battle dimension of an observation whose reported type is a CoT atom type.
pub fn dimension(identity: &Identity) -> Option<Dimension> {
    CotType::parse(identity.reported_type.as_deref()?)
        .ok()?
        .dimension
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_military_fixed_wing_uav() {
        let t = CotType::parse("a-h-A-M-F-Q").unwrap();
        assert_eq!(t.branch, Branch::Atom);
        assert_eq!(t.affiliation, Some(Affiliation::Hostile));
        assert_eq!(t.dimension, Some(Dimension::Air));
        assert_eq!(t.functions().collect::<Vec<_>>(), ["M", "F", "Q"]);
        assert!(t.is_unmanned_air());
        assert!(t.is_military());
    }

    #[test]
    fn short_and_non_atom_types() {
        let t = CotType::parse("a-f").unwrap();
        assert_eq!(
            (t.affiliation, t.dimension),
            (Some(Affiliation::Friend), None)
        );
        assert_eq!(t.functions().count(), 0);
        let t = CotType::parse("a-u-G").unwrap();
        assert_eq!(t.dimension, Some(Dimension::Ground));
        assert_eq!(t.functions().count(), 0);
        let t = CotType::parse("b-m-p-s-m").unwrap();
        assert_eq!((t.branch, t.affiliation), (Branch::Bits, None));
        let t = CotType::parse("a-.-A-C-F-q").unwrap();
        assert_eq!(t.affiliation, None);
        assert!(t.is_unmanned_air());
        assert!(!t.is_military());
    }

    #[test]
    fn malformed_types_are_named() {
        for bad in ["", "a--A", "a-h-", "-a"] {
            assert!(
                matches!(CotType::parse(bad), Err(CotTypeError::EmptyField(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            CotType::parse("a-z-A"),
            Err(CotTypeError::Affiliation { .. })
        ));
        assert!(matches!(
            CotType::parse("a-h-Z"),
            Err(CotTypeError::Dimension { .. })
        ));
    }

    #[test]
    fn helpers_read_identity() {
        let identity = Identity {
            reported_type: Some("a-h-S-X".into()),
            ..Identity::default()
        };
        assert_eq!(affiliation(&identity), Some(Affiliation::Hostile));
        assert_eq!(dimension(&identity), Some(Dimension::SeaSurface));
        assert_eq!(affiliation(&Identity::default()), None);
    }
}
