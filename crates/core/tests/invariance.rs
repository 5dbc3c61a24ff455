//! The label of an ad does not depend on how it was typed: capitals,
//! missing accents, extra whitespace and HTML wrapping leave it unchanged.
//! Checked over every fixture, every failure reported.

use classify_core::tokenize::fold;
use classify_core::{Ad, Classifier};

use crate::util::fixtures;

/// Upper-cases text but leaves HTML entity names alone (`&eacute;`).
fn upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_entity = false;
    for c in text.chars() {
        if c == '&' {
            in_entity = true;
        } else if in_entity && !c.is_ascii_alphanumeric() && c != '#' {
            in_entity = false;
        }
        if in_entity {
            out.push(c);
        } else {
            out.extend(c.to_uppercase());
        }
    }
    out
}

fn spaced(text: &str) -> String {
    text.replace(' ', "  \u{00A0}").replace('\n', " \n\t")
}

fn wrapped(text: &str) -> String {
    format!(
        "<div class=\"offer\">\n<p>{}</p>\n</div>",
        text.replace("\n\n", "</p>\n<p>")
    )
}

type Transform = fn(&str) -> String;

const TRANSFORMS: &[(&str, Transform)] = &[
    ("capitals", upper),
    ("accents removed", fold),
    ("extra whitespace", spaced),
    ("html wrapping", wrapped),
];

#[test]
fn label_is_unchanged_by_case_accents_whitespace_and_html() {
    let classifier = Classifier::new();
    let mut failures = Vec::new();
    for ad in fixtures() {
        let reference = classifier.classify(&Ad::new(&ad.title, &ad.text)).label;
        for (name, transform) in TRANSFORMS {
            let title = transform(&ad.title);
            let text = transform(&ad.text);
            let got = classifier.classify(&Ad::new(&title, &text)).label;
            if got != reference {
                failures.push(format!("{}: {name} turns {reference} into {got}", ad.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_transforms_do_change_the_text() {
    // Guards the test above against transforms that do nothing.
    let sample = "Modérer la communauté\nRédiger";
    for (name, transform) in TRANSFORMS {
        assert_ne!(transform(sample), sample, "{name}");
    }
    assert_eq!(upper("l&eacute;a"), "L&eacute;A");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

    /// Any combination of the transforms, in any order, on any fixture.
    #[test]
    fn label_is_unchanged_by_any_combination_of_transforms(
        pick in proptest::prelude::any::<proptest::sample::Index>(),
        steps in proptest::collection::vec(0..TRANSFORMS.len(), 1..5),
    ) {
        let ads = crate::util::fixtures();
        let ad = &ads[pick.index(ads.len())];
        let classifier = Classifier::new();
        let reference = classifier.classify(&Ad::new(&ad.title, &ad.text)).label;
        let (mut title, mut text) = (ad.title.clone(), ad.text.clone());
        for &step in &steps {
            title = (TRANSFORMS[step].1)(&title);
            text = (TRANSFORMS[step].1)(&text);
        }
        let got = classifier.classify(&Ad::new(&title, &text)).label;
        let names: Vec<&str> = steps.iter().map(|&s| TRANSFORMS[s].0).collect();
        proptest::prop_assert_eq!(got, reference, "{} after {:?}", ad.id, names);
    }
}
