//! Stage 2: turn normalized words into matching keys: stop words out,
//! feminine job nouns to their masculine form, Snowball French stemming,
//! then accent folding.
//!
//! The order matters and is the one the stemmer needs: it expects lower-case
//! text that still carries its accents (many suffixes it strips carry them:
//! `-ité`, `-ée`), so accents are folded *after* stemming. An ad typed
//! without accents stems differently (`creee` vs `créée`); the lexicon
//! compiler registers the stem of the folded word too, so both meet.
//!
//! Known hazards of the French stemmer, each guarded here and tested:
//!
//! * `publication` and `publicité` share a stem (posting vs advertising);
//!   `communication` shares one with `commun(e)`; `savez` (you know) stems
//!   like `SAV`, `leader` like `leads`, `début` like `débutant`,
//!   `application` like `appliquer`, `réel` like `reels`. Such words get a
//!   protected key of their own (checked before the plural `s` goes).
//! * feminine job nouns do not meet their masculine form
//!   (`rédactrice`/`rédacteur`, `influenceuse`/`influenceur`,
//!   `manageuse`/`manager`): endings are mapped first, as Lucene's light
//!   French stemmer does.
//! * English plurals stem apart (`manager`/`managers`), and so do some
//!   French ones (`contenu`/`contenus`): a final `s` is dropped first.
//! * `ton` is a possessive (`ton équipe`) but also the tone of a brand
//!   (`ton de la marque`): it is not a stop word, or the entry would match
//!   every `marque`.
//! * `né`, `née` (born, founded: `une marque née à Lyon`) stem to `ne`, the
//!   negation particle: they are stop words.

use crate::hash::{folded_multiply, random_seed, FastMap, FastSet};
use crate::normalize::{NormWord, Normalized, MAX_WORD_BYTES};
use std::borrow::Cow;

/// The key of a token that no lexicon entry uses.
pub const UNKNOWN: u32 = u32::MAX;

/// Negation words: never stop words, the matcher needs them.
#[cfg(test)]
pub(crate) const NEGATIONS: &[&str] = &[
    "ne", "pas", "sans", "aucun", "aucune", "ni", "jamais", "non",
];

/// French stop words (after Lucene's French analyzer), without the negation
/// words. Accented and folded spellings are both listed.
const STOP_WORDS: &[&str] = &[
    "a",
    "à",
    "ai",
    "aie",
    "ainsi",
    "alors",
    "as",
    "au",
    "aux",
    "avec",
    "avez",
    "avoir",
    "avons",
    "ayant",
    "c",
    "ça",
    "ca",
    "car",
    "ce",
    "ceci",
    "cela",
    "celle",
    "celles",
    "celui",
    "ces",
    "cet",
    "cette",
    "ceux",
    "chez",
    "comme",
    "d",
    "dans",
    "de",
    "des",
    "donc",
    "dont",
    "du",
    "elle",
    "elles",
    "en",
    "es",
    "est",
    "et",
    "étaient",
    "etaient",
    "était",
    "etait",
    "étant",
    "etant",
    "été",
    "ete",
    "être",
    "etre",
    "eu",
    "eux",
    "il",
    "ils",
    "j",
    "je",
    "l",
    "la",
    "le",
    "les",
    "leur",
    "leurs",
    "lui",
    "m",
    "ma",
    "mais",
    "me",
    "même",
    "meme",
    "mes",
    "moi",
    "mon",
    "n",
    "nos",
    "notre",
    "nous",
    "on",
    "ont",
    "or",
    "ou",
    "où",
    "par",
    "parmi",
    "peut",
    "plus",
    "pour",
    "qu",
    "que",
    "quel",
    "quelle",
    "quelles",
    "quels",
    "qui",
    "s",
    "sa",
    "se",
    "ses",
    "si",
    "soit",
    "son",
    "sont",
    "sous",
    "sur",
    "t",
    "ta",
    "te",
    "tes",
    "toi",
    "tous",
    "tout",
    "toute",
    "toutes",
    "tu",
    "un",
    "une",
    "unes",
    "uns",
    "vers",
    "via",
    "vos",
    "votre",
    "vous",
    "y",
    "sera",
    "serez",
    "serons",
    "seront",
    "serait",
    "sein",
    "afin",
    "ainsi",
    "aussi",
    "très",
    "tres",
    "the",
    "of",
    "and",
    "to",
    "in",
    "for",
    "with",
    "an",
    "our",
    "your",
    "you",
    "we",
    "on",
    "at",
    "is",
    "are",
    "be",
    "or",
    "as",
    "by",
    "this",
    "that",
    "it",
    // `né(e)(s)` (born, founded) stems to `ne`, the negation particle.
    "né",
    "née",
    "nés",
    "nées",
    "nee",
    "nees",
    // The employer hiring (`Acme recrute`, `nous recrutons`), not a mission
    // to recruit (`recruter des freelances`).
    "recrute",
    "recrutons",
    "recrutent",
    // `BAT` (a print proof), `il se bat`: not `bâtir`.
    "bat",
];

