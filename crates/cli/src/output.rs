//! Renderers: turn outcomes into what the next reader wants: aligned lines
//! or explanations for a person, JSON / JSON Lines / CSV / TSV for a
//! program, or the input objects annotated in place for a pipeline.
//!
//! Every machine format writes exactly one output record per input record,
//! in input order, including failed records (with `label: null` and an
//! `error`), so that output and input stay aligned one-to-one.

use std::io::{self, Write};
use std::ops::Range;

use classify_core::{Evidence, Label, Section, Verdict};
use serde_json::{json, Map, Value};

use crate::batch::Outcome;
use crate::input::Record;

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
}

impl Renderer {
    /// A renderer for `mode`.
    pub fn new(mode: Mode, style: Style) -> Renderer {
        Renderer {
            mode,
            style,
            written: 0,
        }
    }

    /// Writes one batch of outcomes, in order.
    pub fn batch(&mut self, out: &mut dyn Write, outcomes: &[Outcome]) -> io::Result<()> {
        match self.mode.clone() {
            Mode::Human => self.human(out, outcomes)?,
            Mode::Explain => {
                for o in outcomes {
                    self.explain(out, o)?;
                }
            }
            Mode::Json => {
                for o in outcomes {
                    let sep = if self.written == 0 { "[\n" } else { ",\n" };
                    write!(out, "{sep}  {}", outcome_json(o))?;
                    self.written += 1;
                }
            }
            Mode::Jsonl => {
                for o in outcomes {
                    writeln!(out, "{}", outcome_json(o))?;
                }
            }
            Mode::Delimited(delimiter) => {
                for o in outcomes {
                    self.delimited(out, delimiter, o)?;
                }
            }
            Mode::Annotate(field) => {
                for o in outcomes {
                    writeln!(out, "{}", annotate(o, &field))?;
                }
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

    fn human(&mut self, out: &mut dyn Write, outcomes: &[Outcome]) -> io::Result<()> {
        let width = outcomes
            .iter()
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
                    let label = format!("{:<10}", "ERROR");
                    writeln!(
                        out,
                        "{id}{:pad$}  {}  {:>4}  {}",
                        "",
                        self.style.paint("1;31", &label),
                        "-",
                        e.message
                    )?;
                }
            }
        }
        Ok(())
    }

    fn explain(&mut self, out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
        let st = self.style;
        if self.written > 0 {
            writeln!(out)?;
        }
        self.written += 1;
        let (record, v) = match o {
            Outcome::Classified(r, v) => (r, v),
            Outcome::Failed(e) => {
                writeln!(
                    out,
                    "{}  {}",
                    st.paint("1", &e.id),
                    st.paint("1;31", "ERROR")
                )?;
                writeln!(out, "  {}: {}", e.source, e.message)?;
                return Ok(());
            }
        };
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
        writeln!(out, "  families:")?;
        let fw = v.families.iter().map(|f| f.family.len()).max().unwrap_or(0);
        for f in &v.families {
            writeln!(
                out,
                "    {:<fw$}  {:<10}  {:.2}  (raw {:+.2})",
                f.family, f.axis, f.score, f.raw
            )?;
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
    let s = floor_boundary(text, span.start);
    let e = ceil_boundary(text, span.end.max(s));
    let from = floor_boundary(text, s.saturating_sub(radius));
    let to = ceil_boundary(text, e.saturating_add(radius));
    let before = flatten(&text[from..s]);
    let after = flatten(&text[e..to]);
    format!(
        "{}{}{}{}{}{}{}",
        if from > 0 { "…" } else { "" },
        before.trim_start(),
        marks.0,
        flatten(&text[s..e]).trim(),
        marks.1,
        after.trim_end(),
        if to < text.len() { "…" } else { "" },
    )
}

/// The matched words of a piece of evidence, as written in the ad.
fn matched<'r>(record: &'r Record, e: &Evidence) -> &'r str {
    let text = section_text(record, e);
    text.get(e.span.clone()).unwrap_or("")
}

/// The machine-readable verdict of one record.
pub fn outcome_json(o: &Outcome) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), o.id().into());
    map.insert("source".into(), o.source().to_string().into());
    match o {
        Outcome::Classified(record, v) => {
            verdict_fields(&mut map, record, v);
            map.insert("error".into(), Value::Null);
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
                map.insert(key.into(), Value::Null);
            }
            map.insert("error".into(), e.message.clone().into());
        }
    }
    Value::Object(map)
}

fn verdict_fields(map: &mut Map<String, Value>, record: &Record, v: &Verdict) {
    map.insert("label".into(), v.label.as_str().into());
    map.insert("confidence".into(), json!(v.confidence));
    let scores: Map<String, Value> = v
        .scores
        .iter()
        .map(|s| (s.label.as_str().to_string(), json!(s.score)))
        .collect();
    map.insert("scores".into(), Value::Object(scores));
    map.insert("social".into(), json!(v.social));
    let families: Map<String, Value> = v
        .families
        .iter()
        .map(|f| (f.family.clone(), json!(f.score)))
        .collect();
    map.insert("families".into(), Value::Object(families));
    let evidence: Vec<Value> = v
        .evidence
        .iter()
        .map(|e| {
            json!({
                "entry": e.entry,
                "kind": kind_str(e),
                "family": e.family,
                "weight": e.weight,
                "contribution": e.contribution,
                "negated": e.negated,
                "deferred": e.deferred,
                "section": section_str(e.section),
                "span": [e.span.start, e.span.end],
                "match": matched(record, e),
                "snippet": snippet(section_text(record, e), e.span.clone(), SNIPPET_RADIUS, ("", "")),
            })
        })
        .collect();
    map.insert("evidence".into(), Value::Array(evidence));
    map.insert("rome".into(), json!(v.rome));
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

    #[test]
    fn flatten_collapses_whitespace() {
        assert_eq!(flatten("a \n\t b\r\nc"), "a b c");
        assert_eq!(flatten("\n x\t"), " x ");
    }
}
