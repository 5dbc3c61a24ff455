//! The command line as clap sees it: flags, sub-commands and help texts,
//! nothing else.
//!
//! This module only describes the interface, so that the help, the shell
//! completions and the man page all come from one definition. Turning these
//! raw values into domain values happens in `config`, before any work.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Printed after `--help`: the exit codes and how to name a file that looks
/// like a sub-command.
pub const AFTER_HELP: &str = "\
Exit codes:
  0  every record was classified (evaluate: and the macro-F1 floor was met),
     or the input held no record (said on stderr)
  1  some records failed (they are reported on stderr and in machine output),
     or evaluate's macro-F1 is below --min-macro-f1, or evaluate found no
     labelled ad
  2  usage error, unusable lexicon, or an output error

A file named like a sub-command (evaluate, lexicon, completions, man, help)
is classified when written as ./evaluate or after --: classify -- evaluate";

/// French job ads in, social-media role labels out (CM, SMM, STRATEGIST,
/// HYBRID, NONE).
///
/// With no file, or with `-`, reads one ad on standard input. Files and
/// folders are read one ad per file (.txt, .md, .html); .jsonl / .ndjson and
/// .csv files hold one ad per line or row.
//
// `--lexicon` is global: it goes before or after a sub-command. The other
// options belong to classification or to one sub-command, and go after it;
// `misplaced_option` refuses them before a sub-command. (clap's
// `args_conflicts_with_subcommands` would, but it counts the global
// `--lexicon` too, and then took the sub-command's name for a file.)
#[derive(Debug, Parser)]
#[command(
    name = "classify",
    version,
    after_help = AFTER_HELP,
    override_usage = "classify [OPTIONS] [FILE]...\n       classify [--lexicon <FILE_OR_DIR>] <COMMAND> [OPTIONS]",
    max_term_width = 100
)]
pub struct Cli {
    /// Use this lexicon (a JSON file, or a folder of .json files) instead of
    /// the built-in one; before or after a sub-command.
    #[arg(long, global = true, value_name = "FILE_OR_DIR")]
    pub lexicon: Option<PathBuf>,

    /// What to do; classifying is the default.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Classification options, used when no sub-command is given.
    #[command(flatten)]
    pub classify: ClassifyArgs,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure the classifier on labelled ads: accuracy, macro-F1,
    /// per-label metrics and the confusion matrix.
    #[command(after_help = AFTER_HELP)]
    Evaluate(EvaluateArgs),
    /// Check or print a lexicon.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Print a shell completion script on standard output.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output, or write every page
    /// into a folder.
    Man {
        /// Write classify.1 and one page per sub-command (classify-evaluate.1,
        /// classify-lexicon-check.1, …, the pages classify.1 refers to) into
        /// this folder, and print their paths.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `classify lexicon …`
#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Load and validate a lexicon file or folder; print a one-line summary,
    /// or the error (exit code 2).
    Check {
        /// The lexicon: a JSON file or a folder of .json files.
        path: PathBuf,
    },
    /// Print the lexicon in use (the built-in one unless --lexicon is given)
    /// as one loadable JSON document.
    Dump,
    /// List, for each entry, the words of the given ads it matched, with
    /// counts: to spot a stem that catches a word it should not (`savez`
    /// for `SAV`) before it skews verdicts.
    Words(WordsArgs),
}

/// `classify lexicon words`.
#[derive(Debug, Args)]
pub struct WordsArgs {
    /// Ads, read as `classify` reads them; nothing or `-` reads standard
    /// input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Only the entries matched by at least this many different forms.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_forms: usize,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Where the id, title and text of a structured record are.
#[derive(Debug, Clone, Args)]
pub struct FieldArgs {
    /// Field names of a known source; the field flags override it.
    /// france-travail: id, intitule, description.
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Field (or dotted path, e.g. offer.ref) holding the record id
    /// [default: id; when absent, FILE:LINE is used].
    #[arg(long, value_name = "PATH")]
    pub id_field: Option<String>,
    /// Field (or dotted path) holding the title [default: title].
    #[arg(long, value_name = "PATH")]
    pub title_field: Option<String>,
    /// Field (or dotted path) holding the ad text [default: text].
    #[arg(long, value_name = "PATH")]
    pub text_field: Option<String>,
}

/// Known sources of structured ads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// France Travail's job-offer API: id, intitule, description.
    FranceTravail,
}

/// How input files are read and how big a record may be.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Read every file (and standard input) as JSON Lines, one ad per line.
    #[arg(long, conflicts_with = "csv")]
    pub jsonl: bool,
    /// Read every file (and standard input) as CSV with a header row.
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Largest record accepted, in bytes (suffixes K, M, G for KiB, MiB,
    /// GiB).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    pub max_record_bytes: u64,
    /// Classify with this many threads [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Stop at the first bad record instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
}

/// Options of plain `classify [FILES]`.
#[derive(Debug, Clone, Args)]
pub struct ClassifyArgs {
    /// Files or folders to classify; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Per ad: the family scores and every piece of evidence with its
    /// snippet of the original text. With --format json or jsonl, or with
    /// --annotate: each evidence item also carries its snippet (batch
    /// output leaves them out: they make it half as large again).
    #[arg(long)]
    pub explain: bool,
    /// JSON Lines in, JSON Lines out: every input object unchanged, plus
    /// one field holding the verdict.
    #[arg(long, conflicts_with_all = ["format", "csv"])]
    pub annotate: bool,
    /// Name of the field --annotate adds.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "classify",
        requires = "annotate"
    )]
    pub annotate_field: String,
    /// Print the count of each label and of errors on standard error at the
    /// end.
    #[arg(long)]
    pub summary: bool,
    /// When to colour the output [default: auto: on a terminal, unless
    /// NO_COLOR is set].
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, hide_default_value = true)]
    pub color: ColorChoice,
}

