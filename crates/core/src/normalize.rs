//! Stage 1: turn raw ad text into normalized words, each mapped back to its
//! byte span in the original text.
//!
//! Job ads arrive scraped, pasted and retyped, so the same word shows up in
//! many guises. This stage makes them meet before anything else looks at
//! them:
//!
//! * HTML tags are skipped (block tags such as `<li>` or `<br>` end a
//!   mission unit) and entities (`&eacute;`, `&#39;`, `&nbsp;`) are decoded;
//! * words are put in Unicode NFKC and lower case (so `ﬁ`, full-width
//!   letters and decomposed accents all compose);
//! * every apostrophe variant (`'` `’` `ʼ` …) is recognised, and French
//!   elision is split off (`l’animation` → `animation`; `n’` becomes the
//!   negation word `ne`);
//! * inclusive writing collapses to one form: `chargé·e·s`, `chargé.e`,
//!   `chargé(e)`, `directeur/trice` and `animateur/animatrice` all give one
//!   word; gender markers (`H/F`, `F/H/X`, `(h/f)`) disappear;
//! * zero-width characters and soft hyphens vanish, every kind of space and
//!   dash separates words;
//! * line ends, bullets, emoji and sentence punctuation end a *unit* (one
//!   line, bullet or sentence of the ad), which later stages use to tell how
//!   much of an ad is about social media.
//!
//! Accents are kept: the stemmer needs them (see [`crate::tokenize`]).
//!
//! Guarantees: the output spans are in increasing order, lie inside the
//! input and start and end on `char` boundaries; the work is linear in the
//! input size; normalization is idempotent ([`normalize_text`] of its own
//! output gives the same words).

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// One normalized word and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormWord {
    /// Byte range of the normalized form inside [`Normalized::buffer`].
    pub norm: Range<usize>,
    /// Byte range of the word in the original text.
    pub span: Range<usize>,
    /// Index of the unit (line, bullet or sentence) holding the word.
    pub unit: u32,
}

/// The normalized words of one text, reusable across texts so that a batch
/// run does not allocate per ad.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    buffer: String,
    words: Vec<NormWord>,
    units: u32,
    /// The scanner's word and NFKC buffers, kept between texts so that
    /// [`normalize_into`] does not grow new ones for every text.
    spare: [String; 2],
}

impl Normalized {
    /// An empty buffer, to be filled by [`normalize_into`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The words in text order.
    pub fn words(&self) -> &[NormWord] {
        &self.words
    }

    /// The normalized form of one word.
    pub fn text(&self, word: &NormWord) -> &str {
        &self.buffer[word.norm.clone()]
    }

    /// How many units (lines, bullets, sentences) hold at least one word.
    pub fn units(&self) -> u32 {
        self.units
    }

    /// Every normalized form concatenated; word ranges point into it.
    pub fn buffer(&self) -> &str {
        &self.buffer
    }

    fn clear(&mut self) {
        self.buffer.clear();
        self.words.clear();
        self.units = 0;
    }
}

/// Normalizes `text` into `out`, replacing what `out` held.
pub fn normalize_into(text: &str, out: &mut Normalized) {
    out.clear();
    let mut scanner = Scanner::new(text, out);
    scanner.run();
    scanner.finish();
}

/// [`normalize_into`] without the fast paths: every character goes through
/// the general dispatch. The tests check that both agree.
#[cfg(test)]
pub(crate) fn normalize_slow(text: &str) -> Normalized {
    let mut out = Normalized::new();
    let mut scanner = Scanner::new(text, &mut out);
    scanner.fast = false;
    scanner.run();
    out
}

/// Normalizes `text` into a fresh [`Normalized`].
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized::new();
    normalize_into(text, &mut out);
    out
}

/// The normalized text as a string: words separated by spaces, units by
/// newlines. Mostly useful to see what the classifier sees, and for tests.
pub fn normalize_text(text: &str) -> String {
    let n = normalize(text);
    let mut s = String::with_capacity(n.buffer.len() + n.words.len());
    let mut unit = None;
    for w in &n.words {
        match unit {
            None => {}
            Some(u) if u == w.unit => s.push(' '),
            Some(_) => s.push('\n'),
        }
        unit = Some(w.unit);
        s.push_str(n.text(w));
    }
    s
}

/// Elided articles and pronouns (Lucene's French elision list, extended with
/// the conjunctions `jusqu'`, `lorsqu'`, `puisqu'`, `quoiqu'`).
const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Elisions kept as a word, in full, because later stages read them: `n’`
/// is the negation `ne`, `qu’` the `que` of `ne … que` ("only").
const KEPT_ELISIONS: &[(&str, &str)] = &[("n", "ne"), ("qu", "que")];

/// Endings of inclusive writing after `·`, `.`, `/` or inside `( )`.
const INCLUSIVE_SUFFIXES: &[&str] = &[
    "e", "es", "s", "x", "ve", "ves", "ne", "nes", "le", "les", "te", "tes", "rice", "rices",
    "trice", "trices", "ice", "ices", "euse", "euses", "se", "ses", "ère", "ères", "ere", "eres",
    "sse", "sses", "fe", "fes", "ive", "ives", "elle", "elles", "iere", "ière", "ieres", "ières",
    "ale", "ales", "aux",
];

