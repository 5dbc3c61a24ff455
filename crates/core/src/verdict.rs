//! The output: a label, a confidence, every score, and the evidence.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::ad::Section;
use crate::label::Label;

/// What the classifier decided about one ad, and why.
///
/// Scores are independent, not a distribution: a hybrid ad scores high on
/// two labels at once. Every score lies in `[0, 1]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The decided label.
    pub label: Label,
    /// How sure the decision is, in `[0, 1]`: high when the label's score is
    /// high and well ahead of the runner-up.
    pub confidence: f64,
    /// The ROME 4.0 fiches of the label (empty for `NONE`).
    pub rome: Vec<String>,
    /// The score of every label, in [`Label::ALL`] order.
    pub scores: Vec<LabelScore>,
    /// How much social media is at the heart of the ad, in `[0, 1]`; below
    /// the lexicon's threshold the ad is `NONE`.
    pub social: f64,
    /// The share of mission units that are about social media.
    pub social_share: f64,
    /// The score of every mission family, in lexicon order.
    pub families: Vec<FamilyScore>,
    /// The values the decision read, by name (axis scores, title and context
    /// cues, and the social model's `share`, `units`, `title_*`): a label's
    /// logit is the lexicon's bias plus its weights times these. The names
    /// are the library's fixed feature names, borrowed rather than copied
    /// for every ad (a deserialized verdict owns them).
    pub features: BTreeMap<Cow<'static, str>, f64>,
    /// Every lexicon entry found, in text order (title first).
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    /// The score of one label.
    pub fn score(&self, label: Label) -> f64 {
        self.scores
            .iter()
            .find(|s| s.label == label)
            .map_or(0.0, |s| s.score)
    }

    /// The evidence items that count (not negated, not cues), strongest
    /// first: what a person wants to see first.
    pub fn strongest_evidence(&self) -> Vec<&Evidence> {
        let mut items: Vec<&Evidence> = self
            .evidence
            .iter()
            .filter(|e| !e.negated && e.kind != EvidenceKind::Cue && e.contribution > 0.0)
            .collect();
        items.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        items
    }
}

/// The score of one label.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// The label.
    pub label: Label,
    /// Its score in `[0, 1]`.
    pub score: f64,
}

/// The score of one mission family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyScore {
    /// The family id from the lexicon.
    pub family: String,
    /// The family's axis (`execution`, `strategy`, …), one of the
    /// library's fixed axis names (borrowed, not copied for every ad).
    pub axis: Cow<'static, str>,
    /// Sum of the family's evidence contributions (negative when negated
    /// evidence outweighs the rest).
    pub raw: f64,
    /// The sum squashed into `[0, 1]`.
    pub score: f64,
}

/// What a piece of evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A mission term of a family.
    Mission,
    /// A role title.
    Title,
    /// A context or negation cue.
    Cue,
}

/// One lexicon entry found in the ad.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The entry's term as written in the lexicon.
    pub entry: String,
    /// What kind of entry it is.
    pub kind: EvidenceKind,
    /// The family id (missions), the label (titles) or the effect (cues).
    pub family: String,
    /// The entry's weight in the lexicon.
    pub weight: f64,
    /// What this occurrence added to its family or title score, after the
    /// section multiplier, repeats, negation and deference (0 for cues).
    pub contribution: f64,
    /// True when a negation cue covers it: it counts against.
    pub negated: bool,
    /// True when a deference cue covers it (`appliquer la stratégie`): the
    /// strategy is someone else's.
    pub deferred: bool,
    /// Title or body.
    pub section: Section,
    /// Byte range of the matched words in the original section text.
    pub span: Range<usize>,
}
