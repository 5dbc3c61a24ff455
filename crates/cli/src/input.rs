//! Record readers: turn standard input, files, folders, JSON Lines and CSV
//! into a stream of ads, each with an id and the place it came from.
//!
//! Every reader streams: it holds one record (one line, one CSV row, one
//! text file) at a time, at most `max_record_bytes` of it (a longer one is
//! skipped as it is read), so memory stays flat whatever the input size.
//! Input is UTF-8, or UTF-16 with its byte order mark, decoded as it is
//! read; a UTF-8 byte order mark is dropped. A record that cannot be read
//! (bad UTF-8 or UTF-16, malformed JSON, missing field, empty ad, wrong
//! cell count, unclosed CSV quote, oversized, unreadable file) becomes a
//! located [`RecordError`] in the stream, in its place: the caller decides
//! whether to go on, and no record is silently dropped or reordered.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

mod json_scan;

use json_scan::FieldScanner;

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// The default of `--max-record-bytes`: 10 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 10 << 20;

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

impl Default for ReadOptions {
    /// What `classify` does without flags: kind by extension, fields `id`,
    /// `title`, `text`, records up to [`DEFAULT_MAX_RECORD_BYTES`].
    fn default() -> Self {
        ReadOptions {
            forced: None,
            fields: Fields::default(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
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
        let file_error = |message: String| Some(file_error(&name, message));
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

/// The UTF-8 byte order mark, which some editors and spreadsheet exports
/// put at the start of a file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads up to `n` bytes from the start of `reader` (fewer at the end of
/// the input).
fn read_head(reader: &mut dyn BufRead, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    while head.len() < n {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let take = buf.len().min(n - head.len());
        head.extend_from_slice(&buf[..take]);
        reader.consume(take);
    }
    Ok(head)
}

/// What the start of a file says about its encoding.
enum Start {
    /// UTF-8 (with its byte order mark dropped, if it had one): the
    /// reader, and the offset in the file of its first byte.
    Utf8(Box<dyn BufRead>, u64),
    /// UTF-16 decoded to UTF-8: byte offsets in the reader are not the
    /// file's.
    Decoded(Box<dyn BufRead>),
    /// An encoding the readers refuse, with the reason.
    Refused(String),
}

/// Looks at the byte order mark, if any: UTF-8's is dropped, UTF-16 (little
/// or big endian) is decoded to UTF-8 as it is read, UTF-32 is refused.
/// Without a mark the input is taken as UTF-8.
fn decode_start(mut reader: Box<dyn BufRead>) -> io::Result<Start> {
    let head = read_head(&mut *reader, 4)?;
    let rest = |n: usize, reader: Box<dyn BufRead>| -> Box<dyn BufRead> {
        Box::new(io::Cursor::new(head[n..].to_vec()).chain(reader))
    };
    if head.starts_with(b"\xFF\xFE\0\0") || head.starts_with(b"\0\0\xFE\xFF") {
        let mark: Vec<String> = head.iter().map(|b| format!("{b:02X}")).collect();
        return Ok(Start::Refused(format!(
            "file is UTF-32 (byte order mark {}), convert it to UTF-8",
            mark.join(" ")
        )));
    }
    if head.starts_with(UTF8_BOM) {
        return Ok(Start::Utf8(
            rest(UTF8_BOM.len(), reader),
            UTF8_BOM.len() as u64,
        ));
    }
    if let Some(order) = utf16_without_mark(&head) {
        return Ok(Start::Refused(format!(
            "file looks like UTF-16{order} without a byte order mark (a NUL byte beside each of its first two characters); convert it to UTF-8, for instance with iconv -f UTF-16{order} -t UTF-8"
        )));
    }
    let big_endian = match head.get(..2) {
        Some(b"\xFF\xFE") => false,
        Some(b"\xFE\xFF") => true,
        _ => return Ok(Start::Utf8(rest(0, reader), 0)),
    };
    let decoder = Utf16Decoder::new(rest(2, reader), big_endian, 2);
    Ok(Start::Decoded(Box::new(BufReader::with_capacity(
        1 << 16,
        decoder,
    ))))
}

/// `LE` or `BE` when the first four bytes are two ASCII characters in
/// UTF-16 (`C\0o\0`, `\0C\0o`): text never starts with NUL bytes like
/// that, and read as UTF-8 it would be a string of NULs between letters.
/// Four bytes are all the readers wait for before the first record.
fn utf16_without_mark(head: &[u8]) -> Option<&'static str> {
    match *head.get(..4)? {
        [a, 0, b, 0] if a != 0 && b != 0 && a.is_ascii() && b.is_ascii() => Some("LE"),
        [0, a, 0, b] if a != 0 && b != 0 && a.is_ascii() && b.is_ascii() => Some("BE"),
        _ => None,
    }
}

/// Turns UTF-16 (after its byte order mark) into UTF-8 as it is read,
/// holding one buffer of each. Broken UTF-16 (an unpaired surrogate, an
/// odd number of bytes) is a read error naming its byte offset in the file,
/// after the text decoded before it.
struct Utf16Decoder {
    inner: Box<dyn BufRead>,
    units: Utf16Units,
    /// Decoded UTF-8 not yet handed out, from `pos`.
    out: Vec<u8>,
    pos: usize,
    /// The error to return once `out` is handed out.
    error: Option<io::Error>,
    done: bool,
}

/// The decoding state carried from one chunk of UTF-16 to the next.
struct Utf16Units {
    big_endian: bool,
    /// Offset in the file of the next byte.
    offset: u64,
    /// The first byte of a code unit cut between two chunks.
    odd: Option<u8>,
    /// A high surrogate waiting for its low half, with its offset.
    high: Option<(u16, u64)>,
}

impl Utf16Units {
    /// Appends the UTF-8 of `input` to `out`; stops at the first unpaired
    /// surrogate.
    fn decode(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        let mut utf8 = [0u8; 4];
        let mut unit_at = |units: &mut Utf16Units, pair: [u8; 2], at: u64| -> Result<(), String> {
            let unit = if units.big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            };
            let c = match (units.high.take(), unit) {
                (Some((high, _)), 0xDC00..=0xDFFF) => {
                    0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00)
                }
                (Some((high, at)), _) => {
                    return Err(format!(
                        "invalid UTF-16 at byte {at}: unpaired surrogate 0x{high:04X}"
                    ))
                }
                (None, 0xD800..=0xDBFF) => {
                    units.high = Some((unit, at));
                    return Ok(());
                }
                (None, 0xDC00..=0xDFFF) => {
                    return Err(format!(
                        "invalid UTF-16 at byte {at}: unpaired surrogate 0x{unit:04X}"
                    ))
                }
                (None, _) => u32::from(unit),
            };
            // Every value built above is a scalar value.
            let c = char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            Ok(())
        };
        if let (Some(first), Some((&second, rest))) = (self.odd, input.split_first()) {
            self.odd = None;
            let at = self.offset - 1;
            self.offset += 1;
            input = rest;
            unit_at(self, [first, second], at)?;
        }
        let mut pairs = input.chunks_exact(2);
        for pair in &mut pairs {
            let at = self.offset;
            self.offset += 2;
            unit_at(self, [pair[0], pair[1]], at)?;
        }
        if let [last] = pairs.remainder() {
            self.odd = Some(*last);
            self.offset += 1;
        }
        Ok(())
    }

    /// What is wrong when the input ends here, if anything.
    fn at_end(&self) -> Result<(), String> {
        if self.odd.is_some() {
            return Err(format!(
                "invalid UTF-16 at byte {}: the file ends in the middle of a character",
                self.offset - 1
            ));
        }
        if let Some((unit, at)) = self.high {
            return Err(format!(
                "invalid UTF-16 at byte {at}: unpaired surrogate 0x{unit:04X}"
            ));
        }
        Ok(())
    }
}

impl Utf16Decoder {
    /// Decodes `inner`, whose first byte is at `offset` in the file.
    fn new(inner: Box<dyn BufRead>, big_endian: bool, offset: u64) -> Utf16Decoder {
        Utf16Decoder {
            inner,
            units: Utf16Units {
                big_endian,
                offset,
                odd: None,
                high: None,
            },
            out: Vec::new(),
            pos: 0,
            error: None,
            done: false,
        }
    }

