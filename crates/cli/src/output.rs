//! Renderers: turn outcomes into what the next reader wants: aligned lines
//! or explanations for a person, JSON / JSON Lines / CSV / TSV for a
//! program, or the input objects annotated in place for a pipeline.
//!
//! Every machine format writes exactly one output record per input record,
//! in input order, including failed records (with `label: null` and an
//! `error`), so that output and input stay aligned one-to-one.

use std::io::{self, Write};
use std::ops::Range;

use classify_core::{Evidence, EvidenceKind, FamilyScore, Label, Lexicon, Section, Verdict};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use crate::batch::{Outcome, Rendered};
use crate::input::{Record, RecordError};

/// Bytes of context on each side of a match in a snippet.
pub const SNIPPET_RADIUS: usize = 40;

/// Pieces of evidence shown per ad in the one-line format.
const TOP_EVIDENCE: usize = 3;

/// The output modes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Aligned lines for a person.
    Human,
    /// Per ad, family scores and every evidence item with its snippet.
    Explain,
    /// One JSON array.
    Json(Detail),
    /// One JSON object per line.
    Jsonl(Detail),
    /// Flat columns with this delimiter (`,` or tab).
    Delimited(u8),
    /// Input objects with one field (named here) added, holding the
    /// verdict.
    Annotate(String, Detail),
}

/// How much each evidence item of the JSON formats carries.
///
/// Batch runs write the compact form: entry, family, weights, flags, the
/// byte span and the matched words trace every label to the original text,
/// at a little over one output byte per input byte. Snippets (the words
/// around each match) are for reading the output, and cost about three
/// more bytes per input byte: they come with `--explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// No snippet.
    Compact,
    /// Each evidence item with its snippet.
    Snippets,
}

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Emit ANSI escape codes.
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn label_code(label: Label) -> &'static str {
        match label {
            Label::Cm => "1;32",
            Label::Smm => "1;34",
            Label::Strategist => "1;35",
            Label::Hybrid => "1;33",
            Label::None => "2",
        }
    }

    /// The markers around the matched words of a snippet.
    fn marks(self) -> (&'static str, &'static str) {
        if self.color {
            ("\x1b[1;4;33m", "\x1b[0m")
        } else {
            ("[", "]")
        }
    }
}

/// Writes outcomes in one mode.
pub struct Renderer {
    mode: Mode,
    style: Style,
    written: u64,
}

impl Renderer {
    /// A renderer for `mode`, on one thread.
    pub fn new(mode: Mode, style: Style) -> Renderer {
        Renderer {
            mode,
            style,
            written: 0,
        }
    }

    /// Whether the mode is for a person (the one-line and `--explain`
    /// formats) rather than for a program.
    pub fn for_people(&self) -> bool {
        matches!(self.mode, Mode::Human | Mode::Explain)
    }

    /// Writes one batch of outcomes, in order, using the bytes the workers
    /// rendered when there are some for every outcome, and hands each
    /// failed record to `report` (which prints it on standard error), so
    /// that every error appears once for each reader: in the formats for
    /// programs it also gets its output record, in place; in the formats
    /// for people, which share the terminal with standard error, it gets
    /// no line of its own, and `out` is flushed before each report so that
    /// the error shows between the lines around it.
    pub fn batch(
        &mut self,
        out: &mut dyn Write,
        outcomes: &[Outcome],
        rendered: &Rendered,
        report: &mut dyn FnMut(&RecordError),
    ) -> io::Result<()> {
        if !self.for_people() {
            for o in outcomes {
                if let Outcome::Failed(e) = o {
                    report(e);
                }
            }
        }
        let prerendered = rendered.len() == outcomes.len();
        let mut buf = Vec::new();
        let mode = self.mode.clone();
        match &mode {
            Mode::Human => self.human(out, outcomes, report)?,
            Mode::Explain => {
                for o in outcomes {
                    match o {
                        Outcome::Classified(r, v) => self.explain(out, r, v)?,
                        Outcome::Failed(e) => {
                            out.flush()?;
                            report(e);
                        }
                    }
                }
            }
            Mode::Json(_) => {
                for (i, o) in outcomes.iter().enumerate() {
                    let sep: &[u8] = if self.written == 0 {
                        b"[\n  "
                    } else {
                        b",\n  "
                    };
                    out.write_all(sep)?;
                    if prerendered {
                        out.write_all(rendered.item(i))?;
                    } else {
                        buf.clear();
                        render_item(&mode, o, &mut buf, &EvidenceHeads::default());
                        out.write_all(&buf)?;
                    }
                    self.written += 1;
                }
            }
            Mode::Jsonl(_) | Mode::Annotate(..) => {
                if prerendered {
                    out.write_all(rendered.bytes())?;
                } else {
                    for o in outcomes {
                        render_item(&mode, o, &mut buf, &EvidenceHeads::default());
                    }
                    out.write_all(&buf)?;
                }
            }
            Mode::Delimited(delimiter) => {
                for o in outcomes {
                    self.delimited(out, *delimiter, o)?;
                }
            }
        }
        out.flush()
    }

