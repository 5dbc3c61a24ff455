//! Bad input: every failure is located (`classify: FILE:LINE: message`),
//! keeps its place in machine output, and sets the exit code.

use crate::util::*;
use predicates::str::contains;

#[test]
fn broken_lines_keep_their_place_and_no_record_is_lost() {
    let dir = tempdir();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for i in 0..50 {
        let line = match i {
            7 => b"{\"id\": \"ad-7\", \"text\": ".to_vec(), // malformed JSON
            23 => b"{\"id\": \"ad-23\", \"title\": \"x\"}".to_vec(), // missing field
            41 => {
                let mut l = b"{\"id\": \"ad-41\", \"text\": \"caf".to_vec();
                l.extend_from_slice(&[0xff, 0xfe]);
                l.extend_from_slice(b"\"}");
                l
            } // invalid UTF-8
            _ => jsonl_line(&format!("ad-{i}"), CM_TITLE, CM_TEXT).into_bytes(),
        };
        lines.push(line);
    }
    let path = write(dir.path(), "ads.jsonl", lines.join(&b"\n"[..]));
    for jobs in ["1", "2"] {
        let out = classify()
            .arg(&path)
            .args(["-f", "jsonl", "--jobs", jobs])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let records = parse_lines(&out.stdout);
        assert_eq!(records.len(), 50);
        for (i, r) in records.iter().enumerate() {
            let failed = [7, 23, 41].contains(&i);
            assert_eq!(r["error"].is_null(), !failed, "record {i}: {r}");
            assert_eq!(r["label"].is_null(), failed, "record {i}: {r}");
            let expected_id = if i == 7 || i == 41 {
                format!("{}:{}", path.display(), i + 1)
            } else {
                format!("ad-{i}")
            };
            assert_eq!(r["id"], expected_id.as_str(), "record {i}");
        }
        let stderr = stderr_of(&out);
        let file = path.display();
        assert!(
            stderr.contains(&format!("classify: {file}:8: malformed JSON")),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("classify: {file}:24: missing field \"text\"")),
            "{stderr}"
        );
        // The byte offset of the bad UTF-8 is given, from the start of the file.
        let offset: usize = lines[..41].iter().map(|l| l.len() + 1).sum::<usize>() + 28;
        assert!(
            stderr.contains(&format!(
                "classify: {file}:42: invalid UTF-8 at byte {offset}"
            )),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 3, "{stderr}");
    }
}

