//! The fast path of the JSON Lines reader: one pass over a line that
//! validates it as JSON and picks out the configured fields, without
//! building a `serde_json::Value` tree.
//!
//! Building the tree (a map, a `String` per key and per value) cost about
//! fifteen instructions per input byte, most of the reading time. This
//! scanner follows only the keys the field paths name, unescapes only the
//! strings it keeps (into buffers reused from line to line) and skips
//! everything else while still checking it against RFC 8259: strings
//! without raw control characters and with valid escapes, the number
//! grammar, the literals, nesting, whitespace, nothing after the object.
//!
//! It answers only when it is sure to agree with the serde_json path. On
//! any error, and wherever serde_json's behaviour is subtle, it declines
//! (`None`) and the caller reads the line with serde_json, so that every
//! record and every error message stays exactly what serde_json gives:
//!
//! - malformed JSON of any kind (the error message is serde_json's);
//! - a line that is not an object;
//! - a key on a field path seen twice in one object (serde_json keeps the
//!   last one);
//! - nesting deeper than [`MAX_DEPTH`] (serde_json's limit is 127);
//! - an unpaired surrogate in a `\u` escape;
//! - a number with an exponent or longer than [`MAX_NUMBER_BYTES`] (where
//!   serde_json may say "number out of range");
//! - a field that holds a number, a boolean, an array or an object (printed
//!   or refused by `scalar_to_string`), and a path through an array;
//! - field paths of more than [`MAX_STEPS`] steps (every line declines).

use std::ops::Range;

use super::Fields;

/// Most steps in a dotted field path the scanner follows; a longer path
/// makes it decline every line.
const MAX_STEPS: usize = 16;

/// Deepest nesting (objects and arrays, the top-level object included)
/// the scanner validates; deeper lines go to serde_json, whose own limit
/// (127) then decides.
const MAX_DEPTH: usize = 64;

/// Longest number (in bytes) the scanner accepts; longer ones go to
/// serde_json, which refuses an integer part over about 309 digits.
const MAX_NUMBER_BYTES: usize = 300;

/// One way to reach a field: the keys to follow from the top-level object
/// down, one per object level.
#[derive(Debug)]
struct Target {
    /// The keys, as bytes.
    keys: Vec<Box<[u8]>>,
}

/// What a line holds where a target points.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Found {
    /// Nothing: the key is absent, or a step on the way is not an object.
    Absent,
    /// `null`.
    Null,
    /// A string without escapes: its bytes in the line.
    Raw(Range<usize>),
    /// A string with escapes, unescaped into the target's buffer.
    Unescaped,
}

/// The fast path for the fields of one reader: the targets compiled from
/// the field paths, and the buffers reused from one line to the next.
///
/// `lookup` finds a path as a top-level key first, then as dotted steps
/// through nested objects; each path therefore has an *exact* target (the
/// whole path as one top-level key) and, when it holds a dot, a *walk*
/// target (its steps).
#[derive(Debug)]
pub(crate) struct FieldScanner {
    /// The distinct field paths.
    paths: Vec<String>,
    /// For each path, its exact target and its walk target, if any.
    resolve: Vec<(usize, Option<usize>)>,
    /// Every target; at most eight (four paths, two targets each), so a
    /// `u8` holds a set of them.
    targets: Vec<Target>,
    /// What the current line holds at each target.
    found: Vec<Found>,
    /// The unescaped string of each target, when it had escapes.
    bufs: Vec<String>,
    /// An unescaped key, when a key has escapes.
    key: String,
    /// Finds the next quote or backslash in a string.
    finder: QuoteFinder,
}

