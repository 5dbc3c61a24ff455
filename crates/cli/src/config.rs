//! Turns clap's raw values into domain values before any work starts:
//! which sources to read and how, which output mode, how many threads,
//! whether to colour, and which lexicon.
//!
//! Everything that can be refused for usage reasons is refused here, so
//! that the commands themselves only read, classify and render.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use classify_core::{Classifier, Lexicon, LexiconError};

use crate::cli::{ClassifyArgs, ColorChoice, FieldArgs, Format, InputArgs, Preset};
use crate::input::{Fields, InputKind, ReadOptions, Source};
use crate::output::{Detail, Mode, Style};

/// Everything plain `classify [FILES]` needs.
#[derive(Debug)]
pub struct ClassifyConfig {
    /// What to read, in order.
    pub sources: Vec<Source>,
    /// How to read it.
    pub read: ReadOptions,
    /// How to write the verdicts.
    pub mode: Mode,
    /// Colour or not.
    pub style: Style,
    /// Threads.
    pub jobs: usize,
    /// Stop at the first bad record.
    pub strict: bool,
    /// Print label counts on stderr at the end.
    pub summary: bool,
    /// Show a progress indicator on stderr (only when it is a terminal).
    pub progress: bool,
}

/// Builds the configuration of a classification run.
pub fn classify(args: &ClassifyArgs) -> Result<ClassifyConfig, String> {
    let mut read = read_options(&args.input, None);
    if args.annotate {
        // --annotate is JSON Lines in, JSON Lines out.
        read.forced = Some(InputKind::Jsonl);
    }
    let detail = if args.explain {
        Detail::Snippets
    } else {
        Detail::Compact
    };
    let mode = if args.annotate {
        if args.annotate_field.is_empty() {
            return Err("--annotate-field must not be empty".into());
        }
        Mode::Annotate(args.annotate_field.clone(), detail)
    } else {
        match (args.format, args.explain) {
            (Format::Human, false) => Mode::Human,
            (Format::Human, true) => Mode::Explain,
            (Format::Json, _) => Mode::Json(detail),
            (Format::Jsonl, _) => Mode::Jsonl(detail),
            (Format::Csv | Format::Tsv, true) => {
                return Err("--explain has no csv or tsv form: use it alone, with \
                            --format json or jsonl, or with --annotate"
                    .into())
            }
            (Format::Csv, false) => Mode::Delimited(b','),
            (Format::Tsv, false) => Mode::Delimited(b'\t'),
        }
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && !matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty())
                && matches!(mode, Mode::Human | Mode::Explain)
        }
    };
    Ok(ClassifyConfig {
        sources: sources(&args.files),
        read,
        mode,
        style: Style { color },
        jobs: jobs(&args.input),
        strict: args.input.strict,
        summary: args.summary,
        progress: std::io::stderr().is_terminal(),
    })
}

/// The sources named on the command line; none means standard input.
pub fn sources(files: &[PathBuf]) -> Vec<Source> {
    if files.is_empty() {
        return vec![Source::Stdin];
    }
    files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                Source::Stdin
            } else {
                Source::Path {
                    path: f.clone(),
                    explicit: true,
                }
            }
        })
        .collect()
}

/// Field paths from a preset and the field flags (flags win).
pub fn fields(args: &FieldArgs, label: Option<&str>) -> Fields {
    let mut fields = match args.preset {
        None => Fields::default(),
        Some(Preset::FranceTravail) => Fields {
            id: "id".into(),
            title: "intitule".into(),
            text: "description".into(),
            label: None,
        },
    };
    if let Some(id) = &args.id_field {
        fields.id = id.clone();
    }
    if let Some(title) = &args.title_field {
        fields.title = title.clone();
    }
    if let Some(text) = &args.text_field {
        fields.text = text.clone();
    }
    fields.label = label.map(str::to_string);
    fields
}

/// Reading options shared by classification and evaluation.
pub fn read_options(input: &InputArgs, label: Option<&str>) -> ReadOptions {
    let forced = if input.jsonl {
        Some(InputKind::Jsonl)
    } else if input.csv {
        Some(InputKind::Csv)
    } else {
        None
    };
    ReadOptions {
        forced,
        fields: fields(&input.fields, label),
        max_record_bytes: input.max_record_bytes,
    }
}

/// `--jobs`, or the number of cores.
pub fn jobs(input: &InputArgs) -> usize {
    match input.jobs {
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// The lexicon named by `--lexicon`, or the built-in one.
pub fn lexicon(path: Option<&Path>) -> Result<Lexicon, LexiconError> {
    match path {
        Some(p) => Lexicon::from_path(p),
        None => Ok(Lexicon::embedded()),
    }
}

/// A classifier over [`lexicon`].
pub fn classifier(path: Option<&Path>) -> Result<Classifier, LexiconError> {
    lexicon(path).map(Classifier::with_lexicon)
}