/// Words whose Snowball stem would merge two different missions; each gets
/// a protected key. Matched on the folded word by prefix.
const PROTECTED_PREFIXES: &[(&str, &str)] = &[
    ("publicit", "publicit"),
    ("publication", "publicat"),
    ("communicat", "communic"),
    ("communiqu", "communic"),
    ("communaut", "communaut"),
    ("stratege", "stratege"),
    ("conversation", "conversation"),
    // A word of an ad that stems like a lexicon entry but means something
    // else: the entry's words keep the stem, these get their own key.
    ("storie", "storie"),               // stories, not store
    ("reels", "reels"),                 // Instagram reels, not réel (real)
    ("leadership", "leadership"),       // before `leader`, which it starts with
    ("leader", "leader"),               // leader du marché, not leads
    ("savez", "savez"),                 // vous savez (you know), not SAV
    ("debutant", "debutant"),           // not début (beginning)
    ("seulement", "seulement"),         // only, not seul (alone)
    ("alternati", "alternati"),         // alternatif, not alternance
    ("indiqu", "indiquer"),             // indiquer, not indicateurs
    ("applicati", "applicati"),         // application (mobile app), not appliquer
    ("batiment", "batiment"),           // bâtiment (building), not bâtir
    ("etablissement", "etablissement"), // not établir
    ("federation", "federation"),       // a sports federation, not fédérer
    ("audition", "audition"),           // not audit
    ("signaux", "signaux"),             // signaux faibles (watch), not signalements
    ("referencement", "referencement"), // before `reference`, which it starts with
    ("reference", "reference"),         // références, not référencement (SEO)
    ("recrutement", "recrutement"),     // processus de recrutement, not recruter
    ("conformite", "conformite"),       // compliance, not conformément
    ("soutenance", "soutenance"),       // a thesis defence, not soutenir
    ("participati", "participati"),     // stratégie participative, not participer
    ("alimentation", "alimentation"),   // the food industry, not alimenter
];

/// Stems words the way lexicon entries were stemmed.
///
/// Holds the Snowball French stemmer and the stop-word table; cheap to
/// share between threads (`Send + Sync`).
pub struct Stemmer {
    snowball: rust_stemmers::Stemmer,
    stop: FastSet<&'static str>,
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stemmer").finish_non_exhaustive()
    }
}

impl Default for Stemmer {
    fn default() -> Self {
        Self::new()
    }
}

impl Stemmer {
    /// The French stemmer with the built-in stop words.
    pub fn new() -> Self {
        Stemmer {
            snowball: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::French),
            stop: STOP_WORDS.iter().copied().collect(),
        }
    }

    /// True for a stop word (which never takes part in matching).
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// Writes the matching key of `word` (a normalized word: lower case,
    /// accents kept) into `out`. Returns `false` for a stop word or an
    /// over-long word, which have no key.
    pub fn key(&self, word: &str, out: &mut String) -> bool {
        out.clear();
        if word.len() > MAX_WORD_BYTES || self.is_stop_word(word) {
            return false;
        }
        let word = masculine(word);
        // Before the plural `s` goes: `reels` (the format) is not `réel`.
        for (prefix, key) in PROTECTED_PREFIXES {
            if folded_starts_with(&word, prefix) {
                out.push_str(key);
                return true;
            }
        }
        let word = drop_plural_s(&word);
        let stem = self.snowball.stem(word);
        fold_into(&stem, out);
        true
    }
}

