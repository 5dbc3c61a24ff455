//! Record readers: turn standard input, files, folders, JSON Lines and CSV
//! into a stream of ads, each with an id and the place it came from.
//!
//! Every reader streams: it holds one record (one line, one CSV row, one
//! text file) at a time, so memory stays flat whatever the input size. A
//! record that cannot be read (bad UTF-8, malformed JSON, missing field,
//! empty ad, wrong cell count, oversized, unreadable file) becomes a
//! located [`RecordError`] in the stream, in its place: the caller decides
//! whether to go on, and no record is silently dropped or reordered.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

/// Where a record came from: a file (or `<stdin>`) and, for line-based
/// formats, the 1-based line where the record starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file as given on the command line (or found in a folder).
    pub file: Arc<str>,
    /// The 1-based line, when the format has lines.
    pub line: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One ad ready to classify.
#[derive(Clone, Debug)]
pub struct Record {
    /// The record id: the id field, the file path, or `FILE:LINE`.
    pub id: String,
    /// The title (may be empty).
    pub title: String,
    /// The ad text.
    pub text: String,
    /// Where it came from.
    pub source: Location,
    /// The expected label, when a label field was asked for (evaluation).
    pub label: Option<String>,
    /// The original JSON line, kept for `--annotate`.
    pub raw: Option<String>,
}

/// A record that could not be read, in its place in the stream.
#[derive(Clone, Debug)]
pub struct RecordError {
    /// Where it came from.
    pub source: Location,
    /// Its id, when it could be read (otherwise `FILE:LINE` or the file).
    pub id: String,
    /// What is wrong, in lower case.
    pub message: String,
    /// The original JSON line when it was a JSON object, for `--annotate`.
    pub raw: Option<String>,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// What the readers yield.
pub type ReadResult = Result<Record, RecordError>;

/// How a source is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// One ad per file, plain text (or Markdown).
    Text,
    /// One ad per file, HTML (tags are stripped).
    Html,
    /// One ad per line, JSON objects.
    Jsonl,
    /// One ad per row, CSV with a header.
    Csv,
}

impl InputKind {
    /// The kind a file's extension implies; `None` for unknown extensions.
    pub fn from_path(path: &Path) -> Option<InputKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "md" | "markdown" | "text" => Some(InputKind::Text),
            "html" | "htm" => Some(InputKind::Html),
            "jsonl" | "ndjson" => Some(InputKind::Jsonl),
            "csv" => Some(InputKind::Csv),
            _ => None,
        }
    }
}

/// Where the fields of a structured record are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// Path of the id.
    pub id: String,
    /// Path of the title.
    pub title: String,
    /// Path of the text.
    pub text: String,
    /// Path of the expected label, when evaluating.
    pub label: Option<String>,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            id: "id".into(),
            title: "title".into(),
            text: "text".into(),
            label: None,
        }
    }
}

/// Everything a reader needs to know.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Forces the kind of standard input and of the files named on the
    /// command line; `None` = by extension (text when unknown).
    pub forced: Option<InputKind>,
    /// Field paths for JSON Lines and CSV.
    pub fields: Fields,
    /// Largest record accepted, in bytes.
    pub max_record_bytes: u64,
}

/// One input named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file or a folder; `explicit` when named on the command line (its
    /// kind may then be forced), not when found in a folder.
    Path {
        /// The path.
        path: PathBuf,
        /// Named on the command line.
        explicit: bool,
    },
}

/// The stream of records over every source, in order; folders are walked
/// in sorted order, keeping only files with a known extension.
pub struct Records {
    pending: VecDeque<Source>,
    current: Option<Box<dyn Iterator<Item = ReadResult>>>,
    options: Arc<ReadOptions>,
}

impl Records {
    /// Reads `sources` in order.
    pub fn new(sources: Vec<Source>, options: ReadOptions) -> Records {
        Records {
            pending: sources.into(),
            current: None,
            options: Arc::new(options),
        }
    }