/// Characters that are gender markers in `H/F`, `F/H/X` and their kin.
fn is_gender_letter(c: char) -> bool {
    matches!(c, 'h' | 'f' | 'x' | 'm' | 'w' | 'H' | 'F' | 'X' | 'M' | 'W')
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02B9}' | '`' | '\u{00B4}' | '\u{2032}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
    )
}

/// Characters that vanish: zero-width spaces and joiners, soft hyphen, BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Middle dots used by inclusive writing (and, between spaces, as bullets).
fn is_middle_dot(c: char) -> bool {
    matches!(
        c,
        '\u{00B7}' | '\u{2027}' | '\u{22C5}' | '\u{2022}' | '\u{2219}'
    )
}

/// Characters that end a unit: line ends, sentence punctuation, bullets,
/// arrows, check marks and emoji.
fn is_unit_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{0085}'
            | ';'
            | '!'
            | '?'
            | ':'
            | '|'
            | '*'
            | '\u{2026}'
            | '\u{25AA}'..='\u{25FF}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{1F000}'..='\u{1FAFF}'
            | '\u{2023}'
            | '\u{2043}'
            | '\u{25A0}'
    ) || is_middle_dot(c)
}

/// Word characters: letters, digits and combining marks.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// What may stay inside a word after NFKC: word characters, except the
/// modifier letters that the scanner reads as apostrophes.
fn keep_in_word(c: char) -> bool {
    is_word_char(c) && !is_apostrophe(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Block-level HTML tags: they end a unit.
const BLOCK_TAGS: &[&str] = &[
    "br",
    "p",
    "li",
    "ul",
    "ol",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "dd",
    "dt",
    "dl",
    "hr",
];

/// Named HTML entities seen in scraped French ads.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{00A0}'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("agrave", 'à'),
    ("acirc", 'â'),
    ("auml", 'ä'),
    ("ccedil", 'ç'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("ocirc", 'ô'),
    ("ouml", 'ö'),
    ("ucirc", 'û'),
    ("ugrave", 'ù'),
    ("uuml", 'ü'),
    ("yuml", 'ÿ'),
    ("oelig", 'œ'),
    ("aelig", 'æ'),
    ("Eacute", 'É'),
    ("Egrave", 'È'),
    ("Ecirc", 'Ê'),
    ("Agrave", 'À'),
    ("Acirc", 'Â'),
    ("Ccedil", 'Ç'),
    ("Icirc", 'Î'),
    ("Ocirc", 'Ô'),
    ("Ucirc", 'Û'),
    ("OElig", 'Œ'),
    ("rsquo", '\u{2019}'),
    ("lsquo", '\u{2018}'),
    ("rdquo", '\u{201D}'),
    ("ldquo", '\u{201C}'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("hellip", '…'),
    ("ndash", '\u{2013}'),
    ("mdash", '\u{2014}'),
    ("bull", '\u{2022}'),
    ("middot", '\u{00B7}'),
    ("euro", '€'),
    ("shy", '\u{00AD}'),
    ("zwj", '\u{200D}'),
    ("zwnj", '\u{200C}'),
    ("thinsp", '\u{2009}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("deg", '°'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
];

/// How far a tag or entity may reach before `<` or `&` is taken literally.
const MAX_TAG_LEN: usize = 512;
const MAX_ENTITY_LEN: usize = 12;
/// Words longer than this are kept but never stemmed (see `tokenize`).
pub(crate) const MAX_WORD_BYTES: usize = 64;

/// ASCII letters and digits, by byte: [`LOWER`] (lower-case letters and
/// digits), [`UPPER`], or 0 for the other bytes.
static ASCII_WORD: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_uppercase() {
            t[b] = UPPER;
        } else if c.is_ascii_alphanumeric() {
            t[b] = LOWER;
        }
        b += 1;
    }
    t
};
const LOWER: u8 = 1;
const UPPER: u8 = 2;

/// What the general path does with an ASCII byte that does not extend a
/// word, by byte: [`ENDS_WORD`] (it only ends the word being built, as a
/// space does), [`ENDS_UNIT`] (it ends the word and the unit, as a line
/// end does), [`CHAR`] (it goes through `on_char`: apostrophes, `.`, `/`,
/// `-`, `(`, and letters that may open a gender marker), or [`EVENT`]
/// (`<` and `&`, which may open a tag or an entity; and every non-ASCII
/// byte).
static ASCII_ACTION: [u8; 256] = {
    let mut t = [EVENT; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            CHAR
        } else {
            match c {
                b'\'' | b'`' | b'.' | b'/' | b'-' | b'(' => CHAR,
                b'<' | b'&' => EVENT,
                b'\n' | b'\r' | b';' | b'!' | b'?' | b':' | b'|' | b'*' => ENDS_UNIT,
                _ => ENDS_WORD,
            }
        };
        b += 1;
    }
    t
};
const ENDS_WORD: u8 = 0;
const ENDS_UNIT: u8 = 1;
const CHAR: u8 = 2;
const EVENT: u8 = 3;

/// `’` in UTF-8, the usual apostrophe of French text.
const RIGHT_QUOTE: &[u8] = "\u{2019}".as_bytes();

