//! Renderers: turn outcomes into what the next reader wants: aligned lines
//! or explanations for a person, JSON / JSON Lines / CSV / TSV for a
//! program, or the input objects annotated in place for a pipeline.
//!
//! Every machine format writes exactly one output record per input record,
//! in input order, including failed records (with `label: null` and an
//! `error`), so that output and input stay aligned one-to-one.

use std::io::{self, Write};
use std::ops::Range;

use classify_core::{Evidence, FamilyScore, Label, Section, Verdict};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use crate::batch::Outcome;
use crate::input::{Record, RecordError};

/// Bytes of context on each side of a match in a snippet.
pub const SNIPPET_RADIUS: usize = 40;

/// Pieces of evidence shown per ad in the one-line format.
const TOP_EVIDENCE: usize = 3;

/// Below this many outcomes in a batch, rendering threads cost more than
/// they save.
const MIN_PARALLEL: usize = 8;

/// The output modes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Aligned lines for a person.
    Human,
    /// Per ad, family scores and every evidence item with its snippet.
    Explain,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Flat columns with this delimiter (`,` or tab).
    Delimited(u8),
    /// Input objects with one field added, holding the verdict.
    Annotate(String),
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
    jobs: usize,
}

impl Renderer {
    /// A renderer for `mode`, on one thread.
    pub fn new(mode: Mode, style: Style) -> Renderer {
        Renderer {
            mode,
            style,
            written: 0,
            jobs: 1,
        }
    }

    /// Renders the machine formats of a batch on up to `jobs` threads (the
    /// bytes written are the same whatever `jobs` is).
    pub fn jobs(mut self, jobs: usize) -> Renderer {
        self.jobs = jobs.max(1);
        self
    }