/// Arguments of `classify evaluate`.
#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    /// Labelled ads: JSON Lines (or CSV) files with a label field.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Field (or dotted path) holding the expected label.
    #[arg(long, value_name = "PATH", default_value = "label")]
    pub label_field: String,
    /// Also list the misclassified records with their strongest evidence.
    #[arg(long)]
    pub errors: bool,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Exit with code 1 when the macro-F1 is below this value (for CI).
    #[arg(long, value_name = "X")]
    pub min_macro_f1: Option<f64>,
}

/// Output formats of classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One aligned line per ad, for people.
    Human,
    /// One JSON array of verdicts.
    Json,
    /// One JSON verdict per line.
    Jsonl,
    /// Flat columns, comma-separated, with a header.
    Csv,
    /// Flat columns, tab-separated, with a header.
    Tsv,
}

/// Formats of the evaluation report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Matrix and metrics for people.
    Text,
    /// One JSON document for scripts.
    Json,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The usage error for an option of classification written before a
/// sub-command (`classify --format json evaluate …`), if there is one:
/// only the global `--lexicon` may come first. A file named like a
/// sub-command after such an option is the other reading; the message
/// says how to write both.
pub fn misplaced_option(matches: &ArgMatches) -> Option<String> {
    let (sub, _) = matches.subcommand()?;
    let command = Cli::command();
    let misplaced = command.get_arguments().find(|arg| {
        !arg.is_global_set()
            && matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine)
    })?;
    let name = match misplaced.get_long() {
        Some(long) => format!("--{long}"),
        None => misplaced.get_id().to_string(),
    };
    Some(format!(
        "{name} cannot come before the sub-command `{sub}` (only --lexicon can): \
         put the options of `{sub}` after it; to classify a file named {sub}, \
         write ./{sub} or -- {sub}"
    ))
}

/// Parses a byte size: `1048576`, `512K`, `10M`, `1G` (binary units).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("invalid size {s:?} (expected e.g. 1048576, 512K, 10M)"))?;
    let factor: u64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("invalid size unit in {s:?} (expected K, M or G)")),
    };
    match n.checked_mul(factor) {
        Some(0) => Err("size must be at least 1 byte".to_string()),
        Some(v) => Ok(v),
        None => Err(format!("size {s:?} is too large")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("0").is_err());
        assert!(parse_size("ten").is_err());
        assert!(parse_size("3T").is_err());
    }

    fn parse(args: &[&str]) -> Result<(Cli, Option<String>), clap::Error> {
        let matches = Cli::command().try_get_matches_from(args)?;
        let misplaced = misplaced_option(&matches);
        Ok((Cli::from_arg_matches(&matches)?, misplaced))
    }

    #[test]
    fn the_lexicon_goes_before_or_after_a_sub_command() {
        for args in [
            ["classify", "--lexicon", "l.json", "lexicon", "dump"],
            ["classify", "lexicon", "--lexicon", "l.json", "dump"],
            ["classify", "lexicon", "dump", "--lexicon", "l.json"],
        ] {
            let (cli, misplaced) = parse(&args).unwrap();
            assert_eq!(cli.lexicon, Some(PathBuf::from("l.json")), "{args:?}");
            assert!(
                matches!(cli.command, Some(Command::Lexicon(LexiconCommand::Dump))),
                "{args:?}"
            );
            assert_eq!(misplaced, None);
        }
        let (cli, _) = parse(&["classify", "--lexicon", "l.json", "evaluate", "a.jsonl"]).unwrap();
        let Some(Command::Evaluate(args)) = cli.command else {
            panic!("{:?}", cli.command)
        };
        assert_eq!(args.files, [PathBuf::from("a.jsonl")]);
        // Without a sub-command, files.
        let (cli, _) = parse(&["classify", "--lexicon", "l.json", "a.txt", "evaluate"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.classify.files.len(), 2);
    }

    #[test]
    fn classification_options_before_a_sub_command_are_refused() {
        let (_, misplaced) = parse(&["classify", "--explain", "evaluate", "a.jsonl"]).unwrap();
        let message = misplaced.unwrap();
        assert!(
            message.starts_with("--explain cannot come before the sub-command `evaluate`"),
            "{message}"
        );
        let (_, misplaced) = parse(&["classify", "-f", "json", "lexicon", "dump"]).unwrap();
        assert!(misplaced
            .unwrap()
            .starts_with("--format cannot come before"));
        // After the sub-command, its own options.
        let (_, misplaced) = parse(&["classify", "evaluate", "-f", "json", "a.jsonl"]).unwrap();
        assert_eq!(misplaced, None);
    }

    #[test]
    fn the_default_record_limit_is_the_library_default() {
        let cli = Cli::try_parse_from(["classify"]).unwrap();
        assert_eq!(
            cli.classify.input.max_record_bytes,
            crate::input::DEFAULT_MAX_RECORD_BYTES
        );
    }
}
