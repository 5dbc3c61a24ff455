//! `evaluate`, `lexicon check|dump|words`, `completions` and `man`.

use crate::util::*;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::Value;

fn fixtures() -> Vec<std::path::PathBuf> {
    [
        "cm.jsonl",
        "smm.jsonl",
        "strategist.jsonl",
        "hybrid.jsonl",
        "none.jsonl",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect()
}

#[test]
fn evaluate_prints_the_matrix_and_macro_f1() {
    let out = classify()
        .arg("evaluate")
        .args(fixtures())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("expected") && text.contains("STRATEGIST"),
        "{text}"
    );
    assert!(
        text.contains("precision") && text.contains("recall"),
        "{text}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("ads 161") && last.contains("macro-F1 "),
        "{last}"
    );
}

#[test]
fn evaluate_json_and_errors_for_scripts() {
    let out = classify()
        .args(["evaluate", "--format", "json", "--errors"])
        .args(fixtures())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["ads"], 161);
    let f1 = report["macro_f1"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&f1));
    assert_eq!(report["confusion"]["counts"].as_array().unwrap().len(), 5);
    let total: u64 = report["confusion"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(total, 161);
    // Every misclassified record has a different expected and predicted label.
    for m in report["misclassified"].as_array().unwrap() {
        assert_ne!(m["expected"], m["predicted"], "{m}");
    }
}