impl FieldScanner {
    /// Compiles the field paths; `None` when the scanner cannot follow
    /// them (a path of more than [`MAX_STEPS`] steps), and every line is
    /// then read by serde_json.
    pub(crate) fn new(fields: &Fields) -> Option<FieldScanner> {
        let mut paths: Vec<String> = Vec::new();
        let all = [
            Some(&fields.id),
            Some(&fields.title),
            Some(&fields.text),
            fields.label.as_ref(),
        ];
        for path in all.into_iter().flatten() {
            if !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        let mut targets = Vec::new();
        let mut resolve = Vec::new();
        for path in &paths {
            targets.push(Target {
                keys: vec![path.as_bytes().into()],
            });
            let exact = targets.len() - 1;
            let walk = if path.contains('.') {
                let keys: Vec<Box<[u8]>> = path.split('.').map(|s| s.as_bytes().into()).collect();
                if keys.len() > MAX_STEPS {
                    return None;
                }
                targets.push(Target { keys });
                Some(targets.len() - 1)
            } else {
                None
            };
            resolve.push((exact, walk));
        }
        debug_assert!(targets.len() <= 8);
        let n = targets.len();
        Some(FieldScanner {
            paths,
            resolve,
            targets,
            found: vec![Found::Absent; n],
            bufs: vec![String::new(); n],
            key: String::new(),
            finder: QuoteFinder::new(),
        })
    }

    /// Scans one line (without its line end). `Some(())` when the line is a
    /// valid JSON object the scanner fully handled: [`FieldScanner::get`]
    /// then answers for it. `None` when the line must be read by
    /// serde_json instead (see the module documentation).
    pub(crate) fn scan(&mut self, line: &str) -> Option<()> {
        for f in &mut self.found {
            *f = Found::Absent;
        }
        let mut cur = Cursor {
            finder: self.finder,
            s: line,
            b: line.as_bytes(),
            i: 0,
        };
        cur.ws();
        cur.eat(b'{')?;
        let all = u8::MAX >> (8 - self.targets.len());
        self.object(&mut cur, 1, all)?;
        cur.ws();
        (cur.i == cur.b.len()).then_some(())
    }

    /// The string at `path` in the line last scanned (which must be
    /// `line`), as `lookup` and `scalar_to_string` give it: `None` when the
    /// field is absent or `null`. `path` is one of the configured paths.
    pub(crate) fn get<'a>(&'a self, line: &'a str, path: &str) -> Option<&'a str> {
        let i = self.paths.iter().position(|p| p == path)?;
        let (exact, walk) = self.resolve[i];
        match &self.found[exact] {
            Found::Absent => self.value(line, walk?),
            // `lookup` returns the top-level key even when it is null.
            Found::Null => None,
            _ => self.value(line, exact),
        }
    }

    /// The string found at target `t`, if any.
    fn value<'a>(&'a self, line: &'a str, t: usize) -> Option<&'a str> {
        match &self.found[t] {
            Found::Absent | Found::Null => None,
            Found::Raw(range) => line.get(range.clone()),
            Found::Unescaped => Some(&self.bufs[t]),
        }
    }

    /// Scans an object whose `{` was just read, at nesting `depth` (the
    /// top-level object is 1), looking for the targets in `live`.
    fn object(&mut self, cur: &mut Cursor<'_>, depth: usize, live: u8) -> Option<()> {
        cur.ws();
        if cur.peek()? == b'}' {
            cur.i += 1;
            return Some(());
        }
        let level = depth - 1;
        let mut seen = 0u8;
        loop {
            cur.eat(b'"')?;
            let matched = self.key(cur, level, live)?;
            cur.ws();
            cur.eat(b':')?;
            cur.ws();
            if matched == 0 {
                cur.skip_value(depth)?;
            } else {
                // serde_json keeps the last of duplicate keys: decline.
                if matched & seen != 0 {
                    return None;
                }
                seen |= matched;
                self.member(cur, depth, matched)?;
            }
            cur.ws();
            match cur.peek()? {
                b',' => {
                    cur.i += 1;
                    cur.ws();
                }
                b'}' => {
                    cur.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Reads a key whose opening quote was just read; returns the targets
    /// of `live` whose key at `level` it is.
    fn key(&mut self, cur: &mut Cursor<'_>, level: usize, live: u8) -> Option<u8> {
        let key: &[u8] = match cur.plain_string()? {
            Some(range) => &cur.b[range],
            None => {
                self.key.clear();
                cur.string_into(&mut self.key)?;
                self.key.as_bytes()
            }
        };
        let mut matched = 0u8;
        let mut rest = live;
        while rest != 0 {
            let t = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if self.targets[t].keys.get(level).map(|k| &**k) == Some(key) {
                matched |= 1 << t;
            }
        }
        Some(matched)
    }

    /// Reads the value of a key matched by the targets `matched`, in an
    /// object at nesting `depth`.
    fn member(&mut self, cur: &mut Cursor<'_>, depth: usize, matched: u8) -> Option<()> {
        let mut terminal = 0u8;
        let mut rest = matched;
        while rest != 0 {
            let t = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if self.targets[t].keys.len() == depth {
                terminal |= 1 << t;
            }
        }
        let through = matched & !terminal;
        match cur.peek()? {
            b'"' => {
                cur.i += 1;
                if terminal == 0 {
                    // A string where the path goes on: `lookup` finds
                    // nothing there.
                    return cur.skip_string();
                }
                // Two distinct paths never end at the same key.
                if terminal.count_ones() > 1 {
                    return None;
                }
                let t = terminal.trailing_zeros() as usize;
                self.found[t] = match cur.plain_string()? {
                    Some(range) => Found::Raw(range),
                    None => {
                        let buf = &mut self.bufs[t];
                        buf.clear();
                        cur.string_into(buf)?;
                        Found::Unescaped
                    }
                };
                Some(())
            }
            b'n' => {
                cur.literal(b"null")?;
                let mut rest = terminal;
                while rest != 0 {
                    let t = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    self.found[t] = Found::Null;
                }
                Some(())
            }
            b'{' if terminal == 0 && depth < MAX_DEPTH => {
                cur.i += 1;
                self.object(cur, depth + 1, through)
            }
            // A field that is not a string (`scalar_to_string` prints or
            // refuses it), or a path through an array (`lookup` indexes it):
            // serde_json's path says what to do.
            b'{' | b'[' => None,
            _ if terminal != 0 => None,
            // A number or a boolean where the path goes on: nothing there.
            _ => cur.skip_value(depth),
        }
    }
}

/// A position in a line.
struct Cursor<'a> {
    finder: QuoteFinder,
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips JSON whitespace.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// Reads `c`, or declines.
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// Reads the literal `word` (`true`, `false`, `null`).
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..)?.starts_with(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// Reads a number without an exponent: `-? (0 | [1-9][0-9]*) (. [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return None;
            }
            self.digits();
        }
        // An exponent may put the number out of serde_json's range.
        if matches!(self.peek(), Some(b'e' | b'E')) || self.i - start > MAX_NUMBER_BYTES {
            return None;
        }
        Some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    /// The end of the run of plain string bytes at the cursor: the next
    /// quote or backslash.
    fn run_end(&self) -> Option<usize> {
        let rest = self.b.get(self.i..)?;
        self.finder.find(rest).map(|n| self.i + n)
    }

    /// Reads a string whose opening quote was just read when it has no
    /// escape: `Some(range)` of its bytes. `Some(None)` when it has an
    /// escape, the cursor left in place for [`Cursor::string_into`].
    fn plain_string(&mut self) -> Option<Option<Range<usize>>> {
        let start = self.i;
        let end = self.run_end()?;
        if self.b[end] != b'"' {
            return Some(None);
        }
        no_control(&self.b[start..end])?;
        self.i = end + 1;
        Some(Some(start..end))
    }

    /// Skips a string whose opening quote was just read.
    fn skip_string(&mut self) -> Option<()> {
        let start = self.i;
        loop {
            self.i = self.run_end()?;
            if self.b[self.i] == b'"' {
                break;
            }
            self.escape()?;
        }
        // Escapes are printable: a control byte in the string is a raw one.
        no_control(&self.b[start..self.i])?;
        self.i += 1;
        Some(())
    }

    /// Reads a string whose opening quote was just read, appending it
    /// unescaped to `out`.
    fn string_into(&mut self, out: &mut String) -> Option<()> {
        let start = self.i;
        loop {
            let run = self.i;
            self.i = self.run_end()?;
            // Quotes and backslashes are ASCII: these are character boundaries.
            out.push_str(self.s.get(run..self.i)?);
            if self.b[self.i] == b'"' {
                break;
            }
            out.push(self.escape()?);
        }
        no_control(&self.b[start..self.i])?;
        self.i += 1;
        Some(())
    }

    /// Reads an escape at the cursor (on its `\`), as the character it
    /// stands for; declines on an invalid escape or an unpaired surrogate.
    fn escape(&mut self) -> Option<char> {
        let c = *self.b.get(self.i + 1)?;
        self.i += 2;
        Some(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                let code = match high {
                    0xD800..=0xDBFF => {
                        if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                            return None;
                        }
                        self.i += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => high,
                };
                char::from_u32(code)?
            }
            _ => return None,
        })
    }

