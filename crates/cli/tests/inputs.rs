//! Every input form: standard input, files, folders, HTML, JSON Lines with
//! field paths and presets, CSV with multi-line cells.

use crate::util::*;
use serde_json::json;

#[test]
fn stdin_text_is_one_ad_with_its_first_line_as_title() {
    let out = classify()
        .args(["-f", "jsonl"])
        .write_stdin(format!("{CM_TITLE}\n{CM_TEXT}\n"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let records = parse_lines(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["label"], "CM");
    // The title was recognised: some evidence was found in it.
    let evidence = records[0]["evidence"].as_array().unwrap();
    assert!(
        evidence.iter().any(|e| e["section"] == "title"),
        "{evidence:?}"
    );
}

#[test]
fn dash_reads_standard_input_among_files() {
    let dir = tempdir();
    let a = write(
        dir.path(),
        "a.txt",
        format!("{BAKERY_TITLE}\n{BAKERY_TEXT}"),
    );
    let out = classify()
        .arg(&a)
        .arg("-")
        .args(["-f", "jsonl"])
        .write_stdin(format!("{CM_TITLE}\n{CM_TEXT}"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let ids: Vec<String> = parse_lines(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, [a.display().to_string(), "<stdin>".to_string()]);
}

#[test]
fn folders_are_walked_in_sorted_order_keeping_known_extensions() {
    let dir = tempdir();
    write(dir.path(), "b.txt", format!("{CM_TITLE}\n{CM_TEXT}"));
    write(
        dir.path(),
        "a.md",
        format!("# {BAKERY_TITLE}\n{BAKERY_TEXT}"),
    );
    write(
        dir.path(),
        "sub/c.html",
        format!("<html><h1>{CM_TITLE}</h1><p>{CM_TEXT}</p></html>"),
    );
    write(dir.path(), "ignored.png", "not an ad");
    let out = classify()
        .arg(dir.path())
        .args(["-f", "jsonl", "--explain"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let records = parse_lines(&out);
    let names: Vec<String> = records
        .iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap();
            std::path::Path::new(id)
                .strip_prefix(dir.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["a.md", "b.txt", "sub/c.html"]);
    assert_eq!(records[1]["label"], "CM");
    assert_eq!(records[0]["label"], "NONE");
    // HTML tags are gone from the text the evidence points into.
    for e in records[2]["evidence"].as_array().unwrap() {
        assert!(!e["snippet"].as_str().unwrap().contains('<'), "{e}");
    }
}

#[test]
fn jsonl_files_use_field_paths_and_fall_back_to_file_line_ids() {
    let dir = tempdir();
    let content = [
        json!({"offer": {"ref": "X1", "name": CM_TITLE, "body": CM_TEXT}}).to_string(),
        json!({"offer": {"name": BAKERY_TITLE, "body": BAKERY_TEXT}}).to_string(),
    ]
    .join("\n");
    let path = write(dir.path(), "ads.ndjson", content);
    let out = classify()
        .arg(&path)
        .args([
            "--id-field",
            "offer.ref",
            "--title-field",
            "offer.name",
            "--text-field",
            "offer.body",
        ])
        .args(["-f", "jsonl"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let records = parse_lines(&out);
    assert_eq!(records[0]["id"], "X1");
    assert_eq!(records[1]["id"], format!("{}:2", path.display()));
    assert_eq!(records[0]["label"], "CM");
    assert_eq!(records[1]["label"], "NONE");
}

#[test]
fn france_travail_preset_reads_its_field_names() {
    let line =
        json!({"id": "185XYZ", "intitule": CM_TITLE, "description": CM_TEXT, "romeCode": "E1101"});
    let out = classify()
        .args(["--jsonl", "--preset", "france-travail", "-f", "jsonl"])
        .write_stdin(format!("{line}\n"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let records = parse_lines(&out);
    assert_eq!(records[0]["id"], "185XYZ");
    assert_eq!(records[0]["label"], "CM");
}

#[test]
fn csv_with_header_and_multiline_quoted_cells() {
    let dir = tempdir();
    let csv = format!(
        "id,title,text\n1,\"{CM_TITLE}\",\"{}\"\n2,{BAKERY_TITLE},\"{BAKERY_TEXT}\"\n",
        CM_TEXT.replace(". ", ".\n")
    );
    let path = write(dir.path(), "ads.csv", &csv);
    let out = classify()
        .arg(&path)
        .args(["-f", "jsonl"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let records = parse_lines(&out);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["id"], "1");
    assert_eq!(records[0]["label"], "CM");
    assert_eq!(records[1]["id"], "2");
    // The second row starts on line 4: the first one spans two lines.
    assert_eq!(records[1]["source"], format!("{}:4", path.display()));

    // The same on standard input with --csv.
    let out = classify()
        .args(["--csv", "-f", "jsonl"])
        .write_stdin(csv)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(parse_lines(&out).len(), 2);
}

#[test]
fn a_file_named_like_a_subcommand_is_classified_with_dot_slash_or_double_dash() {
    let dir = tempdir();
    write(dir.path(), "evaluate", format!("{CM_TITLE}\n{CM_TEXT}"));
    for args in [vec!["./evaluate"], vec!["--", "evaluate"]] {
        classify()
            .current_dir(dir.path())
            .args(&args)
            .assert()
            .success()
            .stdout(predicates::str::contains("CM"));
    }
}
