//! A fast hasher for the hot-path maps (the per-thread word cache, the
//! vocabulary, the matcher's trie edges).
//!
//! The standard `HashMap` hashes with SipHash-1-3, which cost about a tenth
//! of a whole classification run in the profile. Keys here are short words
//! and pairs of `u32`, so a folded multiply (the 128-bit product of the state
//! and a constant, its two halves xored, as `foldhash` and `ahash` do) per
//! eight bytes is enough, and it mixes the low bits as well as the high ones
//! (hashbrown reads both). Each map gets a random seed drawn from the
//! standard library's `RandomState`, so the buckets differ from one process
//! to the next: crafting words that collide takes more than reading this
//! file. The word cache is also bounded (see `tokenize`), which caps what a
//! collision could cost anyway.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Builds [`FastHasher`]s from one random seed.
#[derive(Clone, Debug)]
pub(crate) struct FastState {
    seed: u64,
}

impl Default for FastState {
    fn default() -> Self {
        FastState {
            seed: random_seed(),
        }
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    #[inline]
    fn build_hasher(&self) -> FastHasher {
        FastHasher { state: self.seed }
    }
}

/// See the module docs.
#[derive(Clone, Debug)]
pub(crate) struct FastHasher {
    state: u64,
}

/// An odd constant with well-spread bits (the fractional part of π).
const MULTIPLIER: u64 = 0x243F_6A88_85A3_08D3;

/// A seed drawn from the standard library's `RandomState`: different in
/// every process, and at every call.
pub(crate) fn random_seed() -> u64 {
    RandomState::new().hash_one(0x5EED_u64)
}

/// The 128-bit product of `a` and `b`, its two halves xored.
#[inline]
pub(crate) fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl FastHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.state = folded_multiply(self.state ^ word, MULTIPLIER);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The top byte is free (at most 7 bytes remain): it takes the
            // count, so that `ab` and `ab\0` differ.
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            word[7] = rest.len() as u8;
            self.mix(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.state
    }
}

/// A `HashMap` with the fast hasher.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, FastState>;

/// A `HashSet` with the fast hasher.
pub(crate) type FastSet<T> = std::collections::HashSet<T, FastState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_apart() {
        let s = FastState::default();
        assert_eq!(s.hash_one("réseaux"), s.hash_one(String::from("réseaux")));
        let words = ["ab", "ab\0", "ab\0\0", "abcdefgh", "abcdefgh\0", "", "\0"];
        for (i, a) in words.iter().enumerate() {
            for b in &words[i + 1..] {
                assert_ne!(s.hash_one(a), s.hash_one(b), "{a:?} {b:?}");
            }
        }
        assert_ne!(s.hash_one((1u32, 2u32)), s.hash_one((2u32, 1u32)));
    }

    #[test]
    fn low_bits_spread() {
        // Keys differing only in their high bytes must not share buckets.
        let s = FastState::default();
        let mut low: std::collections::HashSet<u64> = std::collections::HashSet::new();
        for i in 0..256u32 {
            low.insert(s.hash_one((0u32, i << 24)) & 0xFFF);
        }
        assert!(low.len() > 200, "{}", low.len());
    }
}
