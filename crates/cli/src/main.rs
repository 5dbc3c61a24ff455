//! The `classify` command: French job ads in, social-media role labels out.
//!
//! This binary is glue over `classify_core`: parse the arguments (`cli`),
//! turn them into domain values (`config`), read records (`input`),
//! classify them in parallel and in order (`batch`), render (`output`).
//! It owns the exit codes: 0 when every record was classified, 1 when some
//! failed, 2 for usage, lexicon and output errors; a broken pipe ends
//! quietly with 0.
#![forbid(unsafe_code)]

mod batch;
mod cli;
mod config;
mod evaluate;
mod input;
mod lexicon_cmd;
mod output;

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, Parser};
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
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
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
        Some(Command::Man) => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            write_stdout(&buf)
        }
    }
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
    let item_renderer = output::item_renderer(&config.mode);
    let render = item_renderer.as_ref().map(|r| r as batch::Render<'_>);
    let (sources, read) = (config.sources.clone(), config.read.clone());
    let records = move || input::Records::new(sources, read);
    let jobs = batch::jobs_for(&config.sources, &config.read, config.jobs);
    batch::classify_all(records, &classifier, jobs, render, |mut batch| {
        let mut flow = ControlFlow::Continue(());
        if config.strict {
            if let Some(i) = batch
                .outcomes
                .iter()
                .position(|o| matches!(o, Outcome::Failed(_)))
            {
                let Outcome::Failed(e) = batch.outcomes.remove(i) else {
                    unreachable!()
                };
                batch.truncate(i);
                renderer.batch(&mut out, &batch.outcomes, &batch.rendered)?;
                report(&mut progress, &e);
                stats.errors += 1;
                flow = ControlFlow::Break(());
            }
        }
        if flow.is_continue() {
            for o in &batch.outcomes {
                if let Outcome::Failed(e) = o {
                    report(&mut progress, e);
                }
            }
            renderer.batch(&mut out, &batch.outcomes, &batch.rendered)?;
            progress.advance(batch.outcomes.len());
        }
        for o in &batch.outcomes {
            stats.add(o);
        }
        Ok(flow)
    })?;
    progress.clear();
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
