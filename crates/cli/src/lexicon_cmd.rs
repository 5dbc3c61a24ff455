//! `classify lexicon check`, `dump` and `words`: for the people who edit
//! lexicon files.
//!
//! `check` loads and validates a file or folder exactly as `--lexicon`
//! would, and prints either a one-line summary or the core crate's located
//! error (file, line:column or entry, reason). `dump` prints the lexicon in
//! use as one loadable JSON document, a starting point for a custom one.
//! `words` classifies ads and lists, per entry, the forms of the text it
//! matched: an entry is a stem, and a stem can catch words its author never
//! meant (`savez` for `SAV`, `leader` for `leads`).

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use classify_core::lexicon::EntryKind;
use classify_core::{EvidenceKind, Lexicon, Section};
use serde_json::json;

use crate::batch;
use crate::cli::{LexiconCommand, ReportFormat, WordsArgs};
use crate::input::Records;
use crate::{config, write_stdout, Fatal, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// Runs a `lexicon` sub-command; returns the exit code.
pub fn run(cmd: &LexiconCommand, lexicon: Option<&Path>) -> Result<u8, Fatal> {
    match cmd {
        LexiconCommand::Check { path } => match Lexicon::from_path(path) {
            Ok(lexicon) => {
                let mut out = io::stdout().lock();
                writeln!(out, "{}: ok: {}", path.display(), summary(&lexicon))?;
                out.flush()?;
                Ok(EXIT_OK)
            }
            Err(e) => {
                let _ = writeln!(io::stderr(), "classify: {e}");
                Ok(EXIT_USAGE)
            }
        },
        LexiconCommand::Dump => {
            let lexicon = config::lexicon(lexicon)?;
            let mut json = lexicon.to_json();
            json.push('\n');
            write_stdout(json.as_bytes())
        }
        LexiconCommand::Words(args) => words(args, lexicon),
    }
}

/// `classify lexicon words`: per entry, how often each form of the text
/// matched it.
fn words(args: &WordsArgs, lexicon: Option<&Path>) -> Result<u8, Fatal> {
    let classifier = config::classifier(lexicon)?;
    let read = config::read_options(&args.input, None);
    let sources = config::sources(&args.files);
    // Per entry (lexicon order): form → count.
    let mut forms: Vec<HashMap<String, u64>> =
        vec![HashMap::new(); classifier.lexicon().entries().len()];
    let tally = batch::each_verdict(
        move || Records::new(sources, read),
        &classifier,
        config::jobs(&args.input),
        args.input.strict,
        |record, verdict| {
            for e in &verdict.evidence {
                let text = match e.section {
                    Section::Title => &record.title,
                    Section::Body => &record.text,
                };
                let (Some(counts), Some(matched)) =
                    (forms.get_mut(e.index), text.get(e.span.clone()))
                else {
                    continue;
                };
                let form = matched
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                *counts.entry(form).or_insert(0) += 1;
            }
            Ok(())
        },
    )?;
    if let Some(code) = tally.refuse_empty("ad to read") {
        return Ok(code);
    }

    let lexicon = classifier.lexicon();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut report = Vec::new();
    for (entry, counts) in lexicon.entries().iter().zip(forms) {
        if counts.is_empty() || counts.len() < args.min_forms {
            continue;
        }
        let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
        // Most frequent first; ties in alphabetical order, so runs compare.
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let kind = EvidenceKind::of(&entry.kind).as_str();
        let family = lexicon.evidence_family(entry);
        match args.format {
            ReportFormat::Text => {
                let list: Vec<String> = counts.iter().map(|(f, n)| format!("{f} ×{n}")).collect();
                writeln!(
                    out,
                    "{}  ({kind}, {family}): {}",
                    entry.term,
                    list.join(", ")
                )?;
            }
            ReportFormat::Json => report.push(json!({
                "entry": entry.term,
                "kind": kind,
                "family": family,
                "forms": counts
                    .iter()
                    .map(|(f, n)| json!({"form": f, "count": n}))
                    .collect::<Vec<_>>(),
            })),
        }
    }
    if args.format == ReportFormat::Json {
        let report = json!({"ads": tally.taken, "failed": tally.failed, "entries": report});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("values serialize")
        )?;
    }
    out.flush()?;
    Ok(if tally.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// "N families, N mission terms, N titles, N cues".
pub fn summary(lexicon: &Lexicon) -> String {
    let (mut missions, mut titles, mut cues) = (0, 0, 0);
    for e in lexicon.entries() {
        match e.kind {
            EntryKind::Mission(_) => missions += 1,
            EntryKind::Title(_) => titles += 1,
            EntryKind::Cue(_) => cues += 1,
        }
    }
    format!(
        "{} families, {missions} mission terms, {titles} titles, {cues} cues",
        lexicon.families().len()
    )
}
