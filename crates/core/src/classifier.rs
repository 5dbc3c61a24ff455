//! The pipeline assembled: normalize → tokenize → match → score → decide.

use crate::ad::{Ad, Section};
use crate::decide::decide;
use crate::label::Label;
use crate::lexicon::{Lexicon, FEATURES, SOCIAL_FEATURES};
use crate::matcher::{Match, Matcher};
use crate::normalize::{normalize_into, Normalized};
use crate::score::{score, SectionInput};
use crate::tokenize::{tokenize_into, Stemmer, Token, TokenScratch};
use crate::verdict::{FamilyScore, LabelScore, Verdict};
use std::borrow::Cow;

/// Classifies job ads. Build it once (compiling the lexicon takes about a
/// millisecond), then share it: it is immutable, `Send` and `Sync`.
///
/// ```
/// use classify_core::{Ad, Classifier, Label};
///
/// let classifier = Classifier::new();
/// let ad = Ad::new(
///     "Community Manager H/F",
///     "Vous animez nos réseaux sociaux, modérez les commentaires et \
///      rédigez les publications du calendrier éditorial.",
/// );
/// let verdict = classifier.classify(&ad);
/// assert_eq!(verdict.label, Label::Cm);
/// ```
#[derive(Debug)]
pub struct Classifier {
    lexicon: Lexicon,
    stemmer: Stemmer,
    matcher: Matcher,
}

/// Buffers reused between calls of [`Classifier::classify_with`], so that a
/// batch run does not reallocate them for every ad.
#[derive(Debug, Default)]
pub struct Scratch {
    normalized: [Normalized; 2],
    tokens: [Vec<Token>; 2],
    matches: [Vec<Match>; 2],
    token: TokenScratch,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    /// A classifier with the built-in lexicon.
    pub fn new() -> Classifier {
        Classifier::with_lexicon(Lexicon::embedded())
    }

    /// A classifier with a lexicon of your own (see [`Lexicon::from_path`]).
    pub fn with_lexicon(lexicon: Lexicon) -> Classifier {
        let matcher = Matcher::new(lexicon.entries().iter().map(|e| e.keys.as_slice()));
        Classifier {
            lexicon,
            stemmer: Stemmer::new(),
            matcher,
        }
    }

    /// The lexicon in use.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Classifies one ad. Never panics, whatever the text.
    pub fn classify(&self, ad: &Ad<'_>) -> Verdict {
        self.classify_with(ad, &mut Scratch::default())
    }

    /// Classifies one ad, reusing `scratch`'s buffers.
    pub fn classify_with(&self, ad: &Ad<'_>, scratch: &mut Scratch) -> Verdict {
        let texts = [&*ad.title, &*ad.text];
        for (i, text) in texts.into_iter().enumerate() {
            normalize_into(text, &mut scratch.normalized[i]);
            tokenize_into(
                &scratch.normalized[i],
                &self.stemmer,
                self.lexicon.vocabulary(),
                &mut scratch.tokens[i],
                &mut scratch.token,
            );
            scratch.matches[i].clear();
            self.matcher
                .find_into(&scratch.tokens[i], &mut scratch.matches[i]);
        }
        let sections = [Section::Title, Section::Body];
        let inputs: Vec<SectionInput<'_>> = (0..2)
            .map(|i| SectionInput {
                section: sections[i],
                normalized: &scratch.normalized[i],
                tokens: &scratch.tokens[i],
                matches: &scratch.matches[i],
            })
            .collect();
        let scored = score(&self.lexicon, &inputs);
        let decided = decide(
            self.lexicon.decision(),
            &scored.features,
            &scored.social_features,
        );
        let families = self
            .lexicon
            .families()
            .iter()
            .enumerate()
            .map(|(i, f)| FamilyScore {
                family: f.id.clone(),
                axis: Cow::Borrowed(f.axis.as_str()),
                raw: scored.family_raw[i],
                score: scored.family_score[i],
            })
            .collect();
        Verdict {
            label: decided.label,
            confidence: decided.confidence,
            rome: decided
                .label
                .rome_codes()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            scores: Label::ALL
                .iter()
                .map(|&label| LabelScore {
                    label,
                    score: decided.scores[label.index()],
                })
                .collect(),
            social: decided.social,
            social_share: scored.share,
            families,
            features: FEATURES
                .iter()
                .zip(&scored.features)
                .chain(SOCIAL_FEATURES.iter().zip(&scored.social_features))
                .map(|(&name, &value)| (Cow::Borrowed(name), value))
                .collect(),
            evidence: scored.evidence,
        }
    }
}