/// Maps feminine job nouns to the masculine form: `-trice` → `-teur`,
/// `-euse` → `-eur`, `manageuse` → `manager`.
fn masculine(word: &str) -> Cow<'_, str> {
    let (stem, plural) = match word.strip_suffix('s') {
        Some(w) if w.ends_with("trice") || w.ends_with("euse") => (w, "s"),
        _ => (word, ""),
    };
    if stem == "manageuse" {
        return Cow::Owned(format!("manager{plural}"));
    }
    if let Some(base) = stem.strip_suffix("trice") {
        if base.chars().count() >= 2 {
            return Cow::Owned(format!("{base}teur{plural}"));
        }
    }
    if let Some(base) = stem.strip_suffix("euse") {
        if base.chars().count() >= 2 {
            return Cow::Owned(format!("{base}eur{plural}"));
        }
    }
    Cow::Borrowed(word)
}

fn drop_plural_s(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(w) if word.len() >= 4 && !w.ends_with('s') => w,
        _ => word,
    }
}

/// True when `word`, accents folded, starts with the ASCII `prefix`.
fn folded_starts_with(word: &str, prefix: &str) -> bool {
    let mut folded = word.chars().flat_map(fold_char).filter(|&c| c != '\0');
    prefix.chars().all(|p| folded.next() == Some(p))
}

/// The folded form of one character: one or two characters (`œ` → `oe`),
/// the second `'\0'` when unused.
fn fold_char(c: char) -> [char; 2] {
    let one = match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' | 'ì' => 'i',
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ÿ' | 'ý' => 'y',
        'ç' => 'c',
        'ñ' => 'n',
        'œ' => return ['o', 'e'],
        'æ' => return ['a', 'e'],
        _ => c,
    };
    [one, '\0']
}

/// Folds French accents and ligatures: `é` → `e`, `œ` → `oe`.
pub fn fold_into(text: &str, out: &mut String) {
    for c in text.chars() {
        for f in fold_char(c) {
            if f != '\0' {
                out.push(f);
            }
        }
    }
}

/// Folds accents into a new string.
pub fn fold(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    fold_into(text, &mut s);
    s
}

/// One token that takes part in matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Vocabulary id of the stem, or [`UNKNOWN`].
    pub key: u32,
    /// Index of the word in [`Normalized::words`].
    pub word: u32,
    /// Unit (line, bullet, sentence) of the word.
    pub unit: u32,
}

/// Maps stems to the vocabulary ids that lexicon entries use.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    ids: FastMap<String, u32>,
    /// Changes whenever `ids` does (and only then; a clone keeps it), so a
    /// [`TokenScratch`] can tell whether its word cache was filled against
    /// this very vocabulary.
    stamp: u64,
}

/// A fresh vocabulary stamp; 0 is the empty vocabulary's.
fn next_stamp() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Vocabulary {
    /// The id of `key`, if some entry uses it.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.ids.get(key).copied()
    }

    /// The id of `key`, adding it when new.
    pub(crate) fn intern(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(key.to_string(), id);
        self.stamp = next_stamp();
        id
    }

    /// Makes `alias` another key for `id`, unless `alias` already has one.
    pub(crate) fn alias(&mut self, alias: &str, id: u32) {
        self.ids.entry(alias.to_string()).or_insert(id);
        self.stamp = next_stamp();
    }

    /// How many distinct keys the vocabulary holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no entry was compiled.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Distinct words a [`TokenScratch`] remembers before it starts afresh: a
/// few megabytes at most, however long the stream.
const WORD_CACHE_LIMIT: usize = 1 << 16;

/// Buffers reused by [`tokenize_into`] so that the loop does not allocate
/// per token, and a cache of the key of every distinct word seen, so that
/// each word is stemmed once per scratch (one scratch per thread: there is
/// no shared cache, the [`Stemmer`] and the [`Vocabulary`] stay immutable).
#[derive(Clone, Debug, Default)]
pub struct TokenScratch {
    key: String,
    word: String,
    /// Normalized word → its token key (`None`: no token, a stop word),
    /// for words of up to [`INLINE_WORD_BYTES`] bytes, held in the table
    /// itself (one memory access per lookup, no pointer to follow).
    cache: WordTable,
    /// The same for longer words.
    long_cache: FastMap<Box<str>, Option<u32>>,
    /// The stamp of the vocabulary the cache was filled against.
    cache_stamp: u64,
}

