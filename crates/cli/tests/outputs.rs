//! Every output form: lines for people, explanations, JSON, JSON Lines,
//! CSV, TSV, annotation in place, the summary, and order under threads.

use crate::util::*;
use serde_json::Value;

fn two_ads() -> String {
    [
        jsonl_line("cm", CM_TITLE, CM_TEXT),
        jsonl_line("a-longer-id", BAKERY_TITLE, BAKERY_TEXT),
    ]
    .join("\n")
        + "\n"
}

fn stdout_of(args: &[&str], stdin: String) -> String {
    let out = classify()
        .args(args)
        .write_stdin(stdin)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn human_lines_are_aligned_and_plain_when_piped() {
    let text = stdout_of(&["--jsonl"], two_ads());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("cm  ") && lines[0].contains(" CM "),
        "{text}"
    );
    assert!(
        lines[1].starts_with("a-longer-id  ") && lines[1].contains(" NONE "),
        "{text}"
    );
    // Labels start in the same column.
    assert_eq!(lines[0].find("CM"), lines[1].find("NONE"), "{text}");
    assert!(!text.contains('\x1b'), "no colour when piped: {text:?}");
    // The strongest evidence of the CM ad is listed.
    assert!(
        lines[0].contains("(animation)") || lines[0].contains("(moderation)"),
        "{text}"
    );
}

#[test]
fn colour_can_be_forced_and_no_color_is_honoured() {
    let text = stdout_of(&["--jsonl", "--color", "always"], two_ads());
    assert!(text.contains("\x1b["), "{text:?}");
    let out = classify()
        .args(["--jsonl"])
        .env("NO_COLOR", "1")
        .write_stdin(two_ads())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8(out).unwrap().contains('\x1b'));
}

#[test]
fn explain_shows_families_and_highlighted_snippets() {
    let text = stdout_of(&["--explain"], format!("{CM_TITLE}\n{CM_TEXT}"));
    assert!(text.contains("families:"), "{text}");
    assert!(text.contains("animation"), "{text}");
    assert!(text.contains("evidence:"), "{text}");
    // The matched words are marked in the snippet, taken from the original text.
    assert!(text.contains("[modérez]"), "{text}");
    assert!(text.contains("[Community Manager]"), "{text}");
}

/// `--explain` gives a line to each family with evidence, for or against
/// (a negated one shows its negative raw sum), and only names the others,
/// instead of a column of zeros.
#[test]
fn explain_lists_only_families_with_evidence() {
    let text = stdout_of(
        &["--explain"],
        format!("{CM_TITLE}\nVous animez nos réseaux sociaux, modérez les commentaires. Sans budget publicitaire."),
    );
    let start = text.find("  families:\n").expect("families") + "  families:\n".len();
    let end = text.find("  evidence:").expect("evidence");
    let block = &text[start..end];
    let (lines, silent) = block.split_at(block.find("    no evidence:").expect("no evidence"));
    let shown: Vec<&str> = lines
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(shown, ["animation", "moderation", "budget"], "{text}");
    assert!(lines.contains("(raw -3.00)"), "{text}");
    assert!(!lines.contains("(raw +0.00)"), "{text}");
    let silent: Vec<&str> = silent["    no evidence:".len()..]
        .split([',', ' ', '\n'])
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(silent.len(), 15, "{text}");
    for family in ["channels", "paid", "web", "communication"] {
        assert!(silent.contains(&family), "{family}: {text}");
    }
    assert!(block.lines().all(|l| l.chars().count() < 80), "{block}");
}

#[test]
fn json_is_one_array_with_every_field() {
    let text = stdout_of(&["--jsonl", "-f", "json"], two_ads());
    let value: Value = serde_json::from_str(&text).expect("one JSON document");
    let records = value.as_array().expect("an array");
    assert_eq!(records.len(), 2);
    let r = &records[0];
    assert_eq!(r["id"], "cm");
    assert_eq!(r["label"], "CM");
    assert!(r["confidence"].as_f64().unwrap() > 0.0);
    for label in ["CM", "SMM", "STRATEGIST", "HYBRID", "NONE"] {
        assert!(r["scores"][label].is_f64(), "score of {label}: {r}");
    }
    assert!(r["families"]["animation"].is_f64(), "{r}");
    assert_eq!(r["rome"], serde_json::json!(["E1101"]));
    assert!(r["error"].is_null());
    let e = &r["evidence"][0];
    for key in [
        "entry",
        "kind",
        "family",
        "weight",
        "contribution",
        "negated",
        "deferred",
        "section",
        "span",
        "match",
    ] {
        assert!(!e[key].is_null(), "evidence lacks {key}: {e}");
    }
    // Snippets only on request.
    assert!(e.get("snippet").is_none(), "{e}");
    // Spans point into the original text.
    let (s, t) = (
        e["span"][0].as_u64().unwrap() as usize,
        e["span"][1].as_u64().unwrap() as usize,
    );
    let source = if e["section"] == "title" {
        CM_TITLE
    } else {
        CM_TEXT
    };
    assert_eq!(&source[s..t], e["match"].as_str().unwrap());

    // An empty input is an empty array.
    let empty = stdout_of(&["--jsonl", "-f", "json"], String::new());
    assert_eq!(
        serde_json::from_str::<Value>(&empty).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn csv_and_tsv_have_flat_columns() {
    for (format, sep) in [("csv", ','), ("tsv", '\t')] {
        let text = stdout_of(&["--jsonl", "-f", format], two_ads());
        let lines: Vec<&str> = text.lines().collect();
        let header: Vec<&str> = lines[0].split(sep).collect();
        assert_eq!(
            header,
            [
                "id",
                "label",
                "confidence",
                "CM",
                "SMM",
                "STRATEGIST",
                "HYBRID",
                "NONE",
                "evidence",
                "error"
            ]
        );
        assert_eq!(lines.len(), 3, "{text}");
        let row: Vec<&str> = lines[1].split(sep).collect();
        assert_eq!((row[0], row[1]), ("cm", "CM"), "{text}");
        assert!(row[8].contains("; "), "top evidence joined by '; ': {text}");
    }
}

#[test]
fn annotate_keeps_the_original_object_and_adds_one_field() {
    let lines = [
        r#"{"z": 1, "id": "x", "title": "Community Manager H/F", "text": "Vous animez nos réseaux sociaux et modérez les commentaires.", "price": 1.50, "nested": {"b": [1, 2]}}"#,
        r#"{"a":"\u00e9","text":"Vente de pain en boulangerie, tenue de caisse."}"#,
    ];
    let out = stdout_of(&["--annotate"], lines.join("\n") + "\n");
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), 2);
    for (original, annotated) in lines.iter().zip(&got) {
        // The original text is kept byte for byte, the field added at the end.
        let prefix = original.strip_suffix('}').unwrap();
        assert!(annotated.starts_with(prefix), "{annotated}");
        let value: Value = serde_json::from_str(annotated).unwrap();
        assert!(value["classify"]["label"].is_string(), "{annotated}");
    }
    assert_eq!(
        serde_json::from_str::<Value>(got[0]).unwrap()["classify"]["label"],
        "CM"
    );

    // Renamed field.
    let out = stdout_of(
        &["--annotate", "--annotate-field", "role"],
        lines[1].to_string(),
    );
    let value: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(value["role"]["label"].is_string());
    assert!(value.get("classify").is_none());

    // Annotating annotated output replaces the field instead of repeating it.
    let again = stdout_of(&["--annotate"], got[1].to_string());
    assert_eq!(again.matches("\"classify\"").count(), 1, "{again}");
}

