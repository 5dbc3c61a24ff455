//! The reference pass over a JSON Lines corpus: `reference CORPUS.jsonl`.
//!
//! Loads the file and its `title` and `text` fields into memory (not
//! timed), then times one aho-corasick DFA scan, leftmost-longest, with as
//! many patterns as the built-in lexicon has entries, over every title and
//! text. Prints `key=value` lines: the file's bytes, the scanned bytes, the
//! matches, the best of three scans in seconds, and `mbps`: the *file*
//! bytes (10⁶ per MB) per second of scan, the same numerator as the
//! end-to-end figures, so that the two divide.
//!
//! `parse_mbps` also times the JSON parse (serde_json, borrowed fields)
//! with the scan: context, not the reference.

use std::process::ExitCode;
use std::time::Instant;

use classify_benches::{reference_automaton, JsonAd};
use classify_core::Lexicon;

/// Scans timed; the best counts (the machine is shared).
const RUNS: usize = 3;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: reference CORPUS.jsonl");
        return ExitCode::from(2);
    };
    let content = match std::fs::read_to_string(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("reference: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    fn parse(line: &str) -> JsonAd<'_> {
        serde_json::from_str(line).unwrap_or_else(|e| panic!("bad line: {e}"))
    }
    let lexicon = Lexicon::embedded();
    let ac = reference_automaton(&lexicon);

    let lines: Vec<&str> = content.lines().filter(|l| !l.is_empty()).collect();
    let ads: Vec<JsonAd<'_>> = lines.iter().map(|l| parse(l)).collect();
    let scanned: usize = ads.iter().map(|a| a.title.len() + a.text.len()).sum();

    let mut best = f64::INFINITY;
    let mut matches = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        matches = ads
            .iter()
            .map(|a| ac.find_iter(&*a.title).count() + ac.find_iter(&*a.text).count())
            .sum::<usize>();
        best = best.min(start.elapsed().as_secs_f64());
    }

    let mut best_parse = f64::INFINITY;
    for _ in 0..RUNS {
        let start = Instant::now();
        let n: usize = lines
            .iter()
            .map(|l| {
                let a = parse(l);
                ac.find_iter(&*a.title).count() + ac.find_iter(&*a.text).count()
            })
            .sum();
        best_parse = best_parse.min(start.elapsed().as_secs_f64());
        assert_eq!(n, matches);
    }

    let mb = content.len() as f64 / 1e6;
    println!("patterns={}", ac.patterns_len());
    println!("bytes={}", content.len());
    println!("scanned_bytes={scanned}");
    println!("ads={}", ads.len());
    println!("matches={matches}");
    println!("seconds={best:.4}");
    println!("mbps={:.1}", mb / best);
    println!("parse_mbps={:.1}", mb / best_parse);
    ExitCode::SUCCESS
}
