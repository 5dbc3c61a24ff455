//! One bench per pipeline stage (normalize, tokenize + stem, match, the
//! whole `classify` which adds score and decide) on a short, a typical and
//! a long ad, and lexicon loading.
//!
//! Every bench first checks the count it expects (words, tokens, matches,
//! evidence items, entries): a fast path that changes what the stage finds
//! fails here instead of passing as a speed-up. When the lexicon or the
//! fixtures change on purpose, update the constants below.

use std::time::Duration;

use classify_benches::{bench_ads, BenchAd};
use classify_core::matcher::{Match, Matcher};
use classify_core::normalize::{normalize_into, Normalized};
use classify_core::tokenize::{tokenize_into, Stemmer, Token, TokenScratch, UNKNOWN};
use classify_core::{Ad, Classifier, Lexicon, Scratch, Verdict};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Entries of the built-in lexicon (mission terms, titles and cues).
const LEXICON_ENTRIES: usize = 414;

/// Expected counts per ad, title and body together, in the order of
/// `bench_ads`: (name, words, tokens, known tokens, matches, evidence).
const EXPECTED: [(&str, usize, usize, usize, usize, usize); 3] = [
    ("short", 62, 37, 14, 6, 6),
    ("typical", 220, 138, 47, 28, 28),
    ("long", 4252, 2623, 1069, 480, 480),
];

/// Everything one ad goes through, stage by stage.
struct Prepared {
    ad: BenchAd,
    normalized: [Normalized; 2],
    tokens: [Vec<Token>; 2],
}

fn texts(ad: &BenchAd) -> [&str; 2] {
    [&ad.title, &ad.text]
}

fn prepare(ad: &BenchAd, stemmer: &Stemmer, lexicon: &Lexicon) -> Prepared {
    let mut normalized = [Normalized::new(), Normalized::new()];
    let mut tokens = [Vec::new(), Vec::new()];
    let mut scratch = TokenScratch::default();
    for (i, text) in texts(ad).into_iter().enumerate() {
        normalize_into(text, &mut normalized[i]);
        tokenize_into(
            &normalized[i],
            stemmer,
            lexicon.vocabulary(),
            &mut tokens[i],
            &mut scratch,
        );
    }
    Prepared {
        ad: ad.clone(),
        normalized,
        tokens,
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

fn stages(c: &mut Criterion) {
    let classifier = Classifier::new();
    let lexicon = classifier.lexicon();
    let stemmer = Stemmer::new();
    let matcher = Matcher::new(lexicon.entries().iter().map(|e| e.keys.as_slice()));
    let ads = bench_ads();
    let prepared: Vec<Prepared> = ads.iter().map(|a| prepare(a, &stemmer, lexicon)).collect();

    // Check the counts once, before measuring anything.
    for (p, expected) in prepared.iter().zip(EXPECTED) {
        let words: usize = p.normalized.iter().map(|n| n.words().len()).sum();
        let tokens: usize = p.tokens.iter().map(Vec::len).sum();
        let known = p
            .tokens
            .iter()
            .flatten()
            .filter(|t| t.key != UNKNOWN)
            .count();
        let mut matches = 0;
        for t in &p.tokens {
            let mut out = Vec::new();
            matcher.find_into(t, &mut out);
            matches += out.len();
        }
        let evidence = classifier
            .classify(&Ad::new(&p.ad.title, &p.ad.text))
            .evidence
            .len();
        let found = (p.ad.name, words, tokens, known, matches, evidence);
        assert_eq!(
            found, expected,
            "(name, words, tokens, known, matches, evidence)"
        );
    }

    let mut group = c.benchmark_group("normalize");
    for p in &prepared {
        group.throughput(Throughput::Bytes(p.ad.len() as u64));
        let mut out = [Normalized::new(), Normalized::new()];
        group.bench_function(BenchmarkId::from_parameter(p.ad.name), |b| {
            b.iter(|| {
                for (i, text) in texts(&p.ad).into_iter().enumerate() {
                    normalize_into(black_box(text), &mut out[i]);
                }
                out[0].words().len() + out[1].words().len()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("tokenize");
    for p in &prepared {
        group.throughput(Throughput::Bytes(p.ad.len() as u64));
        let mut out = Vec::new();
        let mut scratch = TokenScratch::default();
        group.bench_function(BenchmarkId::from_parameter(p.ad.name), |b| {
            b.iter(|| {
                let mut n = 0;
                for normalized in &p.normalized {
                    tokenize_into(
                        black_box(normalized),
                        &stemmer,
                        lexicon.vocabulary(),
                        &mut out,
                        &mut scratch,
                    );
                    n += out.len();
                }
                n
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("match");
    for p in &prepared {
        group.throughput(Throughput::Bytes(p.ad.len() as u64));
        let mut out: Vec<Match> = Vec::new();
        group.bench_function(BenchmarkId::from_parameter(p.ad.name), |b| {
            b.iter(|| {
                out.clear();
                for tokens in &p.tokens {
                    matcher.find_into(black_box(tokens), &mut out);
                }
                out.len()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("classify");
    for p in &prepared {
        group.throughput(Throughput::Bytes(p.ad.len() as u64));
        let ad = Ad::new(&p.ad.title, &p.ad.text);
        let mut scratch = Scratch::default();
        group.bench_function(BenchmarkId::from_parameter(p.ad.name), |b| {
            b.iter(|| classifier.classify_with(black_box(&ad), &mut scratch))
        });
    }
    group.finish();

    // What a batch run does: one scratch and one verdict reused.
    let mut group = c.benchmark_group("classify_into");
    for p in &prepared {
        group.throughput(Throughput::Bytes(p.ad.len() as u64));
        let ad = Ad::new(&p.ad.title, &p.ad.text);
        let mut scratch = Scratch::default();
        let mut verdict = Verdict::default();
        let expected = classifier.classify(&ad);
        classifier.classify_into(&ad, &mut scratch, &mut verdict);
        assert_eq!(verdict, expected, "{}", p.ad.name);
        group.bench_function(BenchmarkId::from_parameter(p.ad.name), |b| {
            b.iter(|| {
                classifier.classify_into(black_box(&ad), &mut scratch, &mut verdict);
                verdict.evidence.len()
            })
        });
    }
    group.finish();
}

fn lexicon(c: &mut Criterion) {
    assert_eq!(Lexicon::embedded().entries().len(), LEXICON_ENTRIES);
    let mut group = c.benchmark_group("lexicon");
    group.bench_function("embedded", |b| b.iter(Lexicon::embedded));
    group.bench_function("classifier", |b| b.iter(Classifier::new));
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = stages, lexicon
}
criterion_main!(benches);
