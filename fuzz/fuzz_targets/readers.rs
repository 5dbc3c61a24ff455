//! The CLI's record readers (JSON Lines, CSV, text, HTML), used through
//! the `classify_cli` library exactly as the `classify` binary uses them.
//!
//! Input: the first byte picks the format and the record size limit, the
//! rest is the file. The readers see the file as UTF-8: after a UTF-8 byte
//! order mark, decoded from UTF-16 after its mark, or refused whole for
//! UTF-32 and for UTF-16 without its mark; this target decodes the same way with `char::decode_utf16` to
//! know what to expect. Invariants: never a panic; a text or HTML file is
//! one item; JSON Lines yield exactly one item per non-blank line, in
//! order, with the right line numbers, each record keeping its line as
//! `raw`, each item exactly what serde_json alone reads from its line
//! (`parse_json_line` with `JsonParser::Serde`: the fast scanner and its
//! fall back must agree with it), then (broken UTF-16) one `cannot read`
//! error; the field paths are chosen by bits 4-5 of the first byte
//! (default, France Travail preset, dotted paths with a label, one path
//! for all); CSV items come in
//! line order, stop after a fatal error, and match the rows the `csv`
//! crate finds (one item per row after the header, an unclosed quote
//! included).
#![no_main]

use std::path::PathBuf;

use classify_cli::input::{self, Fields, InputKind, JsonParser, ReadOptions, Records, Source};
use libfuzzer_sys::fuzz_target;

fn scratch_file(ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("classify-fuzz-{}.{ext}", std::process::id()))
}

/// The field paths the JSON Lines and CSV readers look for.
fn fields(choice: u8) -> Fields {
    let paths = |id: &str, title: &str, text: &str, label: Option<&str>| Fields {
        id: id.into(),
        title: title.into(),
        text: text.into(),
        label: label.map(str::to_string),
    };
    match choice % 4 {
        0 => Fields::default(),
        1 => paths("id", "intitule", "description", None),
        2 => paths("meta.id", "a.b", "text", Some("label")),
        _ => paths("text", "text", "text", None),
    }
}

fn read(
    kind: InputKind,
    ext: &str,
    max: u64,
    fields: &Fields,
    content: &[u8],
) -> Vec<input::ReadResult> {
    let path = scratch_file(ext);
    std::fs::write(&path, content).unwrap();
    let options = ReadOptions {
        forced: Some(kind),
        fields: fields.clone(),
        max_record_bytes: max,
    };
    let items: Vec<_> = Records::new(
        vec![Source::Path {
            path: path.clone(),
            explicit: true,
        }],
        options,
    )
    .collect();
    let _ = std::fs::remove_file(&path);
    items
}

/// What the readers read from a file's bytes.
enum Decoded {
    /// UTF-8 bytes; `true` when UTF-16 decoding failed after them; the
    /// offset of their first byte as the readers count it (after a UTF-8
    /// byte order mark; decoded UTF-16 counts from 0).
    Bytes(Vec<u8>, bool, u64),
    /// A UTF-32 byte order mark, or UTF-16 without one (two ASCII
    /// characters, each beside a NUL byte): the file is refused whole, with
    /// this start of its message.
    Refused(&'static str),
}

fn decode(content: &[u8]) -> Decoded {
    if content.starts_with(b"\xFF\xFE\0\0") || content.starts_with(b"\0\0\xFE\xFF") {
        return Decoded::Refused("file is UTF-32");
    }
    let ascii = |b: u8| b != 0 && b.is_ascii();
    match content.get(..4) {
        Some(&[a, 0, b, 0]) if ascii(a) && ascii(b) => {
            return Decoded::Refused("file looks like UTF-16LE without a byte order mark")
        }
        Some(&[0, a, 0, b]) if ascii(a) && ascii(b) => {
            return Decoded::Refused("file looks like UTF-16BE without a byte order mark")
        }
        _ => {}
    }
    if let Some(rest) = content.strip_prefix(b"\xEF\xBB\xBF") {
        return Decoded::Bytes(rest.to_vec(), false, 3);
    }
    let big_endian = match content.get(..2) {
        Some(b"\xFF\xFE") => false,
        Some(b"\xFE\xFF") => true,
        _ => return Decoded::Bytes(content.to_vec(), false, 0),
    };
    let body = &content[2..];
    let units = body.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut text = String::new();
    let mut broken = body.len() % 2 == 1;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    Decoded::Bytes(text.into_bytes(), broken, 0)
}

fn line_of(item: &input::ReadResult) -> Option<u64> {
    match item {
        Ok(r) => r.source.line,
        Err(e) => e.source.line,
    }
}

fn check_jsonl(
    content: &[u8],
    broken: bool,
    start: u64,
    max: u64,
    fields: &Fields,
    items: &[input::ReadResult],
) {
    let mut lines: Vec<&[u8]> = content.split(|&b| b == b'\n').collect();
    // The last piece is no line when the content ends with a line end, nor
    // when decoding broke inside it.
    if content.ends_with(b"\n") || content.is_empty() || broken {
        lines.pop();
    }
    let mut expected: Vec<Option<u64>> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.len() as u64 > max || !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, _)| Some(i as u64 + 1))
        .collect();
    if broken {
        expected.push(Some(lines.len() as u64 + 1));
    }
    let got: Vec<Option<u64>> = items.iter().map(line_of).collect();
    assert_eq!(got, expected, "one item per non-blank line, in order");
    // Each line's item is what serde_json alone reads from it.
    let mut starts = Vec::with_capacity(lines.len());
    let mut offset = start;
    for line in &lines {
        starts.push(offset);
        offset += line.len() as u64 + 1;
    }
    for item in items {
        let source = match item {
            Ok(r) => &r.source,
            Err(e) => &e.source,
        };
        let Some(n) = source.line.map(|n| n as usize - 1) else {
            continue;
        };
        let Some(line) = lines.get(n) else {
            continue; // the broken UTF-16 error
        };
        if line.len() as u64 > max {
            continue;
        }
        let reference =
            input::parse_json_line(line, starts[n], source.clone(), fields, JsonParser::Serde);
        assert_eq!(item, &reference, "fast path and serde_json disagree");
    }
    for (i, item) in items.iter().enumerate() {
        match item {
            Ok(r) => {
                let raw = r
                    .raw
                    .as_deref()
                    .expect("JSON Lines records keep their line");
                let value: serde_json::Value = serde_json::from_str(raw).expect("raw is JSON");
                assert!(value.is_object());
                assert!(!r.id.is_empty());
                assert!(!(input::is_blank(&r.title) && input::is_blank(&r.text)));
            }
            Err(e) => {
                assert!(!e.message.is_empty());
                if broken && i + 1 == items.len() {
                    assert!(e.message.starts_with("cannot read: invalid UTF-16"), "{e}");
                }
            }
        }
    }
}