    /// Closes the output (the JSON array's bracket).
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if matches!(self.mode, Mode::Json(_)) {
            if self.written == 0 {
                writeln!(out, "[]")?;
            } else {
                writeln!(out, "\n]")?;
            }
        }
        if let Mode::Delimited(delimiter) = self.mode {
            // Header only, for an empty input.
            if self.written == 0 {
                write_row(out, delimiter, &delimited_header())?;
            }
        }
        out.flush()
    }

    fn human(
        &mut self,
        out: &mut dyn Write,
        outcomes: &[Outcome],
        report: &mut dyn FnMut(&RecordError),
    ) -> io::Result<()> {
        let width = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Classified(..)))
            .map(|o| o.id().chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for o in outcomes {
            let id = o.id();
            let pad = width.saturating_sub(id.chars().count());
            match o {
                Outcome::Classified(_, v) => {
                    let label = format!("{:<10}", v.label.as_str());
                    let evidence: Vec<String> = v
                        .strongest_evidence()
                        .into_iter()
                        .take(TOP_EVIDENCE)
                        .map(|e| format!("{} ({})", e.entry, e.family))
                        .collect();
                    let line = format!(
                        "{id}{:pad$}  {}  {:.2}  {}",
                        "",
                        self.style.paint(Style::label_code(v.label), &label),
                        v.confidence,
                        evidence.join(", "),
                    );
                    writeln!(out, "{}", line.trim_end())?;
                }
                Outcome::Failed(e) => {
                    out.flush()?;
                    report(e);
                }
            }
        }
        Ok(())
    }

    fn explain(&mut self, out: &mut dyn Write, record: &Record, v: &Verdict) -> io::Result<()> {
        let st = self.style;
        if self.written > 0 {
            writeln!(out)?;
        }
        self.written += 1;
        writeln!(
            out,
            "{}  {}  confidence {:.2}  ({})",
            st.paint("1", &record.id),
            st.paint(Style::label_code(v.label), v.label.as_str()),
            v.confidence,
            record.source
        )?;
        if !record.title.is_empty() {
            writeln!(out, "  title: {}", flatten(&record.title))?;
        }
        let scores: Vec<String> = v
            .scores
            .iter()
            .map(|s| format!("{} {:.2}", s.label, s.score))
            .collect();
        writeln!(out, "  scores: {}", scores.join("  "))?;
        writeln!(
            out,
            "  social: {:.2} (share {:.2})",
            v.social, v.social_share
        )?;
        if !v.rome.is_empty() {
            writeln!(out, "  rome: {}", v.rome.join(", "))?;
        }
        // Families with evidence (for or against) get a line each; the
        // others, all at 0, are only named, so the ones that count stand out.
        let (found, silent): (Vec<&FamilyScore>, Vec<&FamilyScore>) = v
            .families
            .iter()
            .partition(|f| f.raw != 0.0 || v.evidence.iter().any(|e| e.family == f.family));
        writeln!(out, "  families:")?;
        let fw = found.iter().map(|f| f.family.len()).max().unwrap_or(0);
        for f in &found {
            writeln!(
                out,
                "    {:<fw$}  {:<10}  {:.2}  (raw {:+.2})",
                f.family, f.axis, f.score, f.raw
            )?;
        }
        if !silent.is_empty() {
            // Wrapped under 80 columns.
            let mut line = String::from("    no evidence:");
            for (i, f) in silent.iter().enumerate() {
                let sep = if i + 1 < silent.len() { "," } else { "" };
                if line.len() + 1 + f.family.len() + sep.len() > 79 {
                    writeln!(out, "{line}")?;
                    line = String::from("                ");
                }
                line.push(' ');
                line.push_str(&f.family);
                line.push_str(sep);
            }
            writeln!(out, "{line}")?;
        }
        writeln!(out, "  evidence:")?;
        if v.evidence.is_empty() {
            writeln!(out, "    (none)")?;
        }
        for e in &v.evidence {
            let mut flags = Vec::new();
            if e.negated {
                flags.push("negated");
            }
            if e.deferred {
                flags.push("deferred");
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            };
            writeln!(
                out,
                "    {:<8} {} ({}) weight {:.2} contribution {:+.2}{flags}",
                e.kind.as_str(),
                st.paint("1", &e.entry),
                e.family,
                e.weight,
                e.contribution
            )?;
            let text = section_text(record, e);
            writeln!(
                out,
                "             {} {}..{}: {}",
                section_str(e.section),
                e.span.start,
                e.span.end,
                snippet(text, e.span.clone(), SNIPPET_RADIUS, st.marks())
            )?;
        }
        Ok(())
    }

    fn delimited(&mut self, out: &mut dyn Write, delimiter: u8, o: &Outcome) -> io::Result<()> {
        if self.written == 0 {
            write_row(out, delimiter, &delimited_header())?;
        }
        self.written += 1;
        let mut row = vec![flatten(o.id())];
        match o {
            Outcome::Classified(_, v) => {
                row.push(v.label.to_string());
                row.push(format!("{:.4}", v.confidence));
                row.extend(Label::ALL.iter().map(|&l| format!("{:.4}", v.score(l))));
                let terms: Vec<&str> = v
                    .strongest_evidence()
                    .into_iter()
                    .take(TOP_EVIDENCE)
                    .map(|e| e.entry.as_str())
                    .collect();
                row.push(terms.join("; "));
                row.push(String::new());
            }
            Outcome::Failed(e) => {
                row.extend(vec![String::new(); 2 + Label::ALL.len() + 1]);
                row.push(flatten(&e.to_string()));
            }
        }
        write_row(out, delimiter, &row)
    }
}

