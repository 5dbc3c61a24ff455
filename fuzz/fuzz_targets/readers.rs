//! The CLI's record readers (JSON Lines, CSV, text, HTML), used through
//! the `classify_cli` library exactly as the `classify` binary uses them.
//!
//! Input: the first byte picks the format and the record size limit, the
//! rest is the file. Invariants: never a panic; a text or HTML file is one
//! item; JSON Lines yield exactly one item per non-blank line, in order,
//! with the right line numbers, and each record keeps its line as `raw`;
//! CSV items come in line order and stop after a fatal error.
#![no_main]

use std::path::PathBuf;

use classify_cli::input::{self, Fields, InputKind, ReadOptions, Records, Source};
use libfuzzer_sys::fuzz_target;

fn scratch_file(ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("classify-fuzz-{}.{ext}", std::process::id()))
}

fn read(kind: InputKind, ext: &str, max: u64, content: &[u8]) -> Vec<input::ReadResult> {
    let path = scratch_file(ext);
    std::fs::write(&path, content).unwrap();
    let options = ReadOptions {
        forced: Some(kind),
        fields: Fields::default(),
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

fn check_jsonl(content: &[u8], max: u64, items: &[input::ReadResult]) {
    let mut lines: Vec<&[u8]> = content.split(|&b| b == b'\n').collect();
    if content.ends_with(b"\n") || content.is_empty() {
        lines.pop();
    }
    let expected: Vec<u64> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.len() as u64 > max || !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let got: Vec<Option<u64>> = items
        .iter()
        .map(|r| match r {
            Ok(r) => r.source.line,
            Err(e) => e.source.line,
        })
        .collect();
    let expected: Vec<Option<u64>> = expected.into_iter().map(Some).collect();
    assert_eq!(got, expected, "one item per non-blank line, in order");
    for item in items {
        match item {
            Ok(r) => {
                let raw = r
                    .raw
                    .as_deref()
                    .expect("JSON Lines records keep their line");
                let value: serde_json::Value = serde_json::from_str(raw).expect("raw is JSON");
                assert!(value.is_object());
                assert!(!r.id.is_empty());
                assert!(!(r.title.trim().is_empty() && r.text.trim().is_empty()));
            }
            Err(e) => assert!(!e.message.is_empty()),
        }
    }
}

fn check_csv(items: &[input::ReadResult]) {
    let mut last = 0;
    for (i, item) in items.iter().enumerate() {
        let (line, fatal) = match item {
            Ok(r) => (r.source.line, false),
            Err(e) => (
                e.source.line,
                e.message.starts_with("malformed CSV") || e.message.starts_with("cannot read"),
            ),
        };
        if let Some(line) = line {
            assert!(line >= last, "CSV items out of order");
            last = line;
        }
        if fatal || matches!(item, Err(e) if e.message.starts_with("invalid UTF-8 in header")) {
            assert_eq!(i + 1, items.len(), "items after a fatal CSV error");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let max = [16u64, 256, 4096, 1 << 20][usize::from(selector >> 2) % 4];
    match selector % 4 {
        0 => {
            let items = read(InputKind::Jsonl, "jsonl", max, content);
            check_jsonl(content, max, &items);
        }
        1 => {
            let items = read(InputKind::Csv, "csv", max, content);
            check_csv(&items);
        }
        kind => {
            let (kind, ext) = if kind == 2 {
                (InputKind::Text, "txt")
            } else {
                (InputKind::Html, "html")
            };
            let items = read(kind, ext, max, content);
            assert_eq!(items.len(), 1, "a text file is one ad");
            let text = String::from_utf8_lossy(content);
            let html = input::strip_html(&text);
            let (title, body) = input::split_title(&html);
            assert!(html.contains(title) && html.ends_with(body));
        }
    }
});
