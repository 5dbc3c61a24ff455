//! `classify lexicon check` and `classify lexicon dump`: for the people who
//! edit lexicon files.
//!
//! `check` loads and validates a file or folder exactly as `--lexicon`
//! would, and prints either a one-line summary or the core crate's located
//! error (file, line:column or entry, reason). `dump` prints the lexicon in
//! use as one loadable JSON document, a starting point for a custom one.

use std::io::{self, Write};
use std::path::Path;

use classify_core::lexicon::EntryKind;
use classify_core::Lexicon;

use crate::cli::LexiconCommand;
use crate::{config, write_stdout, Fatal, EXIT_OK, EXIT_USAGE};

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
    }
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
