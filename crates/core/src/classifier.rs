//! The pipeline assembled: normalize → tokenize → match → score → decide.

use crate::ad::{Ad, Section};
use crate::decide::decide;
use crate::label::Label;
use crate::lexicon::{Lexicon, FEATURES, SOCIAL_FEATURES};
use crate::matcher::{Match, Matcher};
use crate::normalize::{normalize_into, Normalized};
use crate::score::{score, ScoreScratch, SectionInput};
use crate::tokenize::{tokenize_into, Stemmer, Token, TokenScratch};
use crate::verdict::{set_str, FamilyScore, LabelScore, Refill, Verdict};
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
    /// Indices into [`FEATURES`] then [`SOCIAL_FEATURES`], in the order of
    /// the names in [`Verdict::features`] (a `BTreeMap`, sorted by name).
    feature_order: Vec<usize>,
}

/// Buffers reused between calls of [`Classifier::classify_with`] and
/// [`Classifier::classify_into`], so that a batch run does not reallocate
/// them for every ad. One per thread; it holds no result, only room.
#[derive(Debug, Default)]
pub struct Scratch {
    normalized: [Normalized; 2],
    tokens: [Vec<Token>; 2],
    matches: [Vec<Match>; 2],
    token: TokenScratch,
    score: ScoreScratch,
    /// Family scores and ROME codes a verdict no longer needed, kept for
    /// the next verdict that needs more.
    spare_families: Vec<FamilyScore>,
    spare_rome: Vec<String>,
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
        let mut feature_order: Vec<usize> = (0..FEATURES.len() + SOCIAL_FEATURES.len()).collect();
        feature_order.sort_by_key(|&i| feature_name(i));
        Classifier {
            lexicon,
            stemmer: Stemmer::new(),
            matcher,
            feature_order,
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
        let mut verdict = Verdict::default();
        self.classify_into(ad, scratch, &mut verdict);
        verdict
    }

    /// Classifies one ad into `out`, overwriting every field of it with
    /// what [`classify`](Classifier::classify) would return, and reusing
    /// its allocations and `scratch`'s buffers.
    ///
    /// A verdict holds a hundred heap objects or so for a typical ad (two
    /// `String`s per evidence item, one per family, the vectors, the
    /// feature map); building and dropping them for every ad was a large
    /// part of a batch run. Keep one `out` per thread (start from
    /// [`Verdict::default`] or any earlier verdict) and the same
    /// `scratch`: once their buffers have grown to the size the ads need,
    /// classifying allocates nothing.
    ///
    /// ```
    /// use classify_core::{Ad, Classifier, Label, Scratch, Verdict};
    ///
    /// let classifier = Classifier::new();
    /// let (mut scratch, mut verdict) = (Scratch::default(), Verdict::default());
    /// for (title, text) in [
    ///     ("Community Manager", "Vous animez nos réseaux sociaux et modérez les commentaires."),
    ///     ("Comptable", "Vous tenez la comptabilité fournisseurs."),
    /// ] {
    ///     let ad = Ad::new(title, text);
    ///     classifier.classify_into(&ad, &mut scratch, &mut verdict);
    ///     assert_eq!(verdict, classifier.classify(&ad));
    /// }
    /// assert_eq!(verdict.label, Label::None);
    /// ```
    pub fn classify_into(&self, ad: &Ad<'_>, scratch: &mut Scratch, out: &mut Verdict) {
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
        let inputs: [SectionInput<'_>; 2] = std::array::from_fn(|i| SectionInput {
            section: sections[i],
            normalized: &scratch.normalized[i],
            tokens: &scratch.tokens[i],
            matches: &scratch.matches[i],
        });
        let scored = score(
            &self.lexicon,
            &inputs,
            &mut scratch.score,
            &mut out.evidence,
        );
        let decided = decide(
            self.lexicon.decision(),
            &scored.features,
            &scored.social_features,
        );

        out.label = decided.label;
        out.confidence = decided.confidence;
        let codes = decided.label.rome_codes();
        let mut rome = Refill::new(&mut out.rome, &mut scratch.spare_rome, codes.len());
        for code in codes {
            set_str(rome.next(String::new), code);
        }
        rome.finish();
        out.scores.clear();
        out.scores
            .extend(Label::ALL.iter().map(|&label| LabelScore {
                label,
                score: decided.scores[label.index()],
            }));
        out.social = decided.social;
        out.social_share = scored.share;

        let (raw, squashed) = (&scratch.score.family_raw, &scratch.score.family_score);
        let lexicon_families = self.lexicon.families();
        let mut families = Refill::new(
            &mut out.families,
            &mut scratch.spare_families,
            lexicon_families.len(),
        );
        for ((f, &raw), &score) in lexicon_families.iter().zip(raw).zip(squashed) {
            let item = families.next(|| FamilyScore {
                family: String::new(),
                axis: Cow::Borrowed(""),
                raw: 0.0,
                score: 0.0,
            });
            set_str(&mut item.family, &f.id);
            item.axis = Cow::Borrowed(f.axis.as_str());
            item.raw = raw;
            item.score = score;
        }
        families.finish();

        let value = |i: usize| match i.checked_sub(FEATURES.len()) {
            None => scored.features[i],
            Some(j) => scored.social_features[j],
        };
        // The names are fixed: when `out` already holds exactly them (any
        // verdict this method or `classify` made), only the values change.
        let mut same_names = out.features.len() == self.feature_order.len();
        if same_names {
            for ((name, v), &i) in out.features.iter_mut().zip(&self.feature_order) {
                if name != feature_name(i) {
                    same_names = false;
                    break;
                }
                *v = value(i);
            }
        }
        if !same_names {
            out.features = self
                .feature_order
                .iter()
                .map(|&i| (Cow::Borrowed(feature_name(i)), value(i)))
                .collect();
        }
    }
}

/// Feature `i` (below their total length) of [`FEATURES`] then
/// [`SOCIAL_FEATURES`].
fn feature_name(i: usize) -> &'static str {
    match i.checked_sub(FEATURES.len()) {
        None => FEATURES[i],
        Some(j) => SOCIAL_FEATURES[j],
    }
}
