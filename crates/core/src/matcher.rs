//! Stage 3: find every lexicon entry in a token sequence, in one pass.
//!
//! Entries are sequences of stem keys; they are stored in a trie and matched
//! **leftmost-longest**, the right semantics for a dictionary: at each
//! position the longest entry wins (`chef de projet digital` beats `chef de
//! projet`), and matches never overlap. Matching never crosses a unit
//! boundary (a line, bullet or sentence), so a phrase cannot be assembled
//! from the end of one bullet and the start of the next.
//!
//! Cost: for each start position the trie is walked only while it matches,
//! so the pass is linear in the number of tokens times the length of the
//! longest partial match, which the lexicon caps at
//! [`MAX_ENTRY_WORDS`](crate::lexicon::MAX_ENTRY_WORDS).

use crate::hash::FastMap;
use crate::tokenize::{Token, UNKNOWN};

/// One entry found in a token sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// Index of the entry in the lexicon.
    pub entry: u32,
    /// First token of the match.
    pub start: u32,
    /// One past the last token of the match.
    pub end: u32,
}

/// A trie of entry key sequences.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    /// Edges: (node, key) → child node.
    edges: FastMap<(u32, u32), u32>,
    /// The entry ending at each node, if any.
    terminal: Vec<Option<u32>>,
}

impl Matcher {
    /// Builds the trie. Two entries with the same keys are rejected by the
    /// lexicon compiler; here the first one wins.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a [u32]>) -> Matcher {
        let mut m = Matcher {
            edges: FastMap::default(),
            terminal: vec![None],
        };
        for (index, keys) in entries.into_iter().enumerate() {
            let mut node = 0u32;
            for &key in keys {
                let next = m.terminal.len() as u32;
                node = *m.edges.entry((node, key)).or_insert_with(|| next);
                if node == next {
                    m.terminal.push(None);
                }
            }
            if node != 0 && m.terminal[node as usize].is_none() {
                m.terminal[node as usize] = Some(index as u32);
            }
        }
        m
    }

    /// Appends the leftmost-longest matches in `tokens` to `out`.
    pub fn find_into(&self, tokens: &[Token], out: &mut Vec<Match>) {
        let mut i = 0;
        while i < tokens.len() {
            let unit = tokens[i].unit;
            let mut node = 0u32;
            let mut best: Option<(u32, usize)> = None;
            let mut j = i;
            while j < tokens.len() && tokens[j].unit == unit && tokens[j].key != UNKNOWN {
                match self.edges.get(&(node, tokens[j].key)) {
                    Some(&child) => {
                        node = child;
                        j += 1;
                        if let Some(entry) = self.terminal[node as usize] {
                            best = Some((entry, j));
                        }
                    }
                    None => break,
                }
            }
            match best {
                Some((entry, end)) => {
                    out.push(Match {
                        entry,
                        start: i as u32,
                        end: end as u32,
                    });
                    i = end;
                }
                None => i += 1,
            }
        }
    }
}

/// The obvious matcher, kept to check the trie against: at each position
/// try every entry and keep the longest.
#[cfg(test)]
pub(crate) fn naive_find(entries: &[Vec<u32>], tokens: &[Token]) -> Vec<Match> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut best: Option<(u32, usize)> = None;
        for (index, keys) in entries.iter().enumerate() {
            let n = keys.len();
            if n == 0 || i + n > tokens.len() {
                continue;
            }
            let window = &tokens[i..i + n];
            let fits = window
                .iter()
                .zip(keys)
                .all(|(t, &k)| t.key == k && t.unit == tokens[i].unit);
            if fits && best.is_none_or(|(_, len)| n > len) {
                best = Some((index as u32, n));
            }
        }
        match best {
            Some((entry, n)) => {
                out.push(Match {
                    entry,
                    start: i as u32,
                    end: (i + n) as u32,
                });
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(keys: &[(u32, u32)]) -> Vec<Token> {
        keys.iter()
            .enumerate()
            .map(|(i, &(key, unit))| Token {
                key,
                word: i as u32,
                unit,
            })
            .collect()
    }

    #[test]
    fn longest_entry_wins_and_matches_do_not_overlap() {
        let entries = [vec![1], vec![1, 2], vec![1, 2, 3], vec![3, 4]];
        let m = Matcher::new(entries.iter().map(Vec::as_slice));
        let t = tokens(&[(1, 0), (2, 0), (3, 0), (4, 0), (1, 0)]);
        let mut out = Vec::new();
        m.find_into(&t, &mut out);
        let found: Vec<(u32, u32, u32)> = out.iter().map(|m| (m.entry, m.start, m.end)).collect();
        assert_eq!(found, [(2, 0, 3), (0, 4, 5)]);
    }

    #[test]
    fn a_shorter_entry_is_found_when_the_longer_fails() {
        let entries = [vec![1], vec![1, 2, 3]];
        let m = Matcher::new(entries.iter().map(Vec::as_slice));
        let mut out = Vec::new();
        m.find_into(&tokens(&[(1, 0), (2, 0), (5, 0)]), &mut out);
        assert_eq!(
            out,
            [Match {
                entry: 0,
                start: 0,
                end: 1
            }]
        );
    }

    #[test]
    fn matches_never_cross_a_unit_boundary() {
        let entries = [vec![1, 2]];
        let m = Matcher::new(entries.iter().map(Vec::as_slice));
        let mut out = Vec::new();
        m.find_into(&tokens(&[(1, 0), (2, 1)]), &mut out);
        assert!(out.is_empty());
    }

    proptest! {
        #[test]
        fn trie_agrees_with_the_naive_matcher(
            entries in prop::collection::vec(prop::collection::vec(0u32..6, 1..4), 1..12),
            text in prop::collection::vec((0u32..7, 0u32..3), 0..60),
        ) {
            // Units must not decrease along the text.
            let mut text = text;
            text.sort_by_key(|&(_, u)| u);
            let t = tokens(&text);
            // Duplicates are rejected by the lexicon; the first one wins here
            // and in the naive matcher alike.
            let mut unique: Vec<Vec<u32>> = Vec::new();
            for e in entries {
                if !unique.contains(&e) {
                    unique.push(e);
                }
            }
            let m = Matcher::new(unique.iter().map(Vec::as_slice));
            let mut fast = Vec::new();
            m.find_into(&t, &mut fast);
            prop_assert_eq!(fast, naive_find(&unique, &t));
        }
    }
}
