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

/// An empty verdict (label `NONE`, confidence 0, no scores, no evidence)
/// that allocates nothing: the starting point of a verdict that
/// [`Classifier::classify_into`](crate::Classifier::classify_into) fills
/// again and again, reusing its buffers.
impl Default for Verdict {
    fn default() -> Self {
        Verdict {
            label: Label::None,
            confidence: 0.0,
            rome: Vec::new(),
            scores: Vec::new(),
            social: 0.0,
            social_share: 0.0,
            families: Vec::new(),
            features: BTreeMap::new(),
            evidence: Vec::new(),
        }
    }
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

impl EvidenceKind {
    /// The kind of evidence an entry of this kind gives.
    pub fn of(kind: &crate::lexicon::EntryKind) -> EvidenceKind {
        use crate::lexicon::EntryKind;
        match kind {
            EntryKind::Mission(_) => EvidenceKind::Mission,
            EntryKind::Title(_) => EvidenceKind::Title,
            EntryKind::Cue(_) => EvidenceKind::Cue,
        }
    }

    /// The kind as written in output (`mission`, `title`, `cue`).
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Mission => "mission",
            EvidenceKind::Title => "title",
            EvidenceKind::Cue => "cue",
        }
    }
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
    /// The entry's position in [`Lexicon::entries`](crate::Lexicon::entries)
    /// of the classifier that found it: the way back to its definition
    /// (provenance, social flag, keys) without comparing strings.
    pub index: usize,
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

impl Evidence {
    /// A placeholder that allocates nothing, overwritten field by field.
    pub(crate) fn blank() -> Evidence {
        Evidence {
            entry: String::new(),
            index: 0,
            kind: EvidenceKind::Cue,
            family: String::new(),
            weight: 0.0,
            contribution: 0.0,
            negated: false,
            deferred: false,
            section: Section::Title,
            span: 0..0,
        }
    }
}

/// Overwrites `dst` with `src`, reusing its allocation when it is large
/// enough (otherwise a copy of `src`, its exact size, as `clone` makes).
pub(crate) fn set_str(dst: &mut String, src: &str) {
    if dst.capacity() >= src.len() {
        dst.clear();
        dst.push_str(src);
    } else {
        *dst = src.to_owned();
    }
}

/// Most items [`Refill::finish`] parks for later: enough for the usual
/// swing between a short ad and a long one, without keeping the items of
/// one huge ad for the rest of a run.
const MAX_SPARE: usize = 1024;

/// Overwrites a vector item by item, reusing the items already in it (and
/// their heap buffers), then items parked in `spare` by an earlier refill,
/// and making new ones only when both run out: refilling a verdict's
/// vectors allocates nothing once they have been as long as they need to
/// be.
pub(crate) struct Refill<'a, T> {
    items: &'a mut Vec<T>,
    spare: &'a mut Vec<T>,
    len: usize,
}

impl<'a, T> Refill<'a, T> {
    /// Starts overwriting `items` from its first item, with room for
    /// `expected` items (a fresh vector is then allocated once, at its
    /// size).
    pub(crate) fn new(items: &'a mut Vec<T>, spare: &'a mut Vec<T>, expected: usize) -> Self {
        items.reserve(expected.saturating_sub(items.len()));
        Refill {
            items,
            spare,
            len: 0,
        }
    }

    /// The next item to overwrite (every field of it: it holds whatever an
    /// earlier use left), made by `blank` when none is left to reuse.
    pub(crate) fn next(&mut self, blank: impl FnOnce() -> T) -> &mut T {
        if self.len == self.items.len() {
            let item = self.spare.pop().unwrap_or_else(blank);
            self.items.push(item);
        }
        self.len += 1;
        let last = self.len - 1;
        &mut self.items[last]
    }

    /// Ends the refill: the items not overwritten leave the vector and are
    /// parked in `spare` (up to [`MAX_SPARE`]; the others are dropped).
    ///
    /// They are parked last first, so that `spare` pops them back in their
    /// place: item `i` is always reused as item `i`, and its strings,
    /// already grown for the names that come at that place, need not grow
    /// again.
    pub(crate) fn finish(self) {
        let room = MAX_SPARE.saturating_sub(self.spare.len());
        let keep = (self.len + room).min(self.items.len());
        self.spare.extend(self.items.drain(self.len..keep).rev());
        self.items.truncate(self.len);
    }
}
