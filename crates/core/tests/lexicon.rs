//! The lexicon is data: the built-in one is proven valid here, and every
//! kind of mistake in a user's file gets an error naming file, entry and
//! reason.

use std::collections::HashSet;

use classify_core::lexicon::{EntryKind, EMBEDDED_SOURCES};
use classify_core::normalize::normalize_text;
use classify_core::{Ad, Classifier, Label, Lexicon, LexiconBuilder, LexiconErrorKind};

/// A small valid lexicon document, with the built-in decision section.
fn small(families: &str, titles: &str, cues: &str) -> String {
    let decision = serde_json::to_string(&Lexicon::embedded().document().decision).unwrap();
    format!(
        r#"{{"families": [{families}], "titles": [{titles}], "cues": [{cues}], "decision": {decision}}}"#
    )
}

const ANIMATION: &str = r#"{"id": "animation", "axis": "execution", "social": true,
  "entries": [{"term": "animer la communauté", "weight": 2.0, "source": "seeds/000"}]}"#;

fn error_of(json: &str) -> classify_core::LexiconError {
    Lexicon::from_json("custom.json", json).expect_err("this lexicon must be rejected")
}

#[test]
fn the_embedded_lexicon_is_valid_and_large_enough() {
    let lexicon = Lexicon::embedded();
    assert!(
        lexicon.families().len() >= 12,
        "{} families",
        lexicon.families().len()
    );
    let missions = lexicon
        .entries()
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Mission(_)))
        .count();
    assert!(missions >= 200, "{missions} mission entries");
    for label in Label::SOCIAL {
        assert!(
            lexicon
                .entries()
                .iter()
                .any(|e| e.kind == EntryKind::Title(label)),
            "no title names {label}"
        );
    }
    // Every family has entries, and every id is unique.
    let mut ids = HashSet::new();
    for (i, family) in lexicon.families().iter().enumerate() {
        assert!(ids.insert(family.id.clone()), "family {} twice", family.id);
        assert!(
            lexicon
                .entries()
                .iter()
                .any(|e| e.kind == EntryKind::Mission(i)),
            "family {} is empty",
            family.id
        );
    }
}

#[test]
fn every_embedded_term_is_stable_under_normalization() {
    for entry in Lexicon::embedded().entries() {
        let once = normalize_text(&entry.term);
        assert!(!once.is_empty(), "{:?} normalizes to nothing", entry.term);
        assert_eq!(normalize_text(&once), once, "{:?}", entry.term);
    }
}

