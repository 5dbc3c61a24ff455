//! `Classifier::classify_into` overwrites a reused verdict with exactly
//! what `classify` returns, whatever the verdict held before.

use std::borrow::Cow;

use classify_core::{Ad, Classifier, FamilyScore, Label, Scratch, Verdict};

use crate::util::fixtures;

#[test]
fn a_reused_verdict_equals_a_fresh_one() {
    let classifier = Classifier::new();
    let ads = fixtures();
    let fresh: Vec<Verdict> = ads
        .iter()
        .map(|a| classifier.classify(&Ad::new(&a.title, &a.text)))
        .collect();
    let (mut scratch, mut reused) = (Scratch::default(), Verdict::default());
    let (mut more, mut fewer) = (0, 0);
    // Every fixture ad in file order, then backwards: the verdict is
    // refilled after ads with more evidence, fewer, other labels (so other
    // ROME codes) and the same.
    let order = (0..ads.len()).chain((0..ads.len()).rev());
    for i in order {
        let before = reused.evidence.len();
        classifier.classify_into(
            &Ad::new(&ads[i].title, &ads[i].text),
            &mut scratch,
            &mut reused,
        );
        assert_eq!(reused, fresh[i], "{}", ads[i].id);
        more += usize::from(reused.evidence.len() > before);
        fewer += usize::from(reused.evidence.len() < before);
    }
    assert!(more > 10 && fewer > 10, "{more} {fewer}");
    let labels: std::collections::HashSet<Label> = fresh.iter().map(|v| v.label).collect();
    assert_eq!(labels.len(), Label::ALL.len());
}

#[test]
fn a_verdict_from_elsewhere_is_overwritten_whole() {
    let classifier = Classifier::new();
    let ads = fixtures();
    let ad = Ad::new(&ads[0].title, &ads[0].text);
    let expected = classifier.classify(&ad);
    // A verdict as deserialized or built by hand: names owned, a feature
    // and a family the classifier does not know, fields out of range.
    let mut other = classifier.classify(&Ad::new(&ads[1].title, &ads[1].text));
    other.features.insert(Cow::Owned("unknown".into()), 7.0);
    other.families.push(FamilyScore {
        family: "unknown".into(),
        axis: Cow::Owned("nowhere".into()),
        raw: -1.0,
        score: 2.0,
    });
    other.rome = vec!["X".into(); 5];
    other.confidence = f64::NAN;
    let mut scratch = Scratch::default();
    classifier.classify_into(&ad, &mut scratch, &mut other);
    assert_eq!(other, expected);
    // The same names, owned: only the values change.
    let mut owned = classifier.classify(&Ad::new(&ads[2].title, &ads[2].text));
    owned.features = owned
        .features
        .into_iter()
        .map(|(k, v)| (Cow::Owned(k.into_owned()), v))
        .collect();
    classifier.classify_into(&ad, &mut scratch, &mut owned);
    assert_eq!(owned, expected);
    // A verdict missing a feature gets the full set back.
    let mut missing = classifier.classify(&ad);
    missing.features.remove("title_role");
    classifier.classify_into(&ad, &mut scratch, &mut missing);
    assert_eq!(missing, expected);
    // The same ad twice through one scratch and one verdict.
    classifier.classify_into(&ad, &mut scratch, &mut missing);
    assert_eq!(missing, expected);
}