struct Scanner<'t, 'o> {
    text: &'t str,
    out: &'o mut Normalized,
    /// Position in `text`.
    pos: usize,
    /// The word being built, lower-cased, not yet NFKC.
    word: String,
    /// `word` holds a character that is not [`is_stable_lower`]: NFKC and
    /// lower case must run over it.
    word_unstable: bool,
    /// Take the fast paths (always, but in the tests that compare).
    fast: bool,
    /// Original span of the word being built.
    word_span: Range<usize>,
    /// Scratch for NFKC.
    scratch: String,
    unit: u32,
    unit_has_words: bool,
    /// The previous word was followed directly by `/`.
    after_slash: bool,
    /// Position after which no `-->` exists (avoids quadratic rescans).
    no_comment_end_from: Option<usize>,
}

/// What one step of the scanner produced.
enum Event {
    Char(char),
    /// A separator that does not end a unit.
    Space,
    /// The end of a unit.
    Break,
}

impl<'t, 'o> Scanner<'t, 'o> {
    fn new(text: &'t str, out: &'o mut Normalized) -> Self {
        let [mut word, scratch] = std::mem::take(&mut out.spare);
        word.clear();
        Scanner {
            text,
            out,
            pos: 0,
            word,
            word_unstable: false,
            fast: true,
            word_span: 0..0,
            scratch,
            unit: 0,
            unit_has_words: false,
            after_slash: false,
            no_comment_end_from: None,
        }
    }

    /// Gives the word buffers back to the output, for the next text.
    fn finish(self) {
        self.out.spare = [self.word, self.scratch];
    }

    fn run(&mut self) {
        let bytes = self.text.as_bytes();
        while self.pos < self.text.len() {
            if self.fast && self.word.is_empty() && !self.after_slash {
                self.plain_run(bytes);
                if self.pos >= bytes.len() {
                    break;
                }
            }
            let b = bytes[self.pos];
            let start = self.pos;
            if self.fast {
                if self.word_run(bytes) {
                    continue;
                }
                // The general path's outcome for the common punctuation,
                // without decoding a character or looking for tags.
                match ASCII_ACTION[usize::from(b)] {
                    ENDS_WORD => {
                        self.end_word();
                        self.pos += 1;
                        continue;
                    }
                    ENDS_UNIT => {
                        self.end_word();
                        self.after_slash = false;
                        self.end_unit();
                        self.pos += 1;
                        continue;
                    }
                    CHAR => {
                        self.pos += 1;
                        self.on_char(char::from(b), start, start + 1);
                        continue;
                    }
                    _ if bytes[start..].starts_with(RIGHT_QUOTE) => {
                        self.pos += RIGHT_QUOTE.len();
                        self.on_apostrophe(start, self.pos);
                        continue;
                    }
                    _ => {}
                }
            }
            let (event, end) = self.next_event();
            self.pos = end;
            match event {
                Event::Char(c) => self.on_char(c, start, end),
                Event::Space => self.end_word(),
                Event::Break => {
                    self.end_word();
                    self.after_slash = false;
                    self.end_unit();
                }
            }
        }
        self.end_word();
        self.end_unit();
    }