/// The header of the CSV and TSV formats.
fn delimited_header() -> Vec<String> {
    let mut header = vec!["id".to_string(), "label".into(), "confidence".into()];
    header.extend(Label::ALL.iter().map(|l| l.as_str().to_string()));
    header.extend(["evidence".to_string(), "error".into()]);
    header
}

/// Writes one CSV or TSV row, quoted where needed.
fn write_row(out: &mut dyn Write, delimiter: u8, row: &[String]) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .buffer_capacity(1024)
        .from_writer(out);
    w.write_record(row).map_err(csv_io)?;
    w.flush()
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn section_str(s: Section) -> &'static str {
    match s {
        Section::Title => "title",
        Section::Body => "body",
    }
}

fn section_text<'r>(record: &'r Record, e: &Evidence) -> &'r str {
    match e.section {
        Section::Title => &record.title,
        Section::Body => &record.text,
    }
}

/// Replaces every run of whitespace (newlines included) with one space.
pub fn flatten(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The matched words of `span` with up to `radius` bytes of context each
/// side (snapped to character boundaries, whitespace flattened), the match
/// between `marks`, `…` where the text was cut.
pub fn snippet(text: &str, span: Range<usize>, radius: usize, marks: (&str, &str)) -> String {
    let mut out = String::new();
    snippet_into(text, span, radius, marks, &mut out);
    out
}

/// [`snippet`], appended to `out`.
pub fn snippet_into(
    text: &str,
    span: Range<usize>,
    radius: usize,
    marks: (&str, &str),
    out: &mut String,
) {
    let s = floor_boundary(text, span.start);
    let e = ceil_boundary(text, span.end.max(s));
    let from = floor_boundary(text, s.saturating_sub(radius));
    let to = ceil_boundary(text, e.saturating_add(radius));
    if from > 0 {
        out.push('…');
    }
    push_flat(out, &text[from..s], true, false);
    out.push_str(marks.0);
    push_flat(out, &text[s..e], true, true);
    out.push_str(marks.1);
    push_flat(out, &text[e..to], false, true);
    if to < text.len() {
        out.push('…');
    }
}

/// Appends [`flatten`]`(s)`, without its leading space when `trim_start`
/// and without its trailing space when `trim_end`.
fn push_flat(out: &mut String, s: &str, trim_start: bool, trim_end: bool) {
    let mut space = false;
    let mut any = false;
    let mut rest = s;
    while !rest.is_empty() {
        // A run of word characters, copied at once…
        let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if word > 0 {
            if space && (any || !trim_start) {
                out.push(' ');
            }
            space = false;
            any = true;
            out.push_str(&rest[..word]);
            rest = &rest[word..];
        }
        // …then a run of whitespace, which becomes at most one space.
        let blank = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        if blank > 0 {
            space = true;
            rest = &rest[blank..];
        }
    }
    if space && !trim_end && (any || !trim_start) {
        out.push(' ');
    }
}

/// The matched words of a piece of evidence, as written in the ad.
fn matched<'r>(record: &'r Record, e: &Evidence) -> &'r str {
    let text = section_text(record, e);
    text.get(e.span.clone()).unwrap_or("")
}

/// The machine-readable verdict of one record, as a JSON value (the same
/// document [`OutcomeJson`] writes).
pub fn outcome_json(o: &Outcome, detail: Detail) -> Value {
    serde_json::to_value(OutcomeJson(o, detail)).expect("verdicts serialize")
}

/// The machine-readable verdict of one record, serialized as it goes (no
/// JSON tree is built): `id`, `source`, `label`, `confidence`, `scores`,
/// `social`, `families`, `evidence`, `rome`, `error`; a failed record has
/// `null` for every verdict field and its message in `error`.
pub struct OutcomeJson<'a>(pub &'a Outcome, pub Detail);

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", o.id())?;
        map.serialize_entry("source", &Shown(o.source()))?;
        match o {
            Outcome::Classified(record, v) => {
                map.serialize_entry("label", v.label.as_str())?;
                map.serialize_entry("confidence", &v.confidence)?;
                map.serialize_entry("scores", &Scores(v))?;
                map.serialize_entry("social", &v.social)?;
                map.serialize_entry("families", &Families(v))?;
                map.serialize_entry("evidence", &EvidenceList(record, v, self.1))?;
                map.serialize_entry("rome", &v.rome)?;
                map.serialize_entry("error", &())?;
            }
            Outcome::Failed(e) => {
                for key in [
                    "label",
                    "confidence",
                    "scores",
                    "social",
                    "families",
                    "evidence",
                    "rome",
                ] {
                    map.serialize_entry(key, &())?;
                }
                map.serialize_entry("error", &e.message)?;
            }
        }
        map.end()
    }
}

/// A value serialized as the string its `Display` prints.
struct Shown<'a, T: std::fmt::Display>(&'a T);

