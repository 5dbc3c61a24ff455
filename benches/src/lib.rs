//! Inputs shared by the benchmarks of `classify` (issue #4).
//!
//! Every bench reads the team's labelled ads from `fixtures/ads/*.jsonl`
//! and builds three ads from them, so that the figures follow the data the
//! classifier is tuned on:
//!
//! * **short**: the shortest fixture ad (title + text);
//! * **typical**: the fixture ad of median length;
//! * **long**: the [`LONG_PARTS`] longest fixture ads, their bodies
//!   concatenated under the first one's title.
//!
//! The reference pass ([`reference_automaton`]) is the yardstick every
//! throughput figure is divided by: a bare aho-corasick DFA scan,
//! leftmost-longest, with as many patterns as the lexicon has entries (the
//! entries' terms, lower-cased).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use classify_core::Lexicon;
use serde::Deserialize;

/// How many of the longest fixture ads make the long ad.
pub const LONG_PARTS: usize = 8;

/// One ad of a JSON Lines file, its fields borrowed from the line when they
/// hold no escape.
#[derive(Debug, Deserialize)]
pub struct JsonAd<'a> {
    /// The record id.
    #[serde(borrow, default)]
    pub id: Cow<'a, str>,
    /// The title (may be empty).
    #[serde(borrow, default)]
    pub title: Cow<'a, str>,
    /// The body.
    #[serde(borrow, default)]
    pub text: Cow<'a, str>,
}

/// An owned ad: a name for the bench, a title and a body.
#[derive(Clone, Debug)]
pub struct BenchAd {
    /// `short`, `typical` or `long`.
    pub name: &'static str,
    /// The title.
    pub title: String,
    /// The body.
    pub text: String,
}

impl BenchAd {
    /// Title and body bytes: the throughput denominator of the benches.
    pub fn len(&self) -> usize {
        self.title.len() + self.text.len()
    }

    /// True when both title and body are empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ sits in the workspace")
        .to_path_buf()
}

/// Every fixture ad as (title, text), in file-name then line order.
pub fn fixture_ads() -> Vec<(String, String)> {
    let dir = workspace_root().join("fixtures").join("ads");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut ads = Vec::new();
    for file in files {
        let content = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        for line in content.lines().filter(|l| !l.trim().is_empty()) {
            let ad: JsonAd<'_> = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: bad line: {e}", file.display()));
            ads.push((ad.title.into_owned(), ad.text.into_owned()));
        }
    }
    ads
}

/// The short, typical and long ads (see the crate docs).
pub fn bench_ads() -> [BenchAd; 3] {
    let mut ads = fixture_ads();
    assert!(ads.len() >= LONG_PARTS, "too few fixture ads");
    // Stable sort by size: ties keep file order, so the choice is fixed.
    ads.sort_by_key(|(title, text)| title.len() + text.len());
    let short = &ads[0];
    let typical = &ads[ads.len() / 2];
    let longest = &ads[ads.len() - LONG_PARTS..];
    let mut long_text = String::new();
    for (_, text) in longest.iter().rev() {
        if !long_text.is_empty() {
            long_text.push_str("\n\n");
        }
        long_text.push_str(text);
    }
    [
        BenchAd {
            name: "short",
            title: short.0.clone(),
            text: short.1.clone(),
        },
        BenchAd {
            name: "typical",
            title: typical.0.clone(),
            text: typical.1.clone(),
        },
        BenchAd {
            name: "long",
            title: longest[LONG_PARTS - 1].0.clone(),
            text: long_text,
        },
    ]
}

/// The reference patterns: every lexicon entry's term, lower-cased (one
/// pattern per entry, duplicates included, so the count is the lexicon's).
pub fn reference_patterns(lexicon: &Lexicon) -> Vec<String> {
    lexicon
        .entries()
        .iter()
        .map(|e| e.term.to_lowercase())
        .collect()
}

/// The reference automaton: a DFA, leftmost-longest, over
/// [`reference_patterns`].
pub fn reference_automaton(lexicon: &Lexicon) -> AhoCorasick {
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostLongest)
        .build(reference_patterns(lexicon))
        .expect("the lexicon's terms build a DFA")
}