    /// The fast path for plain text, in one loop with the state in locals:
    /// whole words of ASCII letters and digits and of precomposed
    /// lower-case Latin-1 letters (and `œ`), and the ASCII separators that
    /// only end a word or a unit between them. Stops, leaving `pos` there,
    /// at the first byte the other paths must see: a word that does not
    /// end at such a separator (it goes on with an apostrophe, a `.`, a
    /// `/`, a capital accent…), a letter that may open a gender marker,
    /// and every other character. Needs an empty word and no pending `/`.
    fn plain_run(&mut self, bytes: &[u8]) {
        let mut i = self.pos;
        let mut unit = self.unit;
        let mut unit_has_words = self.unit_has_words;
        let out = &mut *self.out;
        'text: while let Some(&b) = bytes.get(i) {
            match ASCII_ACTION[usize::from(b)] {
                ENDS_WORD => {
                    i += 1;
                    continue;
                }
                ENDS_UNIT => {
                    if unit_has_words {
                        unit += 1;
                        unit_has_words = false;
                    }
                    i += 1;
                    continue;
                }
                _ => {}
            }
            if may_open_gender_marker(bytes, i) {
                break;
            }
            let start = i;
            let upper;
            (i, upper) = plain_word_end(bytes, start);
            let whole = i > start && only_ends_word(bytes.get(i).copied());
            if !whole {
                i = start;
                break 'text;
            }
            let from = out.buffer.len();
            out.buffer.push_str(&self.text[start..i]);
            if upper {
                out.buffer[from..].make_ascii_lowercase();
            }
            out.words.push(NormWord {
                norm: from..out.buffer.len(),
                span: start..i,
                unit,
            });
            unit_has_words = true;
            out.units = unit + 1;
        }
        self.pos = i;
        self.unit = unit;
        self.unit_has_words = unit_has_words;
    }

    /// The fast path for plain words: a run of ASCII letters and digits and
    /// of precomposed lower-case Latin-1 letters (and `œ`) extends the word
    /// being built at once, lower-cased, which is what `on_char` does with
    /// each of them (none is invisible, an apostrophe or a separator, and
    /// none needs NFKC). A word may start with such a run unless its first
    /// letter could open a gender marker (`H/F`), which `on_char` checks.
    /// Returns `false`, having done nothing, when no such run starts here.
    fn word_run(&mut self, bytes: &[u8]) -> bool {
        let start = self.pos;
        let first = bytes[start];
        // Cheap refusal first: `run` asks at every character.
        if ASCII_WORD[usize::from(first)] == 0 && first != 0xC3 && first != 0xC5 {
            return false;
        }
        if self.word.is_empty() && may_open_gender_marker(bytes, start) {
            return false;
        }
        let (i, upper) = plain_word_end(bytes, start);
        if i == start {
            return false;
        }
        let next = bytes.get(i).copied();
        let whole = self.word.is_empty() && only_ends_word(next);
        if whole {
            // A whole word before a separator that only ends it (or ends
            // its unit too): straight to the output, as `end_word` would
            // write it. A plain space, tab or comma is consumed here; any
            // other separator is left to `run`.
            self.word_span = start..i;
            let after_slash = std::mem::take(&mut self.after_slash);
            let from = self.out.buffer.len();
            self.out.buffer.push_str(&self.text[start..i]);
            if upper {
                self.out.buffer[from..].make_ascii_lowercase();
            }
            self.push_word(from, after_slash);
            self.pos = match next {
                Some(b' ' | b'\t' | b',') => i + 1,
                _ => i,
            };
            return true;
        }
        if self.word.is_empty() {
            self.word_span = start..i;
        } else {
            self.word_span.end = i;
        }
        let from = self.word.len();
        self.word.push_str(&self.text[start..i]);
        if upper {
            self.word[from..].make_ascii_lowercase();
        }
        self.pos = i;
        true
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    /// Reads one character, tag or entity at `self.pos`.
    fn next_event(&mut self) -> (Event, usize) {
        let i = self.pos;
        let c = match self.char_at(i) {
            Some(c) => c,
            None => return (Event::Space, self.text.len()),
        };
        let next = i + c.len_utf8();
        match c {
            '<' => {
                if let Some((event, end)) = self.tag_at(i) {
                    return (event, end);
                }
                (Event::Space, next)
            }
            '&' => {
                if let Some((decoded, end)) = entity_at(self.text, i) {
                    return (Event::Char(decoded), end);
                }
                (Event::Space, next)
            }
            _ => (Event::Char(c), next),
        }
    }

    /// Recognises an HTML tag or comment starting at `i`.
    fn tag_at(&mut self, i: usize) -> Option<(Event, usize)> {
        let bytes = self.text.as_bytes();
        let rest = &bytes[i + 1..];
        if rest.starts_with(b"!--") {
            if self.no_comment_end_from.is_some_and(|p| p <= i) {
                return None;
            }
            return match find(&bytes[i + 4..], b"-->") {
                Some(k) => Some((Event::Space, i + 4 + k + 3)),
                None => {
                    self.no_comment_end_from = Some(i);
                    None
                }
            };
        }
        let first = *rest.first()?;
        if !(first.is_ascii_alphabetic() || first == b'/' || first == b'!' || first == b'?') {
            return None;
        }
        let limit = rest.len().min(MAX_TAG_LEN);
        let close = rest[..limit].iter().position(|&b| b == b'>')?;
        // A `<` inside the candidate means this `<` was literal text.
        if rest[..close].contains(&b'<') {
            return None;
        }
        let inner = &rest[..close];
        let name_start = usize::from(inner.first() == Some(&b'/'));
        let name_len = inner[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(inner.len() - name_start);
        let name = &inner[name_start..name_start + name_len];
        let block = BLOCK_TAGS
            .iter()
            .any(|t| t.as_bytes().eq_ignore_ascii_case(name));
        let end = i + 1 + close + 1;
        Some((if block { Event::Break } else { Event::Space }, end))
    }

    fn on_char(&mut self, c: char, start: usize, end: usize) {
        if is_invisible(c) {
            return;
        }
        // Before letters: `ʼ` (U+02BC) is a modifier letter.
        if is_apostrophe(c) {
            self.on_apostrophe(start, end);
            return;
        }
        if is_word_char(c) {
            if self.word.is_empty() {
                if let Some(len) = gender_marker_len(self.text, start) {
                    // `H/F`, `F/H/X`: skip the whole marker.
                    self.pos = start + len;
                    return;
                }
                self.word_span = start..end;
            }
            self.word_span.end = end;
            if c.is_ascii() {
                self.word.push(c.to_ascii_lowercase());
            } else {
                for l in c.to_lowercase() {
                    self.word_unstable |= !is_stable_lower(l);
                    self.word.push(l);
                }
            }
            return;
        }
        if !self.word.is_empty() && (is_middle_dot(c) || c == '.' || c == '/' || is_dash(c)) {
            if let Some(len) = inclusive_suffix_len(self.text, end, c == '.') {
                // `chargé·e·s`, `chargé.e`, `directeur/trice`: drop the ending.
                self.pos = end + len;
                return;
            }
        }
        if c == '(' && !self.word.is_empty() {
            if let Some(len) = parenthesised_suffix_len(self.text, end) {
                // `chargé(e)`: drop `(e)`, a word may go on after it.
                self.pos = end + len;
                return;
            }
        }
        if c == '/' {
            self.end_word();
            self.after_slash = true;
            return;
        }
        if c == '.' {
            // A full stop ends a sentence when a space or the end follows.
            let after = self.char_at(end);
            if after.is_none_or(|a| a.is_whitespace()) {
                self.end_word();
                self.end_unit();
            } else {
                self.end_word();
            }
            return;
        }
        if is_dash(c) {
            // A dash opening a line or standing between spaces is a bullet.
            let before = self.text[..start].chars().next_back();
            let after = self.char_at(end);
            let spaced_before = before.is_none_or(|b| b.is_whitespace());
            let spaced_after = after.is_none_or(|a| a.is_whitespace());
            self.end_word();
            if spaced_before && (spaced_after || self.line_start(start)) {
                self.end_unit();
            }
            return;
        }
        if is_unit_break(c) {
            self.end_word();
            self.after_slash = false;
            self.end_unit();
            return;
        }
        self.end_word();
    }

    /// True when only spaces stand between the last line end and `i`.
    fn line_start(&self, i: usize) -> bool {
        for b in self.text[..i].bytes().rev() {
            match b {
                b'\n' | b'\r' => return true,
                b' ' | b'\t' => continue,
                _ => return false,
            }
        }
        true
    }

    fn on_apostrophe(&mut self, start: usize, end: usize) {
        let next_is_letter = self.char_at(end).is_some_and(|c| c.is_alphabetic());
        if next_is_letter && ELISIONS.contains(&self.word.as_str()) {
            match KEPT_ELISIONS.iter().find(|(e, _)| *e == self.word) {
                Some((_, full)) => {
                    self.clear_word();
                    self.word.push_str(full);
                    self.word_span.end = start;
                    self.end_word();
                }
                None => self.clear_word(),
            }
            return;
        }
        self.end_word();
    }

    fn end_unit(&mut self) {
        if self.unit_has_words {
            self.unit += 1;
            self.unit_has_words = false;
        }
    }

    #[inline]
    fn end_word(&mut self) {
        if !self.word.is_empty() {
            self.finish_word();
        }
    }

    /// [`Scanner::end_word`] of a word that is not empty.
    fn finish_word(&mut self) {
        let after_slash = std::mem::take(&mut self.after_slash);
        let form: &str = if !self.word_unstable {
            // ASCII and the precomposed lower-case letters of Latin-1
            // (`é`, `à`, `ç`, `œ`…): NFKC and lower case leave them as
            // they are, and none composes with its neighbour.
            &self.word
        } else {
            // Lower case and NFKC, twice: lower-casing can decompose (`İ`)
            // and NFKC can produce capitals (`ℌ`); the second round reaches
            // the fixed point, which keeps normalization idempotent.
            // NFKC may also bring in non-word characters (`½` → `1⁄2`),
            // which are dropped, and dropping them can leave combining marks
            // out of canonical order: hence rounds until nothing changes.
            // NFKC can also yield an apostrophe (`ŉ` → `ʼn`), which the
            // scanner would split on when reading the output again: it is
            // dropped too, so that normalizing twice changes nothing.
            for _ in 0..3 {
                self.scratch.clear();
                for c in self.word.nfkc() {
                    self.scratch
                        .extend(c.to_lowercase().filter(|&l| keep_in_word(l)));
                }
                let stable = self.scratch == self.word;
                std::mem::swap(&mut self.word, &mut self.scratch);
                if stable {
                    break;
                }
            }
            &self.word
        };
        let start = self.out.buffer.len();
        self.out.buffer.push_str(form);
        self.push_word(start, after_slash);
        self.clear_word();
    }

    /// Records the word written at `start..` of the output buffer (with
    /// `word_span` as its span), or drops it when it is empty or the
    /// feminine of the word before a `/`.
    #[inline]
    fn push_word(&mut self, start: usize, after_slash: bool) {
        if start == self.out.buffer.len() || (after_slash && self.repeats_previous(start)) {
            self.out.buffer.truncate(start);
        } else {
            let end = self.out.buffer.len();
            self.out.words.push(NormWord {
                norm: start..end,
                span: self.word_span.clone(),
                unit: self.unit,
            });
            self.unit_has_words = true;
            self.out.units = self.unit + 1;
        }
    }

    /// The word written at `start..` is the feminine (or plural) of the
    /// previous one, which a `/` separated from it.
    fn repeats_previous(&self, start: usize) -> bool {
        self.out.words.last().is_some_and(|prev| {
            let prev_form = &self.out.buffer[prev.norm.clone()];
            is_feminine_of(&self.out.buffer[start..], prev_form)
        })
    }

    fn clear_word(&mut self) {
        self.word.clear();
        self.word_unstable = false;
    }
}

/// The end of the run of plain word characters from `start` — ASCII
/// letters and digits, precomposed lower-case Latin-1 letters (`à`–`ÿ` but
/// `÷`) and `œ`, none of which NFKC or lower-casing changes but the ASCII
/// capitals — and whether the run holds an ASCII capital.
#[inline]
fn plain_word_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    let mut upper = false;
    loop {
        let (len, has_upper) = ascii_word_len(&bytes[i..]);
        i += len;
        upper |= has_upper;
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(0xC3), Some(&c)) if c >= 0xA0 && c != 0xB7 => i += 2,
            (Some(0xC5), Some(0x93)) => i += 2,
            _ => return (i, upper),
        }
    }
}