    /// Renders every outcome with `render` (given its index in the batch)
    /// into one buffer per thread, then writes the buffers in order.
    fn each<F>(&self, out: &mut dyn Write, outcomes: &[Outcome], render: F) -> io::Result<()>
    where
        F: Fn(usize, &Outcome, &mut Vec<u8>) -> io::Result<()> + Sync,
    {
        let render_chunk = |first: usize, chunk: &[Outcome]| -> io::Result<Vec<u8>> {
            let mut buf = Vec::with_capacity(chunk.len() * 4096);
            for (i, o) in chunk.iter().enumerate() {
                render(first + i, o, &mut buf)?;
            }
            Ok(buf)
        };
        if self.jobs <= 1 || outcomes.len() < MIN_PARALLEL {
            return out.write_all(&render_chunk(0, outcomes)?);
        }
        let size = outcomes.len().div_ceil(self.jobs);
        let render_chunk = &render_chunk;
        let buffers: Vec<io::Result<Vec<u8>>> = std::thread::scope(|s| {
            let handles: Vec<_> = outcomes
                .chunks(size)
                .enumerate()
                .map(|(k, chunk)| s.spawn(move || render_chunk(k * size, chunk)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for buf in buffers {
            out.write_all(&buf?)?;
        }
        Ok(())
    }

    /// Whether the mode is for a person (the one-line and `--explain`
    /// formats) rather than for a program.
    pub fn for_people(&self) -> bool {
        matches!(self.mode, Mode::Human | Mode::Explain)
    }

    /// Writes one batch of outcomes, in order, and hands each failed
    /// record to `report` (which prints it on standard error), so that
    /// every error appears once for each reader: in the formats for
    /// programs it also gets its output record, in place; in the formats
    /// for people, which share the terminal with standard error, it gets
    /// no line of its own, and `out` is flushed before each report so that
    /// the error shows between the lines around it.
    pub fn batch(
        &mut self,
        out: &mut dyn Write,
        outcomes: &[Outcome],
        report: &mut dyn FnMut(&RecordError),
    ) -> io::Result<()> {
        if !self.for_people() {
            for o in outcomes {
                if let Outcome::Failed(e) = o {
                    report(e);
                }
            }
        }
        match self.mode.clone() {
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
            Mode::Json => {
                let first = self.written == 0;
                self.each(out, outcomes, |i, o, buf| {
                    let sep: &[u8] = if first && i == 0 { b"[\n  " } else { b",\n  " };
                    buf.extend_from_slice(sep);
                    serde_json::to_writer(&mut *buf, &OutcomeJson(o))?;
                    Ok(())
                })?;
                self.written += outcomes.len() as u64;
            }
            Mode::Jsonl => {
                self.each(out, outcomes, |_, o, buf| {
                    serde_json::to_writer(&mut *buf, &OutcomeJson(o))?;
                    buf.push(b'\n');
                    Ok(())
                })?;
            }
            Mode::Delimited(delimiter) => {
                for o in outcomes {
                    self.delimited(out, delimiter, o)?;
                }
            }
            Mode::Annotate(field) => {
                self.each(out, outcomes, |_, o, buf| {
                    buf.extend_from_slice(annotate(o, &field).as_bytes());
                    buf.push(b'\n');
                    Ok(())
                })?;
            }
        }
        out.flush()
    }

    /// Closes the output (the JSON array's bracket).
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.mode == Mode::Json {
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
                kind_str(e),
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

fn kind_str(e: &Evidence) -> &'static str {
    match e.kind {
        classify_core::EvidenceKind::Mission => "mission",
        classify_core::EvidenceKind::Title => "title",
        classify_core::EvidenceKind::Cue => "cue",
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
pub fn outcome_json(o: &Outcome) -> Value {
    serde_json::to_value(OutcomeJson(o)).expect("verdicts serialize")
}

/// The machine-readable verdict of one record, serialized as it goes (no
/// JSON tree is built): `id`, `source`, `label`, `confidence`, `scores`,
/// `social`, `families`, `evidence`, `rome`, `error`; a failed record has
/// `null` for every verdict field and its message in `error`.
pub struct OutcomeJson<'a>(pub &'a Outcome);

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
                map.serialize_entry("evidence", &EvidenceList(record, v))?;
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
struct EvidenceList<'a>(&'a Record, &'a Verdict);

impl Serialize for EvidenceList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let record = self.0;
        serializer.collect_seq(self.1.evidence.iter().map(|e| EvidenceJson(record, e)))
    }
}

struct EvidenceJson<'a>(&'a Record, &'a Evidence);

impl Serialize for EvidenceJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (record, e) = (self.0, self.1);
        let text = section_text(record, e);
        let mut snippet = String::with_capacity(2 * SNIPPET_RADIUS + e.span.len() + 8);
        snippet_into(text, e.span.clone(), SNIPPET_RADIUS, ("", ""), &mut snippet);
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("entry", &e.entry)?;
        map.serialize_entry("kind", kind_str(e))?;
        map.serialize_entry("family", &e.family)?;
        map.serialize_entry("weight", &e.weight)?;
        map.serialize_entry("contribution", &e.contribution)?;
        map.serialize_entry("negated", &e.negated)?;
        map.serialize_entry("deferred", &e.deferred)?;
        map.serialize_entry("section", section_str(e.section))?;
        map.serialize_entry("span", &[e.span.start, e.span.end])?;
        map.serialize_entry("match", matched(record, e))?;
        map.serialize_entry("snippet", &snippet)?;
        map.end()
    }
}

/// The original JSON line with `field` added (or replaced) holding the
/// verdict; the rest of the line is kept byte for byte when the field is
/// new. A line that was not a JSON object becomes `{field: verdict}`.
pub fn annotate(o: &Outcome, field: &str) -> String {
    let raw = match o {
        Outcome::Classified(r, _) => r.raw.as_deref(),
        Outcome::Failed(e) => e.raw.as_deref(),
    };
    let verdict = outcome_json(o);
    let added = format!(
        "{}:{}",
        Value::from(field),
        serde_json::to_string(&verdict).expect("values serialize")
    );
    let Some(raw) = raw else {
        return format!("{{{added}}}");
    };
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(raw) else {
        return format!("{{{added}}}");
    };
    if map.contains_key(field) {
        map.insert(field.to_string(), verdict);
        return Value::Object(map).to_string();
    }
    let body = raw.trim_end();
    let body = body.strip_suffix('}').unwrap_or(body).trim_end();
    if map.is_empty() {
        format!("{body}{added}}}")
    } else {
        format!("{body},{added}}}")
    }
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
        let verdict = classifier.classify(&Ad::new(&record.title, &record.text));
        assert!(!verdict.evidence.is_empty());
        let failed = Outcome::Failed(crate::input::RecordError {
            source: record.source.clone(),
            id: "y".into(),
            message: "empty \"ad\"".into(),
            raw: None,
        });
        for o in [Outcome::Classified(record, verdict), failed] {
            let streamed = serde_json::to_string(&OutcomeJson(&o)).unwrap();
            assert_eq!(streamed, outcome_json(&o).to_string());
        }
    }

    #[test]
    fn flatten_collapses_whitespace() {
        assert_eq!(flatten("a \n\t b\r\nc"), "a b c");
        assert_eq!(flatten("\n x\t"), " x ");
    }
}
