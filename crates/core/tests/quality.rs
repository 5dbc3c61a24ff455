//! Quality over labelled ads: the fixtures (which the decision models were
//! fitted on, see `examples/fit.rs`) and the real corpus beside the
//! repository (never fitted on: measured only).
//!
//! Each report is committed under `reports/`, so that a change of the
//! lexicon shows up as a diff of the confusion matrices. A stale report
//! fails the test; regenerate with
//! `UPDATE_REPORTS=1 cargo test -p classify-core --test tests quality`.

use std::collections::{BTreeMap, HashSet};

use classify_core::evaluation::Confusion;
use classify_core::{Ad, Classifier, Label};

use crate::util::{fixtures, real_corpus, root, Labelled};

/// The report of one corpus: matrix, metrics and every miss.
fn report(name: &str, ads: &[Labelled]) -> (Confusion, String) {
    let classifier = Classifier::new();
    let mut confusion = Confusion::new();
    let mut misses = String::new();
    for ad in ads {
        let verdict = classifier.classify(&Ad::new(&ad.title, &ad.text));
        confusion.add(ad.label, verdict.label);
        if verdict.label != ad.label {
            misses.push_str(&format!(
                "{:<12} expected {:<10} got {:<10} confidence {:.2}\n",
                ad.id, ad.label, verdict.label, verdict.confidence
            ));
        }
    }
    let text = format!(
        "# {name}: built-in lexicon\n# regenerate: UPDATE_REPORTS=1 cargo test -p classify-core --test tests quality\n\n{confusion}\nmisclassified:\n{misses}"
    );
    (confusion, text)
}

/// Compares `text` with the committed report, or rewrites it when asked.
fn check_committed(file: &str, text: &str) {
    let path = root().join("reports").join(file);
    if std::env::var_os("UPDATE_REPORTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "reports/{file} is stale (the lexicon or the code changed the results); \
         regenerate it with UPDATE_REPORTS=1 cargo test -p classify-core --test tests quality \
         and commit the diff"
    );
}

#[test]
fn fixtures_are_many_varied_and_well_formed() {
    let ads = fixtures();
    assert!(
        ads.len() >= 150,
        "{} fixtures, want at least 150",
        ads.len()
    );
    let mut per_label: BTreeMap<Label, usize> = BTreeMap::new();
    let mut ids = HashSet::new();
    let mut problems = Vec::new();
    for ad in &ads {
        *per_label.entry(ad.label).or_default() += 1;
        if !ids.insert(ad.id.clone()) {
            problems.push(format!("{}: duplicate id", ad.id));
        }
        let len = ad.text.chars().count();
        if !(300..=4000).contains(&len) {
            problems.push(format!(
                "{}: text of {len} characters, want 300 to 4000",
                ad.id
            ));
        }
    }
    for label in Label::ALL {
        let n = per_label.get(&label).copied().unwrap_or(0);
        if n < 20 {
            problems.push(format!("{label}: {n} fixtures, want at least 20"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixtures_reach_the_quality_bar() {
    let (confusion, text) = report("fixtures/ads (161 ads written by the team)", &fixtures());
    println!("{text}");
    check_committed("fixtures.txt", &text);
    assert!(
        confusion.macro_f1() >= 0.90,
        "macro-F1 {:.3} is below 0.90\n{text}",
        confusion.macro_f1()
    );
}

#[test]
fn real_corpus_is_measured() {
    let Some(ads) = real_corpus() else {
        println!(
            "../shared/corpus/real.jsonl is not beside the repository: real-corpus report skipped"
        );
        return;
    };
    let (confusion, text) = report(
        "../shared/corpus/real.jsonl (126 real ads, measured, never fitted)",
        &ads,
    );
    println!("{text}");
    check_committed("real.txt", &text);
    assert_eq!(confusion.total() as usize, ads.len());
}

/// Lower-case word runs of `n` words.
fn shingles(text: &str, n: usize) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(n).map(|w| w.join(" ")).collect()
}

/// The fixtures are the team's own words: no run of ten words is taken from
/// the seed articles or from the real corpus (stock phrases of job ads are
/// shorter than that).
#[test]
fn fixtures_do_not_copy_the_seeds_or_the_real_corpus() {
    const RUN: usize = 10;
    let mut outside = HashSet::new();
    let seeds = root().join("../shared/seeds");
    if let Ok(dir) = std::fs::read_dir(&seeds) {
        for file in dir {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            outside.extend(shingles(&text, RUN));
        }
    }
    for ad in real_corpus().unwrap_or_default() {
        outside.extend(shingles(&ad.text, RUN));
    }
    if outside.is_empty() {
        println!("../shared is not beside the repository: copy check skipped");
        return;
    }
    let copied: Vec<String> = fixtures()
        .iter()
        .flat_map(|ad| {
            shingles(&format!("{}\n{}", ad.title, ad.text), RUN)
                .into_iter()
                .filter(|s| outside.contains(s))
                .map(move |s| format!("{}: {s}", ad.id))
        })
        .collect();
    assert!(copied.is_empty(), "copied runs:\n{}", copied.join("\n"));
}