/// A gender marker (`H/F`, `h-f`) may start at `i`: a letter that can be
/// one, then `/` or `-` (`on_char` checks the rest).
#[inline]
fn may_open_gender_marker(bytes: &[u8], i: usize) -> bool {
    bytes
        .get(i)
        .is_some_and(|&b| is_gender_letter(char::from(b)))
        && matches!(bytes.get(i + 1), Some(b'/' | b'-'))
}

/// `next` (the byte after a word, or the end) only ends the word, or its
/// unit too, whatever came before: the word is whole.
#[inline]
fn only_ends_word(next: Option<u8>) -> bool {
    next.is_none_or(|b| matches!(ASCII_ACTION[usize::from(b)], ENDS_WORD | ENDS_UNIT))
}

/// The length of the run of ASCII letters and digits that `bytes` starts
/// with, and whether it holds a capital: eight bytes at a time, each byte
/// classified by carry-free additions (a byte with its high bit cleared
/// plus a constant below 0x80 cannot carry into its neighbour).
#[inline]
fn ascii_word_len(bytes: &[u8]) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// High bit of each byte of `x` (high bits clear) that is `>= lo`.
    fn at_least(x: u64, lo: u8) -> u64 {
        x.wrapping_add(ONES * u64::from(0x80 - lo)) & HIGH
    }
    let mut len = 0;
    let mut upper = 0;
    while let Some(chunk) = bytes.get(len..len + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let ascii = !x & HIGH;
        let low = x & !HIGH;
        let digit = at_least(low, b'0') & !at_least(low, b'9' + 1);
        let caps = at_least(low, b'A') & !at_least(low, b'Z' + 1);
        let small = at_least(low, b'a') & !at_least(low, b'z' + 1);
        let word = (digit | caps | small) & ascii;
        let stop = !word & HIGH;
        if stop != 0 {
            let n = stop.trailing_zeros() as usize / 8;
            // Capitals before the stop only.
            let before = (1u64 << (8 * n)).wrapping_sub(1);
            upper |= caps & before;
            return (len + n, upper != 0);
        }
        upper |= caps;
        len += 8;
    }
    for &b in &bytes[len..] {
        match ASCII_WORD[usize::from(b)] {
            0 => break,
            kind => upper |= u64::from(kind == UPPER),
        }
        len += 1;
    }
    (len, upper != 0)
}

