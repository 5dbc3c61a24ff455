//! Property tests: normalization is idempotent, evidence spans always lie
//! inside the original text on char boundaries and cover the matched words,
//! and nothing panics, whatever the input.

use classify_core::lexicon::EntryKind;
use classify_core::normalize::{normalize, normalize_text};
use classify_core::tokenize::{tokenize_into, Stemmer, TokenScratch};
use classify_core::{Ad, Classifier, Section, Verdict};
use proptest::prelude::*;

/// Pieces of French ad text, inclusive writing, HTML and Unicode traps.
const FRAGMENTS: &[&str] = &[
    "animer",
    "la",
    "communauté",
    "modérer",
    "les",
    "commentaires",
    "stratégie",
    "social",
    "media",
    "réseaux",
    "sociaux",
    "budget",
    "sans",
    "pas",
    "ne",
    "n’",
    "l’",
    "d'",
    "qu'",
    "chargé·e·s",
    "chargé(e)",
    "chargé.e",
    "animateur/animatrice",
    "H/F",
    "(F/H/X)",
    "<li>",
    "</li>",
    "<br/>",
    "<!--",
    "-->",
    "&eacute;",
    "&amp;",
    "&#39;",
    "&nbsp;",
    "&#x1F600;",
    "&bogus;",
    "&",
    "<",
    ">",
    "•",
    "✅",
    "-",
    "—",
    "·",
    ".",
    ",",
    ";",
    ":",
    "\n",
    " ",
    "\u{00A0}",
    "\u{202F}",
    "\u{200B}",
    "\u{00AD}",
    "e\u{301}",
    "\u{301}",
    "ﬁ",
    "œuvre",
    "İ",
    "ß",
    "ǅ",
    "Community Manager",
    "facebook ads",
    "MOUTON À 5 PATTES",
    "e-réputation",
    "jeux-concours",
    "\u{0}",
    "\u{FEFF}",
    "ʼ",
    "’",
    "'",
];

fn french_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
            1 => any::<String>(),
            1 => "[a-zA-Zéèà·.()/ -]{1,8}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![french_text(), any::<String>()]
}

/// Checks every evidence span of `verdict` against the ad.
fn check_spans(
    classifier: &Classifier,
    ad: &Ad<'_>,
    verdict: &Verdict,
) -> Result<(), TestCaseError> {
    let stemmer = Stemmer::new();
    let vocabulary = classifier.lexicon().vocabulary();
    for e in &verdict.evidence {
        let text: &str = match e.section {
            Section::Title => &ad.title,
            Section::Body => &ad.text,
        };
        prop_assert!(e.span.start < e.span.end, "empty span {:?}", e);
        let covered = text.get(e.span.clone());
        prop_assert!(
            covered.is_some(),
            "span {:?} outside or off a char boundary",
            e.span
        );
        if e.kind == classify_core::EvidenceKind::Cue {
            continue;
        }
        // The covered text, tokenized again, gives back the entry's keys.
        let entry = classifier
            .lexicon()
            .entries()
            .iter()
            .find(|x| x.term == e.entry && !matches!(x.kind, EntryKind::Cue(_)))
            .unwrap();
        let n = normalize(covered.unwrap());
        let mut tokens = Vec::new();
        tokenize_into(
            &n,
            &stemmer,
            vocabulary,
            &mut tokens,
            &mut TokenScratch::default(),
        );
        let keys: Vec<Option<u32>> = tokens.iter().map(|t| Some(t.key)).collect();
        let expected: Vec<Option<u32>> = entry.keys.iter().map(|&k| Some(k)).collect();
        prop_assert_eq!(keys, expected, "span {:?} of {:?}", covered, e.entry);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn normalization_is_idempotent(text in any_text()) {
        let once = normalize_text(&text);
        prop_assert_eq!(normalize_text(&once), once);
    }

    #[test]
    fn normalized_spans_lie_in_the_text_in_order(text in any_text()) {
        let n = normalize(&text);
        let mut last_end = 0;
        for w in n.words() {
            prop_assert!(text.get(w.span.clone()).is_some(), "{:?}", w.span);
            prop_assert!(w.span.start >= last_end, "spans overlap or go back");
            prop_assert!(!n.text(w).is_empty());
            last_end = w.span.end;
        }
    }

    #[test]
    fn evidence_spans_cover_the_matched_words(title in any_text(), text in any_text()) {
        let classifier = Classifier::new();
        let ad = Ad::new(&title, &text);
        let verdict = classifier.classify(&ad);
        check_spans(&classifier, &ad, &verdict)?;
        prop_assert!((0.0..=1.0).contains(&verdict.confidence));
        for s in &verdict.scores {
            prop_assert!((0.0..=1.0).contains(&s.score));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let text = String::from_utf8_lossy(&bytes);
        let verdict = Classifier::new().classify(&Ad::from_text(&text));
        prop_assert!((0.0..=1.0).contains(&verdict.confidence));
    }
}

#[test]
fn spans_hold_on_every_fixture() {
    let classifier = Classifier::new();
    for ad in crate::util::fixtures() {
        let a = Ad::new(&ad.title, &ad.text);
        let verdict = classifier.classify(&a);
        if let Err(e) = check_spans(&classifier, &a, &verdict) {
            panic!("{}: {e}", ad.id);
        }
    }
}