    /// Opens the next source: either a stream of records, or one item (an
    /// error, or a whole-file ad).
    fn open(&mut self, source: Source) -> Option<Box<dyn Iterator<Item = ReadResult>>> {
        let opts = &self.options;
        let (path, explicit) = match source {
            Source::Stdin => {
                let name: Arc<str> = "<stdin>".into();
                let stdin = Box::new(io::stdin().lock());
                let kind = opts.forced.unwrap_or(InputKind::Text);
                return Some(stream(kind, name, stdin, opts.clone()));
            }
            Source::Path { path, explicit } => (path, explicit),
        };
        let name: Arc<str> = path.display().to_string().into();
        let file_error = |message: String| -> Option<Box<dyn Iterator<Item = ReadResult>>> {
            Some(Box::new(std::iter::once(Err(RecordError {
                source: Location {
                    file: name.clone(),
                    line: None,
                },
                id: name.to_string(),
                message,
                raw: None,
            }))))
        };
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => return file_error(format!("cannot read: {}", io_reason(&e))),
        };
        if meta.is_dir() {
            let mut children: Vec<PathBuf> = match std::fs::read_dir(&path) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => return file_error(format!("cannot read folder: {}", io_reason(&e))),
            };
            children.sort();
            for child in children.into_iter().rev() {
                if child.is_dir() || InputKind::from_path(&child).is_some() {
                    self.pending.push_front(Source::Path {
                        path: child,
                        explicit: false,
                    });
                }
            }
            return None;
        }
        let by_extension = InputKind::from_path(&path).unwrap_or(InputKind::Text);
        let kind = if explicit {
            opts.forced.unwrap_or(by_extension)
        } else {
            by_extension
        };
        match File::open(&path) {
            Ok(file) => Some(stream(
                kind,
                name,
                Box::new(BufReader::new(file)),
                opts.clone(),
            )),
            Err(e) => file_error(format!("cannot read: {}", io_reason(&e))),
        }
    }
}

impl Iterator for Records {
    type Item = ReadResult;

    fn next(&mut self) -> Option<ReadResult> {
        loop {
            if let Some(current) = &mut self.current {
                if let Some(item) = current.next() {
                    return Some(item);
                }
                self.current = None;
            }
            let source = self.pending.pop_front()?;
            self.current = self.open(source);
        }
    }
}

/// An I/O error's reason without the "(os error N)" noise, in lower case.
pub fn io_reason(e: &io::Error) -> String {
    let s = match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    let s = match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => s,
    }
}

fn stream(
    kind: InputKind,
    name: Arc<str>,
    reader: Box<dyn BufRead>,
    opts: Arc<ReadOptions>,
) -> Box<dyn Iterator<Item = ReadResult>> {
    match kind {
        InputKind::Text | InputKind::Html => Box::new(std::iter::once(read_whole(
            kind == InputKind::Html,
            name,
            reader,
            &opts,
        ))),
        InputKind::Jsonl => Box::new(JsonLines {
            reader,
            file: name,
            line: 0,
            offset: 0,
            buf: Vec::new(),
            opts,
            done: false,
        }),
        InputKind::Csv => Box::new(CsvRows::new(name, reader, opts)),
    }
}

// ---------------------------------------------------------------------------
// One ad per file.
// ---------------------------------------------------------------------------

fn read_whole(
    html: bool,
    file: Arc<str>,
    reader: Box<dyn BufRead>,
    opts: &ReadOptions,
) -> ReadResult {
    let location = Location {
        file: file.clone(),
        line: None,
    };
    let err = |line: Option<u64>, message: String| RecordError {
        source: Location {
            file: file.clone(),
            line,
        },
        id: file.to_string(),
        message,
        raw: None,
    };
    let mut bytes = Vec::new();
    if let Err(e) = reader
        .take(opts.max_record_bytes + 1)
        .read_to_end(&mut bytes)
    {
        return Err(err(None, format!("cannot read: {}", io_reason(&e))));
    }
    if bytes.len() as u64 > opts.max_record_bytes {
        return Err(err(
            None,
            format!(
                "record is larger than --max-record-bytes ({} bytes)",
                opts.max_record_bytes
            ),
        ));
    }
    let content = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(err(Some(line), format!("invalid UTF-8 at byte {at}")));
        }
    };
    let content = content.strip_prefix('\u{feff}').unwrap_or(&content);
    let content = if html {
        strip_html(content)
    } else {
        content.to_string()
    };
    if content.trim().is_empty() {
        return Err(err(None, "empty ad".to_string()));
    }
    let (title, text) = split_title(&content);
    Ok(Record {
        id: file.to_string(),
        title: title.to_string(),
        text: text.to_string(),
        source: location,
        label: None,
        raw: None,
    })
}

/// Longest first line taken as a title.
const MAX_TITLE_CHARS: usize = 120;

/// Splits plain text into a title and a body: the first non-blank line is
/// the title when it looks like one (at most 120 characters, no final
/// period, more text after it); otherwise the title is empty.
pub fn split_title(content: &str) -> (&str, &str) {
    let trimmed = content.trim_start();
    let (first, rest) = match trimmed.find('\n') {
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => return ("", content),
    };
    let first = first.trim();
    let looks_like_title = !first.is_empty()
        && first.chars().count() <= MAX_TITLE_CHARS
        && !first.ends_with('.')
        && !rest.trim().is_empty();
    if looks_like_title {
        (first, rest)
    } else {
        ("", content)
    }
}