    /// Decodes the next chunk of `inner` into `out`, or notes the end or
    /// an error.
    fn refill(&mut self) {
        self.out.clear();
        self.pos = 0;
        let input = match self.inner.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(e) => return self.error = Some(e),
        };
        let n = input.len();
        let decoded = if n == 0 {
            self.done = true;
            self.units.at_end()
        } else {
            self.units.decode(input, &mut self.out)
        };
        self.inner.consume(n);
        if let Err(message) = decoded {
            self.error = Some(io::Error::new(io::ErrorKind::InvalidData, message));
        }
    }
}

impl Read for Utf16Decoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.pos);
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if let Some(e) = self.error.take() {
                self.done = true;
                return Err(e);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            self.refill();
        }
    }
}

/// A whole file that cannot be read, as the one item of its stream.
fn file_error(name: &Arc<str>, message: String) -> Box<dyn Iterator<Item = ReadResult>> {
    Box::new(std::iter::once(Err(RecordError {
        source: Location {
            file: name.clone(),
            line: None,
        },
        id: name.to_string(),
        message,
        raw: None,
    })))
}

/// The records of one source, read as `kind` once its encoding is known.
fn stream(
    kind: InputKind,
    name: Arc<str>,
    reader: Box<dyn BufRead>,
    opts: Arc<ReadOptions>,
) -> Box<dyn Iterator<Item = ReadResult>> {
    let (reader, start) = match decode_start(reader) {
        Ok(Start::Utf8(reader, start)) => (reader, Some(start)),
        Ok(Start::Decoded(reader)) => (reader, None),
        Ok(Start::Refused(message)) => return file_error(&name, message),
        Err(e) => return file_error(&name, format!("cannot read: {}", io_reason(&e))),
    };
    match kind {
        InputKind::Text | InputKind::Html => Box::new(std::iter::once(read_whole(
            kind == InputKind::Html,
            name,
            reader,
            start.unwrap_or(0),
            &opts,
        ))),
        InputKind::Jsonl => Box::new(JsonLines {
            reader,
            file: name,
            line: 0,
            offset: start.unwrap_or(0),
            buf: Vec::new(),
            scanner: FieldScanner::new(&opts.fields),
            opts,
            done: false,
        }),
        InputKind::Csv => {
            // csv-core drops a byte order mark at the start of its input,
            // but takes a first read holding only the mark (a second mark,
            // or the first one decoded from UTF-16) for the end of the
            // input: make its first read hold four bytes when there are.
            let mut reader = reader;
            match read_head(&mut *reader, 4) {
                Ok(head) => {
                    let reader = Box::new(io::Cursor::new(head).chain(reader));
                    Box::new(CsvRows::new(name, reader, start, opts))
                }
                Err(e) => file_error(&name, format!("cannot read: {}", io_reason(&e))),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// One ad per file.
// ---------------------------------------------------------------------------

/// Reads a whole file as one ad; `start` is the offset in the file of the
/// reader's first byte (after a byte order mark), for the position of
/// invalid UTF-8 (which decoded UTF-16 never has).
fn read_whole(
    html: bool,
    file: Arc<str>,
    reader: Box<dyn BufRead>,
    start: u64,
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
        .take(opts.max_record_bytes.saturating_add(1))
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
            let at = start + at as u64;
            return Err(err(Some(line), format!("invalid UTF-8 at byte {at}")));
        }
    };
    let content = if html { strip_html(&content) } else { content };
    if is_blank(&content) {
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

/// Whether `s` holds no text at all: only whitespace and the invisible
/// characters the classifier drops (zero-width space, non-joiner and
/// joiner, word joiner, byte order mark, soft hyphen). `str::trim` keeps
/// the invisible ones, so an ad made of them would be classified `NONE`
/// instead of reported as the empty ad it is.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
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
    let id = get(&fields.id).ok().flatten().filter(|s| !s.is_empty());
    let id = id.unwrap_or_else(|| location.to_string());
    // The fields, or what is wrong with them; the record or the error then
    // takes the id, the location and the raw line without copying them.
    let read = || -> Result<(String, String, Option<String>), String> {
        let title = get(&fields.title)?.unwrap_or_default();
        let text = match get(&fields.text)? {
            Some(t) => t,
            None => return Err(format!("missing field {:?}", fields.text)),
        };
        if is_blank(&title) && is_blank(&text) {
            return Err("empty ad".to_string());
        }
        let label = match &fields.label {
            Some(path) => match get(path)? {
                Some(l) => Some(l),
                None => return Err(format!("missing field {path:?}")),
            },
            None => None,
        };
        Ok((title, text, label))
    };
    match read() {
        Ok((title, text, label)) => Ok(Record {
            id,
            title,
            text,
            source: location,
            label,
            raw,
        }),
        Err(message) => Err(RecordError {
            source: location,
            id,
            message,
            raw,
        }),
    }
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
        let (chunk, found) = match memchr::memchr(b'\n', available) {
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

struct JsonLines {
    reader: Box<dyn BufRead>,
    file: Arc<str>,
    line: u64,
    /// Byte offset of the current line's start.
    offset: u64,
    buf: Vec<u8>,
    /// The fast path for the configured fields (`None`: serde_json only).
    scanner: Option<FieldScanner>,
    opts: Arc<ReadOptions>,
    done: bool,
}

impl JsonLines {
    fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: Some(self.line),
        }
    }

    fn error(&self, message: String, raw: Option<String>) -> RecordError {
        line_error(self.location(), message, raw)
    }
}

/// An error about a whole JSON line, its id the line's location.
fn line_error(source: Location, message: String, raw: Option<String>) -> RecordError {
    RecordError {
        id: source.to_string(),
        source,
        message,
        raw,
    }
}

/// How [`parse_json_line`] reads a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonParser {
    /// What the JSON Lines reader does: a single-pass validating scanner
    /// picks out the fields, and serde_json reads the lines it declines
    /// (malformed JSON, duplicate keys on a field path, fields that are not
    /// strings, deep nesting…), so the result is always serde_json's.
    Fast,
    /// serde_json only: every line parsed into a `serde_json::Value`, then
    /// the fields looked up. The reference the fast path is tested against.
    Serde,
}

/// Reads one JSON Lines record from its line (without the `\n`; a final
/// `\r` is dropped), as the JSON Lines reader does. `start` is the offset
/// in the file of the line's first byte, for the position of invalid
/// UTF-8; `location` is where the line is. Whatever `parser`, the result is
/// the same: tests and the `readers` fuzz target check it.
pub fn parse_json_line(
    bytes: &[u8],
    start: u64,
    location: Location,
    fields: &Fields,
    parser: JsonParser,
) -> ReadResult {
    let mut scanner = match parser {
        JsonParser::Fast => FieldScanner::new(fields),
        JsonParser::Serde => None,
    };
    parse_line(bytes, start, location, fields, scanner.as_mut())
}

/// Reads one line: with `scanner` when it has one and the scanner handles
/// the line, with serde_json otherwise.
fn parse_line(
    bytes: &[u8],
    start: u64,
    location: Location,
    fields: &Fields,
    scanner: Option<&mut FieldScanner>,
) -> ReadResult {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    // simdutf8 validates with vector instructions chosen at run time, about
    // ten times faster than `std::str::from_utf8` on French text; the
    // standard library says where a line goes wrong.
    let valid = simdutf8::basic::from_utf8(bytes).map_err(|_| std::str::from_utf8(bytes));
    let line = match valid {
        Ok(s) => s,
        Err(Ok(s)) => s,
        Err(Err(e)) => {
            let at = start + e.valid_up_to() as u64;
            return Err(line_error(
                location,
                format!("invalid UTF-8 at byte {at}"),
                None,
            ));
        }
    };
    if let Some(scanner) = scanner {
        if scanner.scan(line).is_some() {
            let raw = Some(line.to_string());
            return build_record(fields, location, raw, |path| {
                Ok(scanner.get(line, path).map(str::to_string))
            });
        }
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            let reason = e.to_string();
            let reason = reason.split(" at line ").next().unwrap_or(&reason);
            return Err(line_error(
                location,
                format!("malformed JSON at column {}: {reason}", e.column()),
                None,
            ));
        }
    };
    if !value.is_object() {
        return Err(line_error(
            location,
            "expected a JSON object".to_string(),
            None,
        ));
    }
    build_record(
        fields,
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
                    let location = self.location();
                    return Some(parse_line(
                        &self.buf,
                        start,
                        location,
                        &self.opts.fields,
                        self.scanner.as_mut(),
                    ));
                }
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------
// CSV.
// ---------------------------------------------------------------------------

/// Where a CSV row is in the quoting of its current cell. It follows the
/// rules `csv-core` reads with (a cell is quoted when it starts with `"`;
/// inside, `""` is a quote; a quote inside an unquoted cell is a plain
/// character), over exactly the bytes `csv-core` consumed, because
/// `csv-core` accepts the end of input inside a quoted cell without a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    /// At the start of a cell.
    CellStart,
    /// In a cell that did not start with a quote.
    Unquoted,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote in a quoted cell: the end of the cell, or the
    /// first half of `""`.
    QuoteInQuoted,
}

/// Lines, byte offsets, row starts and quoting over the bytes the CSV
/// parser consumed.
#[derive(Debug)]
struct CsvTracker {
    /// Offset in the file of the next byte.
    offset: u64,
    /// Line of the next byte, from 1 (lines end at `\n`, `\r\n` or `\r`).
    line: u64,
    /// The last byte seen.
    last: Option<u8>,
    /// Whether the current row has started (blank lines between rows are
    /// skipped, as `csv-core` does).
    in_row: bool,
    /// Line and offset of the current row's first byte.
    row_line: u64,
    row_byte: u64,
    quoting: Quoting,
    /// Line and offset of the quote that opened the current quoted cell.
    quote_line: u64,
    quote_byte: u64,
}

impl CsvTracker {
    fn new(offset: u64) -> CsvTracker {
        CsvTracker {
            offset,
            line: 1,
            last: None,
            in_row: false,
            row_line: 1,
            row_byte: offset,
            quoting: Quoting::CellStart,
            quote_line: 1,
            quote_byte: offset,
        }
    }

    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let terminator = b == b'\n' || b == b'\r';
            if !self.in_row && !terminator {
                self.in_row = true;
                self.row_line = self.line;
                self.row_byte = self.offset;
                self.quoting = Quoting::CellStart;
            }
            if self.in_row {
                self.quoting = match (self.quoting, b) {
                    (Quoting::CellStart, b'"') => {
                        self.quote_line = self.line;
                        self.quote_byte = self.offset;
                        Quoting::Quoted
                    }
                    (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                    (Quoting::Quoted, _) => Quoting::Quoted,
                    (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
                    (_, b',' | b'\n' | b'\r') => Quoting::CellStart,
                    _ => Quoting::Unquoted,
                };
            }
            self.offset += 1;
            // A line ends at `\n`, `\r\n` or a lone `\r` (old Mac files),
            // as rows do.
            let crlf = b == b'\n' && self.last == Some(b'\r');
            self.line += u64::from(terminator && !crlf);
            self.last = Some(b);
        }
    }

    /// The parser returned a row: the next byte that is no line end starts
    /// the next one.
    fn end_row(&mut self) {
        self.in_row = false;
    }

    /// The last line holding any byte.
    fn last_line(&self) -> u64 {
        if matches!(self.last, Some(b'\n' | b'\r')) {
            self.line.saturating_sub(1).max(1)
        } else {
            self.line
        }
    }
}

/// How reading one CSV row ended.
enum CsvRow {
    /// The row's cells are in `cells` and `ends`.
    Complete,
    /// The row was longer than the limit: it was skipped, not kept.
    TooLong,
    /// The input ended inside a quoted cell opened at this line and byte.
    Unclosed { line: u64, byte: u64 },
}

/// The rows of a CSV file, read with `csv-core` into buffers bounded by
/// `--max-record-bytes`.
struct CsvRows {
    reader: Box<dyn BufRead>,
    parser: csv_core::Reader,
    tracker: CsvTracker,
    file: Arc<str>,
    header: Option<Vec<String>>,
    opts: Arc<ReadOptions>,
    /// The cells of the current row, one after the other.
    cells: Vec<u8>,
    /// Where each cell of the current row ends in `cells`.
    ends: Vec<usize>,
    /// Whether the tracker's byte offsets are the file's (not after
    /// decoding UTF-16), and so worth showing.
    file_offsets: bool,
    done: bool,
}

/// Bytes of cell data a CSV row buffer starts with.
const CSV_START_BYTES: usize = 1024;

impl CsvRows {
    /// Rows of `reader`, whose first byte is at offset `start` in the file
    /// (after a byte order mark, dropped before); `None` when the reader
    /// decodes the file, so that its offsets are not the file's.
    fn new(
        file: Arc<str>,
        reader: Box<dyn BufRead>,
        start: Option<u64>,
        opts: Arc<ReadOptions>,
    ) -> CsvRows {
        CsvRows {
            reader,
            parser: csv_core::Reader::new(),
            tracker: CsvTracker::new(start.unwrap_or(0)),
            file_offsets: start.is_some(),
            file,
            header: None,
            opts,
            cells: Vec::new(),
            ends: Vec::new(),
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

    fn too_long(&self) -> String {
        format!(
            "record is larger than --max-record-bytes ({} bytes)",
            self.opts.max_record_bytes
        )
    }

    /// Reads the next row. Returns `None` at the end of the input, else how
    /// the row ended with its line and byte offset; an I/O error ends the
    /// stream.
    fn read_row(&mut self) -> Option<Result<(CsvRow, u64, u64), RecordError>> {
        let max = self.opts.max_record_bytes;
        let cap = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
        self.cells.clear();
        self.ends.clear();
        let (mut out_len, mut ends_len) = (0usize, 0usize);
        let mut skipping = false;
        // Where a skipped row's cells go, to be thrown away.
        let (mut sink, mut sink_ends) = (Vec::new(), Vec::new());
        loop {
            if !skipping {
                if out_len == self.cells.len() {
                    let grown = (self.cells.len() * 2).max(CSV_START_BYTES).min(cap);
                    self.cells.resize(grown.max(out_len + 1), 0);
                }
                if ends_len == self.ends.len() {
                    self.ends.resize((self.ends.len() * 2).max(16), 0);
                }
            }
            let input = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    let line = Some(self.tracker.line);
                    return Some(Err(
                        self.error(line, format!("cannot read: {}", io_reason(&e)))
                    ));
                }
            };
            let at_end = input.is_empty();
            let (result, nin, nout, nend) = if skipping {
                self.parser.read_record(input, &mut sink, &mut sink_ends)
            } else {
                self.parser.read_record(
                    input,
                    &mut self.cells[out_len..],
                    &mut self.ends[ends_len..],
                )
            };
            self.tracker.scan(&input[..nin]);
            self.reader.consume(nin);
            if !skipping {
                out_len += nout;
                ends_len += nend;
                // The bytes read so far may end with the row's line end,
                // which does not count: one byte of slack.
                let row_bytes = self.tracker.offset - self.tracker.row_byte;
                if self.tracker.in_row && row_bytes > max.saturating_add(1) {
                    // Over the limit: stop keeping the row, read on to its end.
                    skipping = true;
                    self.cells = Vec::new();
                    self.ends = Vec::new();
                    sink = vec![0u8; 4096];
                    sink_ends = vec![0usize; 64];
                }
            }
            match result {
                csv_core::ReadRecordResult::InputEmpty
                | csv_core::ReadRecordResult::OutputFull
                | csv_core::ReadRecordResult::OutputEndsFull => continue,
                csv_core::ReadRecordResult::End => {
                    self.done = true;
                    return None;
                }
                csv_core::ReadRecordResult::Record => {
                    let (line, byte) = (self.tracker.row_line, self.tracker.row_byte);
                    let unclosed = at_end && self.tracker.quoting == Quoting::Quoted;
                    // A row read to its line end (not to the end of the
                    // input) took that one byte with it.
                    let size = (self.tracker.offset.saturating_sub(byte))
                        .saturating_sub(u64::from(!at_end));
                    let too_long = skipping || size > max;
                    self.tracker.end_row();
                    let row = if unclosed {
                        self.done = true;
                        CsvRow::Unclosed {
                            line: self.tracker.quote_line,
                            byte: self.tracker.quote_byte,
                        }
                    } else if too_long {
                        CsvRow::TooLong
                    } else {
                        self.cells.truncate(out_len);
                        self.ends.truncate(ends_len);
                        CsvRow::Complete
                    };
                    return Some(Ok((row, line, byte)));
                }
            }
        }
    }

    /// The message for a row that runs to the end of the input inside a
    /// quoted cell.
    fn unclosed(&self, quote_line: u64, quote_byte: u64) -> String {
        let last = self.tracker.last_line();
        let swallowed = match last.saturating_sub(quote_line) {
            0 => String::new(),
            1 => format!(", so line {last} was read as part of it"),
            _ => format!(
                ", so lines {} to {last} were read as part of it",
                quote_line + 1
            ),
        };
        // A byte offset after decoding UTF-16 would point nowhere in the file.
        let byte = if self.file_offsets {
            format!(", byte {quote_byte}")
        } else {
            String::new()
        };
        format!(
            "malformed CSV: unclosed quote (opened on line {quote_line}{byte}): \
             the cell runs to the end of the file{swallowed}"
        )
    }

    /// The `i`-th cell of the current row.
    fn cell(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.cells[start..self.ends[i]]
    }

    fn header_row(&mut self) -> Option<Result<(), RecordError>> {
        let (row, line, _) = match self.read_row()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let message = match row {
            CsvRow::Complete => None,
            CsvRow::TooLong => Some(format!("header row: {}", self.too_long())),
            CsvRow::Unclosed { line, byte } => Some(self.unclosed(line, byte)),
        };
        if let Some(message) = message {
            self.done = true;
            return Some(Err(self.error(Some(line), message)));
        }
        let mut names = Vec::with_capacity(self.ends.len());
        for i in 0..self.ends.len() {
            match std::str::from_utf8(self.cell(i)) {
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
        if self.ends.len() != header.len() {
            return Err(self.error(
                Some(line),
                format!(
                    "row has {} cells, the header has {}",
                    self.ends.len(),
                    header.len()
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
            std::str::from_utf8(self.cell(i)).map(|s| Some(s.to_string())).map_err(|e| {
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
        let (row, line, byte) = match self.read_row()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        match row {
            CsvRow::Complete => Some(self.record(line, byte)),
            CsvRow::TooLong => Some(Err(self.error(Some(line), self.too_long()))),
            CsvRow::Unclosed { line: q, byte: b } => {
                Some(Err(self.error(Some(line), self.unclosed(q, b))))
            }
        }
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
    fn blank_means_no_visible_character() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\r\n\u{A0}\u{2003}\u{3000}\u{2028}"));
        assert!(is_blank(
            "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}\u{00AD} "
        ));
        assert!(!is_blank("\u{200B}x"));
        assert!(!is_blank("."));
        // Every character `is_blank` skips is one the classifier drops too:
        // between two letters it leaves one word, alone it leaves none.
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
        ] {
            assert!(is_blank(&c.to_string()), "{c:?}");
            let n = classify_core::normalize::normalize(&format!("ab{c}cd"));
            let words: Vec<&str> = n.words().iter().map(|w| n.text(w)).collect();
            assert_eq!(words, ["abcd"], "{c:?}");
            assert!(classify_core::normalize::normalize(&c.to_string())
                .words()
                .is_empty());
        }
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

    /// Each item of a CSV file read through a buffer of `capacity` bytes,
    /// as (line, id or error message).
    fn csv_items(data: &[u8], capacity: usize, max: u64) -> Vec<(Option<u64>, String)> {
        let reader = BufReader::with_capacity(capacity, io::Cursor::new(data.to_vec()));
        let opts = ReadOptions {
            max_record_bytes: max,
            ..ReadOptions::default()
        };
        stream(
            InputKind::Csv,
            "f.csv".into(),
            Box::new(reader),
            Arc::new(opts),
        )
        .map(|item| match item {
            Ok(r) => (r.source.line, format!("{} {}|{}", r.id, r.title, r.text)),
            Err(e) => (e.source.line, e.message),
        })
        .collect()
    }

    #[test]
    fn csv_rows_do_not_depend_on_how_the_input_is_cut() {
        let data = "\u{feff}id,title,text\r\n\
                    1,\"a \"\"b\"\"\",\"x\r\ny\"\r\n\
                    \n\
                    2,c\"d,e\n\
                    3,toolongtoolongtoolongtoolongtoolong,z\n\
                    4,f,g\n\
                    5,\"h\",\"never closed\nlast";
        // A row of exactly the limit (`4,f,g` with 27 more bytes) passes.
        let data = data.replace("4,f,g", &format!("4,f,g{}", "h".repeat(27)));
        let data = data.as_str();
        let whole = csv_items(data.as_bytes(), 1 << 16, 32);
        let expected: Vec<(Option<u64>, String)> = vec![
            (Some(2), "1 a \"b\"|x\r\ny".into()),
            (Some(5), "2 c\"d|e".into()),
            (
                Some(6),
                "record is larger than --max-record-bytes (32 bytes)".into(),
            ),
            (Some(7), format!("4 f|g{}", "h".repeat(27))),
            (
                Some(8),
                "malformed CSV: unclosed quote (opened on line 8, byte 126): the cell runs \
                 to the end of the file, so line 9 was read as part of it"
                    .into(),
            ),
        ];
        assert_eq!(whole, expected);
        for capacity in [1, 2, 3, 7] {
            assert_eq!(
                csv_items(data.as_bytes(), capacity, 32),
                whole,
                "{capacity}"
            );
        }
        // One byte more than the limit does not.
        for capacity in [1, 64] {
            let items = csv_items(data.as_bytes(), capacity, 31);
            assert_eq!(
                items[3].1,
                "record is larger than --max-record-bytes (31 bytes)"
            );
        }
    }

    /// Decodes `bytes` (UTF-16 after its mark) read `capacity` bytes at a
    /// time: the text, or the text before the error and the error.
    fn utf16_decode(bytes: &[u8], big_endian: bool, capacity: usize) -> (String, Option<String>) {
        let inner = BufReader::with_capacity(capacity, io::Cursor::new(bytes.to_vec()));
        let mut decoder = Utf16Decoder::new(Box::new(inner), big_endian, 2);
        let mut out = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            match decoder.read(&mut buf) {
                Ok(0) => return (String::from_utf8(out).unwrap(), None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (String::from_utf8(out).unwrap(), Some(e.to_string())),
            }
        }
    }

    #[test]
    fn utf16_is_decoded_whatever_the_chunks() {
        let text = "Community manager 📣 H/F\r\nAnimer, modérer : 𝔘 ß 日本\n";
        for big_endian in [false, true] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| {
                    if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect();
            for capacity in [1, 2, 3, 5, 64] {
                assert_eq!(
                    utf16_decode(&bytes, big_endian, capacity),
                    (text.to_string(), None),
                    "{capacity}"
                );
            }
            // A lone low surrogate after "ab", a lone high one at the end,
            // a high one before a plain unit, an odd byte.
            let unit = |u: u16| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            };
            let ab: Vec<u8> = [unit(0x61), unit(0x62)].concat();
            let cases: [(Vec<u8>, &str); 4] = [
                (
                    [ab.clone(), unit(0xDC00).to_vec(), unit(0x63).to_vec()].concat(),
                    "invalid UTF-16 at byte 6: unpaired surrogate 0xDC00",
                ),
                (
                    [ab.clone(), unit(0xD83D).to_vec()].concat(),
                    "invalid UTF-16 at byte 6: unpaired surrogate 0xD83D",
                ),
                (
                    [ab.clone(), unit(0xD83D).to_vec(), unit(0x63).to_vec()].concat(),
                    "invalid UTF-16 at byte 6: unpaired surrogate 0xD83D",
                ),
                (
                    [ab.clone(), vec![0x63]].concat(),
                    "invalid UTF-16 at byte 6: the file ends in the middle of a character",
                ),
            ];
            for (bytes, error) in cases {
                for capacity in [1, 2, 3, 64] {
                    assert_eq!(
                        utf16_decode(&bytes, big_endian, capacity),
                        ("ab".to_string(), Some(error.to_string())),
                        "{capacity}"
                    );
                }
            }
        }
    }

    /// A UTF-16 CSV starting with two byte order marks: the second, decoded
    /// alone, made csv-core's first read, which it took for the end of the
    /// input (no row, no error).
    #[test]
    fn a_csv_starting_with_a_second_byte_order_mark_is_read() {
        let text = "\u{feff}id,title,text\n1,t,x\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let items = csv_items(&bytes, 1 << 16, 1 << 20);
        assert_eq!(items, [(Some(2), "1 t|x".to_string())]);
        // Without byte offsets in errors: they would be the decoded text's.
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(
            "id,title,text\n1,t,\"x\n"
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        );
        let items = csv_items(&bytes, 1 << 16, 1 << 20);
        assert_eq!(
            items,
            [(
                Some(2),
                "malformed CSV: unclosed quote (opened on line 2): the cell runs to the end \
                 of the file"
                    .to_string()
            )]
        );
        // And in UTF-8, whatever the chunks.
        let bytes = format!("\u{feff}{text}").into_bytes();
        for capacity in [1, 2, 3, 4, 64] {
            assert_eq!(
                csv_items(&bytes, capacity, 1 << 20),
                [(Some(2), "1 t|x".to_string())],
                "{capacity}"
            );
        }
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