impl<T: std::fmt::Display> Serialize for Shown<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// `{"CM": score, …}` in label order.
struct Scores<'a>(&'a Verdict);

impl Serialize for Scores<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.scores.iter().map(|s| (s.label.as_str(), s.score)))
    }
}

/// `{"family": score, …}` in lexicon order.
struct Families<'a>(&'a Verdict);

impl Serialize for Families<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.families.iter().map(|f| (&f.family, f.score)))
    }
}

/// Every evidence item, with its matched words and snippet.
struct EvidenceList<'a>(&'a Record, &'a Verdict, Detail);

impl Serialize for EvidenceList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let record = self.0;
        let detail = self.2;
        serializer.collect_seq(
            self.1
                .evidence
                .iter()
                .map(|e| EvidenceJson(record, e, detail)),
        )
    }
}

struct EvidenceJson<'a>(&'a Record, &'a Evidence, Detail);

impl Serialize for EvidenceJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (record, e) = (self.0, self.1);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("entry", &e.entry)?;
        map.serialize_entry("kind", e.kind.as_str())?;
        map.serialize_entry("family", &e.family)?;
        map.serialize_entry("weight", &e.weight)?;
        map.serialize_entry("contribution", &e.contribution)?;
        map.serialize_entry("negated", &e.negated)?;
        map.serialize_entry("deferred", &e.deferred)?;
        map.serialize_entry("section", section_str(e.section))?;
        map.serialize_entry("span", &[e.span.start, e.span.end])?;
        map.serialize_entry("match", matched(record, e))?;
        if self.2 == Detail::Snippets {
            let text = section_text(record, e);
            let mut snippet = String::with_capacity(2 * SNIPPET_RADIUS + e.span.len() + 8);
            snippet_into(text, e.span.clone(), SNIPPET_RADIUS, ("", ""), &mut snippet);
            map.serialize_entry("snippet", &snippet)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------
// Direct JSON writing: the bytes `OutcomeJson` serializes to, written
// without going through serde (no intermediate snippet string, one pass of
// flattening and escaping, fixed keys written as literals). The tests check
// it against `OutcomeJson` byte for byte.
// ---------------------------------------------------------------------------

/// Byte classes for [`write_escaped`] and [`write_flat_escaped`].
const PLAIN: u8 = 0;
/// `"`, `\` and the control characters that are not whitespace.
const ESCAPE: u8 = 1;
/// ASCII whitespace (`\t` to `\r`, space): escaped, or flattened.
const SPACE: u8 = 2;
/// The first byte of a multi-byte character that may be whitespace
/// (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
/// U+205F, U+3000).
const MAYBE_SPACE: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = ESCAPE;
        b += 1;
    }
    t[b'"' as usize] = ESCAPE;
    t[b'\\' as usize] = ESCAPE;
    let mut b = 0x09;
    while b <= 0x0D {
        t[b] = SPACE;
        b += 1;
    }
    t[b' ' as usize] = SPACE;
    t[0xC2] = MAYBE_SPACE;
    t[0xE1] = MAYBE_SPACE;
    t[0xE2] = MAYBE_SPACE;
    t[0xE3] = MAYBE_SPACE;
    t
};

/// Writes the JSON escape of the ASCII byte `b` (`"`, `\` or a control
/// character), as serde_json does.
fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0A => b'n',
        0x0C => b'f',
        0x0D => b'r',
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xF)]);
            return;
        }
    };
    out.push(b'\\');
    out.push(short);
}