#[test]
fn csv_rows_with_the_wrong_cell_count_are_reported_in_place() {
    let dir = tempdir();
    let csv = format!(
        "id,title,text\n1,{CM_TITLE},{CM_TEXT:?}\n2,only two\n3,{BAKERY_TITLE},{BAKERY_TEXT:?}\n"
    );
    let path = write(dir.path(), "ads.csv", csv);
    let out = classify()
        .arg(&path)
        .args(["-f", "csv"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(
        rows[2].contains("row has 2 cells, the header has 3"),
        "{text}"
    );
    assert!(rows[3].starts_with("3,"), "{text}");
    assert!(stderr_of(&out).contains(&format!("classify: {}:3: row has 2 cells", path.display())));
}

/// CSV errors name the line the row starts on, whatever the line ends
/// (Windows `\r\n`), the blank lines and the multi-line cells before it.
#[test]
fn csv_errors_name_the_line_the_row_starts_on() {
    let dir = tempdir();
    let csv = "id,title,text\r\n\
               1,\"Community\r\nManager\",\"Vous animez\r\nnos réseaux sociaux.\"\r\n\
               \r\n\
               \r\n\
               2,only two\r\n\
               3,,\"\"\r\n";
    let path = write(dir.path(), "ads.csv", csv);
    let out = classify()
        .arg(&path)
        .args(["-f", "jsonl"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let file = path.display();
    let records = parse_lines(&out.stdout);
    let sources: Vec<&str> = records
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            format!("{file}:2"),
            format!("{file}:7"),
            format!("{file}:8")
        ]
    );
    assert!(records[0]["error"].is_null(), "{}", records[0]);
    assert_eq!(records[2]["error"], "empty ad");
    assert_eq!(
        stderr_of(&out),
        format!(
            "classify: {file}:7: row has 2 cells, the header has 3\n\
             classify: {file}:8: empty ad\n"
        )
    );
}

#[test]
fn empty_unreadable_and_invalid_files_are_named() {
    let dir = tempdir();
    let empty = write(dir.path(), "empty.txt", " \n\n ");
    let bad = write(dir.path(), "bad.txt", b"Titre\nligne deux \xe9t\xe9\n");
    let missing = dir.path().join("missing.txt");
    let good = write(dir.path(), "good.txt", format!("{CM_TITLE}\n{CM_TEXT}"));
    let out = classify()
        .args([&empty, &bad, &missing, &good])
        .args(["-f", "jsonl"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let records = parse_lines(&out.stdout);
    assert_eq!(records.len(), 4);
    assert_eq!(records[3]["label"], "CM");
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(&format!("classify: {}: empty ad", empty.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "classify: {}:2: invalid UTF-8 at byte 17",
            bad.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "classify: {}: cannot read: no such file",
            missing.display()
        )),
        "{stderr}"
    );
}

/// In the formats for people (one line per ad, `--explain`), which share
/// the terminal with standard error, each error appears once: on standard
/// error, between the lines of the ads around it (it used to be printed on
/// standard error and again as an `ERROR` line). Machine formats keep their
/// error record (see above).
#[test]
fn in_the_formats_for_people_each_error_appears_once_in_place() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.txt",
        format!("{BAKERY_TITLE}\n{BAKERY_TEXT}"),
    );
    write(dir.path(), "b.txt", " \n");
    write(dir.path(), "c.txt", format!("{CM_TITLE}\n{CM_TEXT}"));
    let bin = assert_cmd::cargo::cargo_bin("classify");
    for format in [None, Some("--explain")] {
        // Standard output alone: only the ads.
        let out = classify()
            .current_dir(dir.path())
            .args(format)
            .args(["a.txt", "b.txt", "c.txt"])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let stdout = String::from_utf8(out.stdout.clone()).unwrap();
        assert!(
            !stdout.contains("b.txt") && !stdout.contains("ERROR"),
            "{stdout}"
        );
        assert_eq!(stderr_of(&out), "classify: b.txt: empty ad\n");
        // Both streams on one pipe, as on a terminal: the error in its place.
        let both = std::process::Command::new("sh")
            .current_dir(dir.path())
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 2>&1")
            .arg(&bin)
            .args(format)
            .args(["a.txt", "b.txt", "c.txt"])
            .output()
            .unwrap();
        let text = String::from_utf8(both.stdout).unwrap();
        let (a, b, c) = (
            text.find("a.txt").unwrap(),
            text.find("classify: b.txt: empty ad\n").unwrap(),
            text.find("c.txt").unwrap(),
        );
        assert!(a < b && b < c, "{text}");
        assert_eq!(text.matches("empty ad").count(), 1, "{text}");
    }
}

#[test]
fn oversized_records_get_a_clear_error() {
    let input = [
        jsonl_line("small", CM_TITLE, "court"),
        jsonl_line("big", CM_TITLE, &"très long ".repeat(200)),
    ]
    .join("\n");
    let out = classify()
        .args(["--jsonl", "-f", "jsonl", "--max-record-bytes", "1K"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let records = parse_lines(&out.stdout);
    assert_eq!(records.len(), 2);
    assert!(records[0]["error"].is_null());
    assert!(records[1]["error"]
        .as_str()
        .unwrap()
        .contains("larger than --max-record-bytes (1024 bytes)"));
    assert!(stderr_of(&out).contains("classify: <stdin>:2: record is larger"));
}

#[test]
fn strict_stops_at_the_first_error() {
    let input = [
        jsonl_line("a", CM_TITLE, CM_TEXT),
        "not json".into(),
        jsonl_line("c", CM_TITLE, CM_TEXT),
    ]
    .join("\n");
    let out = classify()
        .args(["--jsonl", "-f", "jsonl", "--strict"])
        .write_stdin(input)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let records = parse_lines(&out.stdout);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], "a");
    assert!(stderr_of(&out).contains("classify: <stdin>:2: malformed JSON"));
}

#[test]
fn usage_errors_exit_with_2() {
    classify().args(["--format", "yaml"]).assert().code(2);
    classify().args(["--jobs", "0"]).assert().code(2);
    classify()
        .args(["--max-record-bytes", "lots"])
        .assert()
        .code(2)
        .stderr(contains("invalid size"));
    classify().args(["--jsonl", "--csv"]).assert().code(2);
}

#[test]
fn an_unusable_lexicon_exits_with_2() {
    let dir = tempdir();
    let broken = write(dir.path(), "broken.json", "{\n  \"families\": [\n");
    classify()
        .args(["--lexicon"])
        .arg(&broken)
        .write_stdin(format!("{CM_TITLE}\n{CM_TEXT}"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("classify: lexicon: ").and(contains("broken.json")));
}

#[test]
fn help_documents_the_exit_codes() {
    classify().arg("--help").assert().success().stdout(
        contains("Exit codes:")
            .and(contains("0  every record"))
            .and(contains("2  usage")),
    );
}

use predicates::prelude::PredicateBooleanExt;

/// An input with no record at all (an empty JSON Lines file, a CSV with
/// its header only, a folder without ad files) is no error, but says so on
/// stderr instead of ending in silence; `evaluate` refuses it, since a
/// report of zeros would read as a classifier that is always wrong.
#[test]
fn an_input_without_records_says_so() {
    let dir = tempdir();
    let empty = write(dir.path(), "empty.jsonl", "");
    let header = write(dir.path(), "header.csv", "id,title,text\n");
    let folder = dir.path().join("no-ads");
    std::fs::create_dir(&folder).unwrap();
    write(&folder, "notes.pdf", "%PDF-1.4");
    let notice = "classify: no records in the input (";
    for path in [&empty, &header, &folder] {
        let out = classify().arg(path).args(["-f", "jsonl"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", path.display());
        assert!(out.stdout.is_empty(), "{}", path.display());
        assert!(stderr_of(&out).starts_with(notice), "{}", stderr_of(&out));
    }
    // One empty file among others: no notice.
    let good = write(
        dir.path(),
        "good.jsonl",
        jsonl_line("g", CM_TITLE, CM_TEXT) + "\n",
    );
    let out = classify().arg(&empty).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr_of(&out), "");
    let out = classify().arg("evaluate").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr_of(&out),
        "classify: no labelled ad to measure in the input (0 records failed)\n"
    );
}