#[test]
fn evaluate_min_macro_f1_fails_below_the_floor() {
    classify()
        .args(["evaluate", "--min-macro-f1", "0"])
        .arg(fixture("cm.jsonl"))
        .assert()
        .success();
    // A bakery ad labelled STRATEGIST cannot be predicted right: macro-F1 0.
    let dir = tempdir();
    let path = write(
        dir.path(),
        "wrong.jsonl",
        serde_json::json!({"id": "x", "label": "STRATEGIST", "title": BAKERY_TITLE, "text": BAKERY_TEXT}).to_string(),
    );
    classify()
        .args(["evaluate", "--min-macro-f1", "0.5"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(contains("is below --min-macro-f1 0.5"));
}

#[test]
fn evaluate_reports_a_bad_label() {
    let dir = tempdir();
    let lines = [
        serde_json::json!({"id": "x", "label": "CMM", "title": CM_TITLE, "text": CM_TEXT})
            .to_string(),
        serde_json::json!({"id": "y", "cat": "CM", "title": CM_TITLE, "text": CM_TEXT}).to_string(),
    ];
    let path = write(dir.path(), "bad.jsonl", lines.join("\n"));
    classify()
        .args(["evaluate"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(contains(":1: unknown label \"CMM\"").and(contains(":2: missing field \"label\"")));
}

#[test]
fn lexicon_check_accepts_the_real_lexicon() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lexicon");
    classify()
        .args(["lexicon", "check", dir])
        .assert()
        .success()
        .stdout(contains(": ok: ").and(contains("families")));
}

#[test]
fn lexicon_dump_round_trips_through_check_and_use() {
    let out = classify()
        .args(["lexicon", "dump"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let dumped: Value = serde_json::from_slice(&out).expect("JSON document");
    assert!(dumped["families"].is_array());
    let dir = tempdir();
    let path = write(dir.path(), "lexicon.json", &out);
    classify()
        .args(["lexicon", "check"])
        .arg(&path)
        .assert()
        .success();
    // Used with --lexicon, it gives the same verdicts as the built-in one.
    let input = many_ads(10);
    let builtin = classify()
        .args(["--jsonl", "-f", "jsonl"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let custom = classify()
        .arg("--lexicon")
        .arg(&path)
        .args(["--jsonl", "-f", "jsonl"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(builtin, custom);
}

/// `--lexicon` is global: before the sub-command it used to end the
/// sub-commands, and `lexicon dump` became two files to classify.
#[test]
fn the_lexicon_option_goes_before_or_after_a_sub_command() {
    use std::ffi::OsString;
    let stdout = |args: Vec<OsString>| {
        classify()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let os = |args: &[&str]| -> Vec<OsString> { args.iter().map(OsString::from).collect() };
    let builtin = stdout(os(&["lexicon", "dump"]));
    // A custom lexicon: the built-in one without its first title.
    let mut custom: Value = serde_json::from_slice(&builtin).unwrap();
    custom["titles"].as_array_mut().unwrap().remove(0);
    let dir = tempdir();
    let path = write(dir.path(), "custom.json", custom.to_string());
    let flag = vec![OsString::from("--lexicon"), path.into_os_string()];
    let dump = os(&["lexicon", "dump"]);
    let before = stdout([flag.clone(), dump.clone()].concat());
    let after = stdout([dump, flag.clone()].concat());
    assert_ne!(before, builtin);
    assert_eq!(before, after);
    let mut report = os(&["evaluate", "-f", "json"]);
    report.push(fixture("cm.jsonl").into_os_string());
    let before = stdout([flag.clone(), report.clone()].concat());
    let after = stdout([report, flag].concat());
    assert_eq!(before, after);
    let before: Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(before["ads"], 33);
    // A broken lexicon is reported as such in both places.
    let broken = write(dir.path(), "broken.json", "{");
    for args in [
        vec!["--lexicon", broken.to_str().unwrap(), "lexicon", "dump"],
        vec!["--lexicon", broken.to_str().unwrap(), "evaluate", "x.jsonl"],
        vec!["evaluate", "--lexicon", broken.to_str().unwrap(), "x.jsonl"],
    ] {
        classify()
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains("classify: lexicon: ").and(contains("broken.json")));
    }
}

/// Other options belong after the sub-command: before it, a usage error
/// that also says how to classify a file named like the sub-command.
#[test]
fn classification_options_before_a_sub_command_are_a_usage_error() {
    let dir = tempdir();
    write(dir.path(), "evaluate", format!("{CM_TITLE}\n{CM_TEXT}"));
    classify()
        .current_dir(dir.path())
        .args(["--explain", "evaluate", "ads.jsonl"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "classify: --explain cannot come before the sub-command `evaluate` (only \
             --lexicon can): put the options of `evaluate` after it; to classify a file \
             named evaluate, write ./evaluate or -- evaluate\n",
        );
    classify()
        .current_dir(dir.path())
        .args(["--explain", "--", "evaluate"])
        .assert()
        .success()
        .stdout(contains("CM  confidence"));
}

#[test]
fn lexicon_check_names_line_and_column_of_malformed_json() {
    let dir = tempdir();
    let path = write(
        dir.path(),
        "bad.json",
        "{\n  \"families\": [\n    {\"id\": \"x\",, }\n  ]\n}\n",
    );
    classify()
        .args(["lexicon", "check"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(format!("classify: {}:3:", path.display())));
}

#[test]
fn lexicon_check_reports_schema_errors_and_missing_files() {
    let dir = tempdir();
    let path = write(dir.path(), "odd.json", r#"{"colours": []}"#);
    classify()
        .args(["lexicon", "check"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("odd.json"));
    classify()
        .args(["lexicon", "check"])
        .arg(dir.path().join("none.json"))
        .assert()
        .code(2)
        .stderr(contains("none.json"));
}

#[test]
fn completions_and_man_page_are_generated() {
    classify()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(contains("_classify").and(contains("evaluate")));
    classify()
        .args(["completions", "zsh"])
        .assert()
        .success()
        .stdout(predicates::str::is_empty().not());
    classify()
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".TH").and(contains("classify")));
}

/// `classify man` lists `classify-evaluate(1)` and the others as its
/// sub-commands' pages; `man --dir` writes them all, each with its options.
#[test]
fn man_dir_writes_every_page_the_main_page_refers_to() {
    let dir = tempdir();
    let out = classify()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let listed: Vec<String> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| l.to_string())
        .collect();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "classify-completions.1",
            "classify-evaluate.1",
            "classify-lexicon-check.1",
            "classify-lexicon-dump.1",
            "classify-lexicon-words.1",
            "classify-lexicon.1",
            "classify-man.1",
            "classify.1",
        ]
    );
    assert_eq!(listed.len(), names.len());
    let page = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    // Every page a page refers to exists.
    for name in &names {
        let text = page(name);
        let footer = format!("\"classify {}\"", env!("CARGO_PKG_VERSION"));
        assert!(text.contains(&footer), "{name}: footer");
        for (i, _) in text.match_indices("(1)") {
            let start = text[..i].rfind(char::is_whitespace).map_or(0, |s| s + 1);
            let referred = text[start..i].replace("\\-", "-");
            assert!(
                names.contains(&format!("{referred}.1")),
                "{name} refers to {referred}"
            );
        }
    }
    assert!(page("classify.1").contains("classify\\-evaluate(1)"));
    assert!(page("classify-evaluate.1").contains("\\-\\-label\\-field"));
    assert!(page("classify-lexicon-check.1").contains("classify lexicon check"));
    // A folder that cannot be written: exit 2, named.
    let missing = dir.path().join("missing");
    classify()
        .args(["man", "--dir"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(contains(format!(
            "classify: cannot write {}",
            missing.join("classify.1").display()
        )));
}

/// `lexicon words` lists, per entry, the forms of the ads' text it matched,
/// most frequent first, and shows what a stem really catches.
#[test]
fn lexicon_words_lists_the_forms_each_entry_matched() {
    let dir = tempdir();
    let ads = [
        jsonl_line(
            "a",
            "Community manager",
            "Vous modérez les commentaires et assurez la modération du forum. Vous savez gérer le SAV.",
        ),
        jsonl_line("b", "Community manager", "Modérer les échanges, répondre au SAV."),
    ];
    let path = write(dir.path(), "ads.jsonl", ads.join("\n") + "\n");
    let out = classify()
        .args(["lexicon", "words"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |entry: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{entry}  (")))
            .unwrap_or_else(|| panic!("no line for {entry}:\n{text}"))
            .to_string()
    };
    assert_eq!(
        line("modérer"),
        "modérer  (mission, moderation): modération ×1, modérer ×1, modérez ×1"
    );
    // `savez` has a key of its own: SAV matches only SAV.
    assert_eq!(line("sav"), "sav  (mission, customer_care): sav ×2");

    // --min-forms keeps the entries matched by several forms; JSON for scripts.
    let out = classify()
        .args(["lexicon", "words", "--min-forms", "2", "-f", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ads"], 2);
    let entries = report["entries"].as_array().unwrap();
    assert!(entries
        .iter()
        .all(|e| e["forms"].as_array().unwrap().len() >= 2));
    let moderate = entries.iter().find(|e| e["entry"] == "modérer").unwrap();
    assert_eq!(moderate["kind"], "mission");
    assert_eq!(
        moderate["forms"][0],
        serde_json::json!({"form": "modération", "count": 1})
    );
    assert!(entries.iter().all(|e| e["entry"] != "sav"));

    // Nothing to read is an error, as for evaluate.
    let empty = write(dir.path(), "empty.jsonl", "");
    let out = classify()
        .args(["lexicon", "words"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("no ad to read"),
        "{}",
        stderr_of(&out)
    );
}