impl TokenScratch {
    /// The key of `text` (see [`tokenize_into`]), computed without the
    /// cache.
    fn compute(&mut self, text: &str, stemmer: &Stemmer, vocabulary: &Vocabulary) -> Option<u32> {
        if !stemmer.key(text, &mut self.key) {
            return None;
        }
        let mut key = vocabulary.get(&self.key);
        if key.is_none()
            && reaccent_final(text, &mut self.word)
            && stemmer.key(&self.word, &mut self.key)
        {
            key = vocabulary.get(&self.key);
        }
        Some(key.unwrap_or(UNKNOWN))
    }

    /// The key of `word`, from the cache when the word was seen before.
    ///
    /// Reads the word's bytes without checking that its range falls on
    /// character boundaries (the normalizer made it so); the `&str` is only
    /// built when the key has to be computed.
    #[inline]
    fn lookup(
        &mut self,
        normalized: &Normalized,
        word: &NormWord,
        stemmer: &Stemmer,
        vocabulary: &Vocabulary,
    ) -> Option<u32> {
        let bytes = &normalized.buffer().as_bytes()[word.norm.clone()];
        if let Some(inline) = InlineWord::new(bytes) {
            if let Some(key) = self.cache.get(inline) {
                return key;
            }
            let key = self.compute(normalized.text(word), stemmer, vocabulary);
            if self.cache.len() >= WORD_CACHE_LIMIT {
                self.cache.clear();
            }
            self.cache.insert(inline, key);
            return key;
        }
        self.lookup_long(normalized.text(word), stemmer, vocabulary)
    }

    /// [`lookup`](Self::lookup) for words over [`INLINE_WORD_BYTES`].
    #[cold]
    fn lookup_long(
        &mut self,
        text: &str,
        stemmer: &Stemmer,
        vocabulary: &Vocabulary,
    ) -> Option<u32> {
        if text.len() > MAX_WORD_BYTES {
            // Never stemmed, and not worth remembering.
            return self.compute(text, stemmer, vocabulary);
        }
        if let Some(&key) = self.long_cache.get(text) {
            return key;
        }
        let key = self.compute(text, stemmer, vocabulary);
        if self.long_cache.len() >= WORD_CACHE_LIMIT {
            self.long_cache.clear();
        }
        self.long_cache.insert(text.into(), key);
        key
    }

    fn clear_cache(&mut self) {
        self.cache.clear();
        self.long_cache.clear();
    }
}

/// Longest word [`InlineWord`] holds.
const INLINE_WORD_BYTES: usize = 23;

/// A short word as a map key: its bytes, zero-padded, and its length in
/// the last byte, as three machine words (compared and hashed without a
/// loop or a pointer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InlineWord([u64; 3]);

impl InlineWord {
    /// The word of `bytes`, or `None` over [`INLINE_WORD_BYTES`].
    ///
    /// Built from at most three fixed-size loads whose ranges may overlap
    /// (equal bytes land in equal places, so or-ing them is exact) rather
    /// than a copy of `bytes.len()` bytes into a zeroed buffer, which
    /// compiled to a call to `memcpy`: the largest single cost of a cached
    /// lookup.
    #[inline]
    fn new(bytes: &[u8]) -> Option<InlineWord> {
        let len = bytes.len();
        let mut w = [0u64; 3];
        match len {
            0 => {}
            1..=3 => {
                let byte = |i: usize| u64::from(bytes[i]) << (8 * i);
                w[0] = byte(0) | byte(len / 2) | byte(len - 1);
            }
            4..=8 => {
                w[0] = u64::from(load_u32(bytes, 0))
                    | u64::from(load_u32(bytes, len - 4)) << (8 * (len - 4));
            }
            9..=16 => {
                w[0] = load_u64(bytes, 0);
                w[1] = load_u64(bytes, len - 8) >> (8 * (16 - len));
            }
            17..=INLINE_WORD_BYTES => {
                w[0] = load_u64(bytes, 0);
                w[1] = load_u64(bytes, 8);
                w[2] = load_u64(bytes, len - 8) >> (8 * (24 - len));
            }
            _ => return None,
        }
        w[2] |= (len as u64) << 56;
        Some(InlineWord(w))
    }
}

/// The four bytes of `bytes` from `at`, little-endian.
#[inline]
fn load_u32(bytes: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(w)
}