#[test]
fn the_embedded_sources_are_the_lexicon_folder() {
    let dir = crate::util::root().join("lexicon");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| format!("lexicon/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = EMBEDDED_SOURCES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    embedded.sort();
    assert_eq!(
        on_disk, embedded,
        "a lexicon file is not embedded, or the reverse"
    );
    // Loading the folder gives the embedded lexicon (in another order).
    let sorted = |l: &Lexicon| {
        let mut doc = l.document().clone();
        doc.families.sort_by(|a, b| a.id.cmp(&b.id));
        doc
    };
    let from_dir = Lexicon::from_path(&dir).unwrap();
    assert!(
        sorted(&from_dir) == sorted(&Lexicon::embedded()),
        "the folder and the embedded sources differ"
    );
}

#[test]
fn a_dumped_lexicon_loads_back_to_the_same_classifier() {
    let embedded = Lexicon::embedded();
    let reloaded = Lexicon::from_json("dump.json", &embedded.to_json()).unwrap();
    assert_eq!(reloaded.document(), embedded.document());
    let ad = Ad::new(
        "Community manager",
        "Animer la communauté et modérer les commentaires.",
    );
    assert_eq!(
        Classifier::with_lexicon(reloaded).classify(&ad),
        Classifier::with_lexicon(embedded).classify(&ad)
    );
}

#[test]
fn a_minimal_custom_lexicon_loads_and_classifies() {
    let lexicon = Lexicon::from_json(
        "custom.json",
        &small(
            ANIMATION,
            r#"{"term": "community manager", "label": "CM", "weight": 3, "source": "seeds/000"}"#,
            "",
        ),
    )
    .unwrap();
    assert_eq!(lexicon.families().len(), 1);
    let verdict = Classifier::with_lexicon(lexicon)
        .classify(&Ad::new("Community manager", "Animer la communauté."));
    assert!(verdict
        .evidence
        .iter()
        .any(|e| e.entry == "animer la communauté"));
}

/// One named case per kind of mistake; every failure is reported.
#[test]
fn each_mistake_is_reported_with_file_entry_and_reason() {
    let cases: Vec<(&str, String, LexiconErrorKind, Option<&str>, &str)> = vec![
        (
            "malformed json",
            "{\n  \"families\": [\n    {\"id\": \"x\",, }\n  ]\n}".to_string(),
            LexiconErrorKind::Json { line: 3, column: 16 },
            None,
            "custom.json:3:16",
        ),
        (
            "unknown field",
            small(&ANIMATION.replace("\"social\"", "\"socail\""), "", ""),
            LexiconErrorKind::Json { line: 1, column: 0 },
            None,
            "unknown field `socail`",
        ),
        (
            "unknown family",
            small(ANIMATION, "", "").replacen(
                "\"titles\"",
                r#""entries": [{"family": "animashun", "term": "fédérer", "weight": 1, "source": "ads"}], "titles""#,
                1,
            ),
            LexiconErrorKind::UnknownFamily,
            Some("fédérer"),
            "unknown family \"animashun\"",
        ),
        (
            "duplicate entry",
            small(
                &ANIMATION.replace(
                    r#"[{"term""#,
                    r#"[{"term": "animation de la communauté", "weight": 1.0, "source": "ads"}, {"term""#,
                ),
                "",
                "",
            ),
            LexiconErrorKind::DuplicateEntry,
            Some("animer la communauté"),
            "duplicates \"animation de la communauté\"",
        ),
        (
            "same stems in two families",
            small(
                &format!(
                    r#"{ANIMATION}, {{"id": "moderation", "axis": "execution", "entries": [{{"term": "Animer les communautés", "weight": 1, "source": "ads"}}]}}"#
                ),
                "",
                "",
            ),
            LexiconErrorKind::StemCollision,
            Some("Animer les communautés"),
            "family \"moderation\" reduces to the same stems as \"animer la communauté\" in family \"animation\"",
        ),
        (
            "empty entry",
            small(&ANIMATION.replace("animer la communauté", "   "), "", ""),
            LexiconErrorKind::EmptyEntry,
            Some("   "),
            "empty",
        ),
        (
            "only stop words",
            small(&ANIMATION.replace("animer la communauté", "de la"), "", ""),
            LexiconErrorKind::EmptyEntry,
            Some("de la"),
            "only stop words",
        ),
        (
            "phrase of one word",
            small(&ANIMATION.replace("animer la communauté", "sur la communauté"), "", ""),
            LexiconErrorKind::PhraseOfOneWord,
            Some("sur la communauté"),
            "keeps one word, \"communauté\"",
        ),
        (
            "entry too long",
            small(
                &ANIMATION.replace(
                    "animer la communauté",
                    "animer publier modérer répondre planifier rédiger filmer monter analyser mesurer présenter conseiller former",
                ),
                "",
                "",
            ),
            LexiconErrorKind::EntryTooLong,
            Some("animer publier modérer répondre planifier rédiger filmer monter analyser mesurer présenter conseiller former"),
            "13 words besides stop words; at most 12",
        ),
        (
            "weight too high",
            small(&ANIMATION.replace("2.0", "12.5"), "", ""),
            LexiconErrorKind::WeightOutOfRange,
            Some("animer la communauté"),
            "weight 12.5 is out of range",
        ),
        (
            "negative weight",
            small(&ANIMATION.replace("2.0", "-1"), "", ""),
            LexiconErrorKind::WeightOutOfRange,
            Some("animer la communauté"),
            "weight -1 is out of range",
        ),
        (
            "bad provenance",
            small(&ANIMATION.replace("seeds/000", "wikipedia"), "", ""),
            LexiconErrorKind::BadSource,
            Some("animer la communauté"),
            "provenance \"wikipedia\"",
        ),
        (
            "family defined twice",
            small(&format!("{ANIMATION}, {ANIMATION}"), "", ""),
            LexiconErrorKind::DuplicateFamily,
            None,
            "family \"animation\" is defined twice",
        ),
        (
            "unknown feature in a model",
            small(ANIMATION, "", "").replacen("\"execution\":", "\"exekution\":", 1),
            LexiconErrorKind::BadDecision,
            Some("CM"),
            "unknown feature \"exekution\"",
        ),
        (
            "no decision section",
            format!(r#"{{"families": [{ANIMATION}]}}"#),
            LexiconErrorKind::BadDecision,
            None,
            "no source has a \"decision\" section",
        ),
    ];
    let mut names = HashSet::new();
    let mut failures = Vec::new();
    for (name, json, kind, entry, needle) in cases {
        assert!(names.insert(name), "case name {name:?} is used twice");
        let result = Lexicon::from_json("custom.json", &json);
        let Err(err) = result else {
            failures.push(format!("{name}: accepted"));
            continue;
        };
        let shown = err.to_string();
        let kind_ok = match (&kind, err.kind()) {
            // Serde reports columns we need not pin down for schema errors.
            (LexiconErrorKind::Json { line: 1, column: 0 }, LexiconErrorKind::Json { .. }) => true,
            (expected, got) => expected == got,
        };
        if !kind_ok {
            failures.push(format!(
                "{name}: kind {:?}, want {kind:?} ({shown})",
                err.kind()
            ));
        }
        if err.entry() != entry {
            failures.push(format!(
                "{name}: entry {:?}, want {entry:?} ({shown})",
                err.entry()
            ));
        }
        if !shown.starts_with("custom.json") || !shown.contains(needle) {
            failures.push(format!(
                "{name}: message {shown:?} lacks the file or {needle:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_name_the_source_among_several() {
    let mut builder = LexiconBuilder::new();
    for (name, text) in EMBEDDED_SOURCES {
        builder.add_json(name, text).unwrap();
    }
    builder
        .add_json(
            "extra.json",
            r#"{"entries": [{"family": "moderation", "term": "modération", "weight": 1, "source": "ads"}]}"#,
        )
        .unwrap();
    let err = builder.build().unwrap_err();
    assert_eq!(err.kind(), &LexiconErrorKind::DuplicateEntry);
    assert!(
        err.to_string()
            .starts_with("extra.json: entry \"modération\""),
        "{err}"
    );
    assert!(
        err.to_string().contains("(lexicon/execution.json)"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let err = Lexicon::from_path(std::path::Path::new("/nonexistent/lexicon.json")).unwrap_err();
    assert_eq!(err.kind(), &LexiconErrorKind::Io);
    assert!(
        err.to_string().starts_with("/nonexistent/lexicon.json: "),
        "{err}"
    );
}

#[test]
fn loading_is_never_an_empty_success() {
    // An empty document has no decision: an error, not an empty lexicon.
    assert_eq!(error_of("{}").kind(), &LexiconErrorKind::BadDecision);
}