/// Characters that NFKC and lower-casing leave unchanged whatever their
/// neighbours (word characters only: ASCII letters and digits as pushed,
/// lower case, and `à`–`ÿ` but `÷`, and `œ`).
fn is_stable_lower(c: char) -> bool {
    c.is_ascii_lowercase()
        || c.is_ascii_digit()
        || (('\u{00E0}'..='\u{00FF}').contains(&c) && c != '\u{00F7}')
        || c == '\u{0153}'
}

/// `word` is the feminine (or plural) form of `prev`: `animatrice` of
/// `animateur`, `chargée` of `chargé`, `manageuse` of `manager`.
fn is_feminine_of(word: &str, prev: &str) -> bool {
    if word == prev {
        return true;
    }
    let pairs: &[(&str, &str)] = &[
        ("trice", "teur"),
        ("euse", "eur"),
        ("euse", "er"),
        ("ère", "er"),
        ("ive", "if"),
        ("enne", "en"),
        ("e", ""),
    ];
    for (fem, masc) in pairs {
        if let (Some(w), Some(p)) = (word.strip_suffix(fem), prev.strip_suffix(masc)) {
            if w == p && !w.is_empty() {
                return true;
            }
        }
    }
    false
}

/// Length of a gender marker (`H/F`, `F/H/X`, `h-f`) starting at `i`, when
/// it stands as a whole word.
fn gender_marker_len(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if i > 0 && text[..i].chars().next_back().is_some_and(is_word_char) {
        return None;
    }
    let mut j = i;
    let mut letters = 0;
    loop {
        let c = *bytes.get(j)? as char;
        if !is_gender_letter(c) {
            return None;
        }
        letters += 1;
        j += 1;
        match bytes.get(j) {
            Some(b'/') | Some(b'-')
                if bytes
                    .get(j + 1)
                    .is_some_and(|&b| is_gender_letter(b as char)) =>
            {
                j += 1;
            }
            _ => break,
        }
    }
    let ends = text[j..].chars().next().is_none_or(|c| !is_word_char(c));
    (letters >= 2 && ends).then_some(j - i)
}