fn check_csv(content: &[u8], broken: bool, items: &[input::ReadResult]) {
    let mut last = 0;
    for (i, item) in items.iter().enumerate() {
        let fatal = match item {
            Ok(_) => false,
            Err(e) => {
                e.message.starts_with("malformed CSV")
                    || e.message.starts_with("cannot read")
                    || e.message.starts_with("invalid UTF-8 in header")
                    || e.message.starts_with("header row")
            }
        };
        if let Some(line) = line_of(item) {
            assert!(line > last, "CSV items out of order");
            last = line;
        }
        if fatal {
            assert_eq!(i + 1, items.len(), "items after a fatal CSV error");
        }
        if let Err(e) = item {
            if e.message.contains("unclosed quote") {
                assert!(content.contains(&b'"'), "an unclosed quote without a quote");
            }
        }
    }
    if broken {
        return;
    }
    // The same rows as the `csv` crate, which reads the same way but keeps
    // an unclosed quote's row as a row.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(content);
    let mut row = csv::ByteRecord::new();
    let mut rows = 0usize;
    while reader
        .read_byte_record(&mut row)
        .expect("byte records never fail")
    {
        rows += 1;
    }
    // The header row's own errors end the file in one item.
    let header_failed = matches!(items.first(), Some(Err(e))
        if e.message.starts_with("header row")
            || e.message.starts_with("invalid UTF-8 in header")
            || (rows == 1 && e.message.starts_with("malformed CSV")));
    let expected = if header_failed {
        1
    } else {
        rows.saturating_sub(1)
    };
    assert_eq!(items.len(), expected, "one item per row after the header");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let max = [16u64, 256, 4096, 1 << 20][usize::from(selector >> 2) % 4];
    let (ext, kind) = match selector % 4 {
        0 => ("jsonl", InputKind::Jsonl),
        1 => ("csv", InputKind::Csv),
        2 => ("txt", InputKind::Text),
        _ => ("html", InputKind::Html),
    };
    let fields = fields(selector >> 4);
    let items = read(kind, ext, max, &fields, content);
    let (decoded, broken, start) = match decode(content) {
        Decoded::Refused(reason) => {
            assert_eq!(items.len(), 1, "{reason}: refused in one error");
            let message = &items[0].as_ref().expect_err("refused").message;
            assert!(message.starts_with(reason), "{message}");
            return;
        }
        Decoded::Bytes(bytes, broken, start) => (bytes, broken, start),
    };
    match kind {
        InputKind::Jsonl => check_jsonl(&decoded, broken, start, max, &fields, &items),
        InputKind::Csv => check_csv(&decoded, broken, &items),
        _ => {
            assert_eq!(items.len(), 1, "a text file is one ad");
            let text = String::from_utf8_lossy(&decoded);
            let html = input::strip_html(&text);
            let (title, body) = input::split_title(&html);
            assert!(html.contains(title) && html.ends_with(body));
        }
    }
});