#[test]
fn summary_goes_to_stderr() {
    let assert = classify()
        .args(["--jsonl", "-f", "jsonl", "--summary"])
        .write_stdin(two_ads())
        .assert()
        .success();
    let out = assert.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 records"), "{stderr}");
    assert!(
        stderr.contains("CM 1") && stderr.contains("NONE 1") && stderr.contains("errors 0"),
        "{stderr}"
    );
    assert_eq!(parse_lines(&out.stdout).len(), 2);
}

#[test]
fn jobs_do_not_change_the_output_or_its_order() {
    let input = many_ads(600);
    let one = stdout_of(&["--jsonl", "-f", "jsonl", "--jobs", "1"], input.clone());
    let two = stdout_of(&["--jsonl", "-f", "jsonl", "--jobs", "2"], input.clone());
    let four = stdout_of(&["--jsonl", "-f", "csv", "--jobs", "4"], input.clone());
    let four_one = stdout_of(&["--jsonl", "-f", "csv", "--jobs", "1"], input);
    assert_eq!(one, two);
    assert_eq!(four, four_one);
    let ids: Vec<String> = parse_lines(one.as_bytes())
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = (0..600).map(|i| format!("ad-{i}")).collect();
    assert_eq!(ids, expected);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // `classify … | head -1`: stdout closes early; no message, exit 0.
    let dir = tempdir();
    let path = write(dir.path(), "many.jsonl", many_ads(3000));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("classify"))
        .arg(&path)
        .args(["-f", "jsonl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// `--explain` with a machine format adds each evidence item's snippet,
/// taken from the original text around the matched words; the formats
/// with no place for it refuse it.
#[test]
fn explain_adds_snippets_to_the_json_formats() {
    let input = two_ads();
    let compact = parse_lines(stdout_of(&["--jsonl", "-f", "jsonl"], input.clone()).as_bytes());
    let cases: [&[&str]; 3] = [
        &["--jsonl", "-f", "jsonl", "--explain"],
        &["--jsonl", "-f", "json", "--explain"],
        &["--annotate", "--explain"],
    ];
    for args in cases {
        let text = stdout_of(args, input.clone());
        let records: Vec<Value> = if args.contains(&"json") {
            serde_json::from_str::<Value>(&text)
                .unwrap()
                .as_array()
                .unwrap()
                .clone()
        } else {
            parse_lines(text.as_bytes())
        };
        assert_eq!(records.len(), compact.len(), "{args:?}");
        for (r, c) in records.iter().zip(&compact) {
            let r = if args.contains(&"--annotate") {
                &r["classify"]
            } else {
                r
            };
            let (evidence, compact_evidence) = (
                r["evidence"].as_array().unwrap(),
                c["evidence"].as_array().unwrap(),
            );
            assert_eq!(evidence.len(), compact_evidence.len(), "{args:?}");
            for (e, ce) in evidence.iter().zip(compact_evidence) {
                let snippet = e["snippet"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{args:?}: {e}"));
                assert!(snippet.contains(e["match"].as_str().unwrap()), "{e}");
                // The rest of the item is the compact one.
                let mut without = e.clone();
                without.as_object_mut().unwrap().remove("snippet");
                assert_eq!(&without, ce, "{args:?}");
            }
        }
    }
    for format in ["csv", "tsv"] {
        let out = classify()
            .args(["--jsonl", "-f", format, "--explain"])
            .write_stdin(input.clone())
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(
            stderr_of(&out).contains("--explain has no csv or tsv form"),
            "{}",
            stderr_of(&out)
        );
    }
}