    /// Reads four hexadecimal digits.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let mut n = 0u32;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(n)
    }

    /// Skips a key (from its opening quote), the whitespace and the colon
    /// after it, and the whitespace before its value.
    fn skip_key(&mut self) -> Option<()> {
        self.eat(b'"')?;
        self.skip_string()?;
        self.ws();
        self.eat(b':')?;
        self.ws();
        Some(())
    }

    /// Skips one value starting at the cursor, checking it, in a container
    /// at nesting `depth`. Iterative: a bit per open container says
    /// whether it is an object.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        let mut objects = 0u64;
        let mut open = 0usize;
        loop {
            // A value starts here.
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    self.skip_string()?;
                }
                c @ (b'{' | b'[') => {
                    if depth + open >= MAX_DEPTH {
                        return None;
                    }
                    let object = c == b'{';
                    self.i += 1;
                    self.ws();
                    let close = if object { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.i += 1;
                    } else {
                        objects = objects << 1 | u64::from(object);
                        open += 1;
                        if object {
                            self.skip_key()?;
                        }
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // A value ended: close containers until the next value.
            loop {
                if open == 0 {
                    return Some(());
                }
                self.ws();
                let object = objects & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        self.ws();
                        if object {
                            self.skip_key()?;
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                self.i += 1;
                objects >>= 1;
                open -= 1;
            }
        }
    }
}

