//! The whole classifier: the first line is the title, the rest the body.
//! Every score and the confidence lie in [0, 1], the label agrees with the
//! social gate, evidence spans point into their section in text order and
//! lead back to their lexicon entry, and reusing a `Scratch` (and, with
//! `classify_into`, a `Verdict` filled by earlier ads) gives the same
//! verdict as a fresh one.
#![no_main]

use std::sync::{Mutex, OnceLock};

use classify_core::{Ad, Classifier, Label, Scratch, Section, Verdict};
use libfuzzer_sys::fuzz_target;

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(Classifier::new)
}

/// Shared across runs, so that stale buffers from one ad would show.
static SCRATCH: Mutex<Option<Scratch>> = Mutex::new(None);

/// The same for `classify_into`: a scratch and a verdict kept from run to
/// run.
static REUSED: Mutex<Option<(Scratch, Verdict)>> = Mutex::new(None);

fn check(ad: &Ad<'_>, v: &Verdict) {
    let unit = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    assert!(unit(v.confidence), "confidence {}", v.confidence);
    assert!(unit(v.social) && unit(v.social_share));
    assert_eq!(v.scores.len(), Label::ALL.len());
    for (s, label) in v.scores.iter().zip(Label::ALL) {
        assert_eq!(s.label, label);
        assert!(unit(s.score), "{s:?}");
    }
    assert!(v
        .families
        .iter()
        .all(|f| unit(f.score) && f.raw.is_finite()));
    assert!(
        v.features.values().all(|x| x.is_finite()),
        "{:?}",
        v.features
    );
    let threshold = classifier().lexicon().decision().def().social_threshold;
    assert_eq!(v.label == Label::None, v.social < threshold, "{v:?}");
    assert_eq!(v.rome.len(), v.label.rome_codes().len());
    let mut last = (Section::Title, 0);
    for e in &v.evidence {
        let text = match e.section {
            Section::Title => &ad.title,
            Section::Body => &ad.text,
        };
        assert!(e.span.start < e.span.end, "{e:?}");
        assert!(text.get(e.span.clone()).is_some(), "span out of text {e:?}");
        assert!(e.weight.is_finite() && e.contribution.is_finite(), "{e:?}");
        let entry = &classifier().lexicon().entries()[e.index];
        assert_eq!(entry.term, e.entry, "{e:?}");
        let here = (e.section, e.span.start);
        if here.0 == last.0 {
            assert!(here.1 >= last.1, "evidence out of order {e:?}");
        } else {
            assert_eq!((last.0, here.0), (Section::Title, Section::Body));
        }
        last = here;
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (title, text) = input.split_once('\n').unwrap_or(("", &input));
    let ad = Ad::new(title, text);
    let fresh = classifier().classify(&ad);
    check(&ad, &fresh);
    let mut guard = SCRATCH.lock().unwrap();
    let scratch = guard.get_or_insert_with(Scratch::default);
    let reused = classifier().classify_with(&ad, scratch);
    assert_eq!(fresh, reused, "a reused scratch changes the verdict");
    let mut guard = REUSED.lock().unwrap();
    let (scratch, verdict) = guard.get_or_insert_with(Default::default);
    classifier().classify_into(&ad, scratch, verdict);
    assert_eq!(&fresh, verdict, "a reused verdict changes the verdict");
});