/// Writes one of the library's fixed names (labels, kinds) as a JSON
/// string: they hold nothing to escape.
fn write_name(out: &mut Vec<u8>, name: &'static str) {
    debug_assert!(!name.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// Writes `s` as a JSON string, quotes included.
fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    write_escaped(out, s);
    out.push(b'"');
}

/// Writes the escaped contents of a JSON string: runs of plain bytes are
/// copied at once.
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Most strings need no escape: one pass without early exit tells, and
    // they are copied whole.
    let plain = bytes.iter().fold(true, |plain, &b| {
        plain & (b >= 0x20 && b != b'"' && b != b'\\')
    });
    if plain {
        out.extend_from_slice(bytes);
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x20 || b == b'"' || b == b'\\' {
            out.extend_from_slice(&bytes[run..i]);
            push_escape(out, b);
            run = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// The length of the whitespace character starting at `i`, or 0.
#[inline]
fn space_len(bytes: &[u8], i: usize) -> usize {
    match CLASS[usize::from(bytes[i])] {
        SPACE => 1,
        MAYBE_SPACE => {
            let rest = &bytes[i..];
            let n = match rest[0] {
                0xC2 => 2,
                _ => 3,
            };
            match std::str::from_utf8(&rest[..n.min(rest.len())]) {
                Ok(c) if c.chars().next().is_some_and(char::is_whitespace) => n,
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// [`push_flat`] and [`write_escaped`] in one pass: every run of
/// whitespace becomes one space (none at the start when `trim_start`, none
/// at the end when `trim_end`), and the rest is escaped.
fn write_flat_escaped(out: &mut Vec<u8>, s: &str, trim_start: bool, trim_end: bool) {
    let bytes = s.as_bytes();
    let mut space = false;
    let mut any = false;
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let class = CLASS[usize::from(bytes[i])];
        if class != PLAIN {
            let n = space_len(bytes, i);
            if n > 0 {
                out.extend_from_slice(&bytes[run..i]);
                space = true;
                i += n;
                run = i;
                continue;
            }
        }
        // A character that is not whitespace starts at `i`.
        if space {
            if any || !trim_start {
                out.push(b' ');
            }
            space = false;
        }
        any = true;
        if class == ESCAPE {
            out.extend_from_slice(&bytes[run..i]);
            push_escape(out, bytes[i]);
            run = i + 1;
        }
        i += 1;
        // The run goes on over plain bytes and over single spaces between
        // them, which flattening keeps as they are.
        while let Some(&b) = bytes.get(i) {
            if CLASS[usize::from(b)] == PLAIN {
                i += 1;
            } else if b == b' '
                && bytes
                    .get(i + 1)
                    .is_some_and(|&c| CLASS[usize::from(c)] == PLAIN)
            {
                i += 2;
            } else {
                break;
            }
        }
    }
    out.extend_from_slice(&bytes[run..]);
    if space && !trim_end && (any || !trim_start) {
        out.push(b' ');
    }
}

/// Writes a number as serde_json does (`null` when not finite).
fn write_f64(out: &mut Vec<u8>, v: f64) {
    use serde_json::ser::Formatter;
    let mut f = serde_json::ser::CompactFormatter;
    let written = if v.is_finite() {
        f.write_f64(out, v)
    } else {
        f.write_null(out)
    };
    written.expect("writing to a Vec cannot fail");
}

fn write_u64(out: &mut Vec<u8>, v: u64) {
    use serde_json::ser::Formatter;
    serde_json::ser::CompactFormatter
        .write_u64(out, v)
        .expect("writing to a Vec cannot fail");
}

/// The snippet of [`snippet`] without marks, written as a JSON string.
fn write_snippet(out: &mut Vec<u8>, text: &str, span: Range<usize>, radius: usize) {
    let s = floor_boundary(text, span.start);
    let e = ceil_boundary(text, span.end.max(s));
    let from = floor_boundary(text, s.saturating_sub(radius));
    let to = ceil_boundary(text, e.saturating_add(radius));
    out.push(b'"');
    if from > 0 {
        out.extend_from_slice("…".as_bytes());
    }
    write_flat_escaped(out, &text[from..s], true, false);
    write_flat_escaped(out, &text[s..e], true, true);
    write_flat_escaped(out, &text[e..to], false, true);
    if to < text.len() {
        out.extend_from_slice("…".as_bytes());
    }
    out.push(b'"');
}

/// Writes the document [`OutcomeJson`] serializes to, byte for byte.
pub fn write_outcome(out: &mut Vec<u8>, o: &Outcome, detail: Detail, heads: &EvidenceHeads) {
    out.extend_from_slice(b"{\"id\":");
    write_str(out, o.id());
    out.extend_from_slice(b",\"source\":\"");
    let source = o.source();
    write_escaped(out, &source.file);
    if let Some(line) = source.line {
        out.push(b':');
        write_u64(out, line);
    }
    out.push(b'"');
    match o {
        Outcome::Classified(record, v) => {
            out.extend_from_slice(b",\"label\":");
            write_name(out, v.label.as_str());
            out.extend_from_slice(b",\"confidence\":");
            write_f64(out, v.confidence);
            out.extend_from_slice(b",\"scores\":{");
            for (i, s) in v.scores.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_name(out, s.label.as_str());
                out.push(b':');
                write_f64(out, s.score);
            }
            out.extend_from_slice(b"},\"social\":");
            write_f64(out, v.social);
            out.extend_from_slice(b",\"families\":{");
            for (i, f) in v.families.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, &f.family);
                out.push(b':');
                write_f64(out, f.score);
            }
            out.extend_from_slice(b"},\"evidence\":[");
            for (i, e) in v.evidence.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_evidence(out, record, e, detail, heads);
            }
            out.extend_from_slice(b"],\"rome\":[");
            for (i, r) in v.rome.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, r);
            }
            out.extend_from_slice(b"],\"error\":null}");
        }
        Outcome::Failed(e) => {
            out.extend_from_slice(
                b",\"label\":null,\"confidence\":null,\"scores\":null,\"social\":null,\
                  \"families\":null,\"evidence\":null,\"rome\":null,\"error\":",
            );
            write_str(out, &e.message);
            out.push(b'}');
        }
    }
}

/// Writes an evidence item's fields that depend only on its lexicon entry,
/// up to the contribution's key.
fn write_evidence_head(out: &mut Vec<u8>, e: &Evidence) {
    out.extend_from_slice(b"{\"entry\":");
    write_str(out, &e.entry);
    out.extend_from_slice(b",\"kind\":");
    write_name(out, e.kind.as_str());
    out.extend_from_slice(b",\"family\":");
    write_str(out, &e.family);
    out.extend_from_slice(b",\"weight\":");
    write_f64(out, e.weight);
    out.extend_from_slice(b",\"contribution\":");
}