/// Finds the next quote or backslash with `memchr`'s vector code. On
/// x86-64 with AVX2 the searcher is built once (`memchr::memchr2` would
/// detect the CPU and broadcast the needles on every call, a cost that
/// shows on the runs of about 80 bytes between the `\n` escapes of an ad);
/// elsewhere it is `memchr::memchr2`.
#[derive(Clone, Copy, Debug)]
struct QuoteFinder {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::Two>,
}

impl QuoteFinder {
    fn new() -> QuoteFinder {
        QuoteFinder {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::Two::new(b'"', b'\\'),
        }
    }

    /// The index of the first quote or backslash in `haystack`.
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(two) = &self.avx2 {
            return two.find(haystack);
        }
        memchr::memchr2(b'"', b'\\', haystack)
    }
}

/// `Some(())` when `bytes` holds no control character (`U+0000` to
/// `U+001F`, which JSON strings must escape). No early exit, so that the
/// compiler vectorizes it: the bytes checked are those of one string.
fn no_control(bytes: &[u8]) -> Option<()> {
    let control = bytes.iter().fold(false, |control, &c| control | (c < 0x20));
    (!control).then_some(())
}

#[cfg(test)]
mod tests {
    use super::super::{parse_json_line, Fields, JsonParser, Location};
    use super::*;
    use proptest::prelude::*;

    fn fields(id: &str, title: &str, text: &str, label: Option<&str>) -> Fields {
        Fields {
            id: id.into(),
            title: title.into(),
            text: text.into(),
            label: label.map(str::to_string),
        }
    }

    /// The field configurations the tests read with: the default, the
    /// France Travail preset, dotted paths with a label, one path for all.
    fn configurations() -> Vec<Fields> {
        vec![
            Fields::default(),
            fields("id", "intitule", "description", None),
            fields("meta.id", "a.b", "text", Some("label")),
            fields("text", "text", "text", None),
        ]
    }

    /// The fields the scanner found in `line`, or `None` when it declines.
    fn scan(fields: &Fields, line: &str) -> Option<Vec<Option<String>>> {
        let mut scanner = FieldScanner::new(fields).expect("short paths");
        scanner.scan(line)?;
        let paths = [
            Some(&fields.id),
            Some(&fields.title),
            Some(&fields.text),
            fields.label.as_ref(),
        ];
        Some(
            paths
                .into_iter()
                .flatten()
                .map(|p| scanner.get(line, p).map(str::to_string))
                .collect(),
        )
    }

    /// Reads `bytes` both ways and checks they agree.
    fn same_both_ways(fields: &Fields, bytes: &[u8]) {
        let location = Location {
            file: "t.jsonl".into(),
            line: Some(7),
        };
        let fast = parse_json_line(bytes, 100, location.clone(), fields, JsonParser::Fast);
        let serde = parse_json_line(bytes, 100, location, fields, JsonParser::Serde);
        assert_eq!(
            fast,
            serde,
            "{:?} {fields:?}",
            String::from_utf8_lossy(bytes)
        );
    }

