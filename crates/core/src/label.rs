//! The five labels and the official codes they map to (`ROLES.md`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which social-media role an ad really describes, judged by its missions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Label {
    /// Community manager: the hands-on operator who animates, moderates,
    /// publishes and replies.
    #[serde(rename = "CM")]
    Cm,
    /// Social media manager: owns the strategy and the marketing levers
    /// (budget, paid campaigns) or the people (community managers, agencies).
    #[serde(rename = "SMM")]
    Smm,
    /// Community or social media strategist: strategy and consulting without
    /// day-to-day animation, budget or team.
    #[serde(rename = "STRATEGIST")]
    Strategist,
    /// The in-house "mouton à 5 pattes": animates *and* owns the strategy,
    /// alone, with breadth.
    #[serde(rename = "HYBRID")]
    Hybrid,
    /// Not a social-media role, including communication jobs where social
    /// networks are one line among many.
    #[serde(rename = "NONE")]
    None,
}

impl Label {
    /// Every label, in a fixed order used by reports and score tables.
    pub const ALL: [Label; 5] = [
        Label::Cm,
        Label::Smm,
        Label::Strategist,
        Label::Hybrid,
        Label::None,
    ];

    /// The four social-media labels (every label but [`Label::None`]).
    pub const SOCIAL: [Label; 4] = [Label::Cm, Label::Smm, Label::Strategist, Label::Hybrid];

    /// The label as written in data files and output: `CM`, `SMM`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Cm => "CM",
            Label::Smm => "SMM",
            Label::Strategist => "STRATEGIST",
            Label::Hybrid => "HYBRID",
            Label::None => "NONE",
        }
    }

    /// The ROME 4.0 fiches (France Travail) of the label, so that HR tools
    /// can join our labels with their own data. Empty for [`Label::None`].
    pub fn rome_codes(self) -> &'static [&'static str] {
        match self {
            Label::Cm => &["E1101"],
            Label::Smm => &["E1124"],
            Label::Strategist => &["M1702"],
            Label::Hybrid => &["E1101", "E1124"],
            Label::None => &[],
        }
    }

    /// Position in [`Label::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a label that is not one of the five.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLabelError(String);

impl fmt::Display for ParseLabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown label {:?} (expected CM, SMM, STRATEGIST, HYBRID or NONE)",
            self.0
        )
    }
}

impl std::error::Error for ParseLabelError {}

impl FromStr for Label {
    type Err = ParseLabelError;

    /// Parses a label, ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Label::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParseLabelError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_text_and_json() {
        for label in Label::ALL {
            assert_eq!(label.as_str().parse::<Label>(), Ok(label));
            let json = serde_json::to_string(&label).unwrap();
            assert_eq!(json, format!("\"{}\"", label.as_str()));
            assert_eq!(serde_json::from_str::<Label>(&json).unwrap(), label);
            assert_eq!(Label::ALL[label.index()], label);
        }
        assert_eq!(" hybrid ".parse::<Label>(), Ok(Label::Hybrid));
        assert!("CMM".parse::<Label>().is_err());
    }

    #[test]
    fn rome_codes_follow_roles_md() {
        assert_eq!(Label::Cm.rome_codes(), ["E1101"]);
        assert_eq!(Label::Smm.rome_codes(), ["E1124"]);
        assert_eq!(Label::Strategist.rome_codes(), ["M1702"]);
        assert_eq!(Label::Hybrid.rome_codes(), ["E1101", "E1124"]);
        assert!(Label::None.rome_codes().is_empty());
    }
}
