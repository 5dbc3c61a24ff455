//! The `classify` command: French job ads in, social-media role labels out.
//!
//! This binary is glue over `classify_core`: parse the arguments (`cli`),
//! turn them into domain values (`config`), read records (`input`, from
//! this package's library, `classify_cli`),
//! classify them in parallel and in order (`batch`), render (`output`).
//! It owns the exit codes: 0 when every record was classified, 1 when some
//! failed, 2 for usage, lexicon and output errors; a broken pipe ends
//! quietly with 0.
#![forbid(unsafe_code)]

mod batch;
mod cli;
mod config;
mod evaluate;
mod lexicon_cmd;
mod output;

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches};
// Re-exported at the root so that the binary's modules reach the readers as
// `crate::input`.
use classify_cli::input;
use classify_core::{Label, LexiconError};

use crate::batch::Outcome;
use crate::cli::{ClassifyArgs, Cli, Command};
use crate::output::Renderer;

/// Every record was classified.
pub const EXIT_OK: u8 = 0;
/// Some records failed, or an evaluation is below its floor.
pub const EXIT_FAILED: u8 = 1;
/// Usage, lexicon or output error.
pub const EXIT_USAGE: u8 = 2;

/// A run that cannot go on.
#[derive(Debug)]
pub enum Fatal {
    /// Bad usage, with the message.
    Usage(String),
    /// The lexicon does not load.
    Lexicon(LexiconError),
    /// Writing the output failed (a broken pipe is not reported).
    Io(io::Error),
}

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Self {
        Fatal::Io(e)
    }
}

impl From<LexiconError> for Fatal {
    fn from(e: LexiconError) -> Self {
        Fatal::Lexicon(e)
    }
}

fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Parses `args`, runs the command, and turns the outcome into an exit
/// code, printing fatal errors as `classify: …`.
fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let cli = match parsed {
        Ok((cli, matches)) => {
            if let Some(message) = cli::misplaced_option(&matches) {
                let _ = writeln!(io::stderr(), "classify: {message}");
                return ExitCode::from(EXIT_USAGE);
            }
            cli
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fatal::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        Err(fatal) => {
            let message = match fatal {
                Fatal::Usage(m) => m,
                Fatal::Lexicon(e) => format!("lexicon: {e}"),
                Fatal::Io(e) => format!("cannot write output: {}", input::io_reason(&e)),
            };
            let _ = writeln!(io::stderr(), "classify: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8, Fatal> {
    let lexicon = cli.lexicon.as_deref();
    match cli.command {
        None => classify(&cli.classify, lexicon),
        Some(Command::Evaluate(args)) => evaluate::run(&args, lexicon),
        Some(Command::Lexicon(cmd)) => lexicon_cmd::run(&cmd, lexicon),
        Some(Command::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "classify", &mut buf);
            write_stdout(&buf)
        }
        Some(Command::Man { dir }) => {
            // No `help` sub-command in the pages: `--help` is documented
            // with each command.
            let mut command = Cli::command().disable_help_subcommand(true);
            let Some(dir) = dir else {
                let mut buf = Vec::new();
                man_page(command).render(&mut buf)?;
                return write_stdout(&buf);
            };
            command.build();
            let mut paths = Vec::new();
            man_pages(&command, &dir, &mut paths).map_err(|(path, e)| {
                Fatal::Usage(format!(
                    "cannot write {}: {}",
                    path.display(),
                    input::io_reason(&e)
                ))
            })?;
            let mut list = String::new();
            for path in paths {
                list.push_str(&format!("{}\n", path.display()));
            }
            write_stdout(list.as_bytes())
        }
    }
}

/// The man page of `command`, its footer naming the program and version
/// (a sub-command's page would otherwise show only its own name).
fn man_page(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("classify {}", env!("CARGO_PKG_VERSION")))
}

/// Writes the man page of `command` and of each of its sub-commands, at
/// any depth, into `dir` (`classify.1`, `classify-evaluate.1`,
/// `classify-lexicon-check.1`, …), adding their paths to `paths`; on error,
/// the path that could not be written.
fn man_pages(
    command: &clap::Command,
    dir: &Path,
    paths: &mut Vec<std::path::PathBuf>,
) -> Result<(), (std::path::PathBuf, io::Error)> {
    let man = man_page(command.clone());
    let path = dir.join(man.get_filename());
    man.generate_to(dir).map_err(|e| (path.clone(), e))?;
    paths.push(path);
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, dir, paths)?;
    }
    Ok(())
}