    fn strings(values: &[Option<&str>]) -> Vec<Option<String>> {
        values.iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn escapes_are_decoded() {
        let f = Fields::default();
        let line = r#"{"id":"a\"b\\c\/d","title":"\b\f\n\r\t","text":"\u00e9\u00C9\u0000 \ud83d\ude00 x\u20ac"}"#;
        assert_eq!(
            scan(&f, line),
            Some(strings(&[
                Some("a\"b\\c/d"),
                Some("\u{8}\u{c}\n\r\t"),
                Some("éÉ\0 😀 x€"),
            ]))
        );
        same_both_ways(&f, line.as_bytes());
        // Escaped keys are the keys they spell.
        let line = r#"{"\u0069d":"1","t\u0069tle":"T","te\u0078t":"x"}"#;
        assert_eq!(
            scan(&f, line),
            Some(strings(&[Some("1"), Some("T"), Some("x")]))
        );
        same_both_ways(&f, line.as_bytes());
    }

    #[test]
    fn other_values_are_skipped() {
        let f = Fields::default();
        let line = concat!(
            " \t{ \"a\" : [1, -2.50, 0, -0, 0.125, true, false, null, \"s\\\"\", [], {}],",
            "\"text\":\"x\",\r\"b\":{\"c\":[{\"d\":[[[]]]}],\"e\":\"\\u00e9\\n\"},",
            "\"id\":null, \"f\":{\"id\":\"no\"}} \r"
        );
        assert_eq!(scan(&f, line), Some(strings(&[None, None, Some("x")])));
        same_both_ways(&f, line.as_bytes());
    }

    #[test]
    fn dotted_paths_follow_lookup() {
        let f = fields("meta.id", "a.b", "text", Some("label"));
        let line = r#"{"meta":{"x":1,"id":"m"},"a":{"b":"nested"},"text":"t","label":"CM"}"#;
        assert_eq!(
            scan(&f, line),
            Some(strings(&[Some("m"), Some("nested"), Some("t"), Some("CM")]))
        );
        // The whole path as a top-level key comes first, wherever it is.
        let line = r#"{"a":{"b":"nested"},"text":"t","label":"CM","a.b":"flat"}"#;
        assert_eq!(
            scan(&f, line),
            Some(strings(&[None, Some("flat"), Some("t"), Some("CM")]))
        );
        // ...even when it is null.
        let line = r#"{"a.b":null,"a":{"b":"nested"},"text":"t","label":"CM"}"#;
        assert_eq!(
            scan(&f, line),
            Some(strings(&[None, None, Some("t"), Some("CM")]))
        );
        // A step that is not an object holds nothing.
        let line = r#"{"meta":"m","a":{"b":{"c":1}},"text":"t","label":null}"#;
        assert_eq!(scan(&f, line), None, "an object where a string is expected");
        let line = r#"{"meta":"m","a":7,"text":"t","label":null}"#;
        assert_eq!(
            scan(&f, line),
            Some(strings(&[None, None, Some("t"), None]))
        );
        for line in [
            r#"{"meta":{"x":1,"id":"m"},"a":{"b":"nested"},"text":"t","label":"CM"}"#,
            r#"{"a":{"b":"nested"},"text":"t","label":"CM","a.b":"flat"}"#,
            r#"{"a.b":null,"a":{"b":"nested"},"text":"t","label":"CM"}"#,
            r#"{"meta":"m","a":{"b":{"c":1}},"text":"t","label":null}"#,
            r#"{"meta":"m","a":7,"text":"t","label":null}"#,
            r#"{"meta":[{"id":"0"}],"text":"t","label":"L"}"#,
        ] {
            same_both_ways(&f, line.as_bytes());
        }
        // A duplicated step: serde_json keeps the last `a`, which has no
        // `b`; the scanner declines.
        let line = r#"{"a":{"b":"first"},"text":"t","a":"second","label":"L"}"#;
        assert_eq!(scan(&f, line), None);
        same_both_ways(&f, line.as_bytes());
        // A path through an array is for `lookup` to index.
        let f = fields("meta.0.id", "title", "text", None);
        let line = r#"{"meta":[{"id":"0"}],"text":"t"}"#;
        assert_eq!(scan(&f, line), None);
        same_both_ways(&f, line.as_bytes());
    }

    #[test]
    fn subtle_or_malformed_lines_fall_back() {
        let f = Fields::default();
        let deep = format!(
            "{{\"text\":\"t\",\"a\":{}0{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        let very_deep = format!(
            "{{\"text\":\"t\",\"a\":{}0{}}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        let long_number = format!("{{\"text\":\"t\",\"n\":1{}}}", "0".repeat(400));
        let cases: Vec<&str> = vec![
            // Not an object, or nothing.
            "",
            "[]",
            "\"text\"",
            "1",
            "null",
            // Truncated.
            "{",
            r#"{"text""#,
            r#"{"text":"#,
            r#"{"text":"t"#,
            r#"{"text":"t\"#,
            r#"{"text":"t","#,
            r#"{"text":"t","a":[1,"#,
            r#"{"text":"t","a":{"b":"#,
            r#"{"text":"t","a":tr"#,
            // Structure.
            r#"{"text":"t",}"#,
            r#"{"text":"t",,"a":1}"#,
            r#"{"text" "t"}"#,
            r#"{"text":"t" "a":1}"#,
            r#"{'text':'t'}"#,
            r#"{text:"t"}"#,
            r#"{"text":"t","a":[1,]}"#,
            r#"{"text":"t","a":[1 2]}"#,
            r#"{"text":"t","a":{"b"}}"#,
            r#"{"text":"t","a":{1:2}}"#,
            r#"{"text":"t","a":[}"#,
            r#"{"text":"t","a":{]}"#,
            r#"{"text":"t"}}"#,
            r#"{"text":"t"} x"#,
            r#"{"text":"t"}{}"#,
            "{\"text\":\"t\"}\u{c}",
            "\u{c}{\"text\":\"t\"}",
            "{\"text\":\"t\"}\u{a0}",
            // Numbers and literals.
            r#"{"text":"t","n":01}"#,
            r#"{"text":"t","n":1.}"#,
            r#"{"text":"t","n":.5}"#,
            r#"{"text":"t","n":-}"#,
            r#"{"text":"t","n":+1}"#,
            r#"{"text":"t","n":1e5}"#,
            r#"{"text":"t","n":1E400}"#,
            r#"{"text":"t","n":1.5e-3}"#,
            r#"{"text":"t","n":0x10}"#,
            r#"{"text":"t","n":NaN}"#,
            r#"{"text":"t","n":tru}"#,
            r#"{"text":"t","n":nulll}"#,
            r#"{"text":"t","n":True}"#,
            &long_number,
            // Strings.
            "{\"text\":\"a\u{1}b\"}",
            "{\"text\":\"t\",\"a\":\"tab\there\"}",
            "{\"text\":\"t\",\"a\u{1f}\":1}",
            r#"{"text":"a\x"}"#,
            r#"{"text":"a\u12G4"}"#,
            r#"{"text":"a\u12"}"#,
            r#"{"text":"\ud83d"}"#,
            r#"{"text":"\ud83dx"}"#,
            r#"{"text":"\ud83d\n"}"#,
            r#"{"text":"\ud83d\u0041"}"#,
            r#"{"text":"\ud83d\ud83d"}"#,
            r#"{"text":"\ude00"}"#,
            r#"{"text":"t","a":"\ude00"}"#,
            // Nesting.
            &deep,
            &very_deep,
            // Duplicate keys on a field path (serde_json keeps the last).
            r#"{"text":"a","text":"b"}"#,
            r#"{"id":"1","text":"t","id":"2"}"#,
            r#"{"text":null,"text":"b"}"#,
            // Fields that are not strings.
            r#"{"id":12,"text":"t"}"#,
            r#"{"id":1.50,"text":"t"}"#,
            r#"{"id":true,"text":"t"}"#,
            r#"{"title":false,"text":"t"}"#,
            r#"{"text":["t"]}"#,
            r#"{"text":{"a":"t"}}"#,
        ];
        for line in cases {
            assert_eq!(scan(&f, line), None, "{line:?}");
            same_both_ways(&f, line.as_bytes());
        }
        // Just under the nesting limit, and duplicates of other keys, are
        // the scanner's.
        let fine = format!(
            "{{\"text\":\"t\",\"a\":{}0{}}}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        for line in [fine.as_str(), r#"{"a":1,"a":2,"text":"t"}"#] {
            assert!(scan(&f, line).is_some(), "{line:?}");
            same_both_ways(&f, line.as_bytes());
        }
    }

    #[test]
    fn what_the_scanner_accepts_is_what_serde_json_reads() {
        // Errors after the fields are found, and empty or blank ads, come
        // out of `build_record` as they do on the serde_json path.
        let f = fields("id", "title", "text", Some("label"));
        for line in [
            r#"{"id":"x","title":"","text":"  "}"#,
            r#"{"id":"","title":"T","text":"b","label":"CM"}"#,
            r#"{"title":"T","label":"CM"}"#,
            r#"{"text":"b"}"#,
            r#"{}"#,
            "{\"text\":\"\\u200b\",\"label\":\"x\"}",
        ] {
            assert!(scan(&f, line).is_some(), "{line:?}");
            same_both_ways(&f, line.as_bytes());
        }
        // Invalid UTF-8 is found before either path, at its byte.
        same_both_ways(&f, b"{\"text\":\"\xff\"}");
        same_both_ways(&f, b"{\"text\":\"t\"}\r");
    }

    #[test]
    fn very_long_paths_leave_every_line_to_serde_json() {
        let long = vec!["a"; MAX_STEPS + 1].join(".");
        assert!(FieldScanner::new(&fields("id", "title", &long, None)).is_none());
        let ok = vec!["a"; MAX_STEPS].join(".");
        assert!(FieldScanner::new(&fields("id", "title", &ok, None)).is_some());
    }

    #[test]
    fn every_fixture_line_takes_the_fast_path() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(format!("{root}/fixtures/ads"))
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        assert!(!files.is_empty());
        let f = Fields::default();
        for file in files {
            let content = std::fs::read_to_string(&file).expect("read");
            for line in content.lines() {
                assert!(scan(&f, line).is_some(), "{}: {line}", file.display());
                same_both_ways(&f, line.as_bytes());
            }
        }
    }

    // -----------------------------------------------------------------
    // Generated documents.
    // -----------------------------------------------------------------

    /// One character of a JSON string as written: raw, or escaped in one of
    /// the ways JSON allows (and a few it does not).
    fn encoded_char() -> impl Strategy<Value = String> {
        let plain = prop_oneof![
            4 => proptest::char::range('a', 'z').prop_map(String::from),
            1 => Just("é".to_string()),
            1 => Just("😀".to_string()),
            1 => Just(" ".to_string()),
            1 => any::<char>()
                .prop_filter("no quote, backslash or control", |c| {
                    !matches!(c, '"' | '\\') && *c >= ' '
                })
                .prop_map(String::from),
        ];
        let escaped = prop_oneof![
            Just(r"\n".to_string()),
            Just(r#"\""#.to_string()),
            Just(r"\\".to_string()),
            Just(r"\/".to_string()),
            Just(r"\b\f\r\t".to_string()),
            (0u32..0xD800).prop_map(|n| format!("\\u{n:04x}")),
            (0xE000u32..=0xFFFF).prop_map(|n| format!("\\u{n:04X}")),
            (0x10000u32..=0x10FFFF).prop_map(|n| {
                let n = n - 0x10000;
                format!(
                    "\\u{:04x}\\u{:04X}",
                    0xD800 + (n >> 10),
                    0xDC00 + (n & 0x3FF)
                )
            }),
        ];
        let broken = prop_oneof![
            (0xD800u32..0xE000).prop_map(|n| format!("\\u{n:04x}")),
            Just("\t".to_string()),
            Just(r"\x".to_string()),
            Just(r"\u12".to_string()),
        ];
        prop_oneof![40 => plain, 20 => escaped, 1 => broken]
    }

    /// A JSON string literal.
    fn string_literal() -> impl Strategy<Value = String> {
        prop::collection::vec(encoded_char(), 0..12).prop_map(|cs| format!("\"{}\"", cs.concat()))
    }

    /// A key: one of the configured fields (some of them escaped), or any.
    fn key() -> impl Strategy<Value = String> {
        let known = prop::sample::select(vec![
            "id",
            "title",
            "text",
            "intitule",
            "description",
            "label",
            "meta",
            "a",
            "b",
            "a.b",
            "meta.id",
            "x",
        ]);
        let known = (known, any::<u8>()).prop_map(|(k, mask)| {
            let escaped: String = k
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask >> (i % 8) & 1 == 1 && mask & 0x80 != 0 {
                        format!("\\u{:04x}", u32::from(c))
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            format!("\"{escaped}\"")
        });
        prop_oneof![6 => known, 1 => string_literal()]
    }

    /// Whitespace as JSON allows it (mostly none).
    fn ws() -> impl Strategy<Value = &'static str> {
        prop_oneof![8 => Just(""), 2 => Just(" "), 1 => Just("\t"), 1 => Just("\r"), 1 => Just(" \n ")]
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => "-?(0|[1-9][0-9]{0,6})(\\.[0-9]{1,4})?",
            1 => "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,2})?[eE][+-]?[0-9]{1,3}",
            1 => "[0-9]{20,40}",
            1 => "-?0[0-9]|[0-9]+\\.|-|\\.[0-9]",
        ]
    }

    /// A JSON value, as text.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            number(),
            string_literal(),
            string_literal(),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec((ws(), inner.clone(), ws()), 0..5).prop_map(|items| {
                    let items: Vec<String> = items
                        .into_iter()
                        .map(|(a, v, b)| format!("{a}{v}{b}"))
                        .collect();
                    format!("[{}]", items.join(","))
                }),
                members(inner).prop_map(|m| format!("{{{m}}}")),
            ]
        })
    }

    /// The members of an object, with `value` for the values.
    fn members(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
        prop::collection::vec((ws(), key(), ws(), ws(), value, ws()), 0..6).prop_map(|ms| {
            let ms: Vec<String> = ms
                .into_iter()
                .map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"))
                .collect();
            ms.join(",")
        })
    }

    /// A JSON Lines record: an object, its fields mostly strings, most
    /// often with a `text`.
    fn record() -> impl Strategy<Value = String> {
        let field_value = || prop_oneof![6 => string_literal(), 1 => value()];
        let text = prop_oneof![
            1 => Just(None),
            3 => string_literal().prop_map(|t| Some(format!("\"text\":{t}"))),
        ];
        (
            ws(),
            members(field_value()),
            text,
            members(field_value()),
            ws(),
        )
            .prop_map(|(a, before, text, after, b)| {
                let members: Vec<String> = [Some(before), text, Some(after)]
                    .into_iter()
                    .flatten()
                    .filter(|m| !m.is_empty())
                    .collect();
                format!("{a}{{{}}}{b}", members.join(","))
            })
    }

    /// A change to a line: none, cut short, a byte changed, a byte added.
    #[derive(Clone, Debug)]
    enum Mutation {
        None,
        Truncate(prop::sample::Index),
        Flip(prop::sample::Index, u8),
        Insert(prop::sample::Index, u8),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let significant = prop::sample::select(b"{}[],:\"\\0-e. a\x01\xc3\xff".to_vec());
        prop_oneof![
            4 => Just(Mutation::None),
            1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
            1 => (any::<prop::sample::Index>(), 1u8..).prop_map(|(i, x)| Mutation::Flip(i, x)),
            1 => (any::<prop::sample::Index>(), significant).prop_map(|(i, b)| Mutation::Insert(i, b)),
        ]
    }

    fn mutate(line: &str, m: &Mutation) -> Vec<u8> {
        let mut bytes = line.as_bytes().to_vec();
        match m {
            Mutation::None => {}
            Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len() + 1)),
            Mutation::Flip(i, x) if !bytes.is_empty() => {
                let i = i.index(bytes.len());
                bytes[i] ^= x;
            }
            Mutation::Flip(..) => {}
            Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
        }
        bytes
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the line, the fast path and its fall back give exactly
        /// the record or the error serde_json's path gives.
        #[test]
        fn fast_path_reads_as_serde_json(line in record(), m in mutation()) {
            let bytes = mutate(&line, &m);
            for f in configurations() {
                same_both_ways(&f, &bytes);
            }
        }

        /// Any value where a field is expected, and any nesting around it.
        #[test]
        fn any_document_reads_as_serde_json(doc in value(), m in mutation()) {
            let bytes = mutate(&doc, &m);
            for f in configurations() {
                same_both_ways(&f, &bytes);
            }
        }
    }
}