/// The JSON of every lexicon entry's evidence head (entry, kind, family,
/// weight), written once for the run instead of escaped and formatted again
/// for each of the tens of items of every ad.
#[derive(Debug, Default)]
pub struct EvidenceHeads {
    /// Per entry index: the evidence item the head was written from, and
    /// the bytes.
    heads: Vec<(Evidence, Vec<u8>)>,
}

impl EvidenceHeads {
    /// The heads of `lexicon`'s entries.
    pub fn new(lexicon: &Lexicon) -> EvidenceHeads {
        let heads = lexicon
            .entries()
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let e = Evidence {
                    entry: entry.term.clone(),
                    index,
                    kind: EvidenceKind::of(&entry.kind),
                    family: lexicon.evidence_family(entry).to_string(),
                    weight: entry.weight,
                    contribution: 0.0,
                    negated: false,
                    deferred: false,
                    section: Section::Title,
                    span: 0..0,
                };
                let mut bytes = Vec::new();
                write_evidence_head(&mut bytes, &e);
                (e, bytes)
            })
            .collect();
        EvidenceHeads { heads }
    }

    /// The heads of `lexicon`'s entries when `mode` writes JSON items, none
    /// otherwise (they would cost a one-ad run its time for nothing).
    pub fn for_mode(mode: &Mode, lexicon: &Lexicon) -> EvidenceHeads {
        if matches!(mode, Mode::Json(_) | Mode::Jsonl(_) | Mode::Annotate(..)) {
            EvidenceHeads::new(lexicon)
        } else {
            EvidenceHeads::default()
        }
    }

    /// Writes `e`'s head: the stored bytes when `e` is what its index
    /// says (always, for the verdicts of the classifier whose lexicon this
    /// is), written afresh otherwise.
    fn write(&self, out: &mut Vec<u8>, e: &Evidence) {
        match self.heads.get(e.index) {
            Some((h, bytes))
                if h.entry == e.entry
                    && h.kind == e.kind
                    && h.family == e.family
                    && h.weight.to_bits() == e.weight.to_bits() =>
            {
                out.extend_from_slice(bytes)
            }
            _ => write_evidence_head(out, e),
        }
    }
}

fn write_evidence(
    out: &mut Vec<u8>,
    record: &Record,
    e: &Evidence,
    detail: Detail,
    heads: &EvidenceHeads,
) {
    heads.write(out, e);
    write_f64(out, e.contribution);
    // The flags, then the section, as literals.
    const FLAGS: [&[u8]; 4] = [
        b",\"negated\":false,\"deferred\":false,\"section\":",
        b",\"negated\":true,\"deferred\":false,\"section\":",
        b",\"negated\":false,\"deferred\":true,\"section\":",
        b",\"negated\":true,\"deferred\":true,\"section\":",
    ];
    out.extend_from_slice(FLAGS[usize::from(e.negated) | usize::from(e.deferred) << 1]);
    out.extend_from_slice(match e.section {
        Section::Body => b"\"body\",\"span\":[",
        Section::Title => b"\"title\",\"span\":[",
    });
    write_u64(out, e.span.start as u64);
    out.push(b',');
    write_u64(out, e.span.end as u64);
    out.extend_from_slice(b"],\"match\":");
    write_str(out, matched(record, e));
    if detail == Detail::Snippets {
        out.extend_from_slice(b",\"snippet\":");
        write_snippet(out, section_text(record, e), e.span.clone(), SNIPPET_RADIUS);
    }
    out.push(b'}');
}

/// How one outcome is rendered in the machine formats (`json`, `jsonl`,
/// `--annotate`), on any thread: the workers render while they classify,
/// and [`Renderer::batch`] writes their bytes. `None` for the formats
/// rendered in order on one thread.
pub fn item_renderer<'a>(
    mode: &'a Mode,
    heads: &'a EvidenceHeads,
) -> Option<impl Fn(&Outcome, &mut Vec<u8>) + Sync + 'a> {
    if !matches!(mode, Mode::Json(_) | Mode::Jsonl(_) | Mode::Annotate(..)) {
        return None;
    }
    Some(move |o: &Outcome, buf: &mut Vec<u8>| render_item(mode, o, buf, heads))
}

/// One outcome in a machine format, with its line end (`jsonl`,
/// `--annotate`) or without (`json`, whose separators [`Renderer::batch`]
/// writes).
fn render_item(mode: &Mode, o: &Outcome, buf: &mut Vec<u8>, heads: &EvidenceHeads) {
    match mode {
        Mode::Json(detail) => write_outcome(buf, o, *detail, heads),
        Mode::Jsonl(detail) => {
            write_outcome(buf, o, *detail, heads);
            buf.push(b'\n');
        }
        Mode::Annotate(field, detail) => {
            annotate_into(buf, o, field, *detail, heads);
            buf.push(b'\n');
        }
        _ => unreachable!("only the machine formats render items"),
    }
}