/// Writes a whole document on standard output.
fn write_stdout(bytes: &[u8]) -> Result<u8, Fatal> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// Prints a record error as `classify: FILE:LINE: message`.
fn report(progress: &mut Progress, e: &input::RecordError) {
    progress.clear();
    let _ = writeln!(io::stderr(), "classify: {e}");
}

/// Label counts for `--summary`.
#[derive(Default)]
struct Stats {
    labels: [u64; 5],
    errors: u64,
}

impl Stats {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Classified(_, v) => self.labels[v.label.index()] += 1,
            Outcome::Failed(_) => self.errors += 1,
        }
    }

    fn total(&self) -> u64 {
        self.labels.iter().sum::<u64>() + self.errors
    }
}

/// A record counter on stderr, shown only on a terminal and only once the
/// input proves large.
struct Progress {
    enabled: bool,
    shown: bool,
    start: Instant,
    count: u64,
}

impl Progress {
    /// Records after which the input counts as large.
    const LARGE: u64 = 2048;

    fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            shown: false,
            start: Instant::now(),
            count: 0,
        }
    }

    fn advance(&mut self, n: usize) {
        self.count += n as u64;
        if self.enabled && (self.count >= Self::LARGE || self.start.elapsed().as_secs() >= 2) {
            let rate = self.count as f64 / self.start.elapsed().as_secs_f64().max(1e-3);
            let _ = write!(
                io::stderr(),
                "\r\x1b[Kclassify: {} records ({rate:.0}/s)",
                self.count
            );
            self.shown = true;
        }
    }

    fn clear(&mut self) {
        if self.shown {
            let _ = write!(io::stderr(), "\r\x1b[K");
            self.shown = false;
        }
    }
}

/// Plain `classify [FILES]`.
fn classify(args: &ClassifyArgs, lexicon: Option<&Path>) -> Result<u8, Fatal> {
    let config = config::classify(args).map_err(Fatal::Usage)?;
    let classifier = config::classifier(lexicon)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut renderer = Renderer::new(config.mode.clone(), config.style);
    let mut stats = Stats::default();
    let mut progress = Progress::new(config.progress && io::stderr().is_terminal());
    let heads = output::EvidenceHeads::for_mode(&config.mode, classifier.lexicon());
    let item_renderer = output::item_renderer(&config.mode, &heads);
    let render = item_renderer.as_ref().map(|r| r as batch::Render<'_>);
    let (sources, read) = (config.sources.clone(), config.read.clone());
    let records = move || input::Records::new(sources, read);
    let jobs = batch::jobs_for(&config.sources, &config.read, config.jobs);
    batch::classify_all(records, &classifier, jobs, render, |mut batch| {
        // With --strict, the records before the first error, then the error.
        let stop = if config.strict {
            batch
                .outcomes
                .iter()
                .position(|o| matches!(o, Outcome::Failed(_)))
                .map(|i| {
                    let Outcome::Failed(e) = batch.outcomes.remove(i) else {
                        unreachable!("the first error is at i")
                    };
                    batch.truncate(i);
                    e
                })
        } else {
            None
        };
        renderer.batch(&mut out, &batch.outcomes, &batch.rendered, &mut |e| {
            report(&mut progress, e)
        })?;
        progress.advance(batch.outcomes.len());
        for o in &batch.outcomes {
            stats.add(o);
        }
        match stop {
            Some(e) => {
                out.flush()?;
                report(&mut progress, &e);
                stats.errors += 1;
                Ok(ControlFlow::Break(()))
            }
            None => Ok(ControlFlow::Continue(())),
        }
    })?;
    progress.clear();
    if stats.total() == 0 {
        // Not an error (an empty day of scraping is one), but silence here
        // leaves a recruiter wondering whether anything ran.
        let _ = writeln!(
            io::stderr(),
            "classify: no records in the input (empty JSON Lines or CSV files, CSV with a header row only, or folders without .txt, .md, .html, .jsonl, .ndjson or .csv files)"
        );
    }
    renderer.finish(&mut out)?;
    out.flush()?;
    if config.summary {
        let counts: Vec<String> = Label::ALL
            .iter()
            .map(|l| format!("{l} {}", stats.labels[l.index()]))
            .collect();
        let _ = writeln!(
            io::stderr(),
            "classify: {} records: {}, errors {}",
            stats.total(),
            counts.join(", "),
            stats.errors
        );
    }
    Ok(if stats.errors > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}
