//! The reference pass: a bare aho-corasick scan (DFA, leftmost-longest)
//! with as many patterns as the lexicon has entries, over the same short,
//! typical and long ads as `pipeline.rs`. Compare `classify/*` with
//! `reference/*` from the same run: the ratio is the figure that travels
//! between machines.

use std::time::Duration;

use classify_benches::{bench_ads, reference_automaton};
use classify_core::Lexicon;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Matches of the reference automaton in (title, text) of each ad, in the
/// order of `bench_ads`.
const EXPECTED: [(&str, usize); 3] = [("short", 6), ("typical", 35), ("long", 534)];

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

fn reference(c: &mut Criterion) {
    let lexicon = Lexicon::embedded();
    let ac = reference_automaton(&lexicon);
    assert_eq!(ac.patterns_len(), lexicon.entries().len());
    let ads = bench_ads();
    for (ad, expected) in ads.iter().zip(EXPECTED) {
        let found = ac.find_iter(&ad.title).count() + ac.find_iter(&ad.text).count();
        assert_eq!((ad.name, found), expected);
    }
    let mut group = c.benchmark_group("reference");
    for ad in &ads {
        group.throughput(Throughput::Bytes(ad.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(ad.name), |b| {
            b.iter(|| {
                ac.find_iter(black_box(&ad.title)).count()
                    + ac.find_iter(black_box(&ad.text)).count()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = reference
}
criterion_main!(benches);