/// Appends the original JSON line with `field` added (or replaced) holding
/// the verdict; the rest of the line is kept byte for byte when the field
/// is new. A line that was not a JSON object becomes `{field: verdict}`.
///
/// A new field is spliced in before the line's final `}` (the line is only
/// scanned for its top-level keys, no JSON tree is built); a field the line
/// already holds is replaced by re-serializing the object.
pub fn annotate_into(
    out: &mut Vec<u8>,
    o: &Outcome,
    field: &str,
    detail: Detail,
    heads: &EvidenceHeads,
) {
    let raw = match o {
        Outcome::Classified(r, _) => r.raw.as_deref(),
        Outcome::Failed(e) => e.raw.as_deref(),
    };
    let keys = raw.and_then(|raw| scan_keys(raw, field));
    match (raw, keys) {
        (Some(raw), Some(keys)) if !keys.has_field => {
            let body = raw.trim_end();
            let body = body.strip_suffix('}').unwrap_or(body).trim_end();
            out.extend_from_slice(body.as_bytes());
            if !keys.empty {
                out.push(b',');
            }
            write_str(out, field);
            out.push(b':');
            write_outcome(out, o, detail, heads);
            out.push(b'}');
        }
        (Some(raw), Some(_)) => {
            let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(raw) else {
                unreachable!("scanned as an object");
            };
            map.insert(field.to_string(), outcome_json(o, detail));
            serde_json::to_writer(&mut *out, &map).expect("values serialize");
        }
        _ => {
            out.push(b'{');
            write_str(out, field);
            out.push(b':');
            write_outcome(out, o, detail, heads);
            out.push(b'}');
        }
    }
}

/// What [`scan_keys`] found at the top level of an object.
struct Keys {
    empty: bool,
    has_field: bool,
}

