//! `classify evaluate`: measures the classifier on labelled ads, for the
//! people who tune the lexicon and for CI.
//!
//! Records are read and classified exactly as in classification (same
//! readers, fields, presets and parallel batches); the report uses the core
//! crate's [`Confusion`], so figures match the library's quality tests.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use classify_core::evaluation::Confusion;
use classify_core::Label;
use serde_json::{json, Map, Value};

use crate::batch;
use crate::cli::{EvaluateArgs, ReportFormat};
use crate::input::Records;
use crate::output::{flatten, snippet, SNIPPET_RADIUS};
use crate::{config, Fatal, EXIT_FAILED, EXIT_OK};

/// Strongest evidence shown per misclassified record.
const MISS_EVIDENCE: usize = 3;

/// A misclassified record, kept for `--errors`.
struct Miss {
    id: String,
    source: String,
    expected: Label,
    predicted: Label,
    confidence: f64,
    /// (entry, family, snippet)
    evidence: Vec<(String, String, String)>,
}

/// Runs the evaluation and prints the report; returns the exit code.
pub fn run(args: &EvaluateArgs, lexicon: Option<&Path>) -> Result<u8, Fatal> {
    if let Some(x) = args.min_macro_f1 {
        if !(0.0..=1.0).contains(&x) {
            return Err(Fatal::Usage(format!(
                "--min-macro-f1 must be between 0 and 1, not {x}"
            )));
        }
    }
    let classifier = config::classifier(lexicon)?;
    let mut read = config::read_options(&args.input, Some(&args.label_field));
    if read.forced.is_none() {
        // Labelled data is structured: unknown extensions are JSON Lines.
        let all_text = args.files.iter().all(|f| {
            !matches!(
                crate::input::InputKind::from_path(f),
                Some(crate::input::InputKind::Csv)
            )
        });
        if all_text {
            read.forced = Some(crate::input::InputKind::Jsonl);
        }
    }
    let sources = config::sources(&args.files);
    let mut confusion = Confusion::new();
    let mut misses = Vec::new();
    let tally = batch::each_verdict(
        move || Records::new(sources, read),
        &classifier,
        config::jobs(&args.input),
        args.input.strict,
        |record, verdict| {
            let raw_label = record.label.as_deref().unwrap_or_default();
            let expected: Label = raw_label
                .parse()
                .map_err(|e| format!("{}: {e}", record.source))?;
            confusion.add(expected, verdict.label);
            if args.errors && expected != verdict.label {
                let evidence = verdict
                    .strongest_evidence()
                    .into_iter()
                    .take(MISS_EVIDENCE)
                    .map(|e| {
                        let text = match e.section {
                            classify_core::Section::Title => &record.title,
                            classify_core::Section::Body => &record.text,
                        };
                        (
                            e.entry.clone(),
                            e.family.clone(),
                            snippet(text, e.span.clone(), SNIPPET_RADIUS, ("[", "]")),
                        )
                    })
                    .collect();
                misses.push(Miss {
                    id: record.id.clone(),
                    source: record.source.to_string(),
                    expected,
                    predicted: verdict.label,
                    confidence: verdict.confidence,
                    evidence,
                });
            }
            Ok(())
        },
    )?;

    // A report of zeros would read as a classifier that is always wrong.
    if let Some(code) = tally.refuse_empty("labelled ad to measure") {
        return Ok(code);
    }
    let failed = tally.failed;
    let macro_f1 = confusion.macro_f1();
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ReportFormat::Text => {
            write_text(&mut out, &confusion, failed, args.errors.then_some(&misses))?
        }
        ReportFormat::Json => {
            let report = json_report(&confusion, failed, args.errors.then_some(&misses));
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).expect("values serialize")
            )?;
        }
    }
    out.flush()?;
    let mut code = if failed > 0 { EXIT_FAILED } else { EXIT_OK };
    if let Some(min) = args.min_macro_f1 {
        if macro_f1 < min {
            let _ = writeln!(
                io::stderr(),
                "classify: macro-F1 {macro_f1:.3} is below --min-macro-f1 {min}"
            );
            code = EXIT_FAILED;
        }
    }
    Ok(code)
}

fn write_text(
    out: &mut dyn Write,
    confusion: &Confusion,
    failed: u64,
    misses: Option<&Vec<Miss>>,
) -> io::Result<()> {
    write!(out, "{confusion}")?;
    if failed > 0 {
        writeln!(out, "records failed {failed} (not counted)")?;
    }
    if let Some(misses) = misses {
        writeln!(out)?;
        writeln!(out, "misclassified {}", misses.len())?;
        for m in misses {
            writeln!(
                out,
                "{}  expected {}  got {} ({:.2})  {}",
                flatten(&m.id),
                m.expected,
                m.predicted,
                m.confidence,
                m.source
            )?;
            for (entry, family, snippet) in &m.evidence {
                writeln!(out, "    {entry} ({family}): {snippet}")?;
            }
        }
    }
    Ok(())
}

fn json_report(confusion: &Confusion, failed: u64, misses: Option<&Vec<Miss>>) -> Value {
    let labels: Map<String, Value> = Label::ALL
        .iter()
        .map(|&l| {
            let m = confusion.metrics(l);
            (
                l.as_str().to_string(),
                json!({"support": m.support, "precision": m.precision, "recall": m.recall, "f1": m.f1}),
            )
        })
        .collect();
    let mut report = json!({
        "ads": confusion.total(),
        "accuracy": confusion.accuracy(),
        "macro_f1": confusion.macro_f1(),
        "labels": labels,
        "confusion": {
            "labels": Label::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "counts": confusion.counts,
        },
        "failed": failed,
    });
    if let Some(misses) = misses {
        let list: Vec<Value> = misses
            .iter()
            .map(|m| {
                json!({
                    "id": m.id,
                    "source": m.source,
                    "expected": m.expected.as_str(),
                    "predicted": m.predicted.as_str(),
                    "confidence": m.confidence,
                    "evidence": m.evidence.iter().map(|(entry, family, snippet)| {
                        json!({"entry": entry, "family": family, "snippet": snippet})
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        report["misclassified"] = Value::Array(list);
    }
    report
}