/// Length of the inclusive endings following the separator that ends at
/// `i` (`e·s` after `chargé·`), when every piece is a known ending and the
/// word stops there. Iterative and bounded per piece, so a long run of
/// `e·e·e…` is consumed in linear time.
fn inclusive_suffix_len(text: &str, i: usize, full_stop: bool) -> Option<usize> {
    // After a full stop, `Les` opening a sentence is no ending; in a word in
    // capitals (`CHARGÉ.E`) it is.
    let shouting = text[..i]
        .chars()
        .rev()
        .nth(1)
        .is_some_and(char::is_uppercase);
    let mut j = i;
    let mut result = None;
    loop {
        let piece = short_piece(&text[j..])?;
        let capitalised = full_stop && !shouting && piece.chars().any(char::is_uppercase);
        let known = !piece.is_empty() && !capitalised && is_inclusive_suffix(piece);
        if !known {
            return result;
        }
        let end = j + piece.len();
        match text[end..].chars().next() {
            Some(c) if is_word_char(c) => return result,
            Some(c) if is_middle_dot(c) || c == '.' || c == '/' || is_dash(c) => {
                let after = end + c.len_utf8();
                if text[after..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
                {
                    result = Some(end - i);
                    j = after;
                } else {
                    return Some(end - i);
                }
            }
            _ => return Some(end - i),
        }
    }
}

/// The leading letters of `rest`, or `None` when there are more than an
/// inclusive ending can have.
fn short_piece(rest: &str) -> Option<&str> {
    let mut end = 0;
    for (count, (k, c)) in rest.char_indices().enumerate() {
        if !c.is_alphabetic() {
            return Some(&rest[..k]);
        }
        if count >= 6 {
            return None;
        }
        end = k + c.len_utf8();
    }
    Some(&rest[..end])
}

fn is_inclusive_suffix(piece: &str) -> bool {
    INCLUSIVE_SUFFIXES.iter().any(|s| {
        s.len() == piece.len()
            && s.chars()
                .zip(piece.chars())
                .all(|(a, b)| b.to_lowercase().eq(std::iter::once(a)))
    })
}

/// Length of `e)` / `es)` / `ne)` after a `(` that ends at `i`.
fn parenthesised_suffix_len(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let close = rest.char_indices().take(8).find(|&(_, c)| c == ')')?.0;
    let piece = &rest[..close];
    (!piece.is_empty() && is_inclusive_suffix(piece)).then_some(close + 1)
}

/// Decodes an HTML entity at `i`, returning the character and the end.
fn entity_at(text: &str, i: usize) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(i + MAX_ENTITY_LEN);
    let semi = bytes[i + 1..limit].iter().position(|&b| b == b';')? + i + 1;
    let body = &text[i + 1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        char::from_u32(code).unwrap_or('\u{FFFD}')
    } else {
        ENTITIES.iter().find(|(name, _)| *name == body)?.1
    };
    Some((c, semi + 1))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let n = normalize(text);
        n.words().iter().map(|w| n.text(w).to_string()).collect()
    }

    fn spans(text: &str) -> Vec<&str> {
        let n = normalize(text);
        n.words().iter().map(|w| &text[w.span.clone()]).collect()
    }

    #[test]
    fn stable_characters_are_fixed_points_of_nfkc_and_lower_case() {
        let stable: Vec<char> = ('\0'..='\u{FFFF}')
            .filter(|&c| is_stable_lower(c))
            .collect();
        for &c in &stable {
            let one = c.to_string();
            assert!(is_word_char(c), "{c:?}");
            assert_eq!(one.nfkc().collect::<String>(), one, "{c:?}");
            assert_eq!(c.to_lowercase().collect::<String>(), one, "{c:?}");
        }
        // The fast path gives what the full path gives, pairs included.
        for &a in &stable {
            for b in ['e', 'é', 'œ', '1'] {
                let pair: String = [a, b].into_iter().collect();
                assert_eq!(pair.nfkc().collect::<String>(), pair, "{pair:?}");
            }
        }
    }

    fn assert_same(text: &str) {
        let (fast, slow) = (normalize(text), normalize_slow(text));
        assert_eq!(fast.words(), slow.words(), "{text:?}");
        assert_eq!(fast.buffer(), slow.buffer(), "{text:?}");
        assert_eq!(fast.units(), slow.units(), "{text:?}");
    }

    #[test]
    fn ascii_word_runs_are_measured_eight_bytes_at_a_time() {
        // Every byte value, at every place of a chunk and after it.
        for b in 0..=255u8 {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[at] = b;
                let expected_len = bytes
                    .iter()
                    .position(|&c| ASCII_WORD[usize::from(c)] == 0)
                    .unwrap_or(bytes.len());
                let expected_upper = bytes[..expected_len].iter().any(u8::is_ascii_uppercase);
                assert_eq!(
                    ascii_word_len(&bytes),
                    (expected_len, expected_upper),
                    "byte {b:#x} at {at}"
                );
            }
        }
        assert_eq!(ascii_word_len(b""), (0, false));
        assert_eq!(ascii_word_len(b"Community manager"), (9, true));
    }

    #[test]
    fn fast_paths_agree_with_the_general_path_on_the_fixtures() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ads");
        let mut ads = 0;
        for file in std::fs::read_dir(dir).unwrap() {
            let content = std::fs::read_to_string(file.unwrap().path()).unwrap();
            for line in content.lines().filter(|l| !l.trim().is_empty()) {
                let ad: serde_json::Value = serde_json::from_str(line).unwrap();
                for field in ["title", "text"] {
                    assert_same(ad[field].as_str().unwrap_or(""));
                }
                ads += 1;
            }
        }
        assert!(ads > 100);
        assert_same("CHARGÉ·E DE COMMUNICATION H/F ÀÉÈ œŒ ÷× ß hf h/f x");
    }

    proptest::proptest! {
        #[test]
        fn fast_paths_agree_with_the_general_path(
            text in "[a-zA-Z0-9 ,.'’‘`/·()\\-\n\r\téèÉÀàçÇœŒ÷×ßþÿhHfFxXmMwW&;:!?|*\"\\[\\]{}+=%$@~^_\\\\<>#ﬁ\u{0}\u{b}\u{7f}\u{85}\u{2026}\u{301}\u{200B}]{0,40}"
        ) {
            let (fast, slow) = (normalize(&text), normalize_slow(&text));
            proptest::prop_assert_eq!(fast.words(), slow.words());
            proptest::prop_assert_eq!(fast.buffer(), slow.buffer());
            proptest::prop_assert_eq!(fast.units(), slow.units());
        }
    }

    #[test]
    fn lowercases_and_composes() {
        assert_eq!(words("STRATÉGIE"), ["stratégie"]);
        // Decomposed accents compose before anything else.
        assert_eq!(words("re\u{301}seaux"), ["réseaux"]);
        assert_eq!(words("ﬁdélisation"), ["fidélisation"]);
    }

    #[test]
    fn splits_elision_with_every_apostrophe() {
        for text in ["l'animation", "l’animation", "lʼanimation", "L'ANIMATION"] {
            assert_eq!(words(text), ["animation"], "{text}");
        }
        assert_eq!(words("jusqu’à lorsqu’il"), ["à", "il"]);
        assert_eq!(spans("d’une"), ["une"]);
        // Not an elision: the word is split but kept.
        assert_eq!(words("aujourd'hui"), ["aujourd", "hui"]);
    }

    #[test]
    fn elided_ne_and_que_stay() {
        assert_eq!(
            words("vous n’animerez pas"),
            ["vous", "ne", "animerez", "pas"]
        );
        assert_eq!(spans("n’animerez"), ["n", "animerez"]);
        assert_eq!(
            words("vous n’aurez qu’à publier"),
            ["vous", "ne", "aurez", "que", "à", "publier"]
        );
        assert_eq!(spans("qu’à"), ["qu", "à"]);
    }

    #[test]
    fn inclusive_writing_collapses() {
        for text in [
            "chargé·e·s",
            "chargé.e",
            "chargé(e)",
            "chargé(e)s",
            "chargé/e",
            "chargé‧e",
            "chargé.e.s",
            "CHARGÉ.E",
            "CHARGÉ·E·S",
        ] {
            let w = words(text);
            assert_eq!(w.len(), 1, "{text}: {w:?}");
            assert!(w[0].starts_with("chargé"), "{text}: {w:?}");
        }
        // A sentence that starts after a full stop keeps its first word.
        assert_eq!(
            words("site web.Les missions"),
            ["site", "web", "les", "missions"]
        );
        assert_eq!(words("animateur/animatrice"), ["animateur"]);
        assert_eq!(words("Directeur/trice"), ["directeur"]);
        assert_eq!(
            words("community manager/manageuse"),
            ["community", "manager"]
        );
        assert_eq!(
            words("un·e community manager"),
            ["un", "community", "manager"]
        );
        assert_eq!(words("Rattaché·e à"), ["rattaché", "à"]);
    }

    #[test]
    fn gender_markers_disappear() {
        for text in [
            "Community Manager H/F",
            "Community Manager (F/H/X)",
            "Community Manager h/f/x",
            "Community Manager F/H",
            "Community Manager (H-F)",
        ] {
            assert_eq!(words(text), ["community", "manager"], "{text}");
        }
        // A lone letter is kept, and so is a real word.
        assert_eq!(words("vitamine h"), ["vitamine", "h"]);
        assert_eq!(words("HF radio"), ["hf", "radio"]);
    }

    #[test]
    fn html_is_skipped_and_entities_decoded() {
        assert_eq!(
            words("<p>Strat&eacute;gie&nbsp;<strong>social</strong> media</p>"),
            ["stratégie", "social", "media"]
        );
        assert_eq!(spans("Strat&eacute;gie"), ["Strat&eacute;gie"]);
        assert_eq!(
            words("l&#39;animation &amp; la mod&#xE9;ration"),
            ["animation", "la", "modération"]
        );
        // A `<` that opens no tag is text punctuation.
        assert_eq!(words("a < b et c > d"), ["a", "b", "et", "c", "d"]);
        assert_eq!(words("<!-- caché --> visible"), ["visible"]);
    }

    #[test]
    fn units_follow_lines_bullets_and_sentences() {
        let n = normalize("Missions :\n• animer\n- modérer. Publier ✅ répondre<li>veille</li>");
        let units: Vec<u32> = n.words().iter().map(|w| w.unit).collect();
        assert_eq!(units, [0, 1, 2, 3, 4, 5]);
        assert_eq!(n.units(), 6);
        // Inline tags and a hyphen inside a word do not end a unit.
        let n = normalize("e-réputation <b>et</b> jeux-concours");
        assert!(n.words().iter().all(|w| w.unit == 0));
    }

    #[test]
    fn invisible_characters_vanish_and_spaces_separate() {
        assert_eq!(
            words("commu\u{200B}nity\u{00A0}manager"),
            ["community", "manager"]
        );
        assert_eq!(words("réseaux\u{202F}sociaux"), ["réseaux", "sociaux"]);
        assert_eq!(words("co\u{00AD}ordination"), ["coordination"]);
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "<li>L’Animation des Réseaux·Sociaux</li>";
        assert_eq!(spans(text), ["Animation", "des", "Réseaux", "Sociaux"]);
    }

    #[test]
    fn normalize_text_is_idempotent_on_a_messy_ad() {
        let text = "<h2>Chargé·e de COMMUNITY MANAGEMENT (H/F)</h2>\n✅ l’animation &amp; la modération\n- qu’il réponde";
        let once = normalize_text(text);
        assert_eq!(normalize_text(&once), once);
        assert_eq!(
            once,
            "chargé de community management\nanimation la modération\nque il réponde"
        );
    }
}