/// A small HTML-to-text pass: drops tags, comments, scripts and styles,
/// turns block tags into line breaks and decodes the common entities.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_entities(&rest[..lt], &mut out);
        rest = &rest[lt..];
        let lower: String = rest
            .chars()
            .take(10)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = |rest: &str, end: &str| -> usize {
            let l = rest.to_ascii_lowercase();
            l.find(end).map_or(rest.len(), |i| i + end.len())
        };
        let consumed = if lower.starts_with("<!--") {
            skip_to(rest, "-->")
        } else if lower.starts_with("<script") {
            skip_to(rest, "</script>")
        } else if lower.starts_with("<style") {
            skip_to(rest, "</style>")
        } else {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = lower.trim_start_matches(['<', '/']);
            let block = [
                "p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "ul", "ol", "title",
            ]
            .iter()
            .any(|b| {
                tag.starts_with(b)
                    && tag[b.len()..].starts_with(|c: char| !c.is_ascii_alphanumeric())
            });
            out.push(if block { '\n' } else { ' ' });
            end
        };
        rest = &rest[consumed..];
    }
    decode_entities(rest, &mut out);
    out
}

fn decode_entities(s: &str, out: &mut String) {
    const ENTITIES: &[(&str, &str)] = &[
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&nbsp;", " "),
        ("&eacute;", "é"),
        ("&egrave;", "è"),
        ("&agrave;", "à"),
        ("&ccedil;", "ç"),
        ("&rsquo;", "’"),
    ];
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, r)) => {
                out.push_str(r);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

// ---------------------------------------------------------------------------
// Field access shared by JSON Lines and CSV.
// ---------------------------------------------------------------------------

/// Looks a field up by name, then as a dotted path through nested objects
/// (and arrays, with numeric steps).
pub fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(v) = value.get(path) {
        return Some(v);
    }
    let mut v = value;
    for step in path.split('.') {
        v = match v {
            Value::Object(map) => map.get(step)?,
            Value::Array(items) => items.get(step.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// A scalar as an id: strings as they are, numbers and booleans printed.
fn scalar_to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Builds a record from looked-up fields; `get` returns `Ok(None)` for a
/// missing field and `Err` for one of the wrong type.
fn build_record(
    fields: &Fields,
    location: Location,
    raw: Option<String>,
    get: impl Fn(&str) -> Result<Option<String>, String>,
) -> ReadResult {
    let fallback_id = location.to_string();
    let id = get(&fields.id).ok().flatten().filter(|s| !s.is_empty());
    let id_or_fallback = id.clone().unwrap_or(fallback_id);
    let fail = |message: String| RecordError {
        source: location.clone(),
        id: id_or_fallback.clone(),
        message,
        raw: raw.clone(),
    };
    let title = get(&fields.title).map_err(&fail)?.unwrap_or_default();
    let text = match get(&fields.text).map_err(&fail)? {
        Some(t) => t,
        None => return Err(fail(format!("missing field {:?}", fields.text))),
    };
    if title.trim().is_empty() && text.trim().is_empty() {
        return Err(fail("empty ad".to_string()));
    }
    let label = match &fields.label {
        Some(path) => match get(path).map_err(&fail)? {
            Some(l) => Some(l),
            None => return Err(fail(format!("missing field {path:?}"))),
        },
        None => None,
    };
    Ok(Record {
        id: id_or_fallback.clone(),
        title,
        text,
        source: location.clone(),
        label,
        raw: raw.clone(),
    })
}

// ---------------------------------------------------------------------------
// JSON Lines.
// ---------------------------------------------------------------------------

/// Outcome of reading one line with a size limit.
enum LineRead {
    Eof,
    Line,
    /// The line was longer than the limit; it was skipped, not kept.
    TooLong,
}

/// Reads one line (without its `\n`) into `buf`, keeping at most `max`
/// bytes in memory; returns the bytes consumed as well.
fn read_line_limited(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: u64,
) -> io::Result<(LineRead, u64)> {
    buf.clear();
    let mut consumed = 0u64;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            let state = if consumed == 0 {
                LineRead::Eof
            } else if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            };
            return Ok((state, consumed));
        }
        let (chunk, found) = match memchr(available) {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        if !too_long {
            if buf.len() as u64 + chunk.len() as u64 > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = chunk.len() + usize::from(found);
        consumed += used as u64;
        reader.consume(used);
        if found {
            let state = if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            };
            return Ok((state, consumed));
        }
    }
}

/// The first `\n` in `bytes`, eight bytes at a time.
fn memchr(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        // A zero byte in `x` is a newline in the chunk.
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| offset + i)
}

struct JsonLines {
    reader: Box<dyn BufRead>,
    file: Arc<str>,
    line: u64,
    /// Byte offset of the current line's start.
    offset: u64,
    buf: Vec<u8>,
    opts: Arc<ReadOptions>,
    done: bool,
}

impl JsonLines {
    fn error(&self, message: String, raw: Option<String>) -> RecordError {
        let source = Location {
            file: self.file.clone(),
            line: Some(self.line),
        };
        RecordError {
            id: source.to_string(),
            source,
            message,
            raw,
        }
    }

    fn parse(&self, start: u64) -> ReadResult {
        let bytes = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
        let bytes = if self.line == 1 {
            bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes)
        } else {
            bytes
        };
        let line = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let at = start + e.valid_up_to() as u64;
                return Err(self.error(format!("invalid UTF-8 at byte {at}"), None));
            }
        };
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                let reason = e.to_string();
                let reason = reason.split(" at line ").next().unwrap_or(&reason);
                return Err(self.error(
                    format!("malformed JSON at column {}: {reason}", e.column()),
                    None,
                ));
            }
        };
        if !value.is_object() {
            return Err(self.error("expected a JSON object".to_string(), None));
        }
        let location = Location {
            file: self.file.clone(),
            line: Some(self.line),
        };
        build_record(
            &self.opts.fields,
            location,
            Some(line.to_string()),
            |path| match lookup(&value, path) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => scalar_to_string(v)
                    .map(Some)
                    .ok_or_else(|| format!("field {path:?} is not a string")),
            },
        )
    }
}