/// The top-level keys of `raw` when it is one JSON object (values skipped,
/// nothing kept), or `None`.
fn scan_keys(raw: &str, field: &str) -> Option<Keys> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Scan<'f>(&'f str);
    struct IsField<'f>(&'f str);

    impl<'de> DeserializeSeed<'de> for IsField<'_> {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl Visitor<'_> for IsField<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a key")
        }
        fn visit_str<E>(self, key: &str) -> Result<bool, E> {
            Ok(key == self.0)
        }
    }
    impl<'de> DeserializeSeed<'de> for Scan<'_> {
        type Value = Keys;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Keys, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Scan<'_> {
        type Value = Keys;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
            let mut keys = Keys {
                empty: true,
                has_field: false,
            };
            while let Some(is_field) = map.next_key_seed(IsField(self.0))? {
                map.next_value::<IgnoredAny>()?;
                keys.empty = false;
                keys.has_field |= is_field;
            }
            Ok(keys)
        }
    }

    let mut de = serde_json::Deserializer::from_str(raw);
    let keys = Scan(field).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_snap_to_char_boundaries_and_flatten() {
        let text = "Vous   animez\nnos réseaux sociaux et modérez les commentaires";
        let start = text.find("réseaux").unwrap();
        let span = start..start + "réseaux".len();
        assert_eq!(
            snippet(text, span.clone(), 10, ("[", "]")),
            "…nimez nos [réseaux] sociaux e…"
        );
        // A radius landing inside "é" must not panic.
        for r in 0..20 {
            let _ = snippet(text, span.clone(), r, ("[", "]"));
        }
        assert_eq!(snippet("abc", 0..3, 40, ("<", ">")), "<abc>");
    }

    /// The definition `snippet_into` must keep, written the obvious way.
    fn naive_snippet(text: &str, span: Range<usize>, radius: usize) -> String {
        let s = floor_boundary(text, span.start);
        let e = ceil_boundary(text, span.end.max(s));
        let from = floor_boundary(text, s.saturating_sub(radius));
        let to = ceil_boundary(text, e.saturating_add(radius));
        format!(
            "{}{}[{}]{}{}",
            if from > 0 { "…" } else { "" },
            flatten(&text[from..s]).trim_start(),
            flatten(&text[s..e]).trim(),
            flatten(&text[e..to]).trim_end(),
            if to < text.len() { "…" } else { "" },
        )
    }

    #[test]
    fn snippets_agree_with_the_naive_definition() {
        let texts = [
            "",
            " ",
            "a",
            "  a  ",
            "Vous\u{00A0} animez\n\n nos  réseaux\tsociaux ",
            "\n\n- modérer\r\n- publier\u{2003}les posts  ",
        ];
        for text in texts {
            for start in 0..=text.len() {
                for end in start..=text.len() {
                    for radius in [0, 1, 3, 40] {
                        assert_eq!(
                            snippet(text, start..end, radius, ("[", "]")),
                            naive_snippet(text, start..end, radius),
                            "{text:?} {start}..{end} radius {radius}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn streamed_json_is_the_value_json() {
        use classify_core::{Ad, Classifier};
        let classifier = Classifier::new();
        let record = Record {
            id: "x".into(),
            title: "Community Manager H/F".into(),
            text: "Vous animez nos réseaux sociaux,\n modérez les commentaires et \
                   rédigez les publications ; sans budget."
                .into(),
            source: crate::input::Location {
                file: "f.jsonl".into(),
                line: Some(3),
            },
            label: None,
            raw: None,
        };
        let heads = EvidenceHeads::new(classifier.lexicon());
        let mut verdict = classifier.classify(&Ad::new(&record.title, &record.text));
        assert!(verdict.evidence.len() > 2);
        // Items that are not what their index says (another lexicon's)
        // are written from their own fields.
        verdict.evidence[0].entry.push_str(" \"quoted\"");
        verdict.evidence[1].index = usize::MAX;
        verdict.evidence[2].weight += 0.5;
        let failed = Outcome::Failed(crate::input::RecordError {
            source: record.source.clone(),
            id: "y".into(),
            message: "empty \"ad\"".into(),
            raw: None,
        });
        for o in [Outcome::Classified(record, verdict), failed] {
            for (detail, heads) in [
                (Detail::Compact, &EvidenceHeads::default()),
                (Detail::Compact, &heads),
                (Detail::Snippets, &heads),
            ] {
                let streamed = serde_json::to_string(&OutcomeJson(&o, detail)).unwrap();
                assert_eq!(streamed, outcome_json(&o, detail).to_string());
                let mut direct = Vec::new();
                write_outcome(&mut direct, &o, detail, heads);
                assert_eq!(String::from_utf8(direct).unwrap(), streamed);
                let snippets = streamed.matches("\"snippet\":").count();
                match (&o, detail) {
                    (Outcome::Classified(_, v), Detail::Snippets) => {
                        assert_eq!(snippets, v.evidence.len())
                    }
                    _ => assert_eq!(snippets, 0),
                }
            }
        }
    }

    #[test]
    fn direct_json_is_serde_json_on_hostile_text() {
        use classify_core::{Ad, Classifier};
        let classifier = Classifier::new();
        let mut texts: Vec<String> = vec![
            "Community manager\u{0}\u{1f}\"quoted\" back\\slash \t tab\u{b}\u{c}\r\n animer les réseaux sociaux".into(),
            "\u{85}\u{a0}\u{1680}\u{2000}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000} animer \u{2019}\u{e9}\u{1f680} les réseaux sociaux \u{7f}".into(),
        ];
        let all: String = (0u8..0x80).map(char::from).collect();
        texts.push(format!("{all} animer les réseaux sociaux {all}"));
        for text in texts {
            let record = Record {
                id: format!("id \u{1} {text}"),
                title: format!("Community Manager {text}"),
                text: text.clone(),
                source: crate::input::Location {
                    file: "dir/\"odd\"\nname.jsonl".into(),
                    line: Some(7),
                },
                label: None,
                raw: None,
            };
            let verdict = classifier.classify(&Ad::new(&record.title, &record.text));
            assert!(!verdict.evidence.is_empty(), "{text:?}");
            let o = Outcome::Classified(record, verdict);
            let heads = EvidenceHeads::new(classifier.lexicon());
            for detail in [Detail::Compact, Detail::Snippets] {
                let mut direct = Vec::new();
                write_outcome(&mut direct, &o, detail, &heads);
                let streamed = serde_json::to_string(&OutcomeJson(&o, detail)).unwrap();
                assert_eq!(String::from_utf8(direct).unwrap(), streamed, "{text:?}");
            }
        }
    }

    #[test]
    fn flat_escaping_is_flatten_then_escape() {
        let texts = [
            "",
            " ",
            "a",
            "  a  ",
            "Vous\u{00A0} animez\n\n nos  \"réseaux\"\tsociaux ",
            "\n\n- modérer\r\n- publier\u{2003}les posts  \u{1}\\",
            "\u{2019}\u{2009}\u{85}x\u{c2a0}",
        ];
        for text in texts {
            for (trim_start, trim_end) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                let mut flat = String::new();
                push_flat(&mut flat, text, trim_start, trim_end);
                let expected = serde_json::to_string(&flat).unwrap();
                let mut direct = vec![b'"'];
                write_flat_escaped(&mut direct, text, trim_start, trim_end);
                direct.push(b'"');
                assert_eq!(String::from_utf8(direct).unwrap(), expected, "{text:?}");
            }
        }
    }

    #[test]
    fn annotate_splices_or_replaces() {
        let failed = |raw: Option<&str>| {
            Outcome::Failed(crate::input::RecordError {
                source: crate::input::Location {
                    file: "f".into(),
                    line: Some(1),
                },
                id: "x".into(),
                message: "m".into(),
                raw: raw.map(String::from),
            })
        };
        let verdict = r#"{"id":"x","source":"f:1","label":null,"confidence":null,"scores":null,"social":null,"families":null,"evidence":null,"rome":null,"error":"m"}"#;
        let cases = [
            (Some(r#"{"a":1} "#), format!(r#"{{"a":1,"c":{verdict}}}"#)),
            (Some(r#"{ }"#), format!(r#"{{"c":{verdict}}}"#)),
            (
                Some(r#"{"c":0,"a":1}"#),
                format!(r#"{{"c":{verdict},"a":1}}"#),
            ),
            (Some(r#"[1]"#), format!(r#"{{"c":{verdict}}}"#)),
            (None, format!(r#"{{"c":{verdict}}}"#)),
        ];
        for (raw, expected) in cases {
            let mut out = Vec::new();
            annotate_into(
                &mut out,
                &failed(raw),
                "c",
                Detail::Compact,
                &EvidenceHeads::default(),
            );
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{raw:?}");
        }
    }

    #[test]
    fn flatten_collapses_whitespace() {
        assert_eq!(flatten("a \n\t b\r\nc"), "a b c");
        assert_eq!(flatten("\n x\t"), " x ");
    }
}