/// The eight bytes of `bytes` from `at`, little-endian.
#[inline]
fn load_u64(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The word cache of [`TokenScratch`] for [`InlineWord`]s: an open
/// addressing table with linear probing, at most half full.
///
/// It replaces a `HashMap` there, whose lookup read a control byte, then
/// the bucket it pointed to, and hashed the word with three dependent
/// multiplications. Here a lookup hashes with two independent ones and
/// reads the slot itself, which holds the word and its key (an empty slot
/// holds [`EMPTY_WORD`], which no word equals), then the next slots while
/// they hold another word. Cleared, it keeps its slots, as a map keeps its
/// capacity: with [`WORD_CACHE_LIMIT`] words it has twice as many slots of
/// 32 bytes, 4 MiB.
#[derive(Clone)]
struct WordTable {
    /// A power of two of slots, or none before the first insertion.
    slots: Vec<WordSlot>,
    /// Words held.
    len: usize,
    /// Random seeds of the hash, drawn per table (see `hash.rs` on why).
    seeds: [u64; 3],
}

/// A word and its token key; 32 bytes, aligned so as never to straddle
/// two cache lines.
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
struct WordSlot {
    word: InlineWord,
    key: Option<u32>,
}

/// What an empty slot holds: [`InlineWord::new`] never writes a length
/// over [`INLINE_WORD_BYTES`] in the last byte.
const EMPTY_WORD: InlineWord = InlineWord([0, 0, u64::MAX]);

/// Slots of a [`WordTable`] at its first insertion.
const WORD_TABLE_MIN_SLOTS: usize = 1 << 10;

impl Default for WordTable {
    fn default() -> Self {
        WordTable {
            slots: Vec::new(),
            len: 0,
            // Odd multipliers: a zero one would map every word to slot 0.
            seeds: [random_seed(), random_seed() | 1, random_seed() | 1],
        }
    }
}

impl std::fmt::Debug for WordTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordTable")
            .field("len", &self.len)
            .field("slots", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl WordTable {
    /// Words held.
    fn len(&self) -> usize {
        self.len
    }

    /// The first slot to probe for `word`: two folded multiplications that
    /// do not wait for each other (the first two machine words, the last
    /// one with the length), each seeded.
    #[inline]
    fn hash(&self, word: InlineWord) -> usize {
        let [a, b, c] = word.0;
        let [s0, s1, s2] = self.seeds;
        (folded_multiply(a ^ s0, b ^ s1) ^ folded_multiply(c ^ s0, s2)) as usize
    }

    /// The key cached for `word`, if it is there.
    #[inline]
    fn get(&self, word: InlineWord) -> Option<Option<u32>> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.hash(word) & mask;
        loop {
            let slot = &self.slots[i];
            if slot.word == word {
                return Some(slot.key);
            }
            if slot.word == EMPTY_WORD {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Caches `key` for `word`, which [`get`](Self::get) did not find.
    fn insert(&mut self, word: InlineWord, key: Option<u32>) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.hash(word) & mask;
        while self.slots[i].word != EMPTY_WORD {
            i = (i + 1) & mask;
        }
        self.slots[i] = WordSlot { word, key };
        self.len += 1;
    }

    /// Doubles the slots, placing every word again.
    #[cold]
    fn grow(&mut self) {
        let slots = (2 * self.slots.len()).max(WORD_TABLE_MIN_SLOTS);
        let empty = WordSlot {
            word: EMPTY_WORD,
            key: None,
        };
        let old = std::mem::replace(&mut self.slots, vec![empty; slots]);
        self.len = 0;
        for slot in old {
            if slot.word != EMPTY_WORD {
                self.insert(slot.word, slot.key);
            }
        }
    }

    /// Forgets every word, keeping the slots.
    fn clear(&mut self) {
        if self.len > 0 {
            self.slots.fill(WordSlot {
                word: EMPTY_WORD,
                key: None,
            });
            self.len = 0;
        }
    }
}

/// Turns normalized words into tokens, skipping stop words.
///
/// Each distinct word is stemmed once per `scratch`: keep one scratch per
/// thread and reuse it.
pub fn tokenize_into(
    normalized: &Normalized,
    stemmer: &Stemmer,
    vocabulary: &Vocabulary,
    out: &mut Vec<Token>,
    scratch: &mut TokenScratch,
) {
    out.clear();
    if scratch.cache_stamp != vocabulary.stamp {
        scratch.clear_cache();
        scratch.cache_stamp = vocabulary.stamp;
    }
    for (i, word) in normalized.words().iter().enumerate() {
        let Some(key) = scratch.lookup(normalized, word, stemmer, vocabulary) else {
            continue;
        };
        out.push(Token {
            key,
            word: i as u32,
            unit: word.unit,
        });
    }
}

/// Ads typed without accents lose the `é` of past participles (`publie`
/// for `publié`), and the stemmer treats the two differently. For a word
/// with no accent ending in `e`, `es`, `ee` or `ees`, writes the form with
/// the accent back into `out` and returns `true`.
fn reaccent_final(word: &str, out: &mut String) -> bool {
    if !word.is_ascii() || word.len() < 4 {
        return false;
    }
    let (base, ending) = if let Some(b) = word.strip_suffix("ees") {
        (b, "ées")
    } else if let Some(b) = word.strip_suffix("ee") {
        (b, "ée")
    } else if let Some(b) = word.strip_suffix("es") {
        (b, "és")
    } else if let Some(b) = word.strip_suffix('e') {
        (b, "é")
    } else {
        return false;
    };
    out.clear();
    out.push_str(base);
    out.push_str(ending);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(word: &str) -> String {
        let mut s = String::new();
        assert!(Stemmer::new().key(word, &mut s), "{word} has no key");
        s
    }

    #[test]
    fn the_employer_hiring_is_no_mission() {
        let stemmer = Stemmer::new();
        let mut out = String::new();
        for word in ["recrute", "recrutons", "recrutent", "bat"] {
            assert!(!stemmer.key(word, &mut out), "{word} has a key: {out}");
        }
        assert_eq!(key("recruter"), key("recrutez"));
    }

    #[test]
    fn born_is_no_negation_particle() {
        let stemmer = Stemmer::new();
        let mut out = String::new();
        assert!(stemmer.key("ne", &mut out));
        for born in ["né", "née", "nés", "nées", "nee", "nees"] {
            assert!(!stemmer.key(born, &mut out), "{born} has a key: {out}");
        }
    }

    #[test]
    fn publication_and_publicite_stay_apart() {
        assert_ne!(key("publication"), key("publicité"));
        assert_eq!(key("publications"), key("publication"));
        assert_eq!(key("publicitaire"), key("publicité"));
        assert_eq!(key("publicite"), key("publicité"));
    }

    #[test]
    fn false_friends_of_entries_stay_apart() {
        for (entry, other) in [
            ("stories", "store"),
            ("reels", "réel"),
            ("leads", "leader"),
            ("sav", "savez"),
            ("débutant", "début"),
            ("seul", "seulement"),
            ("alternance", "alternatif"),
            ("indicateurs", "indiquer"),
            ("appliquer", "application"),
            ("bâtir", "bâtiment"),
            ("établir", "établissement"),
            ("fédérer", "fédération"),
            ("audit", "auditions"),
            ("signalements", "signaux"),
            ("leadership", "leader"),
            ("référencement", "références"),
            ("recruter", "recrutement"),
            ("conformément", "conformité"),
            ("soutenir", "soutenance"),
            ("participer", "participative"),
            ("alimenter", "alimentation"),
        ] {
            assert_ne!(key(entry), key(other), "{entry} / {other}");
        }
        // The entries still meet their own forms.
        for (a, b) in [
            ("stories", "storie"),
            ("reels", "réels"),
            ("débutant", "débutantes"),
            ("debutant", "débutant"),
            ("leads", "lead"),
            ("appliquer", "appliquez"),
        ] {
            assert_eq!(key(a), key(b), "{a} / {b}");
        }
    }

    #[test]
    fn communication_does_not_merge_with_commun() {
        assert_ne!(key("communication"), key("commune"));
        assert_ne!(key("communication"), key("communauté"));
        assert_eq!(key("communiquer"), key("communication"));
    }

    #[test]
    fn feminine_job_nouns_meet_the_masculine() {
        assert_eq!(key("rédactrice"), key("rédacteur"));
        assert_eq!(key("animatrice"), key("animateur"));
        assert_eq!(key("directrice"), key("directeur"));
        assert_eq!(key("influenceuse"), key("influenceur"));
        assert_eq!(key("influenceuses"), key("influenceurs"));
        assert_eq!(key("manageuse"), key("manager"));
    }

    #[test]
    fn plurals_meet_the_singular() {
        assert_eq!(key("managers"), key("manager"));
        assert_eq!(key("contenus"), key("contenu"));
        assert_eq!(key("réseaux"), key("réseau"));
    }

    #[test]
    fn accents_are_folded_after_stemming() {
        assert_eq!(key("stratégie"), "strateg");
        assert_eq!(key("modérer"), key("moderer"));
        assert_eq!(key("réseaux"), "reseau");
        assert_eq!(key("œuvre"), "oeuvr");
    }

    #[test]
    fn stop_words_have_no_key_but_negations_do() {
        let s = Stemmer::new();
        let mut out = String::new();
        assert!(!s.key("les", &mut out));
        assert!(!s.key("notre", &mut out));
        for neg in NEGATIONS {
            assert!(s.key(neg, &mut out), "{neg}");
        }
    }

    #[test]
    fn unaccented_past_participles_find_their_entry() {
        let mut vocabulary = Vocabulary::default();
        let id = vocabulary.intern(&key("publier"));
        let stemmer = Stemmer::new();
        let mut scratch = TokenScratch::default();
        let mut out = Vec::new();
        for text in ["publié", "publie", "publiées", "publiees", "PUBLIEE"] {
            let n = crate::normalize::normalize(text);
            tokenize_into(&n, &stemmer, &vocabulary, &mut out, &mut scratch);
            assert_eq!(out.len(), 1, "{text}");
            assert_eq!(out[0].key, id, "{text}");
        }
        // A word that is no past participle stays unknown.
        let n = crate::normalize::normalize("table");
        tokenize_into(&n, &stemmer, &vocabulary, &mut out, &mut scratch);
        assert_eq!(out[0].key, UNKNOWN);
    }

    #[test]
    fn the_word_cache_follows_the_vocabulary() {
        let stemmer = Stemmer::new();
        let mut first = Vocabulary::default();
        let publier = first.intern(&key("publier"));
        let mut second = Vocabulary::default();
        second.intern(&key("animer"));
        let animer = second.intern(&key("modérer"));
        second.alias(&key("publier"), animer);
        let n = crate::normalize::normalize("publier les posts");
        let mut scratch = TokenScratch::default();
        let mut out = Vec::new();
        for _ in 0..2 {
            tokenize_into(&n, &stemmer, &first, &mut out, &mut scratch);
            assert_eq!(
                out.iter().map(|t| t.key).collect::<Vec<_>>(),
                [publier, UNKNOWN]
            );
            tokenize_into(&n, &stemmer, &second, &mut out, &mut scratch);
            assert_eq!(
                out.iter().map(|t| t.key).collect::<Vec<_>>(),
                [animer, UNKNOWN]
            );
        }
    }

    /// Tokens computed word by word with [`TokenScratch::compute`], which
    /// never reads nor fills a cache: what the cached path must give back.
    fn uncached(normalized: &Normalized, vocabulary: &Vocabulary) -> Vec<Token> {
        let stemmer = Stemmer::new();
        let mut scratch = TokenScratch::default();
        let mut out = Vec::new();
        for (i, word) in normalized.words().iter().enumerate() {
            let text = normalized.text(word);
            if let Some(key) = scratch.compute(text, &stemmer, vocabulary) {
                out.push(Token {
                    key,
                    word: i as u32,
                    unit: word.unit,
                });
            }
        }
        out
    }

    /// Tokenizes every text in order with one scratch (so later texts read
    /// what earlier ones cached) and checks each against [`uncached`].
    fn assert_cached_equals_uncached<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        vocabulary: &Vocabulary,
        scratch: &mut TokenScratch,
    ) {
        let stemmer = Stemmer::new();
        let mut out = Vec::new();
        for text in texts {
            let n = crate::normalize::normalize(text);
            tokenize_into(&n, &stemmer, vocabulary, &mut out, scratch);
            assert_eq!(out, uncached(&n, vocabulary), "{text:?}");
        }
    }

    fn fixture_texts() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ads");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        let mut texts = Vec::new();
        for file in files {
            for line in std::fs::read_to_string(file).unwrap().lines() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                for field in ["title", "text"] {
                    texts.push(v[field].as_str().unwrap_or("").to_string());
                }
            }
        }
        texts
    }

    #[test]
    fn cached_tokens_equal_uncached_on_the_fixtures() {
        let lexicon = crate::Lexicon::embedded();
        let texts = fixture_texts();
        assert!(texts.len() > 100);
        let mut scratch = TokenScratch::default();
        // Twice: the second pass reads every word from the cache.
        for _ in 0..2 {
            assert_cached_equals_uncached(
                texts.iter().map(String::as_str),
                lexicon.vocabulary(),
                &mut scratch,
            );
        }
    }

    /// `n` as a word of lower-case letters (distinct for distinct `n`).
    fn letters(mut n: usize) -> String {
        let mut s = String::new();
        loop {
            s.push(char::from(b'a' + (n % 26) as u8));
            n /= 26;
            if n == 0 {
                return s;
            }
        }
    }

    #[test]
    fn cached_tokens_equal_uncached_across_cache_clears() {
        let lexicon = crate::Lexicon::embedded();
        let vocabulary = lexicon.vocabulary();
        // Distinct short words, distinct words over 23 bytes, and words the
        // lexicon knows, well past the cache's limit, read twice.
        let distinct = WORD_CACHE_LIMIT + WORD_CACHE_LIMIT / 4;
        let texts: Vec<String> = (0..distinct)
            .step_by(500)
            .map(|start| {
                (start..start + 500)
                    .map(|n| {
                        let w = letters(n * 7919);
                        format!("{w} publiées réseaux {w}ification{} les", "x".repeat(12))
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut scratch = TokenScratch::default();
        for _ in 0..2 {
            assert_cached_equals_uncached(
                texts.iter().map(String::as_str),
                vocabulary,
                &mut scratch,
            );
        }
    }

    mod mixes {
        use super::*;
        use proptest::prelude::*;

        /// Words of every kind: stop words, negations, lexicon words with
        /// and without accents, feminine forms, plurals, words of 7 to 9
        /// and 15 to 17 bytes, of exactly 23 and 24 bytes, of 64 and 65
        /// bytes (over [`MAX_WORD_BYTES`]), and random ones.
        fn word() -> impl Strategy<Value = String> {
            let fixed = prop::sample::select(vec![
                "les",
                "de",
                "à",
                "ne",
                "pas",
                "sans",
                "publié",
                "publie",
                "publiees",
                "réseaux",
                "reseaux",
                "communication",
                "commune",
                "publicité",
                "rédactrice",
                "influenceuses",
                "manageuse",
                "stratège",
                "stratégie",
                "community",
                "manager",
                "managers",
                "créer",
                "contenus",
                "animer",
                "modérer",
                "abcdefg",
                "abcdefgh",
                "abcdefghi",
                "abcdefghijklmno",
                "abcdefghijklmnop",
                "abcdefghijklmnopq",
                "anticonstitutionnelles",
                "communicationnellement",
                "abcdefghijklmnopqrstuvw",
                "abcdefghijklmnopqrstuvwx",
                "désinstitutionnalisées",
                "désinstitutionnalisation",
            ])
            .prop_map(str::to_string);
            prop_oneof![
                3 => fixed,
                2 => "[a-zéèçœ]{1,30}",
                1 => "[a-z]{60,70}",
                1 => "[a-zé]{20,26}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(128))]

            /// The loads of [`InlineWord::new`] give the zero-padded bytes
            /// with the length in the last byte, for every length.
            #[test]
            fn inline_words_are_the_padded_bytes(bytes in prop::collection::vec(any::<u8>(), 0..30)) {
                let expected = (bytes.len() <= INLINE_WORD_BYTES).then(|| {
                    let mut buf = [0u8; 24];
                    buf[..bytes.len()].copy_from_slice(&bytes);
                    buf[23] = bytes.len() as u8;
                    InlineWord(std::array::from_fn(|i| {
                        u64::from_le_bytes(buf[8 * i..8 * i + 8].try_into().unwrap())
                    }))
                });
                prop_assert_eq!(InlineWord::new(&bytes), expected);
            }

            #[test]
            fn cached_tokens_equal_uncached_on_random_mixes(
                texts in prop::collection::vec(prop::collection::vec(word(), 0..40), 1..8),
            ) {
                let lexicon = crate::Lexicon::embedded();
                let texts: Vec<String> = texts.iter().map(|t| t.join(" ")).collect();
                let mut scratch = TokenScratch::default();
                for _ in 0..2 {
                    assert_cached_equals_uncached(
                        texts.iter().map(String::as_str),
                        lexicon.vocabulary(),
                        &mut scratch,
                    );
                }
            }
        }
    }

    #[test]
    fn over_long_words_have_no_key() {
        let mut out = String::new();
        assert!(!Stemmer::new().key(&"a".repeat(MAX_WORD_BYTES + 1), &mut out));
    }
}