impl Iterator for JsonLines {
    type Item = ReadResult;

    fn next(&mut self) -> Option<ReadResult> {
        while !self.done {
            let start = self.offset;
            let read =
                read_line_limited(&mut *self.reader, &mut self.buf, self.opts.max_record_bytes);
            let (state, consumed) = match read {
                Ok(r) => r,
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    return Some(Err(
                        self.error(format!("cannot read: {}", io_reason(&e)), None)
                    ));
                }
            };
            self.offset += consumed;
            match state {
                LineRead::Eof => self.done = true,
                LineRead::TooLong => {
                    self.line += 1;
                    return Some(Err(self.error(
                        format!(
                            "record is larger than --max-record-bytes ({} bytes)",
                            self.opts.max_record_bytes
                        ),
                        None,
                    )));
                }
                LineRead::Line => {
                    self.line += 1;
                    if self.buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(self.parse(start));
                }
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------
// CSV.
// ---------------------------------------------------------------------------

struct CsvRows {
    reader: csv::Reader<Box<dyn BufRead>>,
    file: Arc<str>,
    header: Option<Vec<String>>,
    opts: Arc<ReadOptions>,
    row: csv::ByteRecord,
    done: bool,
}

impl CsvRows {
    fn new(file: Arc<str>, reader: Box<dyn BufRead>, opts: Arc<ReadOptions>) -> CsvRows {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        CsvRows {
            reader,
            file,
            header: None,
            opts,
            row: csv::ByteRecord::new(),
            done: false,
        }
    }

    fn error(&self, line: Option<u64>, message: String) -> RecordError {
        let source = Location {
            file: self.file.clone(),
            line,
        };
        RecordError {
            id: source.to_string(),
            source,
            message,
            raw: None,
        }
    }

    fn read_row(&mut self) -> Option<Result<(u64, u64), RecordError>> {
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => None,
            Ok(true) => {
                let pos = self.row.position().map_or((0, 0), |p| (p.line(), p.byte()));
                Some(Ok(pos))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                self.done = true;
                let message = match e.kind() {
                    csv::ErrorKind::Io(io) => format!("cannot read: {}", io_reason(io)),
                    _ => format!("malformed CSV: {e}"),
                };
                Some(Err(self.error(line, message)))
            }
        }
    }

    fn header_row(&mut self) -> Option<Result<(), RecordError>> {
        let (line, _) = match self.read_row()? {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        let mut names = Vec::with_capacity(self.row.len());
        for (i, cell) in self.row.iter().enumerate() {
            let cell = if i == 0 {
                cell.strip_prefix("\u{feff}".as_bytes()).unwrap_or(cell)
            } else {
                cell
            };
            match std::str::from_utf8(cell) {
                Ok(s) => names.push(s.trim().to_string()),
                Err(_) => {
                    self.done = true;
                    return Some(Err(self.error(
                        Some(line),
                        format!("invalid UTF-8 in header cell {}", i + 1),
                    )));
                }
            }
        }
        self.header = Some(names);
        Some(Ok(()))
    }

    fn record(&self, line: u64, byte: u64) -> ReadResult {
        let header = self.header.as_ref().expect("header read first");
        if self.row.len() != header.len() {
            return Err(self.error(
                Some(line),
                format!(
                    "row has {} cells, the header has {}",
                    self.row.len(),
                    header.len()
                ),
            ));
        }
        let size: u64 = self.row.iter().map(|c| c.len() as u64).sum();
        if size > self.opts.max_record_bytes {
            return Err(self.error(
                Some(line),
                format!(
                    "record is larger than --max-record-bytes ({} bytes)",
                    self.opts.max_record_bytes
                ),
            ));
        }
        let location = Location {
            file: self.file.clone(),
            line: Some(line),
        };
        build_record(&self.opts.fields, location, None, |name| {
            let Some(i) = header.iter().position(|h| h == name) else {
                return Ok(None);
            };
            let cell = &self.row[i];
            std::str::from_utf8(cell).map(|s| Some(s.to_string())).map_err(|e| {
                format!(
                    "invalid UTF-8 in column {name:?} (row starts at byte {byte}, byte {} of the cell)",
                    e.valid_up_to()
                )
            })
        })
    }
}

impl Iterator for CsvRows {
    type Item = ReadResult;

    fn next(&mut self) -> Option<ReadResult> {
        if self.done {
            return None;
        }
        if self.header.is_none() {
            if let Err(e) = self.header_row()? {
                return Some(Err(e));
            }
        }
        let (line, byte) = match self.read_row()? {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        Some(self.record(line, byte))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_first_line_is_a_title() {
        assert_eq!(
            split_title("Community Manager H/F\nVous animez nos réseaux."),
            ("Community Manager H/F", "Vous animez nos réseaux.")
        );
        // A sentence is not a title.
        let s = "Nous recrutons.\nVous animez nos réseaux.";
        assert_eq!(split_title(s), ("", s));
        // A lone line is the body.
        assert_eq!(
            split_title("Vendeur en boulangerie"),
            ("", "Vendeur en boulangerie")
        );
        let long = format!("{}\nsuite", "x".repeat(121));
        assert_eq!(split_title(&long).0, "");
    }

    #[test]
    fn html_is_reduced_to_text() {
        let text = strip_html("<html><head><style>p{}</style></head><p>Vous&nbsp;animez</p><script>x</script><b>nos</b> r&eacute;seaux</html>");
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, ["Vous", "animez", "nos", "réseaux"]);
    }

    #[test]
    fn dotted_paths_reach_nested_fields() {
        let v: Value = serde_json::json!({"a": {"b": [{"c": "x"}]}, "d.e": 1});
        assert_eq!(lookup(&v, "a.b.0.c"), Some(&Value::from("x")));
        assert_eq!(lookup(&v, "d.e"), Some(&Value::from(1)));
        assert_eq!(lookup(&v, "a.z"), None);
    }

    #[test]
    fn memchr_finds_the_first_newline() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![b'a'; len];
                if at < len {
                    bytes[at] = b'\n';
                    if at + 3 < len {
                        bytes[at + 3] = b'\n';
                    }
                }
                let expected = bytes.iter().position(|&b| b == b'\n');
                assert_eq!(memchr(&bytes), expected, "{len} {at}");
            }
        }
        assert_eq!(memchr("é\u{a}".as_bytes()), Some(2));
        assert_eq!(memchr(&[0x8A, 0x0B, 0x09, 0xFF, 0x0A]), Some(4));
    }

    #[test]
    fn long_lines_are_skipped_not_kept() {
        let data = b"short\nxxxxxxxxxxxxxxxxxxxx\nend";
        let mut reader: &[u8] = data;
        let mut buf = Vec::new();
        let (s, n) = read_line_limited(&mut reader, &mut buf, 10).unwrap();
        assert!(matches!(s, LineRead::Line));
        assert_eq!((buf.as_slice(), n), (&b"short"[..], 6));
        let (s, n) = read_line_limited(&mut reader, &mut buf, 10).unwrap();
        assert!(matches!(s, LineRead::TooLong));
        assert_eq!(n, 21);
        let (s, _) = read_line_limited(&mut reader, &mut buf, 10).unwrap();
        assert!(matches!(s, LineRead::Line));
        assert_eq!(buf, b"end");
        assert!(matches!(
            read_line_limited(&mut reader, &mut buf, 10).unwrap().0,
            LineRead::Eof
        ));
    }
}
